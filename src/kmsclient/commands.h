// `clemmys keygen | policy | kms` — the owner's side of the KMS:
//   clemmys keygen [--out DIR]                 owner key pair (owner.pem, owner.pub.pem)
//   clemmys policy apply FILE --key owner.pem [--kms URL] [--kms-cert FILE]
//   clemmys policy show NAME    [--kms URL] [--kms-cert FILE]
//   clemmys policy history NAME [--kms URL] [--kms-cert FILE]
//   clemmys policy rotate NAME --key owner.pem [--kms URL] [--kms-cert FILE]
//   clemmys kms verify --kms URL --expect-measurement HEX [--sim-root FILE] [--save-cert FILE]
// The KMS URL defaults to $CLEMMYS_KMS, the pinned certificate to
// $CLEMMYS_KMS_CERT (a file written by `kms verify --save-cert`).
// Exit codes: 0 success, 1 refused/failed (named error on stderr), 2 usage.
#pragma once

#include <ostream>

namespace clemmys::kmsclient {

int runKmsCommand(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace clemmys::kmsclient

namespace clemmys {
using kmsclient::runKmsCommand;
}  // namespace clemmys
