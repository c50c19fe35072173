#include "gateway/chain_resolver.h"

#include <boost/json.hpp>

namespace clemmys::gateway {

namespace json = boost::json;

namespace {
constexpr int kMaxDepth = 50;
}  // namespace

std::string actionTarget(std::string_view fqn) {
  std::string_view rest = fqn.substr(1);
  size_t slash = rest.find('/');
  std::string target = "/api/v1/namespaces/" + http::percentEncode(rest.substr(0, slash)) + "/actions";
  rest = rest.substr(slash + 1);
  while (true) {
    size_t next = rest.find('/');
    target += "/" + http::percentEncode(rest.substr(0, next));
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  return target;
}

void ChainResolver::invalidate() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

Result<ChainResolver::Entry> ChainResolver::lookup(const std::string& fqn,
                                                   std::optional<http::Response>* upstreamFailure) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(fqn); it != cache_.end()) return it->second;
  }
  auto r = controller_.request("GET", actionTarget(fqn) + "?code=false", "");
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) {
    if (upstreamFailure != nullptr) {
      *upstreamFailure = *r;
      return fail("gateway.upstream_refused", "controller answered " + std::to_string(r->status));
    }
    return fail("gateway.component_missing", "Sequence component does not exist.");
  }
  std::error_code ec;
  auto doc = json::parse(r->body, ec);
  if (ec || !doc.is_object()) return fail("gateway.bad_upstream", "action document is not JSON");
  auto d = descriptorOf(doc.as_object(), keys_);
  if (!d) return std::unexpected(d.error());
  // The descriptor is sealed for the fqn of the document; it must also be the
  // action we asked for (the controller could answer with another one).
  if (d->fqn != fqn) return fail("gateway.wrong_object", "asked for " + fqn + ", got " + d->fqn);
  Entry e{std::move(*d)};
  std::lock_guard lock(mutex_);
  cache_[fqn] = e;
  return e;
}

Status ChainResolver::flatten(const std::string& fqn, std::set<std::string>& active, ResolvedChain& out, int depth) {
  if (depth > kMaxDepth || !active.insert(fqn).second)
    return fail("gateway.sequence_cycle", "Sequence may not refer to itself.");
  auto e = lookup(fqn, nullptr);
  if (!e) return std::unexpected(e.error());
  if (e->descriptor.kind == "sequence") {
    for (const auto& c : e->descriptor.components)
      if (auto st = flatten(c, active, out, depth + 1); !st) return st;
  } else {
    if (out.chain.steps.size() >= envelope::kMaxChainLength)
      return fail("gateway.chain_too_long", "Too many actions in the sequence.");
    out.chain.steps.push_back(envelope::Link{fqn, e->descriptor.codeDigest});
  }
  active.erase(fqn);
  return {};
}

Result<ResolvedChain> ChainResolver::resolve(const std::string& fqn, std::optional<http::Response>& upstreamFailure) {
  auto top = lookup(fqn, &upstreamFailure);
  if (!top) return std::unexpected(top.error());
  ResolvedChain out;
  out.chain.seq = fqn;
  std::set<std::string> active;
  if (auto st = flatten(fqn, active, out, 0); !st) return std::unexpected(st.error());
  return out;
}

}  // namespace clemmys::gateway
