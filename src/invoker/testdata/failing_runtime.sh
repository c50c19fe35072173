#!/bin/sh
# A test double of clemmys-runtime that cannot attest: it prints its start failure
# the way clemmys-runtime does and exits 1 before serving.
echo "clemmys-runtime: kms.too_many_challenges: the KMS answered 429" >&2
exit 1
