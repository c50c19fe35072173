#include "invoker/log_collector.h"

#include "common/clock.h"
#include "runtime/log_text.h"

namespace clemmys::invoker {

std::string formatLogLine(std::string_view timestamp, LogStream stream, std::string_view text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  std::string out;
  out.reserve(40 + text.size());
  out.append(timestamp);
  if (out.size() < 30) out.append(30 - out.size(), ' ');
  out.append(stream == LogStream::out ? " stdout: " : " stderr: ");
  // The record is JSON: bytes that are not UTF-8 must not reach it raw.
  out.append(runtime::toValidUtf8(text));
  return out;
}

std::string truncationNotice(uint64_t limitBytes) {
  return "Logs were truncated because the total bytes size exceeds the limit of " +
         std::to_string(limitBytes) + " bytes.";
}

void LogCollector::begin(uint64_t limitBytes) {
  std::lock_guard lock(mu_);
  limitBytes_ = limitBytes;
  usedBytes_ = 0;
  truncated_ = false;
  // Lines that arrived between activations (background output) count toward this one.
  for (const auto& e : entries_) {
    if (!e.sentinel) usedBytes_ += e.line.size();
  }
}

void LogCollector::append(LogStream stream, std::string_view text) {
  int s = static_cast<int>(stream);
  bool isSentinel = text == kLogSentinel ||
                    (text.size() == kLogSentinel.size() + 1 && text.back() == '\r' &&
                     text.substr(0, kLogSentinel.size()) == kLogSentinel);
  std::lock_guard lock(mu_);
  if (isSentinel) {
    entries_.push_back({stream, true, {}});
    ++sentinels_[s];
    return;
  }
  if (truncated_ || usedBytes_ + text.size() > limitBytes_) {
    truncated_ = true;
    return;
  }
  usedBytes_ += text.size();
  entries_.push_back({stream, false, formatLogLine(isoTimestampNs(), stream, text)});
}

void LogCollector::endOfStream(LogStream stream) {
  std::lock_guard lock(mu_);
  eof_[static_cast<int>(stream)] = true;
}

bool LogCollector::complete() const {
  std::lock_guard lock(mu_);
  bool out = sentinels_[0] > 0 || eof_[0];
  bool err = sentinels_[1] > 0 || eof_[1];
  return out && err;
}

std::vector<std::string> LogCollector::take() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  std::deque<Entry> rest;
  bool done[2] = {false, false};
  for (auto& e : entries_) {
    int s = static_cast<int>(e.stream);
    if (done[s]) {
      rest.push_back(std::move(e));
    } else if (e.sentinel) {
      done[s] = true;
      --sentinels_[s];
    } else {
      out.push_back(std::move(e.line));
    }
  }
  entries_ = std::move(rest);
  if (truncated_) {
    out.push_back(formatLogLine(isoTimestampNs(), LogStream::err, truncationNotice(limitBytes_)));
  }
  usedBytes_ = 0;
  truncated_ = false;
  return out;
}

void LogCollector::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
  sentinels_[0] = sentinels_[1] = 0;
  usedBytes_ = 0;
  truncated_ = false;
}

}  // namespace clemmys::invoker
