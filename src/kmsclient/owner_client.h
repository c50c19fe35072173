// Owner-side calls to a (verified, pinned) KMS: apply a signed policy
// version, show a session, its history, rotate its application key.
// Thread safety: as http::Client (one client per thread).
#pragma once

#include <boost/json/object.hpp>

#include <string>

#include "crypto/ec_key.h"
#include "http/client.h"

namespace clemmys::kmsclient {

// Parses the YAML locally (policy.* errors before anything is sent), signs its
// canonical bytes with `owner` and posts it. Returns {"name","hash","version"}.
Result<boost::json::object> applyPolicy(http::Client& client, const std::string& yaml, const crypto::EcPrivateKey& owner);
Result<boost::json::object> showSession(http::Client& client, const std::string& name);
Result<boost::json::object> sessionHistory(http::Client& client, const std::string& name);
// Signs kms::rotateMessage for the session's current hash and next key version.
Result<boost::json::object> rotateKey(http::Client& client, const std::string& name, const crypto::EcPrivateKey& owner);

}  // namespace clemmys::kmsclient
