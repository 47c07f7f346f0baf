// @hotline/board-sanhui native addon: binds Synway's libshpa3.so at run time.
//
// - load(candidates): dlopen over the search order computed in TypeScript, then resolve the
//   symbol table (required functions, optional ones that become capabilities, and the fake's
//   FakeShp_* test-control entry points). No link-time dependency on the vendor library.
// - start/close: SsmStartCti + SsmSetEvent(polling) + channel enumeration, and SsmCloseCti, as
//   AsyncWorkers (board initialisation blocks for seconds on real hardware).
// - startEvents/stopEvents: the event thread (SsmWaitForEvent), owned by the addon, posting
//   batches through a TypedThreadSafeFunction whose finalizer joins it (hotline/native/event-pump.h).
//   Each event is enriched on that thread with the facts that are only true at that moment
//   (pending reason, AutoDial failure reason, numbers and KA/KD of an offered call).
// - call(name, args): every command through one table of signatures, off the event loop and
//   serialised by one mutex; -1 becomes a rejection carrying SsmGetLastErrCode/SsmGetLastErrMsg.
#include <napi.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hotline/native/dynlib.h"
#include "hotline/native/event-pump.h"
#include "hotline/native/vendor-call.h"
#include "shpa3api.h"

namespace {

using hotline::native::CallOutcome;
using hotline::native::DynLib;
using hotline::native::EventPump;
using hotline::native::SymbolSpec;
using hotline::native::VendorCall;
using hotline::native::VendorFailure;

// User event codes the addon posts to itself through SsmPutUserEvent (outside SYN-H3's ranges).
constexpr WORD kMarkerEvent = 0x7f00;  // flush marker: everything queued before it was delivered
constexpr WORD kWakeEvent = 0x7f01;    // wakes the event thread so it can stop

#define F(name) decltype(&::name) name = nullptr
struct Api {
  // required
  F(SsmStartCti); F(SsmCloseCti); F(SsmGetLastErrCode); F(SsmGetMaxCh); F(SsmGetChType); F(SsmSetEvent);
  F(SsmWaitForEvent); F(SsmGetEvent); F(SsmGetChState); F(SsmGetPendingReason); F(SsmPickup); F(SsmHangup);
  F(SsmAutoDial); F(SsmPlayFile); F(SsmStopPlayFile); F(SsmRecToFile); F(SsmStopRecToFile);
  F(SsmEnableRxDtmf); F(SsmGetCallerId);
  // optional
  F(SsmGetLastErrMsg); F(SsmGetMaxUsableBoard); F(SsmGetChHdInfo); F(SsmGetBoardModel); F(SsmGetBoardName);
  F(SsmGetPciSerialNo); F(SsmGetDllVersion); F(SsmPutUserEvent); F(SsmGetChStateEx); F(SsmGetPhoNumStr);
  F(SsmGetKA); F(SsmGetKD); F(SsmSetKA); F(SsmSetKD); F(SsmSetKB); F(SsmEnableAutoSendKB); F(SsmChkAutoDial);
  F(SsmGetAutoDialFailureReason); F(SsmSetTxCallerId); F(SsmCheckPlay); F(SsmCheckRecord); F(SsmSetDtmfStopPlay);
  F(SsmClearRxDtmfBuf); F(SsmGetDtmfStr); F(SsmTxDtmf); F(SsmChkTxDtmf); F(SsmTalkWith); F(SsmStopTalkWith);
  F(SsmCreateConfGroup); F(SsmFreeConfGroup); F(SsmJoinConfGroup); F(SsmExitConfGroup); F(SsmGetHookState);
  F(SsmStartRing); F(SsmStopRing); F(SsmStartRingWithCIDStr); F(SsmSetASDT); F(SsmSendTone); F(SsmStopSendTone);
  F(SsmFaxStartSend); F(SsmFaxStartReceive); F(SsmFaxStop);
};
#undef F

// Process-wide: the vendor library is a process singleton (one SsmStartCti per process).
std::mutex g_loadLock;
DynLib g_lib;
Api g_api;
std::mutex g_callLock;           // serialises every vendor call but SsmWaitForEvent/SsmGetEvent
std::atomic<bool> g_started{false};
std::atomic<napi_env> g_owner{nullptr};
std::vector<std::string> g_missingOptional;
std::vector<std::string> g_controlNames;

struct ControlFn {
  std::string name;
  void* fn;
};
std::vector<ControlFn> g_control;  // FakeShp_* entry points, present only in the fake

std::vector<SymbolSpec> SymbolTable() {
  Api& a = g_api;
  return {
      HOTLINE_SYMBOL(a, SsmStartCti, true), HOTLINE_SYMBOL(a, SsmCloseCti, true),
      HOTLINE_SYMBOL(a, SsmGetLastErrCode, true), HOTLINE_SYMBOL(a, SsmGetMaxCh, true),
      HOTLINE_SYMBOL(a, SsmGetChType, true), HOTLINE_SYMBOL(a, SsmSetEvent, true),
      HOTLINE_SYMBOL(a, SsmWaitForEvent, true), HOTLINE_SYMBOL(a, SsmGetEvent, true),
      HOTLINE_SYMBOL(a, SsmGetChState, true), HOTLINE_SYMBOL(a, SsmGetPendingReason, true),
      HOTLINE_SYMBOL(a, SsmPickup, true), HOTLINE_SYMBOL(a, SsmHangup, true), HOTLINE_SYMBOL(a, SsmAutoDial, true),
      HOTLINE_SYMBOL(a, SsmPlayFile, true), HOTLINE_SYMBOL(a, SsmStopPlayFile, true),
      HOTLINE_SYMBOL(a, SsmRecToFile, true), HOTLINE_SYMBOL(a, SsmStopRecToFile, true),
      HOTLINE_SYMBOL(a, SsmEnableRxDtmf, true), HOTLINE_SYMBOL(a, SsmGetCallerId, true),
      HOTLINE_SYMBOL(a, SsmGetLastErrMsg, false), HOTLINE_SYMBOL(a, SsmGetMaxUsableBoard, false),
      HOTLINE_SYMBOL(a, SsmGetChHdInfo, false), HOTLINE_SYMBOL(a, SsmGetBoardModel, false),
      HOTLINE_SYMBOL(a, SsmGetBoardName, false), HOTLINE_SYMBOL(a, SsmGetPciSerialNo, false),
      HOTLINE_SYMBOL(a, SsmGetDllVersion, false), HOTLINE_SYMBOL(a, SsmPutUserEvent, false),
      HOTLINE_SYMBOL(a, SsmGetChStateEx, false), HOTLINE_SYMBOL(a, SsmGetPhoNumStr, false),
      HOTLINE_SYMBOL(a, SsmGetKA, false), HOTLINE_SYMBOL(a, SsmGetKD, false), HOTLINE_SYMBOL(a, SsmSetKA, false),
      HOTLINE_SYMBOL(a, SsmSetKD, false), HOTLINE_SYMBOL(a, SsmSetKB, false),
      HOTLINE_SYMBOL(a, SsmEnableAutoSendKB, false), HOTLINE_SYMBOL(a, SsmChkAutoDial, false),
      HOTLINE_SYMBOL(a, SsmGetAutoDialFailureReason, false), HOTLINE_SYMBOL(a, SsmSetTxCallerId, false),
      HOTLINE_SYMBOL(a, SsmCheckPlay, false), HOTLINE_SYMBOL(a, SsmCheckRecord, false),
      HOTLINE_SYMBOL(a, SsmSetDtmfStopPlay, false), HOTLINE_SYMBOL(a, SsmClearRxDtmfBuf, false),
      HOTLINE_SYMBOL(a, SsmGetDtmfStr, false), HOTLINE_SYMBOL(a, SsmTxDtmf, false),
      HOTLINE_SYMBOL(a, SsmChkTxDtmf, false), HOTLINE_SYMBOL(a, SsmTalkWith, false),
      HOTLINE_SYMBOL(a, SsmStopTalkWith, false), HOTLINE_SYMBOL(a, SsmCreateConfGroup, false),
      HOTLINE_SYMBOL(a, SsmFreeConfGroup, false), HOTLINE_SYMBOL(a, SsmJoinConfGroup, false),
      HOTLINE_SYMBOL(a, SsmExitConfGroup, false), HOTLINE_SYMBOL(a, SsmGetHookState, false),
      HOTLINE_SYMBOL(a, SsmStartRing, false), HOTLINE_SYMBOL(a, SsmStopRing, false),
      HOTLINE_SYMBOL(a, SsmStartRingWithCIDStr, false), HOTLINE_SYMBOL(a, SsmSetASDT, false),
      HOTLINE_SYMBOL(a, SsmSendTone, false), HOTLINE_SYMBOL(a, SsmStopSendTone, false),
      HOTLINE_SYMBOL(a, SsmFaxStartSend, false), HOTLINE_SYMBOL(a, SsmFaxStartReceive, false),
      HOTLINE_SYMBOL(a, SsmFaxStop, false),
  };
}

const char* const kControlNames[] = {
    "FakeShp_Reset", "FakeShp_Advance", "FakeShp_NextDueIn", "FakeShp_Now", "FakeShp_InjectCall",
    "FakeShp_PressDigits", "FakeShp_FarHangup", "FakeShp_CallState", "FakeShp_CallChannel", "FakeShp_ChannelCall",
    "FakeShp_SetSubscriber", "FakeShp_FailChannel", "FakeShp_RecoverChannel", "FakeShp_StationOffHook",
    "FakeShp_StationOnHook", "FakeShp_TalkPeer", "FakeShp_ConfGroup", "FakeShp_FailNext", "FakeShp_QueuedEvents",
    "FakeShp_SentDigits", "FakeShp_RingCallerId",
};

// The vendor's reason for the last failure; call with g_callLock held, right after the failure.
VendorFailure LastFailure(const std::string& op) {
  VendorFailure f;
  f.failed = true;
  f.op = op;
  f.code = g_api.SsmGetLastErrCode ? g_api.SsmGetLastErrCode() : -1;
  if (g_api.SsmGetLastErrMsg) {
    char buf[1024] = {0};
    g_api.SsmGetLastErrMsg(buf);
    buf[sizeof buf - 1] = 0;
    f.message = buf;
  }
  return f;
}

VendorFailure NotExported(const std::string& op) {
  VendorFailure f;
  f.failed = true;
  f.op = op;
  f.code = -2;  // Hotline's own: the library does not export this function
  f.message = "not exported by " + g_lib.Path();
  return f;
}

// ------------------------------------------------------------------------------------------------
// Events

struct Event {
  WORD code = 0;
  int ch = -1;
  DWORD param = 0;
  int reason = -1;   // pending reason (ChState → 7)
  int failure = -1;  // AutoDial failure reason (ATDL_*)
  int ka = -1;
  int kd = -1;
  bool numbers = false;
  std::string callerId;
  std::string called;
};

void Enrich(Event& e) {
  if (e.ch < 0) return;
  std::lock_guard<std::mutex> guard(g_callLock);
  const Api& a = g_api;
  if (e.code == E_CHG_ChState) {
    int state = static_cast<int>(e.param & 0xffff);
    if (state == S_CALL_PENDING) {
      e.reason = a.SsmGetPendingReason(e.ch);
      if (a.SsmGetAutoDialFailureReason) e.failure = a.SsmGetAutoDialFailureReason(e.ch);
    }
    if (state == S_CALL_RINGING || (state == S_CALL_PENDING && e.reason == PEND_WaitBckStpMsg)) {
      char buf[256] = {0};
      if (a.SsmGetCallerId(e.ch, buf) != -1) e.callerId.assign(buf, strnlen(buf, sizeof buf));
      if (a.SsmGetPhoNumStr) {
        char num[256] = {0};
        if (a.SsmGetPhoNumStr(e.ch, num) != -1) e.called.assign(num, strnlen(num, sizeof num));
      }
      e.numbers = true;
      int type = a.SsmGetChType(e.ch);
      if (type == SS1_CH) {
        if (a.SsmGetKA) e.ka = a.SsmGetKA(e.ch);
        if (a.SsmGetKD) e.kd = a.SsmGetKD(e.ch);
      }
    }
  } else if (e.code == E_PROC_AutoDial) {
    DWORD s = e.param;
    bool failed = s == DIAL_NO_DIALTONE || s == DIAL_BUSYTONE || s == DIAL_ECHO_NOVOICE || s == DIAL_NOVOICE ||
                  s == DIAL_NOANSWER || s == DIAL_FAILURE || s == DIAL_INVALID_PHONUM;
    if (failed && a.SsmGetAutoDialFailureReason) e.failure = a.SsmGetAutoDialFailureReason(e.ch);
  }
}

Event FromMessage(const MESSAGE_INFO& m) {
  Event e;
  e.code = m.wEventCode;
  e.ch = m.nReference;
  e.param = m.dwParam;
  if (e.code != kMarkerEvent && e.code != kWakeEvent) Enrich(e);
  return e;
}

bool Produce(std::vector<Event>& batch, const std::atomic<bool>& stopping) {
  MESSAGE_INFO m;
  std::memset(&m, 0, sizeof m);
  if (g_api.SsmWaitForEvent(200, &m) == -1) return !stopping;
  if (m.wEventCode != kWakeEvent) batch.push_back(FromMessage(m));
  // Drain what else is ready, without blocking, into the same batch (one hop to JS for a burst).
  while (batch.size() < 512) {
    std::memset(&m, 0, sizeof m);
    if (g_api.SsmGetEvent(&m) == -1) break;
    if (m.wEventCode != kWakeEvent) batch.push_back(FromMessage(m));
  }
  return !stopping;
}

void BatchToJs(Napi::Env env, Napi::Function callback, std::vector<Event>& batch) {
  Napi::Array list = Napi::Array::New(env, batch.size());
  for (size_t i = 0; i < batch.size(); i++) {
    const Event& e = batch[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("code", Napi::Number::New(env, e.code));
    o.Set("ch", Napi::Number::New(env, e.ch));
    o.Set("param", Napi::Number::New(env, e.param));
    if (e.reason != -1) o.Set("reason", Napi::Number::New(env, e.reason));
    if (e.failure != -1) o.Set("failure", Napi::Number::New(env, e.failure));
    if (e.ka != -1) o.Set("ka", Napi::Number::New(env, e.ka));
    if (e.kd != -1) o.Set("kd", Napi::Number::New(env, e.kd));
    if (e.numbers) {
      o.Set("callerId", Napi::String::New(env, e.callerId));
      o.Set("called", Napi::String::New(env, e.called));
    }
    list.Set(static_cast<uint32_t>(i), o);
  }
  callback.Call({list});
}

// ------------------------------------------------------------------------------------------------
// Per-environment instance data

struct Instance {
  std::unique_ptr<EventPump<Event>> pump = std::make_unique<EventPump<Event>>();
  napi_env env = nullptr;
  ~Instance() {
    pump.reset();  // joins the thread if the TSFN finalizer has not already
    napi_env mine = env;
    if (g_owner.compare_exchange_strong(mine, nullptr) && g_started.exchange(false)) {
      std::lock_guard<std::mutex> guard(g_callLock);
      g_api.SsmCloseCti();  // the process is exiting with the board open
    }
  }
};

Instance& Data(Napi::Env env) { return *env.GetInstanceData<Instance>(); }

// ------------------------------------------------------------------------------------------------
// load(candidates) → { ok, path, attempts, missingRequired, missingOptional, control }

Napi::Value Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    Napi::TypeError::New(env, "load(candidates: string[])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::lock_guard<std::mutex> guard(g_loadLock);
  if (g_started) {
    Napi::Error::New(env, "a board is open in this process; the library cannot be reloaded").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array arr = info[0].As<Napi::Array>();
  std::vector<std::string> candidates;
  for (uint32_t i = 0; i < arr.Length(); i++) candidates.push_back(arr.Get(i).ToString().Utf8Value());
  g_api = Api{};
  g_control.clear();
  g_missingOptional.clear();
  bool ok = g_lib.Open(candidates);
  Napi::Object out = Napi::Object::New(env);
  Napi::Array attempts = Napi::Array::New(env);
  for (size_t i = 0; i < g_lib.Attempts().size(); i++) {
    Napi::Object a = Napi::Object::New(env);
    a.Set("candidate", g_lib.Attempts()[i].candidate);
    a.Set("error", g_lib.Attempts()[i].error);
    attempts.Set(static_cast<uint32_t>(i), a);
  }
  out.Set("attempts", attempts);
  Napi::Array missingRequired = Napi::Array::New(env);
  Napi::Array missingOptional = Napi::Array::New(env);
  Napi::Array control = Napi::Array::New(env);
  if (ok) {
    std::vector<SymbolSpec> table = SymbolTable();
    auto result = hotline::native::ResolveSymbols(g_lib, table.data(), table.size());
    for (size_t i = 0; i < result.missingRequired.size(); i++) missingRequired.Set(static_cast<uint32_t>(i), result.missingRequired[i]);
    for (size_t i = 0; i < result.missingOptional.size(); i++) missingOptional.Set(static_cast<uint32_t>(i), result.missingOptional[i]);
    g_missingOptional = result.missingOptional;
    for (const char* name : kControlNames) {
      if (void* fn = g_lib.Find(name)) {
        control.Set(static_cast<uint32_t>(g_control.size()), name);
        g_control.push_back({name, fn});
      }
    }
    if (!result.ok()) {
      g_api = Api{};
      g_control.clear();
      ok = false;
    }
    out.Set("path", g_lib.Path());
  }
  out.Set("ok", Napi::Boolean::New(env, ok));
  out.Set("missingRequired", missingRequired);
  out.Set("missingOptional", missingOptional);
  out.Set("control", control);
  return out;
}

bool Loaded() { return g_api.SsmStartCti != nullptr; }

bool RequireLoaded(Napi::Env env) {
  if (!Loaded()) {
    Napi::Error::New(env, "the vendor library is not loaded").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------------------
// start(cfg, idx) → Promise<{ channels: [{type, board, boardCh}], board: {...}, version }>

Napi::Value Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireLoaded(env)) return env.Undefined();
  std::string cfg = info[0].ToString().Utf8Value();
  std::string idx = info[1].ToString().Utf8Value();
  napi_env expected = nullptr;
  if (!g_owner.compare_exchange_strong(expected, static_cast<napi_env>(env))) {
    Napi::Error::New(env, "a Synway board is already open in this process (SsmStartCti is process-wide)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  struct Channel { int type, board, boardCh; };
  auto channels = std::make_shared<std::vector<Channel>>();
  auto board = std::make_shared<std::vector<std::string>>();  // model, name, serial, version
  napi_env owner = env;
  return VendorCall::Run(env, g_callLock, [cfg, idx, channels, board, owner]() {
    CallOutcome out;
    const Api& a = g_api;
    if (a.SsmStartCti(cfg.c_str(), idx.c_str()) == -1) {
      out.failure = LastFailure("SsmStartCti");
      g_owner = nullptr;
      return out;
    }
    g_started = true;
    EVENT_SET_INFO set;
    std::memset(&set, 0, sizeof set);
    set.dwWorkMode = EVENT_POLLING;
    if (a.SsmSetEvent(0xffff, -1, TRUE, &set) == -1) {
      out.failure = LastFailure("SsmSetEvent");
      a.SsmCloseCti();
      g_started = false;
      g_owner = nullptr;
      return out;
    }
    int max = a.SsmGetMaxCh();
    if (max < 0) {
      out.failure = LastFailure("SsmGetMaxCh");
      a.SsmCloseCti();
      g_started = false;
      g_owner = nullptr;
      return out;
    }
    for (int ch = 0; ch < max; ch++) {
      Channel c{a.SsmGetChType(ch), -1, -1};
      if (a.SsmGetChHdInfo) a.SsmGetChHdInfo(ch, &c.board, &c.boardCh);
      if (c.type != FAX_CH && c.type != SOFTFAX_CH) a.SsmEnableRxDtmf(ch, TRUE);
      channels->push_back(c);
    }
    char name[256] = {0};
    if (a.SsmGetBoardName && a.SsmGetBoardName(0, name) != -1) board->push_back(name); else board->push_back("");
    board->push_back(a.SsmGetBoardModel ? std::to_string(a.SsmGetBoardModel(0)) : "");
    board->push_back(a.SsmGetPciSerialNo ? std::to_string(a.SsmGetPciSerialNo(0)) : "");
    SSM_VERSION v;
    std::memset(&v, 0, sizeof v);
    if (a.SsmGetDllVersion && a.SsmGetDllVersion(&v) != -1) {
      board->push_back(std::to_string(v.ucMajor) + "." + std::to_string(v.ucMinor) + "." + std::to_string(v.usBuild));
    } else {
      board->push_back("");
    }
    (void)owner;
    out.toJs = [channels, board](Napi::Env env) -> Napi::Value {
      Napi::Object o = Napi::Object::New(env);
      Napi::Array list = Napi::Array::New(env, channels->size());
      for (size_t i = 0; i < channels->size(); i++) {
        Napi::Object c = Napi::Object::New(env);
        c.Set("type", (*channels)[i].type);
        c.Set("board", (*channels)[i].board);
        c.Set("boardCh", (*channels)[i].boardCh);
        list.Set(static_cast<uint32_t>(i), c);
      }
      o.Set("channels", list);
      o.Set("boardName", (*board)[0]);
      o.Set("boardModel", (*board)[1]);
      o.Set("serial", (*board)[2]);
      o.Set("version", (*board)[3]);
      return o;
    };
    return out;
  });
}

// close() → Promise: stops the event thread first (JS awaits stopEvents), then SsmCloseCti.
Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireLoaded(env)) return env.Undefined();
  return VendorCall::Run(env, g_callLock, []() {
    CallOutcome out;
    if (g_started.exchange(false)) {
      if (g_api.SsmCloseCti() == -1) out.failure = LastFailure("SsmCloseCti");
    }
    g_owner = nullptr;
    return out;
  });
}

// ------------------------------------------------------------------------------------------------
// Events

Napi::Value StartEvents(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireLoaded(env)) return env.Undefined();
  if (!info[0].IsFunction()) {
    Napi::TypeError::New(env, "startEvents(callback, keepAlive)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  bool keepAlive = info[1].ToBoolean();
  Data(env).pump->Start(env, info[0].As<Napi::Function>(), Produce, BatchToJs,
                        []() {
                          if (g_api.SsmPutUserEvent) g_api.SsmPutUserEvent(kWakeEvent, -1, 0);
                        },
                        keepAlive);
  return env.Undefined();
}

Napi::Value StopEvents(const Napi::CallbackInfo& info) { return Data(info.Env()).pump->Stop(info.Env()); }

Napi::Value SetKeepAlive(const Napi::CallbackInfo& info) {
  Data(info.Env()).pump->SetKeepAlive(info.Env(), info[0].ToBoolean());
  return info.Env().Undefined();
}

// putMarker(seq) → boolean: posts a flush marker behind every event queued so far.
Napi::Value PutMarker(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!g_api.SsmPutUserEvent || !g_started) return Napi::Boolean::New(env, false);
  DWORD seq = info[0].ToNumber().Uint32Value();
  int r = g_api.SsmPutUserEvent(kMarkerEvent, -1, seq);
  return Napi::Boolean::New(env, r != -1);
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("batches", Napi::Number::New(env, static_cast<double>(Data(env).pump->BatchesPosted())));
  o.Set("events", Napi::Number::New(env, static_cast<double>(Data(env).pump->EventsPosted())));
  return o;
}

// ------------------------------------------------------------------------------------------------
// call(name, args) → Promise<number | string>

enum class Sig { I, II, IS, IB, IBool, Play, Rec, Conf4, Join, ExitConf, RingCid, GetStr, StateEx };

struct Args {
  int i[6] = {0, 0, 0, 0, 0, 0};
  std::string s;
};

template <typename Fn>
void* P(Fn fn) { return reinterpret_cast<void*>(fn); }

// name → (signature, function pointer) resolved now, so a missing optional function is refused
// with a clear error before any work is queued.
bool Lookup(const std::string& name, Sig& sig, void*& fn) {
  const Api& a = g_api;
  struct Row { const char* name; Sig sig; void* fn; };
  const Row rows[] = {
      {"SsmPickup", Sig::I, P(a.SsmPickup)}, {"SsmHangup", Sig::I, P(a.SsmHangup)},
      {"SsmGetChState", Sig::I, P(a.SsmGetChState)}, {"SsmGetPendingReason", Sig::I, P(a.SsmGetPendingReason)},
      {"SsmAutoDial", Sig::IS, P(a.SsmAutoDial)}, {"SsmSetTxCallerId", Sig::IS, P(a.SsmSetTxCallerId)},
      {"SsmChkAutoDial", Sig::I, P(a.SsmChkAutoDial)}, {"SsmGetAutoDialFailureReason", Sig::I, P(a.SsmGetAutoDialFailureReason)},
      {"SsmSetKA", Sig::IB, P(a.SsmSetKA)}, {"SsmSetKD", Sig::IB, P(a.SsmSetKD)}, {"SsmSetKB", Sig::IB, P(a.SsmSetKB)},
      {"SsmEnableAutoSendKB", Sig::IBool, P(a.SsmEnableAutoSendKB)},
      {"SsmPlayFile", Sig::Play, P(a.SsmPlayFile)}, {"SsmStopPlayFile", Sig::I, P(a.SsmStopPlayFile)},
      {"SsmCheckPlay", Sig::I, P(a.SsmCheckPlay)}, {"SsmRecToFile", Sig::Rec, P(a.SsmRecToFile)},
      {"SsmStopRecToFile", Sig::I, P(a.SsmStopRecToFile)}, {"SsmCheckRecord", Sig::I, P(a.SsmCheckRecord)},
      {"SsmSetDtmfStopPlay", Sig::IBool, P(a.SsmSetDtmfStopPlay)}, {"SsmEnableRxDtmf", Sig::IBool, P(a.SsmEnableRxDtmf)},
      {"SsmClearRxDtmfBuf", Sig::I, P(a.SsmClearRxDtmfBuf)}, {"SsmGetDtmfStr", Sig::GetStr, P(a.SsmGetDtmfStr)},
      {"SsmGetCallerId", Sig::GetStr, P(a.SsmGetCallerId)}, {"SsmGetPhoNumStr", Sig::GetStr, P(a.SsmGetPhoNumStr)},
      {"SsmTxDtmf", Sig::IS, P(a.SsmTxDtmf)}, {"SsmChkTxDtmf", Sig::I, P(a.SsmChkTxDtmf)},
      {"SsmTalkWith", Sig::II, P(a.SsmTalkWith)}, {"SsmStopTalkWith", Sig::II, P(a.SsmStopTalkWith)},
      {"SsmCreateConfGroup", Sig::Conf4, P(a.SsmCreateConfGroup)}, {"SsmFreeConfGroup", Sig::I, P(a.SsmFreeConfGroup)},
      {"SsmJoinConfGroup", Sig::Join, P(a.SsmJoinConfGroup)}, {"SsmExitConfGroup", Sig::ExitConf, P(a.SsmExitConfGroup)},
      {"SsmGetHookState", Sig::I, P(a.SsmGetHookState)}, {"SsmStartRing", Sig::I, P(a.SsmStartRing)},
      {"SsmStopRing", Sig::I, P(a.SsmStopRing)}, {"SsmStartRingWithCIDStr", Sig::RingCid, P(a.SsmStartRingWithCIDStr)},
      {"SsmSetASDT", Sig::IBool, P(a.SsmSetASDT)}, {"SsmSendTone", Sig::II, P(a.SsmSendTone)},
      {"SsmStopSendTone", Sig::I, P(a.SsmStopSendTone)}, {"SsmFaxStartSend", Sig::IS, P(a.SsmFaxStartSend)},
      {"SsmFaxStartReceive", Sig::IS, P(a.SsmFaxStartReceive)}, {"SsmFaxStop", Sig::I, P(a.SsmFaxStop)},
      {"SsmGetKA", Sig::I, P(a.SsmGetKA)}, {"SsmGetKD", Sig::I, P(a.SsmGetKD)},
      {"SsmGetChStateEx", Sig::StateEx, P(a.SsmGetChStateEx)},
  };
  for (const Row& r : rows) {
    if (name == r.name) {
      sig = r.sig;
      fn = r.fn;
      return true;
    }
  }
  return false;
}

Napi::Value Call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireLoaded(env)) return env.Undefined();
  std::string name = info[0].ToString().Utf8Value();
  Sig sig;
  void* fn = nullptr;
  if (!Lookup(name, sig, fn)) {
    Napi::TypeError::New(env, "unknown command " + name).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Args args;
  if (info[1].IsArray()) {
    Napi::Array arr = info[1].As<Napi::Array>();
    int n = 0;
    for (uint32_t k = 0; k < arr.Length(); k++) {
      Napi::Value v = arr.Get(k);
      if (v.IsString()) args.s = v.As<Napi::String>().Utf8Value();
      else if (n < 6) args.i[n++] = static_cast<int>(v.ToNumber().Int64Value());
    }
  }
  if (fn == nullptr) {
    VendorFailure f = NotExported(name);
    auto deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(hotline::native::VendorErrorToJs(env, f).Value());
    return deferred.Promise();
  }
  return VendorCall::Run(env, g_callLock, [name, sig, fn, args]() {
    CallOutcome out;
    const int* i = args.i;
    const char* s = args.s.c_str();
    int r = -1;
    std::string text;
    bool isText = false;
    STATEEX sx;
    std::memset(&sx, 0, sizeof sx);
    switch (sig) {
      case Sig::I: r = reinterpret_cast<int (*)(int)>(fn)(i[0]); break;
      case Sig::II: r = reinterpret_cast<int (*)(int, int)>(fn)(i[0], i[1]); break;
      case Sig::IS: r = reinterpret_cast<int (*)(int, LPCSTR)>(fn)(i[0], s); break;
      case Sig::IB: r = reinterpret_cast<int (*)(int, BYTE)>(fn)(i[0], static_cast<BYTE>(i[1])); break;
      case Sig::IBool: r = reinterpret_cast<int (*)(int, BOOL)>(fn)(i[0], i[1] ? TRUE : FALSE); break;
      case Sig::Play:
        r = reinterpret_cast<int (*)(int, LPCSTR, int, DWORD, DWORD)>(fn)(i[0], s, i[1], static_cast<DWORD>(i[2]),
                                                                        static_cast<DWORD>(i[3]));
        break;
      case Sig::Rec:
        r = reinterpret_cast<int (*)(int, LPCSTR, int, DWORD, DWORD, DWORD, int)>(fn)(
            i[0], s, i[1], static_cast<DWORD>(i[2]), static_cast<DWORD>(i[3]), static_cast<DWORD>(i[4]), i[5]);
        break;
      case Sig::Conf4: r = reinterpret_cast<int (*)(int, int, int, int)>(fn)(i[0], i[1], i[2], i[3]); break;
      case Sig::Join:
        r = reinterpret_cast<int (*)(int, int, WORD, int, BOOL, BOOL)>(fn)(i[0], i[1], static_cast<WORD>(i[2]), i[3],
                                                                          i[4] ? TRUE : FALSE, i[5] ? TRUE : FALSE);
        break;
      case Sig::ExitConf: r = reinterpret_cast<int (*)(int, BOOL)>(fn)(i[0], i[1] ? TRUE : FALSE); break;
      case Sig::RingCid: {
        std::vector<char> buf(args.s.begin(), args.s.end());
        buf.push_back(0);
        r = reinterpret_cast<int (*)(int, LPSTR, DWORD, DWORD)>(fn)(i[0], buf.data(), static_cast<DWORD>(args.s.size()),
                                                                    static_cast<DWORD>(i[1]));
        break;
      }
      case Sig::GetStr: {
        char buf[1024] = {0};
        r = reinterpret_cast<int (*)(int, LPSTR)>(fn)(i[0], buf);
        text.assign(buf, strnlen(buf, sizeof buf));
        isText = true;
        break;
      }
      case Sig::StateEx: r = reinterpret_cast<int (*)(int, PSTATEEX)>(fn)(i[0], &sx); break;
    }
    if (r == -1) {
      out.failure = LastFailure(name);
      return out;
    }
    if (isText) {
      out.toJs = [text](Napi::Env env) -> Napi::Value { return Napi::String::New(env, text); };
    } else if (sig == Sig::StateEx) {
      out.toJs = [sx](Napi::Env env) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        o.Set("stateEx", sx.nStateEx);
        o.Set("bytesRecorded", Napi::Number::New(env, sx.dwBytesRecorded));
        o.Set("bytesPlayed", Napi::Number::New(env, sx.dwBytesPlayed));
        return o;
      };
    } else {
      out.toJs = [r](Napi::Env env) -> Napi::Value { return Napi::Number::New(env, r); };
    }
    return out;
  });
}

// control(name, args) → number | string: the fake's test-control entry points, called
// synchronously (they only queue events). Throws when the library has no such entry point.
Napi::Value Control(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].ToString().Utf8Value();
  void* fn = nullptr;
  for (const ControlFn& c : g_control) {
    if (c.name == name) fn = c.fn;
  }
  if (fn == nullptr) {
    Napi::Error::New(env, name + " is not available: the loaded library is not the Hotline fake").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<int> n;
  std::vector<std::string> s;
  if (info[1].IsArray()) {
    Napi::Array arr = info[1].As<Napi::Array>();
    for (uint32_t k = 0; k < arr.Length(); k++) {
      Napi::Value v = arr.Get(k);
      if (v.IsString()) s.push_back(v.As<Napi::String>().Utf8Value());
      else n.push_back(static_cast<int>(v.ToNumber().Int64Value()));
    }
  }
  auto num = [&](size_t k) { return k < n.size() ? n[k] : 0; };
  auto str = [&](size_t k) { return k < s.size() ? s[k].c_str() : ""; };
  int r;
  if (name == "FakeShp_InjectCall") {
    r = reinterpret_cast<int (*)(int, const char*, const char*, int, int)>(fn)(num(0), str(0), str(1), num(1), num(2));
  } else if (name == "FakeShp_PressDigits") {
    r = reinterpret_cast<int (*)(int, const char*)>(fn)(num(0), str(0));
  } else if (name == "FakeShp_SetSubscriber") {
    r = reinterpret_cast<int (*)(const char*, int, int)>(fn)(str(0), num(0), num(1));
  } else if (name == "FakeShp_FailNext") {
    r = reinterpret_cast<int (*)(const char*, int)>(fn)(str(0), num(0));
  } else if (name == "FakeShp_SentDigits" || name == "FakeShp_RingCallerId") {
    const char* text = reinterpret_cast<const char* (*)(int)>(fn)(num(0));
    return Napi::String::New(env, text != nullptr ? text : "");
  } else if (name == "FakeShp_Reset" || name == "FakeShp_NextDueIn" || name == "FakeShp_Now" ||
             name == "FakeShp_QueuedEvents") {
    r = reinterpret_cast<int (*)()>(fn)();
  } else {
    r = reinterpret_cast<int (*)(int)>(fn)(num(0));
  }
  if (r == -1 && name != "FakeShp_NextDueIn" && name != "FakeShp_CallState" && name != "FakeShp_TalkPeer" &&
      name != "FakeShp_ConfGroup" && name != "FakeShp_CallChannel") {
    VendorFailure f = LastFailure(name);
    hotline::native::VendorErrorToJs(env, f).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, r);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* instance = new Instance();
  instance->env = env;
  env.SetInstanceData<Instance>(instance);
  exports.Set("load", Napi::Function::New(env, Load, "load"));
  exports.Set("start", Napi::Function::New(env, Start, "start"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("startEvents", Napi::Function::New(env, StartEvents, "startEvents"));
  exports.Set("stopEvents", Napi::Function::New(env, StopEvents, "stopEvents"));
  exports.Set("setKeepAlive", Napi::Function::New(env, SetKeepAlive, "setKeepAlive"));
  exports.Set("putMarker", Napi::Function::New(env, PutMarker, "putMarker"));
  exports.Set("stats", Napi::Function::New(env, Stats, "stats"));
  exports.Set("call", Napi::Function::New(env, Call, "call"));
  exports.Set("control", Napi::Function::New(env, Control, "control"));
  exports.Set("markerEvent", Napi::Number::New(env, kMarkerEvent));
  return exports;
}

}  // namespace

NODE_API_MODULE(hotline_sanhui, Init)
