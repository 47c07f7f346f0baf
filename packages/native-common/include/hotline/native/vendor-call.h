// Blocking vendor calls off the event loop: one Napi::AsyncWorker per call (the pattern of
// serialport bindings-cpp), serialised by a per-library mutex because the vendor documents no
// thread-safety guarantee. A call that fails rejects its Promise with an Error carrying the
// vendor's numeric code, the operation and the vendor's message; the TypeScript side turns it
// into a typed HotlineError with the vendor's name for the code.
#pragma once

#include <napi.h>

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hotline {
namespace native {

/** Why a vendor call failed. `code` is the vendor's own number (or -1 when it gave none). */
struct VendorFailure {
  bool failed = false;
  std::string op;
  int code = -1;
  std::string message;
};

/** The result of a vendor call, converted to JS on the main thread. */
struct CallOutcome {
  VendorFailure failure;
  std::function<Napi::Value(Napi::Env)> toJs;  // null: resolve with undefined
};

/** Builds the JS error for a failure: message, `op`, `vendorCode`, `vendorMessage`, `code`. */
inline Napi::Error VendorErrorToJs(Napi::Env env, const VendorFailure& f) {
  std::string text = f.op + " failed (vendor code " + std::to_string(f.code) + ")";
  if (!f.message.empty()) text += ": " + f.message;
  Napi::Error error = Napi::Error::New(env, text);
  error.Set("op", Napi::String::New(env, f.op));
  error.Set("vendorCode", Napi::Number::New(env, f.code));
  error.Set("vendorMessage", Napi::String::New(env, f.message));
  error.Set("code", Napi::String::New(env, "ERR_VENDOR_CALL"));
  return error;
}

/** Runs `work` on the libuv pool under `lock`, settling a Promise with its outcome. */
class VendorCall : public Napi::AsyncWorker {
 public:
  using Work = std::function<CallOutcome()>;

  static Napi::Promise Run(Napi::Env env, std::mutex& lock, Work work) {
    auto* call = new VendorCall(env, lock, std::move(work));
    Napi::Promise promise = call->deferred_.Promise();
    call->Napi::AsyncWorker::Queue();
    return promise;
  }

 protected:
  void Execute() override {
    std::lock_guard<std::mutex> guard(lock_);
    outcome_ = work_();
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (outcome_.failure.failed) {
      deferred_.Reject(VendorErrorToJs(env, outcome_.failure).Value());
    } else {
      deferred_.Resolve(outcome_.toJs ? outcome_.toJs(env) : env.Undefined());
    }
  }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  VendorCall(Napi::Env env, std::mutex& lock, Work work)
      : Napi::AsyncWorker(env, "hotline-vendor-call"), deferred_(Napi::Promise::Deferred::New(env)), lock_(lock),
        work_(std::move(work)) {}

  Napi::Promise::Deferred deferred_;
  std::mutex& lock_;
  Work work_;
  CallOutcome outcome_;
};

}  // namespace native
}  // namespace hotline
