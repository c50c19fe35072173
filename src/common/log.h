// Minimal leveled logging to stderr for the platform's own processes (not function
// logs). Never pass secrets or function data to it. Thread-safe: one write per line.
#pragma once

#include <string_view>

namespace clemmys::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void setLevel(Level level);
void setComponent(std::string_view name);  // prefix, e.g. "controller"
bool enabled(Level level);
void write(Level level, std::string_view message);

inline void debug(std::string_view m) { if (enabled(Level::debug)) write(Level::debug, m); }
inline void info(std::string_view m) { if (enabled(Level::info)) write(Level::info, m); }
inline void warn(std::string_view m) { if (enabled(Level::warn)) write(Level::warn, m); }
inline void error(std::string_view m) { if (enabled(Level::error)) write(Level::error, m); }

}  // namespace clemmys::log
