// Injected time. Production code takes a Clock&; tests pass a FakeClock.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace clemmys {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall clock).
  virtual int64_t nowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t nowMs() const override;
};

// Thread-safe manual clock for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t startMs = 1'700'000'000'000) : now_(startMs) {}
  int64_t nowMs() const override { return now_.load(); }
  void advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_;
};

// Monotonic microseconds, for measuring durations only.
int64_t monotonicUs();

// "2026-11-25T09:45:47.123456789Z" — RFC 3339 UTC with nanoseconds, as OpenWhisk's
// log lines carry (the invoker pads the timestamp field to 30 characters).
std::string isoTimestampNs();
std::string isoTimestampMs(int64_t epochMs);

}  // namespace clemmys
