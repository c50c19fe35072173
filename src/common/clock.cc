#include "common/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace clemmys {

int64_t SystemClock::nowMs() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t monotonicUs() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

namespace {
std::string format(time_t secs, long frac, int digits) {
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%0*ldZ", digits, frac);
  return buf;
}
}  // namespace

std::string isoTimestampNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return format(ts.tv_sec, ts.tv_nsec, 9);
}

std::string isoTimestampMs(int64_t epochMs) {
  return format(static_cast<time_t>(epochMs / 1000), static_cast<long>(epochMs % 1000), 3);
}

}  // namespace clemmys
