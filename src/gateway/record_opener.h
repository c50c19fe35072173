// Opening what the controller hands back about activations: results carried as
// {"clemmys": RESULT|INVOKE} or {"error": {"clemmys": ERROR}}, and log lines
// "<ts> <stream>: clemmys:<LOG>". Reads of stored records (activation get,
// /result, /logs, list with docs) cannot use the GatewayLedger (the outcome may
// have settled long ago, or before a restart); they check instead that each
// envelope authenticates, belongs to the record's activation (or, for a
// component of a sequence, to the topmost activation of its `cause` chain),
// names the record's action in its chain, and is a complete outcome; and that the
// record's log lines are the ones the step sealed, in order (L1–L4).
// A plaintext error in a record did not come out of a runtime: it is shown as
// the platform's ("gateway.platform_error: …", never status "application error").
// Thread safety: stateless functions.
#pragma once

#include <boost/json/object.hpp>

#include <optional>

#include "envelope/checks.h"
#include "envelope/log_order.h"

namespace clemmys::gateway {

// The sealed envelope inside a result value; nullopt for a plaintext result.
// Errors: envelope.not_sealed (a "clemmys" field that is not base64url).
Result<std::optional<envelope::Bytes>> sealedResult(const boost::json::value& result);

// "/" + the record's `path` annotation (else namespace/name).
std::string recordFqn(const boost::json::object& record);

// The result of a stored record, opened. `rootId` is the activation id the
// gateway issued for the chain the record belongs to; `component` is true when
// the record is a sequence component (its own id differs from rootId).
// Errors: envelope.*, gateway.substituted_result, gateway.chain_mismatch,
// gateway.incomplete_chain, gateway.wrong_target, gateway.not_an_outcome,
// gateway.unsealed_result.
struct StoredOutcome {
  boost::json::value result;                 // opened, or the marked platform error
  std::optional<envelope::LogCounts> logs;   // from the sealed outcome; none for a platform error
  bool platformError = false;
};
Result<StoredOutcome> openStoredResult(const boost::json::object& record, const envelope::Id& rootId, bool component,
                                       const envelope::KeyRing& keys);

// Log lines: LOG envelopes must carry `rootId`, and number the lines of each stream
// as `counts` says (nullopt: order only). Sequence records list their components'
// activation ids in plaintext, which pass unchanged; any other line the platform
// added unsealed is marked "[unsealed] ".
// Errors: envelope.*, gateway.substituted_log, gateway.log_dropped,
// gateway.log_reordered, gateway.log_extended, gateway.log_truncated.
Result<boost::json::array> openLogs(const boost::json::array& logs, const envelope::Id& rootId, bool sequenceRecord,
                                    std::optional<envelope::LogCounts> counts, const envelope::KeyRing& keys);

// A plaintext error as the client sees it: {"error": "gateway.platform_error: <text>"}.
boost::json::value platformErrorResult(const boost::json::value& plaintext);
// Marks a record's response as the platform's: result as platformErrorResult,
// success false, and status "whisk internal error" (statusCode 3) where the record
// claimed "application error" (only a sealed ERROR is one) or "success".
void markPlatformError(boost::json::object& record);

// A payload (JSON text) from an envelope as a JSON value. Error: gateway.bad_payload.
Result<boost::json::value> payloadValue(std::string_view payload);

// Replaces response.result and logs of a record in place.
Status openRecordInPlace(boost::json::object& record, const envelope::Id& rootId, bool component,
                         const envelope::KeyRing& keys);

bool isSequenceRecord(const boost::json::object& record);

}  // namespace clemmys::gateway
