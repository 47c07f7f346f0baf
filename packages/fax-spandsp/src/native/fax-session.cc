// Node binding to libspandsp's T.30 fax terminal, over 8 kHz audio (fax_state_t: V.21 control,
// V.17/V.29/V.27ter image modems, ECM) or over T.38 IFP packets (t38_terminal_state_t).
//
// One FaxSession object per fax call. Everything runs on the JS thread: spandsp is a pure
// computation library with no threads or timers of its own; time advances only through the
// samples we feed it. A 20 ms step (160 samples through fax_rx + fax_tx) costs a few
// microseconds, so process() is synchronous by design: an AsyncWorker per frame would cost far
// more than the work. The only file I/O spandsp does is libtiff reading or writing one page at
// a phase boundary (tens of kilobytes, page-cache hot); the JS side validates and stages every
// TIFF before a session starts.
//
// spandsp calls our handlers synchronously from inside fax_rx/fax_tx/t38 calls; they only append
// to a queue that JS drains with takeEvents(). No JS is ever called from inside spandsp.

#include <napi.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <tiffio.h>
#include <spandsp.h>
#include <spandsp/version.h>

namespace {

constexpr int kFrame = 160;

enum EventKind : int32_t {
  kPhaseB = 1,   // code = frame type that started phase B processing (DIS at the sender, DCS at the receiver)
  kPhaseD = 2,   // code = post-page message (MPS, EOP, MCF...)
  kPhaseE = 3,   // code = completion code (T30_ERR_*)
  kFrameRx = 4,  // code = FCF (| FCF2 << 8) of a received T.30 control frame
  kFrameTx = 5,  // code = FCF of a sent T.30 control frame
  kDocument = 6, // code = document handler status
};

struct Event {
  int32_t kind;
  int32_t code;
};

struct Packet {
  std::vector<uint8_t> data;
  int32_t count;
};

class FaxSession : public Napi::ObjectWrap<FaxSession> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "FaxSession",
                       {
                           InstanceMethod<&FaxSession::Process>("process"),
                           InstanceMethod<&FaxSession::RxIfp>("rxIfp"),
                           InstanceMethod<&FaxSession::Tick>("tick"),
                           InstanceMethod<&FaxSession::TakeEvents>("takeEvents"),
                           InstanceMethod<&FaxSession::TakePackets>("takePackets"),
                           InstanceMethod<&FaxSession::Stats>("stats"),
                           InstanceMethod<&FaxSession::Terminate>("terminate"),
                           InstanceMethod<&FaxSession::Close>("close"),
                       });
  }

  explicit FaxSession(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FaxSession>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "FaxSession: options object expected");
    Napi::Object o = info[0].As<Napi::Object>();
    const bool calling = Bool(o, "calling", false);
    const bool send = Bool(o, "send", false);
    t38_ = Str(o, "transport", "audio") == "t38";
    file_ = Str(o, "file", "");
    if (file_.empty()) throw Napi::TypeError::New(env, "FaxSession: file is required");

    if (t38_) {
      t38_state_ = t38_terminal_init(nullptr, calling, &FaxSession::OnT38Packet, this);
      if (t38_state_ == nullptr) throw Napi::Error::New(env, "FaxSession: t38_terminal_init failed");
      t38_terminal_set_config(t38_state_, T38_TERMINAL_OPTION_NO_PACING | T38_TERMINAL_OPTION_REGULAR_INDICATORS);
      t30_ = t38_terminal_get_t30_state(t38_state_);
    } else {
      fax_ = fax_init(nullptr, calling);
      if (fax_ == nullptr) throw Napi::Error::New(env, "FaxSession: fax_init failed");
      // Keep sending silence when T.30 has nothing to say: the line is a continuous stream.
      fax_set_transmit_on_idle(fax_, 1);
      fax_set_tep_mode(fax_, 0);
      t30_ = fax_get_t30_state(fax_);
    }

    const std::string ident = Str(o, "localId", "");
    if (!ident.empty()) t30_set_tx_ident(t30_, ident.c_str());
    const std::string header = Str(o, "headerInfo", "");
    if (!header.empty()) t30_set_tx_page_header_info(t30_, header.c_str());
    t30_set_ecm_capability(t30_, Bool(o, "ecm", true));
    t30_set_supported_modems(t30_, Int(o, "modems", T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17));
    t30_set_supported_compressions(
        t30_, Int(o, "compressions", T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION));
    if (send) {
      t30_set_tx_file(t30_, file_.c_str(), -1, -1);
    } else {
      t30_set_rx_file(t30_, file_.c_str(), -1);
    }
    t30_set_phase_b_handler(t30_, &FaxSession::OnPhaseB, this);
    t30_set_phase_d_handler(t30_, &FaxSession::OnPhaseD, this);
    t30_set_phase_e_handler(t30_, &FaxSession::OnPhaseE, this);
    t30_set_real_time_frame_handler(t30_, &FaxSession::OnFrame, this);
  }

  ~FaxSession() override { Release(); }

 private:
  // ------------------------------------------------------------------ spandsp callbacks

  static int OnPhaseB(t30_state_t*, void* self, int result) {
    static_cast<FaxSession*>(self)->Push(kPhaseB, result);
    return T30_ERR_OK;
  }
  static int OnPhaseD(t30_state_t*, void* self, int result) {
    static_cast<FaxSession*>(self)->Push(kPhaseD, result);
    return T30_ERR_OK;
  }
  static void OnPhaseE(t30_state_t*, void* self, int code) {
    auto* s = static_cast<FaxSession*>(self);
    s->ended_ = true;
    s->completion_ = code;
    s->Push(kPhaseE, code);
  }
  static void OnFrame(t30_state_t*, void* self, int incoming, const uint8_t msg[], int len) {
    // HDLC frame: address 0xFF, control 0x03/0x13, then the FCF; bit 0 of the FCF is the X bit.
    // The second octet after the FCF (FCF2 of an ECM PPS) goes in bits 8..15.
    if (len < 3) return;
    // ECM image data (FCD 0x06) and its end marker (RCP 0x86) are not control frames; there are
    // up to 256 of them per block, so they are not queued.
    const int fcf = msg[2] & 0xFE;
    if (fcf == 0x06 || fcf == 0x86) return;
    const int32_t fcf2 = len > 3 ? static_cast<int32_t>(msg[3] & 0xFE) << 8 : 0;
    static_cast<FaxSession*>(self)->Push(incoming ? kFrameRx : kFrameTx, (msg[2] & 0xFE) | fcf2);
  }
  static int OnT38Packet(t38_core_state_t*, void* self, const uint8_t* buf, int len, int count) {
    auto* s = static_cast<FaxSession*>(self);
    if (s->packets_.size() < 4096) s->packets_.push_back(Packet{std::vector<uint8_t>(buf, buf + len), count});
    return 0;
  }

  void Push(int32_t kind, int32_t code) {
    // Bounded: JS drains after every step; a runaway would be a bug, not a reason to grow forever.
    if (events_.size() < 1024) events_.push_back(Event{kind, code});
  }

  // ------------------------------------------------------------------ methods

  void RequireOpen(Napi::Env env, const char* what) {
    if (t30_ == nullptr) throw Napi::Error::New(env, std::string("FaxSession.") + what + ": session is closed");
  }

  // process(rx: Int16Array(160), tx: Int16Array(160)) -> number of pending events
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    RequireOpen(env, "process");
    if (fax_ == nullptr) throw Napi::Error::New(env, "FaxSession.process: a T.38 session has no audio");
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) {
      throw Napi::TypeError::New(env, "FaxSession.process: (rx: Int16Array, tx: Int16Array) expected");
    }
    auto rx = info[0].As<Napi::TypedArray>();
    auto tx = info[1].As<Napi::TypedArray>();
    if (rx.TypedArrayType() != napi_int16_array || tx.TypedArrayType() != napi_int16_array) {
      throw Napi::TypeError::New(env, "FaxSession.process: Int16Array frames expected");
    }
    auto rxa = rx.As<Napi::Int16Array>();
    auto txa = tx.As<Napi::Int16Array>();
    const int n = static_cast<int>(rxa.ElementLength());
    const int m = static_cast<int>(txa.ElementLength());
    if (n > 0) {
      // fax_rx takes a non-const pointer but does not write to it; copy anyway to keep JS memory ours.
      int16_t buf[kFrame];
      int done = 0;
      while (done < n) {
        const int k = n - done < kFrame ? n - done : kFrame;
        std::memcpy(buf, rxa.Data() + done, sizeof(int16_t) * k);
        fax_rx(fax_, buf, k);
        done += k;
      }
    }
    int produced = 0;
    while (produced < m) {
      const int got = fax_tx(fax_, txa.Data() + produced, m - produced);
      if (got <= 0) break;
      produced += got;
    }
    if (produced < m) std::memset(txa.Data() + produced, 0, sizeof(int16_t) * (m - produced));
    return Napi::Number::New(env, static_cast<double>(events_.size()));
  }

  // rxIfp(packet: Uint8Array, seq: number) -> number of pending events (T.38 only)
  Napi::Value RxIfp(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    RequireOpen(env, "rxIfp");
    if (t38_state_ == nullptr) throw Napi::Error::New(env, "FaxSession.rxIfp: not a T.38 session");
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsNumber()) {
      throw Napi::TypeError::New(env, "FaxSession.rxIfp: (packet: Uint8Array, seq: number) expected");
    }
    auto pkt = info[0].As<Napi::Uint8Array>();
    const int seq = info[1].As<Napi::Number>().Int32Value() & 0xFFFF;
    t38_core_rx_ifp_packet(t38_terminal_get_t38_core_state(t38_state_), pkt.Data(), static_cast<int>(pkt.ElementLength()), static_cast<uint16_t>(seq));
    return Napi::Number::New(env, static_cast<double>(events_.size()));
  }

  // tick(samples: number) -> number of pending events (T.38 only): advances T.38 time.
  Napi::Value Tick(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    RequireOpen(env, "tick");
    if (t38_state_ == nullptr) throw Napi::Error::New(env, "FaxSession.tick: not a T.38 session");
    const int samples = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : kFrame;
    t38_terminal_send_timeout(t38_state_, samples);
    return Napi::Number::New(env, static_cast<double>(events_.size()));
  }

  // takeEvents() -> Int32Array [kind, code, kind, code, ...] (empty when none)
  Napi::Value TakeEvents(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto out = Napi::Int32Array::New(env, events_.size() * 2);
    for (size_t i = 0; i < events_.size(); i++) {
      out[i * 2] = events_[i].kind;
      out[i * 2 + 1] = events_[i].code;
    }
    events_.clear();
    return out;
  }

  // takePackets() -> Array<{ data: Uint8Array, count: number }> (T.38 only)
  Napi::Value TakePackets(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto out = Napi::Array::New(env, packets_.size());
    for (size_t i = 0; i < packets_.size(); i++) {
      auto obj = Napi::Object::New(env);
      obj.Set("data", Napi::Buffer<uint8_t>::Copy(env, packets_[i].data.data(), packets_[i].data.size()));
      obj.Set("count", Napi::Number::New(env, packets_[i].count));
      out.Set(static_cast<uint32_t>(i), obj);
    }
    packets_.clear();
    return out;
  }

  // stats() -> transfer statistics, identities and the completion state.
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    RequireOpen(env, "stats");
    t30_stats_t st;
    std::memset(&st, 0, sizeof st);
    t30_get_transfer_statistics(t30_, &st);
    auto o = Napi::Object::New(env);
    o.Set("bitRate", st.bit_rate);
    o.Set("ecm", st.error_correcting_mode != 0);
    o.Set("pagesTx", st.pages_tx);
    o.Set("pagesRx", st.pages_rx);
    o.Set("pagesInFile", st.pages_in_file);
    o.Set("xResolution", st.x_resolution);
    o.Set("yResolution", st.y_resolution);
    o.Set("width", st.width);
    o.Set("length", st.length);
    o.Set("imageSize", st.image_size);
    o.Set("encoding", st.encoding);
    o.Set("badRows", st.bad_rows);
    o.Set("ecmRetries", st.error_correcting_mode_retries);
    o.Set("status", st.current_status);
    const char* remote = t30_get_rx_ident(t30_);
    o.Set("remoteId", remote != nullptr ? remote : "");
    o.Set("ended", ended_);
    o.Set("completion", completion_);
    o.Set("completionText", t30_completion_code_to_str(completion_));
    return o;
  }

  // terminate(): the call is gone; spandsp closes the files and reports phase E.
  Napi::Value Terminate(const Napi::CallbackInfo& info) {
    if (t30_ != nullptr && !ended_) t30_terminate(t30_);
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  void Release() {
    if (fax_ != nullptr) {
      fax_free(fax_);
      fax_ = nullptr;
    }
    if (t38_state_ != nullptr) {
      t38_terminal_free(t38_state_);
      t38_state_ = nullptr;
    }
    t30_ = nullptr;
  }

  // ------------------------------------------------------------------ option helpers

  static bool Bool(const Napi::Object& o, const char* key, bool fallback) {
    Napi::Value v = o.Get(key);
    return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
  }
  static int Int(const Napi::Object& o, const char* key, int fallback) {
    Napi::Value v = o.Get(key);
    return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : fallback;
  }
  static std::string Str(const Napi::Object& o, const char* key, const char* fallback) {
    Napi::Value v = o.Get(key);
    return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string(fallback);
  }

  fax_state_t* fax_ = nullptr;
  t38_terminal_state_t* t38_state_ = nullptr;
  t30_state_t* t30_ = nullptr;
  bool t38_ = false;
  bool ended_ = false;
  int completion_ = -1;
  std::string file_;
  std::vector<Event> events_;
  std::vector<Packet> packets_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("FaxSession", FaxSession::Init(env));
  exports.Set("spandspRelease", Napi::String::New(env, SPANDSP_RELEASE_DATETIME_STRING));
  auto codes = Napi::Array::New(env);
  for (int i = 0; i <= T30_ERR_CSA_UNACCEPTABLE; i++) codes.Set(static_cast<uint32_t>(i), t30_completion_code_to_str(i));
  exports.Set("completionTexts", codes);
  return exports;
}

}  // namespace

NODE_API_MODULE(hotline_fax, Init)
