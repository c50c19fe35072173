#include "envelope/log_order.h"

#include <gtest/gtest.h>

namespace clemmys::envelope {
namespace {

LogLine out(uint32_t seq) { return LogLine{LogStream::out, seq, "o"}; }
LogLine err(uint32_t seq) { return LogLine{LogStream::err, seq, "e"}; }

std::string firstError(std::optional<LogCounts> counts, std::initializer_list<LogLine> lines) {
  LogOrder order(counts);
  for (const auto& l : lines) order.add(l);
  auto st = order.check();
  return st ? "" : st.error().name;
}

TEST(LogBody, RoundTripsAndRefusesMalformed) {
  auto body = encodeLogBody(LogStream::err, 0x01020304, "hello");
  auto line = decodeLogBody(body);
  ASSERT_TRUE(line) << line.error().str();
  EXPECT_EQ(line->stream, LogStream::err);
  EXPECT_EQ(line->seq, 0x01020304u);
  EXPECT_EQ(line->text, "hello");
  EXPECT_TRUE(decodeLogBody(encodeLogBody(LogStream::out, 0, "")));
  Bytes bad = body;
  bad[0] = 2;
  EXPECT_EQ(decodeLogBody(bad).error().name, "envelope.malformed_body");
  EXPECT_EQ(decodeLogBody(Bytes(4, 0)).error().name, "envelope.malformed_body");
}

TEST(LogOrder, AcceptsEachStreamInOrderWhateverTheInterleaving) {
  EXPECT_EQ(firstError(LogCounts{2, 2}, {out(0), err(0), err(1), out(1)}), "");
  EXPECT_EQ(firstError(LogCounts{0, 0}, {}), "");
}

TEST(LogOrder, NamesEachTampering) {
  EXPECT_EQ(firstError(LogCounts{3, 0}, {out(0), out(2)}), "gateway.log_dropped");         // L2
  EXPECT_EQ(firstError(LogCounts{3, 0}, {out(0), out(2), out(1)}), "gateway.log_reordered");  // L1: swap
  EXPECT_EQ(firstError(LogCounts{3, 0}, {out(0), out(0), out(1)}), "gateway.log_reordered");  // L1: repeat
  EXPECT_EQ(firstError(LogCounts{1, 0}, {out(0), out(1)}), "gateway.log_extended");        // L3
  EXPECT_EQ(firstError(LogCounts{3, 0}, {out(0), out(1)}), "gateway.log_truncated");       // L4
  EXPECT_EQ(firstError(LogCounts{0, 1}, {}), "gateway.log_truncated");
  EXPECT_EQ(firstError(LogCounts{3, 0}, {out(1), out(2)}), "gateway.log_dropped");  // the first line gone
}

TEST(LogOrder, WithoutCountsOnlyOrderIsChecked) {
  EXPECT_EQ(firstError(std::nullopt, {out(0), out(1)}), "");
  EXPECT_EQ(firstError(std::nullopt, {out(1)}), "gateway.log_dropped");
}

}  // namespace
}  // namespace clemmys::envelope
