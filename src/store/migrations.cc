#include "store/migrations.h"

#include <array>

namespace clemmys::store {

namespace {

constexpr std::string_view kV1 = R"sql(
CREATE TABLE subjects (
  uuid      TEXT PRIMARY KEY,
  key       TEXT NOT NULL,
  namespace TEXT NOT NULL UNIQUE,
  created   INTEGER NOT NULL
);
CREATE TABLE actions (
  namespace TEXT NOT NULL,
  name      TEXT NOT NULL,
  doc       TEXT NOT NULL,
  revision  TEXT NOT NULL,
  updated   INTEGER NOT NULL,
  PRIMARY KEY (namespace, name)
) WITHOUT ROWID;
CREATE TABLE activations (
  id          TEXT PRIMARY KEY,
  namespace   TEXT NOT NULL,
  name        TEXT NOT NULL,
  start       INTEGER NOT NULL,
  end         INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  pending     INTEGER NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX activations_by_ns_start ON activations (namespace, start DESC, id DESC);
CREATE INDEX activations_by_name_start ON activations (namespace, name, start DESC, id DESC);
CREATE INDEX activations_pending ON activations (pending) WHERE pending = 1;
)sql";

constexpr std::array<std::string_view, 1> kMigrations = {kV1};

}  // namespace

std::span<const std::string_view> migrations() { return kMigrations; }

}  // namespace clemmys::store
