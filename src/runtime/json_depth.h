// JSON nesting depth, one rule for every part (issue 16). Boost.JSON's default of 32
// applied everywhere let a 31-deep argument pass the gateway and then fail in the
// runtime, whose /run body wraps the argument one level deeper. Now:
//   - where a client's JSON enters (the gateway's and the controller's invoke
//     bodies) at most kMaxArgumentDepth levels are accepted (400 otherwise);
//   - every part that parses JSON carrying such a value (the runtime's /run body and
//     the function's result, the ActionLoop lines, the invoker's view of a result,
//     the gateway's opened outcome) accepts kMaxCarriedDepth, room for the wrappers,
// so an argument the entry accepted is never refused further along; a result
// deeper than that is the function's (developer error). Header-only: the gateway,
// controller, invoker and runtime include it without linking each other.
#pragma once

#include <boost/json/parse_options.hpp>

#include <cstddef>

namespace clemmys {

inline constexpr std::size_t kMaxArgumentDepth = 64;
inline constexpr std::size_t kMaxCarriedDepth = kMaxArgumentDepth + 8;

inline boost::json::parse_options argumentJsonOptions() {
  boost::json::parse_options o;
  o.max_depth = kMaxArgumentDepth;
  return o;
}

inline boost::json::parse_options carriedJsonOptions() {
  boost::json::parse_options o;
  o.max_depth = kMaxCarriedDepth;
  return o;
}

}  // namespace clemmys
