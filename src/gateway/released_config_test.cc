#include "gateway/released_config.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/encoding.h"

namespace clemmys::gateway {
namespace {

namespace json = boost::json;

json::object config() {
  return json::object{{"keys", json::array{json::object{{"version", 1}, {"key", base64UrlEncode(std::string(32, 'k'))}},
                                           json::object{{"version", 2}, {"key", base64UrlEncode(std::string(32, 'l'))}}}},
                      {"current_key_version", 2},
                      {"tls_certificate_pem", "-----BEGIN CERTIFICATE-----\n..."},
                      {"session_ca_pem", "-----BEGIN CERTIFICATE-----\n..."},
                      {"message_lifetime_ms", 300000},
                      {"env", json::object{{"CLIENT_AUTH", "uuid-1:key-1, uuid-2:key-2"}}}};
}

TEST(ReleasedConfig, LoadsKeysCertificateAndCredentials) {
  envelope::KeyRing keys;
  auto id = loadReleasedConfig(config(), keys);
  ASSERT_TRUE(id) << id.error().str();
  EXPECT_EQ(id->keyVersion, 2u);
  EXPECT_EQ(id->messageLifetimeMs, 300000);
  EXPECT_TRUE(keys.has(1));
  EXPECT_EQ(id->clientCredentials, (std::vector<std::string>{"uuid-1:key-1", "uuid-2:key-2"}));
}

TEST(ReleasedConfig, PrefersDedicatedCredentialsField) {
  auto c = config();
  c["client_credentials"] = json::array{"a:b"};
  envelope::KeyRing keys;
  auto id = loadReleasedConfig(c, keys);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->clientCredentials, std::vector<std::string>{"a:b"});
}

TEST(ReleasedConfig, RefusesIncompleteConfigurations) {
  auto noCreds = config();
  noCreds.erase("env");
  envelope::KeyRing k1;
  EXPECT_EQ(loadReleasedConfig(noCreds, k1).error().name, "gateway.no_client_credentials");
  auto badCred = config();
  badCred["env"] = json::object{{"CLIENT_AUTH", "nocolon"}};
  envelope::KeyRing k2;
  EXPECT_EQ(loadReleasedConfig(badCred, k2).error().name, "gateway.no_client_credentials");
  auto noCert = config();
  noCert.erase("tls_certificate_pem");
  envelope::KeyRing k3;
  EXPECT_EQ(loadReleasedConfig(noCert, k3).error().name, "gateway.bad_config");
  auto shortKey = config();
  shortKey["keys"] = json::array{json::object{{"version", 1}, {"key", base64UrlEncode("short")}}};
  envelope::KeyRing k4;
  EXPECT_EQ(loadReleasedConfig(shortKey, k4).error().name, "gateway.bad_config");
  // The lifetime comes from the owner's policy or the gateway does not start.
  for (json::value lifetime : {json::value(nullptr), json::value(999), json::value(int64_t{3600} * 1000 + 1)}) {
    auto c = config();
    if (lifetime.is_null()) c.erase("message_lifetime_ms");
    else c["message_lifetime_ms"] = lifetime;
    envelope::KeyRing k;
    EXPECT_EQ(loadReleasedConfig(c, k).error().name, "gateway.bad_config") << lifetime;
  }
}

}  // namespace
}  // namespace clemmys::gateway
