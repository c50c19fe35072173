// Error values for expected failures (bad input, network, policy).
// Errors carry a stable dotted name (e.g. "http.timeout") that tests and users can
// match on, and a human message. Exceptions do not cross module boundaries.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace clemmys {

struct Error {
  std::string name;     // stable, dotted identifier: "<module>.<what>"
  std::string message;  // for people; never contains secrets

  std::string str() const { return message.empty() ? name : name + ": " + message; }
};

template <class T>
using Result = std::expected<T, Error>;

// Status is Result<void>: success or a named error.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(std::string name, std::string message = {}) {
  return std::unexpected(Error{std::move(name), std::move(message)});
}

}  // namespace clemmys
