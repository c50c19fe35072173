// Action documents: validation of PUT bodies into the stored JSON document (with
// OpenWhisk's rules, defaults and messages), and the parsed in-memory form used on the
// invoke path. Pure functions; thread-safe. ActionEntity is immutable once built and
// shared between threads through shared_ptr<const ActionEntity>.
#pragma once

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "controller/names.h"
#include "invoker/invoker.h"

namespace clemmys::controller {

namespace json = boost::json;

inline constexpr int kMaxSequenceActions = 50;

struct ActionEntity {
  QualifiedName name;
  std::string kind;  // canonical kind
  json::object doc;  // the stored document
  std::string revision;
  json::object defaultParams;          // parameters not marked init:true
  invoker::ActionCode code;            // ready to copy into a RunRequest
  std::vector<QualifiedName> components;  // sequences only
  bool provideApiKey = false;
  bool isSequence() const { return kind == "sequence"; }
};

// A rejected PUT: Error.message is the text for the client (HTTP 400).
// Builds the document to store from a PUT body. `existing` is the stored document when
// updating with overwrite=true (omitted fields keep their values, parameters are
// replaced when given, annotations merged by key, patch version bumped).
Result<json::object> buildActionDocument(const json::value& body, const QualifiedName& name,
                                         const json::object* existing, int64_t nowMs);

// Parses a stored document (trusted: written by buildActionDocument).
Result<std::shared_ptr<const ActionEntity>> entityFromDocument(const QualifiedName& name,
                                                               json::object doc,
                                                               std::string revision);

// The list-element form: exec reduced to {binary}, no parameters.
json::object actionSummary(const json::object& doc);
// The document without exec.code (GET with code=false).
json::object withoutCode(const json::object& doc);

// "python:default" → "python:3" etc.; empty when the kind is not supported.
std::string canonicalKind(std::string_view kind);

}  // namespace clemmys::controller
