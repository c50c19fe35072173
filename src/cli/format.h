// Output for people: pretty-printed JSON (4-space indent, as `wsk`), aligned tables,
// and the one-line summaries of actions and activations.
// Thread safety: pure functions over values.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace clemmys::cli {

// JSON with one member per line and 4-space indentation; empty containers stay "{}"/"[]".
std::string prettyJson(const boost::json::value& value);

// Columns padded to the widest cell plus two spaces; the last column is not padded.
// Rows may have fewer cells than others. Each row ends with '\n'.
std::string formatTable(const std::vector<std::vector<std::string>>& rows);

// "2024-01-02 03:04:05" (UTC) from epoch milliseconds.
std::string formatEpochMs(long long epochMs);

// Table of action summaries (GET .../actions): "/ns/name  private|public  kind".
std::string formatActionList(const boost::json::value& list);

// Table of activation summaries (GET .../activations) with a header row:
// Datetime, Activation ID, Kind, Start (cold/warm), Duration, Status, Entity.
std::string formatActivationList(const boost::json::value& list);

// Status text from a summary's statusCode or a record's response.status.
std::string activationStatus(const boost::json::value& activation);

}  // namespace clemmys::cli
