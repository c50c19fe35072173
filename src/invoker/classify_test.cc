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

// Blame (issue 16): a runtime refusing for the platform's reasons (the KMS, a
// refused envelope, no private tmpfs) is a whisk internal error, the function's
// own failures stay developer errors.
TEST(Classify, PlatformErrorNamesAreWhiskInternalErrors) {
  for (const char* name : {"kms.too_many_challenges", "kmsclient.connect_failed", "envelope.unknown_key_version",
                           "attest.quote_malformed", "runtime.files_unprotected", "runtime.defaults_substituted",
                           "http.io", "simtee.launch_refused"}) {
    std::string body = std::string(R"({"error":")") + name + R"("})";
    auto init = classifyInitFailure(502, body);
    EXPECT_EQ(init.status, RunStatus::internalError) << name;
    EXPECT_EQ(errorOf(init), name);
    EXPECT_EQ(classifyRunResponse(400, body).status, RunStatus::internalError) << name;
  }
  for (const char* own : {"runtime.init_failed", "runtime.code_not_pinned", "runtime.dlopen_failed",
                          "kms is down.", "Kms.Too_many", "kms.a.b", "envelope.", ".x"}) {
    std::string body = std::string(R"({"error":")") + own + R"("})";
    EXPECT_EQ(classifyInitFailure(502, body).status, RunStatus::developerError) << own;
    EXPECT_EQ(classifyRunResponse(502, body).status, RunStatus::developerError) << own;
  }
  // An application error naming a platform error is still the function's answer.
  EXPECT_EQ(classifyRunResponse(200, R"({"error":"kms.too_many_challenges"})").status,
            RunStatus::applicationError);
}

TEST(Classify, RuntimeStartFailureLine) {
  EXPECT_EQ(runtimeStartFailure("clemmys-runtime: kms.too_many_challenges: 429 from the KMS").value_or("-"),
            "kms.too_many_challenges: 429 from the KMS");
  EXPECT_FALSE(runtimeStartFailure("clemmys-runtime: runtime.init_failed: syntax"));
  EXPECT_FALSE(runtimeStartFailure("hello clemmys-runtime: kms.x: y"));
  EXPECT_FALSE(runtimeStartFailure("clemmys-runtime: usage"));
}

TEST(Classify, Messages) {
  EXPECT_EQ(timeoutMessage(250), "The action exceeded its time limits of 250 milliseconds.");
  EXPECT_EQ(memoryMessage(128), "The action exceeded its memory limit of 128 MB.");
  EXPECT_STREQ(statusName(RunStatus::developerError), "action developer error");
  EXPECT_STREQ(statusName(RunStatus::applicationError), "application error");
}

}  // namespace
}  // namespace clemmys::invoker
