// `clemmys demo`: a guided run of the secure platform in a temporary directory —
// a 3-step pipeline (cpp → python:3 → nodejs:20) that uses a KMS-released secret,
// what the untrusted controller stores, and three attacks by the controller's
// operator that the trusted side refuses. Exit 0 only if the pipeline worked and
// every attack was refused with the expected named error.
#pragma once

#include <ostream>

namespace clemmys::platform {

int demoCommand(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace clemmys::platform
