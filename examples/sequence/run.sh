#!/bin/bash
# Deploys the three steps and the sequence `shout = split -> upper -> join`, invokes it,
# and cleans up. Needs a running platform and the client configured (~/.wskprops,
# __OW_API_HOST/__OW_API_KEY, or CLEMMYS_FLAGS="--apihost H --auth K").
# CLEMMYS points at the client binary (default: clemmys on PATH).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
clemmys="${CLEMMYS:-clemmys}"
flags=(${CLEMMYS_FLAGS:-})

"$clemmys" action update split "$here/split.py" "${flags[@]}"
"$clemmys" action update upper "$here/upper.js" "${flags[@]}"
"$clemmys" action update join "$here/join.py" "${flags[@]}"
"$clemmys" action update shout --sequence split,upper,join "${flags[@]}"

# Expected: {"count": 3, "text": "HELLO-SEQUENCE-WORLD"}
"$clemmys" action invoke shout -r -p text "hello sequence world" "${flags[@]}"

# The sequence's activation record lists its three component activation ids as logs.
id=$("$clemmys" action invoke shout -p text "one two" --json "${flags[@]}" |
     sed -n 's/.*"activationId" *: *"\([0-9a-f]*\)".*/\1/p')
sleep 1
"$clemmys" activation logs "$id" "${flags[@]}"

if [ "${KEEP:-0}" != 1 ]; then
  for a in shout split upper join; do "$clemmys" action delete "$a" "${flags[@]}"; done
fi
