// Shared stage of the attack suite: one malicious provider (provider.h) for the
// whole binary, the functions the attacks target, and helpers to read envelopes
// and the client-visible outcome. Every TEST asserts that the attack is refused
// with its named error and that the client does not get a 200.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>

#include "provider.h"

namespace clemmys::attack {

namespace json = boost::json;

// Plaintext markers: none may appear in what the provider handles.
inline constexpr const char* kArgMarker = "Quokka-ARG-7731";
inline constexpr const char* kResultMarker = "Wombat-RES-2290";
inline constexpr const char* kCodeMarker = "Numbat-CODE-5518";
inline constexpr const char* kParamMarker = "Bilby-PARAM-4406";
inline constexpr const char* kLogMarker = "Potoroo-LOG-9123";

// Header offsets (doc/formats/envelope.md §2).
inline constexpr size_t kTypeAt = 5, kKeyVersionAt = 6, kIdAt = 10, kChainIdAt = 26, kStepAt = 58,
                        kStepsAt = 60, kExpiresAt = 62, kTargetLenAt = 70, kTargetAt = 72;

class AttackTest : public ::testing::Test {
 public:
  static void stopProvider();

 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  static Provider& provider() { return *provider_; }
  // POST actions/{name}?blocking=true through the gateway (behind the proxy).
  static http::Response invoke(const std::string& name, const std::string& body = "{}");
  // The latest exchange the proxy forwarded for `method` whose target contains `needle`.
  static Exchange lastExchange(const std::string& method, const std::string& needle);
  // {"clemmys": "<wire>"} -> raw envelope bytes, and back.
  static std::string envelopeOf(const json::value& carrier);
  static std::string carrier(const std::string& raw);
  // Raw INVOKE the gateway sent in an invoke request body.
  static std::string invokeOf(const Exchange& x);
  // Raw RESULT in an invoke response (a record) body.
  static std::string resultOf(const Exchange& x);
  // A fresh, valid INVOKE for `name` (the proxy captures it, the controller never sees it).
  static std::string freshInvoke(const std::string& name, const std::string& body = "{}");

  static std::unique_ptr<Provider> provider_;
  static std::string startError_;
  // An INVOKE for atk-short (1 s timeout: expires ~61 s after issue) captured at setup.
  static std::string shortInvoke_;
  static int64_t shortIssuedMs_;
  // An INVOKE for atk-stretch captured at setup while the proxy reported its
  // limits.timeout as ten years (the lifetime attack).
  static std::string stretchInvoke_;
  static int64_t stretchIssuedMs_;
};

// Client-visible outcome: status is not 200 and the body names `error`.
::testing::AssertionResult refusedWith(const http::Response& r, const std::string& error);
int64_t nowMs();
std::string sha256Hex(const std::string& bytes);
// Version `version` of atk-pinned's code (the policy pins version 2).
std::string pinnedCode(int version);
// Code of atk-dflt / atk-roll: returns its default parameter `dflt` ("NONE" if absent).
std::string defaultsCode();
// The policy's message lifetime the suite sets (seconds).
inline constexpr int kLifetimeS = 30;

}  // namespace clemmys::attack
