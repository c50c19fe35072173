#!/usr/bin/env bash
# scripts/tcb.sh --check must fail on a broken build directory and on a trusted binary
# that links an untrusted module, owner-side code, test-only code or (runtime,
# gateway) an evidence verifier; and pass on the real build.
#   tcb_check_test.sh TCB_SCRIPT BUILD_DIR CXX
# The bad cases are tiny fake builds: a source tree and four binaries compiled with
# -g in a temporary directory, checked with --source-dir pointing at that tree.
set -euo pipefail
tcb=$1 real_build=$2 cxx=${3:-c++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect STATUS NAME -- COMMAND...: COMMAND exits with STATUS (and prints why).
expect() {
  local want=$1 name=$2 got=0
  shift 3
  "$@" >"$tmp/out" 2>&1 || got=$?
  if [ "$got" = "$want" ]; then
    echo "ok   $name (exit $got)"
  else
    echo "FAIL $name: exit $got, expected $want"; sed 's/^/     /' "$tmp/out"; failures=$((failures + 1))
  fi
}
# expect_says TEXT: the last command's output names TEXT.
expect_says() {
  grep -qF -- "$1" "$tmp/out" || { echo "FAIL output does not say '$1':"; sed 's/^/     /' "$tmp/out"; failures=$((failures + 1)); }
}

# A fake project: each binary is its own main.cc plus EXTRA_<binary> sources.
make_fake() {
  local root=$1 build=$2 bin src
  shift 2
  rm -rf "$root" "$build"
  mkdir -p "$root/src" "$build/bin" "$build/share/clemmys/launchers"
  touch "$build/CMakeCache.txt"
  echo 'print("launcher")' >"$build/share/clemmys/launchers/python3_launcher.py"
  for bin in runtime gateway kms simtee; do
    mkdir -p "$root/src/$bin"
    printf 'int %s_entry() { return 1; }\nint main() { return %s_entry() - 1; }\n' "$bin" "$bin" >"$root/src/$bin/main.cc"
  done
  for bin in runtime gateway kms simtee; do
    local var="EXTRA_$bin" objs=()
    for src in src/$bin/main.cc ${!var:-}; do
      mkdir -p "$build/obj/$bin/$(dirname "$src")"
      if [ ! -f "$root/$src" ]; then
        mkdir -p "$root/$(dirname "$src")"
        printf 'extern "C" int %s() { return 0; }\n' "$(basename "${src%.*}")" >"$root/$src"
      fi
      (cd "$root" && "$cxx" -g -O0 -c "$src" -o "$build/obj/$bin/$src.o")
      objs+=("$build/obj/$bin/$src.o")
    done
    "$cxx" -g "${objs[@]}" -o "$build/bin/clemmys-$bin"
  done
}
fake() { make_fake "$tmp/root" "$tmp/build"; }
check_fake() { bash "$tcb" --check --source-dir "$tmp/root" "$tmp/build"; }

# Broken build directories and arguments.
expect 2 "missing build directory" -- bash "$tcb" --check "$tmp/does-not-exist"
mkdir -p "$tmp/empty"
expect 2 "empty directory" -- bash "$tcb" --check "$tmp/empty"
touch "$tmp/empty/CMakeCache.txt"
expect 2 "build directory without binaries" -- bash "$tcb" --check "$tmp/empty"
expect 2 "unknown option" -- bash "$tcb" --check --chek "$real_build"
expect 2 "two build directories" -- bash "$tcb" "$real_build" --check "$real_build"

# The fake build passes as it is: what fails below fails for the reason named.
fake
expect 0 "clean fake build" -- check_fake

# violation BINARY FILE NAME TEXT: BINARY also links FILE; --check exits 1 saying TEXT.
violation() {
  local var="EXTRA_$1"
  (declare -x "$var=$2"; fake)
  expect 1 "$3" -- check_fake
  expect_says "$4"
}
violation runtime src/controller/scheduler.cc "runtime links an untrusted module" \
  "clemmys-runtime links src/controller/scheduler.cc: untrusted module src/controller"
violation gateway src/store/sqlite_store.cc "gateway links an untrusted module" "untrusted module src/store"
violation kms src/cli/args.cc "kms links an untrusted module" "untrusted module src/cli"
violation runtime src/runtime/private_files_test_util.cc "runtime links test-only code" "test-only code"
violation runtime src/runtime/unmountedForTesting.cc "runtime defines a test-only symbol" \
  "defines test-only symbol unmountedForTesting"
violation gateway src/attest/dcap_verifier.cc "gateway links an evidence verifier" "an evidence verifier it never calls"
violation runtime src/kmsclient/kms_verify.cc "runtime links owner-side code" "owner-side code"
violation simtee src/invoker/pool.cc "simtee links an untrusted module" "untrusted module src/invoker"

fake
strip --strip-debug "$tmp/build/bin/clemmys-kms"
expect 2 "binary without debug info" -- check_fake

fake
(cd "$tmp/root" && "$cxx" -gdwarf-4 src/kms/main.cc -o "$tmp/build/bin/clemmys-kms")
expect 2 "binary with DWARF 4 line tables" -- check_fake

fake
rm "$tmp/build/bin/clemmys-gateway"
expect 2 "binary missing" -- check_fake

fake
rm "$tmp/root/src/simtee/main.cc"
expect 2 "binary compiled from a file no longer in the tree" -- check_fake

fake
rm -r "$tmp/build/share/clemmys/launchers"
expect 2 "launchers missing" -- check_fake

# The real build passes, and the report it writes has a row per binary.
expect 0 "real build" -- bash "$tcb" --check "$real_build"
expect 0 "real build report" -- bash "$tcb" --out "$tmp/tcb.md" "$real_build"
for bin in clemmys-runtime clemmys-gateway clemmys-kms clemmys-simtee; do
  grep -q "^| \`$bin\` |" "$tmp/tcb.md" || { echo "FAIL report has no row for $bin"; failures=$((failures + 1)); }
done

[ $failures = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
