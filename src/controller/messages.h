// User-visible error messages of the REST API, worded as Apache OpenWhisk words them
// (core/.../http/ErrorResponse.scala Messages) so that clients matching on text work.
#pragma once

#include <string>

namespace clemmys::controller::msg {

inline constexpr const char* kAuthInvalid = "The supplied authentication is invalid";
inline constexpr const char* kNotFound = "The requested resource does not exist.";
inline constexpr const char* kExists = "resource already exists";
inline constexpr const char* kMalformed = "The request content was malformed:\n";
inline constexpr const char* kCppCodeNotBase64 =
    "'exec.code' for kind 'cpp' must be the base64 of a shared library";
inline constexpr const char* kSequenceTooLong = "Too many actions in the sequence.";
inline constexpr const char* kSequenceNoComponent = "No component specified for the sequence.";
inline constexpr const char* kSequenceCyclic = "Sequence may not refer to itself.";
inline constexpr const char* kSequenceComponentMissing = "Sequence component does not exist.";
inline constexpr const char* kSequenceFailed = "Sequence failed.";
inline constexpr const char* kMalformedFqn =
    "The fully qualified name of the entity must contain at least the namespace and the name "
    "of the entity.";
inline constexpr const char* kEntityNameIllegal = "The name of the entity contains illegal characters.";
inline constexpr const char* kNamespaceIllegal = "The namespace contains illegal characters.";
inline constexpr const char* kActivationIdIllegal = "The activation id is not valid.";
inline constexpr const char* kActivationIdInUse = "The activation id is already in use.";
inline constexpr const char* kInvalidTimeout = "Timeout must be number of milliseconds up to 60000.";
inline constexpr const char* kDocsWithCount = "The parameter 'docs' is not permitted with 'count'.";
inline constexpr const char* kMethodNotAllowed = "HTTP method not allowed.";
inline constexpr const char* kInternal = "There was an error processing your request.";
inline constexpr const char* kActionRemoved = "Action could not be found or may have been deleted.";

inline std::string notAuthorized(const std::string& what) {
  return "The supplied authentication is not authorized to access '" + what + "'.";
}
inline std::string tooManyConcurrent(int count, int allowed) {
  return "Too many concurrent requests in flight (count: " + std::to_string(count) +
         ", allowed: " + std::to_string(allowed) + ").";
}
inline std::string entityTooBig(uint64_t is, size_t allowed) {
  return "Request larger than allowed: " + std::to_string(is) + " > " + std::to_string(allowed) +
         " bytes.";
}
inline std::string limitOutOfRange(const std::string& collection, long long value, int max) {
  return "The value '" + std::to_string(value) + "' is not in the range of 0 to " +
         std::to_string(max) + " for " + collection + ".";
}
inline std::string skipOutOfRange(const std::string& collection, long long value) {
  return "The value '" + std::to_string(value) + "' is not greater than or equal to 0 for " +
         collection + ".";
}
inline std::string notInteger(const std::string& collection, const std::string& value) {
  return "The value '" + value + "' is not an integer for " + collection + ".";
}
inline std::string badNameFilter(const std::string& value) {
  return "Parameter may be a 'simple' name or 'package-name/simple' name: " + value;
}
inline std::string badEpoch(const std::string& value) {
  return "Parameter is not a valid value for epoch seconds: " + value;
}

}  // namespace clemmys::controller::msg
