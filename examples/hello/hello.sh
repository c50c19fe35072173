#!/bin/bash
# blackbox ActionLoop action: for each activation the runtime writes one JSON line on
# stdin ({"value": {...}, "action_name": ..., ...}); we answer with one JSON line on fd 3.
# Plain bash + sed so it runs without jq; it understands a string "name" inside "value".
while IFS= read -r line; do
  value="${line#*\"value\":}"
  name=$(printf '%s' "$value" | sed -n 's/^{[^}]*"name" *: *"\([^"\\]*\)".*/\1/p')
  [ -n "$name" ] || name="World"
  echo "hello.sh: greeting $name" >&2
  printf '{"greeting": "Hello, %s!"}\n' "$name" >&3
done
