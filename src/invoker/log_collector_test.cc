#include "invoker/log_collector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "runtime/log_text.h"

namespace clemmys::invoker {
namespace {

const std::string kSentinel(kLogSentinel);

// "…Z stdout: text" → "stdout: text" (the timestamp is the real time of arrival).
std::string body(const std::string& line) { return line.substr(31); }

TEST(LogFormat, PadsTimestampTo30AndTrims) {
  EXPECT_EQ(formatLogLine("2026-11-25T09:45:47.123456789Z", LogStream::out, "hello \r"),
            "2026-11-25T09:45:47.123456789Z stdout: hello");
  EXPECT_EQ(formatLogLine("2026-11-25T09:45:47.1Z", LogStream::err, "x"),
            "2026-11-25T09:45:47.1Z         stderr: x");
}

TEST(LogCollector, SplitsActivationsAtSentinelsOnBothStreams) {
  LogCollector c;
  c.begin(1 << 20);
  c.append(LogStream::out, "a1");
  c.append(LogStream::err, "e1");
  c.append(LogStream::out, kSentinel);
  c.append(LogStream::out, "a2");  // next activation's stdout, before stderr's sentinel
  EXPECT_FALSE(c.complete());
  c.append(LogStream::err, kSentinel);
  ASSERT_TRUE(c.complete());
  auto first = c.take();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(body(first[0]), "stdout: a1");
  EXPECT_EQ(body(first[1]), "stderr: e1");
  EXPECT_EQ(first[0].size(), 31 + std::string("stdout: a1").size());

  c.begin(1 << 20);
  EXPECT_FALSE(c.complete());
  c.append(LogStream::err, kSentinel);
  c.append(LogStream::out, kSentinel);
  ASSERT_TRUE(c.complete());
  auto second = c.take();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(body(second[0]), "stdout: a2");
}

TEST(LogCollector, TruncatesAtLimitWithNotice) {
  LogCollector c;
  c.begin(10);
  c.append(LogStream::out, "12345");
  c.append(LogStream::out, "67890");
  c.append(LogStream::out, "x");  // 11 bytes > 10
  c.append(LogStream::out, "y");
  c.append(LogStream::out, kSentinel);
  c.append(LogStream::err, kSentinel);
  auto lines = c.take();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(body(lines[1]), "stdout: 67890");
  EXPECT_EQ(body(lines[2]),
            "stderr: Logs were truncated because the total bytes size exceeds the limit of 10 "
            "bytes.");
  // The next activation starts clean.
  c.begin(10);
  c.append(LogStream::out, "ok");
  c.append(LogStream::out, kSentinel);
  c.append(LogStream::err, kSentinel);
  auto next = c.take();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(body(next[0]), "stdout: ok");
}

TEST(LogCollector, ZeroLimitKeepsOnlyNotice) {
  LogCollector c;
  c.begin(0);
  c.append(LogStream::err, "anything");
  c.append(LogStream::out, kSentinel);
  c.append(LogStream::err, kSentinel);
  auto lines = c.take();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("limit of 0 bytes"), std::string::npos);
}

TEST(LogCollector, EndOfStreamCompletes) {
  LogCollector c;
  c.begin(1 << 20);
  c.append(LogStream::out, "last words");
  c.endOfStream(LogStream::out);
  EXPECT_FALSE(c.complete());
  c.endOfStream(LogStream::err);
  EXPECT_TRUE(c.complete());
  auto lines = c.take();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(body(lines[0]), "stdout: last words");
}

TEST(LogCollector, IncompleteWithoutSentinels) {
  LogCollector c;
  c.begin(1 << 20);
  c.append(LogStream::out, "partial");
  EXPECT_FALSE(c.complete());
  EXPECT_EQ(c.take().size(), 1u);
}

TEST(LogCollector, ClearDropsBufferedOutput) {
  LogCollector c;
  c.append(LogStream::out, "banner");
  c.clear();
  c.begin(1 << 20);
  c.append(LogStream::out, kSentinel);
  c.append(LogStream::err, kSentinel);
  EXPECT_TRUE(c.take().empty());
}

}  // namespace
}  // namespace clemmys::invoker

namespace clemmys::invoker {
namespace {

// Issue 16: whatever bytes a function logs, the record is valid JSON.
TEST(LogText, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(runtime::toValidUtf8("plain \xC3\xA9t\xC3\xA9 \xF0\x9F\x90\xA2"), "plain \xC3\xA9t\xC3\xA9 \xF0\x9F\x90\xA2");
  EXPECT_EQ(runtime::toValidUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(runtime::toValidUtf8("\xC3"), "\xEF\xBF\xBD");                      // cut short
  EXPECT_EQ(runtime::toValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");       // overlong '/'
  EXPECT_EQ(runtime::toValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(runtime::toValidUtf8("\xF4\x90\x80\x80").size(), 12u);             // above U+10FFFF
  std::string line = formatLogLine("2026-01-01T00:00:00.000000000Z", LogStream::out, "bad \xFE\xFF bytes");
  EXPECT_TRUE(runtime::isValidUtf8(line));
  boost::json::array logs{boost::json::string(line)};
  boost::system::error_code ec;
  auto back = boost::json::parse(boost::json::serialize(logs), ec);  // Boost.JSON validates UTF-8
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(back.as_array().at(0).as_string(), line);
}

}  // namespace
}  // namespace clemmys::invoker
