#include "controller/action_registry.h"

#include "controller/messages.h"
#include "runtime/json_depth.h"

namespace clemmys::controller {

Result<std::shared_ptr<const ActionEntity>> ActionRegistry::find(const QualifiedName& name) {
  std::string key = name.fqn();
  {
    std::shared_lock lock(cacheMu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  uint64_t generation = generation_.load();
  auto row = store_.getAction(name.ns, name.path);
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::shared_ptr<const ActionEntity>();
  std::error_code ec;
  json::value doc = json::parse((*row)->doc, ec, {}, carriedJsonOptions());
  if (ec || !doc.is_object()) return fail("controller.corrupt_action", key);
  auto entity = entityFromDocument(name, std::move(doc.as_object()), (*row)->revision);
  if (!entity) return std::unexpected(entity.error());
  std::unique_lock lock(cacheMu_);
  // A write since our read may have made this row stale: then return it uncached.
  if (generation != generation_.load()) return *entity;
  auto [it, inserted] = cache_.emplace(key, *entity);
  return it->second;
}

Result<int> ActionRegistry::countFrom(const std::vector<QualifiedName>& components,
                                      const std::string& selfFqn, int depth, int& visited) {
  int total = 0;
  for (auto& c : components) {
    // Bounds the walk even over a database edited into a cycle by hand.
    if (++visited > 10 * kMaxSequenceActions || depth > kMaxSequenceActions)
      return fail("controller.sequence_too_long", msg::kSequenceTooLong);
    if (c.fqn() == selfFqn) return fail("controller.sequence_cyclic", msg::kSequenceCyclic);
    auto e = find(c);
    if (!e) return std::unexpected(e.error());
    if (!*e) return fail("controller.sequence_missing", msg::kSequenceComponentMissing);
    if ((*e)->isSequence()) {
      auto n = countFrom((*e)->components, selfFqn, depth + 1, visited);
      if (!n) return n;
      total += *n;
    } else {
      total += 1;
    }
    if (total > kMaxSequenceActions)
      return fail("controller.sequence_too_long", msg::kSequenceTooLong);
  }
  return total;
}

Result<int> ActionRegistry::countAtomicActions(const std::vector<QualifiedName>& components,
                                               const std::string& selfFqn) {
  int visited = 0;
  return countFrom(components, selfFqn, 0, visited);
}

Result<json::object> ActionRegistry::put(const QualifiedName& name, const json::value& body,
                                         bool overwrite) {
  std::lock_guard write(writeMu_);
  auto current = find(name);
  if (!current) return std::unexpected(current.error());
  if (*current && !overwrite) return fail("controller.exists", msg::kExists);
  const json::object* existing = *current ? &(*current)->doc : nullptr;
  auto doc = buildActionDocument(body, name, existing, clock_.nowMs());
  if (!doc) return std::unexpected(doc.error());
  std::string revision = random_.hex(8);
  auto entity = entityFromDocument(name, *doc, revision);
  if (!entity) return std::unexpected(entity.error());
  if ((*entity)->isSequence()) {
    auto n = countAtomicActions((*entity)->components, name.fqn());
    if (!n) return fail("controller.bad_request", n.error().message);
  }
  store::ActionRow row{name.ns, name.path, json::serialize(*doc), revision, clock_.nowMs()};
  auto stored = store_.putAction(row);
  if (!stored) return std::unexpected(stored.error());
  std::unique_lock lock(cacheMu_);
  ++generation_;
  cache_[name.fqn()] = *entity;
  return *doc;
}

Result<std::optional<json::object>> ActionRegistry::remove(const QualifiedName& name) {
  std::lock_guard write(writeMu_);
  auto current = find(name);
  if (!current) return std::unexpected(current.error());
  if (!*current) return std::optional<json::object>();
  auto deleted = store_.deleteAction(name.ns, name.path);
  if (!deleted) return std::unexpected(deleted.error());
  std::unique_lock lock(cacheMu_);
  ++generation_;
  cache_.erase(name.fqn());
  return std::optional<json::object>((*current)->doc);
}

Result<json::array> ActionRegistry::list(const std::string& ns, int limit, int skip) {
  auto rows = store_.listActions(ns, limit, skip);
  if (!rows) return std::unexpected(rows.error());
  json::array out;
  for (auto& r : *rows) {
    std::error_code ec;
    json::value doc = json::parse(r.doc, ec, {}, carriedJsonOptions());
    if (ec || !doc.is_object()) continue;  // unreadable rows are skipped, not fatal
    out.push_back(actionSummary(doc.as_object()));
  }
  return out;
}

Result<int64_t> ActionRegistry::count(const std::string& ns) { return store_.countActions(ns); }

}  // namespace clemmys::controller
