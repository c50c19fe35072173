#include "attest/verify_command.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "attest/test_evidence.h"

namespace clemmys::attest {
namespace {

using testing::evidencePath;

struct Run {
  int code;
  std::string out, err;
};

Run run(std::vector<std::string> args) {
  args.insert(args.begin(), {"clemmys", "attest"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  int code = runAttestCommand(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

TEST(VerifyCommand, SgxWithCollateralAsJson) {
  auto r = run({"verify", evidencePath("sgx/sgx_quote"), "--collateral", evidencePath("sgx/sgx_quote_collateral.json"),
                "--at", "2025-07-01T00:00:00Z", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto o = boost::json::parse(r.out).as_object();
  EXPECT_EQ(o.at("type").as_string(), "sgx");
  EXPECT_EQ(o.at("measurement").as_string(), "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  EXPECT_EQ(o.at("signer").as_string(), "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  EXPECT_EQ(o.at("debug").as_bool(), false);
  EXPECT_EQ(o.at("tcb_status").as_string(), "ConfigurationAndSWHardeningNeeded");
  EXPECT_EQ(std::string(o.at("report_data").as_string()).substr(0, 4), "4865");  // "He"
}

TEST(VerifyCommand, DetectsTdxAndSnp) {
  auto tdx = run({"verify", evidencePath("tdx/tdx_quote"), "--collateral", evidencePath("tdx/tdx_quote_collateral.json"),
                  "--at", "2025-07-01T00:00:00Z"});
  ASSERT_EQ(tdx.code, 0) << tdx.err;
  EXPECT_NE(tdx.out.find("verified: tdx"), std::string::npos);
  EXPECT_NE(tdx.out.find("tcb_status: UpToDate"), std::string::npos);
  auto snp = run({"verify", evidencePath("snp/go-sev-guest_attestation_debug.bin"), "--vcek",
                  evidencePath("snp/go-sev-guest_vcek.der"), "--chain", evidencePath("snp/ask_ark_milan.pem"),
                  "--at", "2025-07-01T00:00:00Z"});
  EXPECT_EQ(snp.code, 1);
  EXPECT_NE(snp.err.find("attest.debug_refused"), std::string::npos);
}

TEST(VerifyCommand, FailuresAreNamed) {
  auto dbg = run({"verify", evidencePath("negative/sgx_debug_enclave_quote.dat"), "--json"});
  EXPECT_EQ(dbg.code, 1);
  EXPECT_EQ(boost::json::parse(dbg.out).as_object().at("error").as_string(), "attest.debug_refused");
  auto lookalike = run({"verify", evidencePath("negative/intel_sample_quote_type1.dat"), "--chain",
                        evidencePath("negative/intel_sample_pck_chain.pem"), "--no-time-check"});
  EXPECT_EQ(lookalike.code, 1);
  EXPECT_NE(lookalike.err.find("attest.pck_chain"), std::string::npos);
  auto missing = run({"verify", "/nonexistent/quote"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("attest.file_unreadable"), std::string::npos);
}

TEST(VerifyCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(run({"verify"}).code, 2);
  EXPECT_EQ(run({"frobnicate", "x"}).code, 2);
  EXPECT_EQ(run({"verify", "x", "--type", "tpm"}).code, 2);
  EXPECT_EQ(run({"verify", "x", "--at"}).code, 2);
  EXPECT_EQ(run({"verify", evidencePath("sgx/sgx_quote"), "--at", "yesterday"}).code, 2);
  EXPECT_EQ(run({"verify", evidencePath("sgx/sgx_quote"), "--type", "sim"}).code, 2);  // needs --root
}

}  // namespace
}  // namespace clemmys::attest
