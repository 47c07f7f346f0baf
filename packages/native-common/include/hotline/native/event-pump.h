// The thread-safe event pump every Hotline vendor addon uses: a thread the addon owns pulls
// vendor events (a blocking wait such as SsmWaitForEvent, sr_waitevt, or a queue fed by a vendor
// callback) and posts them to JavaScript in batches through a TypedThreadSafeFunction. The
// function's finalizer joins the thread, so once JS has been told the pump stopped, no vendor
// thread of ours is left running and no N-API call is ever made off the main thread.
//
// Pattern after node-hid src/read.cc and serialport bindings-cpp (poller thread + TSFN).
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

namespace hotline {
namespace native {

/**
 * Owns one producer thread and the TSFN that carries its batches to a JS callback.
 *
 * - `Produce(batch, stopping)` runs on the pump thread. It should block for a bounded time (a
 *   few hundred ms at most) waiting for the first event, append it and whatever else is ready
 *   without blocking, and return true to go on or false to end the thread.
 * - `ToJs(env, callback, batch)` runs on the main thread and calls `callback` with the batch.
 * - `Wake()` (optional) interrupts a blocked Produce, e.g. by posting a user event.
 *
 * Stop() is asynchronous: the thread ends, releases the TSFN, and the finalizer (main thread)
 * joins it and resolves the Promise that Stop() returned. At environment teardown the finalizer
 * also runs, so a process can exit with a board left open.
 */
template <typename Event>
class EventPump {
 public:
  using Batch = std::vector<Event>;
  using Producer = std::function<bool(Batch& batch, const std::atomic<bool>& stopping)>;
  using Converter = std::function<void(Napi::Env env, Napi::Function callback, Batch& batch)>;
  using Waker = std::function<void()>;

  EventPump() = default;
  EventPump(const EventPump&) = delete;
  EventPump& operator=(const EventPump&) = delete;
  ~EventPump() {
    // Only reached at environment teardown after the finalizer ran, or if never started.
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

  bool Running() const { return running_; }

  /** Starts the thread. `keepAlive` false unrefs the pump so it does not keep the process alive. */
  void Start(Napi::Env env, Napi::Function callback, Producer produce, Converter convert, Waker wake, bool keepAlive) {
    if (running_) {
      Napi::Error::New(env, "event pump already running").ThrowAsJavaScriptException();
      return;
    }
    produce_ = std::move(produce);
    convert_ = std::move(convert);
    wake_ = std::move(wake);
    stopping_ = false;
    tsfn_ = Tsfn::New(env, callback, "hotline-event-pump", 0, 1, this, &EventPump::Finalize,
                      static_cast<void*>(nullptr));
    if (!keepAlive) tsfn_.Unref(env);
    running_ = true;
    thread_ = std::thread([this]() { Loop(); });
  }

  /** Keeps (true) or stops keeping (false) the Node.js process alive while the pump runs. */
  void SetKeepAlive(Napi::Env env, bool keepAlive) {
    if (!running_) return;
    if (keepAlive) tsfn_.Ref(env); else tsfn_.Unref(env);
  }

  /** Asks the thread to end; the returned Promise resolves once it has been joined. */
  Napi::Promise Stop(Napi::Env env) {
    auto deferred = Napi::Promise::Deferred::New(env);
    if (!running_) {
      deferred.Resolve(env.Undefined());
      return deferred.Promise();
    }
    stopped_.push_back(deferred);
    // Keep the loop alive until the thread's last message arrives, even if the pump was unrefed:
    // otherwise a process awaiting Stop() could exit with the thread still running.
    tsfn_.Ref(env);
    if (!stopping_.exchange(true) && wake_) wake_();
    return deferred.Promise();
  }

  /** Number of batches posted and events carried, for diagnostics and benchmarks. */
  uint64_t BatchesPosted() const { return batches_; }
  uint64_t EventsPosted() const { return events_; }

 private:
  struct Nothing {};
  static void CallJs(Napi::Env env, Napi::Function callback, EventPump* self, Batch* batch) {
    std::unique_ptr<Batch> owned(batch);
    if (env == nullptr || self == nullptr) return;
    if (owned == nullptr) {
      // The thread's last message: it has stopped producing and is about to exit. Join it here,
      // in an ordinary callback scope (promises cannot be settled from a TSFN finalizer).
      self->JoinAndResolve(env);
      return;
    }
    if (callback == nullptr) return;
    try {
      self->convert_(env, callback, *owned);
    } catch (const Napi::Error& error) {
      // A JS exception from the callback cannot go back to the pump thread, which has moved on:
      // rethrow it into JS as uncaught. At environment teardown JS cannot run: drop the batch.
      napi_value exception = error.Value();
      if (exception != nullptr) napi_fatal_exception(env, exception);
    }
  }
  using Tsfn = Napi::TypedThreadSafeFunction<EventPump, Batch, &EventPump::CallJs>;

  static void Finalize(Napi::Env env, void*, EventPump* self) {
    // Normally the thread was already joined by its last message; at environment teardown (or
    // if that message could not be posted) join it here. No promise is settled here.
    self->stopping_ = true;
    if (self->wake_) self->wake_();
    if (self->thread_.joinable()) self->thread_.join();
    self->running_ = false;
  }

  void JoinAndResolve(Napi::Env env) {
    if (thread_.joinable()) thread_.join();
    running_ = false;
    std::vector<Napi::Promise::Deferred> waiting;
    waiting.swap(stopped_);
    for (auto& d : waiting) {
      try {
        d.Resolve(env.Undefined());
      } catch (const Napi::Error&) {
        // Environment teardown: JS can no longer run; nobody is waiting any more.
      }
    }
  }

  void Loop() {
    while (!stopping_) {
      auto batch = std::make_unique<Batch>();
      bool more = produce_(*batch, stopping_);
      if (!batch->empty()) {
        size_t n = batch->size();
        napi_status status = tsfn_.NonBlockingCall(batch.get());
        if (status == napi_ok) {
          batch.release();
          batches_++;
          events_ += n;
        } else if (status == napi_closing) {
          break;  // the environment is going away
        }
      }
      if (!more) break;
    }
    tsfn_.NonBlockingCall(static_cast<Batch*>(nullptr));  // "stopped": see CallJs
    tsfn_.Release();
  }

  Tsfn tsfn_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> events_{0};
  Producer produce_;
  Converter convert_;
  Waker wake_;
  std::vector<Napi::Promise::Deferred> stopped_;
};

}  // namespace native
}  // namespace hotline
