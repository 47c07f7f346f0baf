// A queue between a vendor library's callback thread and the addon's event pump, for vendors that
// deliver events only through a callback they call on their own thread (Donjin Keygoe's ESR,
// Dialogic SRL handlers): the callback copies the event and pushes it (never blocking on JS); the
// pump's producer waits a bounded time for the first event and takes whatever else is ready, so a
// burst crosses to JavaScript in one batch.
//
//   CallbackQueue<Event> queue;
//   void Esr(...) { queue.Push(CopyOf(...)); }                        // vendor thread
//   pump.Start(env, cb, [](auto& batch, auto&) { queue.WaitInto(batch, 200ms, 512); return true; },
//              convert, [] { queue.Wake(); }, keepAlive);               // addon thread
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

namespace hotline {
namespace native {

template <typename Event>
class CallbackQueue {
 public:
  /** Appends an event (any thread). */
  void Push(Event event) {
    {
      std::lock_guard<std::mutex> guard(mu_);
      queue_.push_back(std::move(event));
      pushed_++;
    }
    cv_.notify_one();
  }

  /**
   * Waits up to `wait` for the first event (returning early on Wake()), then moves up to `max`
   * events into `batch`. Returns the number moved.
   */
  size_t WaitInto(std::vector<Event>& batch, std::chrono::milliseconds wait, size_t max) {
    std::unique_lock<std::mutex> lock(mu_);
    if (queue_.empty() && !woken_) cv_.wait_for(lock, wait, [this] { return !queue_.empty() || woken_; });
    woken_ = false;
    size_t n = 0;
    while (!queue_.empty() && n < max) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      n++;
    }
    return n;
  }

  /** Unblocks a WaitInto in progress (or the next one), e.g. so the pump can stop. */
  void Wake() {
    {
      std::lock_guard<std::mutex> guard(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

  /** Drops every queued event (e.g. before a new session of the vendor library). */
  void Clear() {
    std::lock_guard<std::mutex> guard(mu_);
    queue_.clear();
  }

  size_t Size() const {
    std::lock_guard<std::mutex> guard(mu_);
    return queue_.size();
  }

  /** Events pushed since creation. */
  unsigned long long Pushed() const {
    std::lock_guard<std::mutex> guard(mu_);
    return pushed_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> queue_;
  bool woken_ = false;
  unsigned long long pushed_ = 0;
};

}  // namespace native
}  // namespace hotline
