#include "invoker/classify.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace clemmys::invoker {
namespace {

std::string errorOf(const Outcome& o) {
  return std::string(o.result.as_object().at("error").as_string());
}

TEST(Classify, ObjectWithoutErrorIsSuccess) {
  auto o = classifyRunResponse(200, R"({"greeting":"hi"})");
  EXPECT_EQ(o.status, RunStatus::success);
  EXPECT_EQ(boost::json::serialize(o.result), R"({"greeting":"hi"})");
}

TEST(Classify, ArrayIsSuccess) {
  auto o = classifyRunResponse(200, "[1,2]");
  EXPECT_EQ(o.status, RunStatus::success);
  EXPECT_TRUE(o.result.is_array());
}

TEST(Classify, ObjectWithErrorIsApplicationError) {
  auto o = classifyRunResponse(200, R"({"error":"bad input"})");
  EXPECT_EQ(o.status, RunStatus::applicationError);
  EXPECT_EQ(errorOf(o), "bad input");
}

TEST(Classify, Non200IsDeveloperErrorWithItsError) {
  auto o = classifyRunResponse(502, R"({"error":"boom","other":1})");
  EXPECT_EQ(o.status, RunStatus::developerError);
  EXPECT_EQ(boost::json::serialize(o.result), R"({"error":"boom"})");
  auto p = classifyRunResponse(500, "oops");
  EXPECT_EQ(p.status, RunStatus::developerError);
  EXPECT_NE(errorOf(p).find("oops"), std::string::npos);
}

TEST(Classify, NotJsonIsDeveloperError) {
  auto o = classifyRunResponse(200, "not json");
  EXPECT_EQ(o.status, RunStatus::developerError);
  EXPECT_NE(errorOf(o).find("valid JSON"), std::string::npos);
}

TEST(Classify, ScalarIsDeveloperError) {
  auto o = classifyRunResponse(200, "42");
  EXPECT_EQ(o.status, RunStatus::developerError);
  EXPECT_EQ(errorOf(o), "The action did not return a dictionary or array.");
}

TEST(Classify, OversizedResultIsApplicationError) {
  std::string big = R"({"x":")" + std::string(kMaxResultBytes, 'a') + R"("})";
  auto o = classifyRunResponse(200, big);
  EXPECT_EQ(o.status, RunStatus::applicationError);
  EXPECT_NE(errorOf(o).find("exceeded the allowed length"), std::string::npos);
  EXPECT_NE(errorOf(o).find(std::to_string(big.size())), std::string::npos);
}

TEST(Classify, InitFailureCarriesError) {
  auto o = classifyInitFailure(403, R"({"error":"Missing main/no code to execute."})");
  EXPECT_EQ(o.status, RunStatus::developerError);
  EXPECT_EQ(errorOf(o), "Missing main/no code to execute.");
  EXPECT_EQ(errorOf(classifyInitFailure(502, "")), abnormalInitMessage());
}

TEST(Classify, Messages) {
  EXPECT_EQ(timeoutMessage(250), "The action exceeded its time limits of 250 milliseconds.");
  EXPECT_EQ(memoryMessage(128), "The action exceeded its memory limit of 128 MB.");
  EXPECT_STREQ(statusName(RunStatus::developerError), "action developer error");
  EXPECT_STREQ(statusName(RunStatus::applicationError), "application error");
}

}  // namespace
}  // namespace clemmys::invoker
