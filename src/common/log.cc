#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "common/clock.h"

namespace clemmys::log {
namespace {
std::atomic<int> gLevel{static_cast<int>(Level::info)};
std::mutex gMutex;
std::string gComponent = "clemmys";  // process-wide prefix; set once by main()
constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}  // namespace

void setLevel(Level level) { gLevel = static_cast<int>(level); }

void setComponent(std::string_view name) {
  std::lock_guard lock(gMutex);
  gComponent = name;
}

bool enabled(Level level) { return static_cast<int>(level) >= gLevel.load(); }

void write(Level level, std::string_view message) {
  std::string line = isoTimestampMs(SystemClock().nowMs());
  std::lock_guard lock(gMutex);
  line += " [" + gComponent + "] " + kNames[static_cast<int>(level)] + " ";
  line += message;
  line += '\n';
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
}

}  // namespace clemmys::log
