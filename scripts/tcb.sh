#!/usr/bin/env bash
# The trusted computing base, measured from what each trusted binary really links.
#
#   scripts/tcb.sh [--check] [--out FILE] [--source-dir DIR] [BUILD_DIR]
#
# For each binary in $BUILD_DIR/bin (default BUILD_DIR: build) it reads the DWARF
# line tables of the final executable: every compile unit there is an object the
# linker pulled in, every file in a unit's file table is source compiled into it.
# Project files (under the source dir) are counted, test-only files apart; nm gives
# the symbols; ldd gives the loader and shared libraries. Without --check it writes
# doc/tcb.md (or --out). With --check it writes nothing and exits 1 when a trusted
# binary links an untrusted module, owner-side code, test-only code or (runtime,
# gateway) an evidence verifier. Any error (missing build dir, missing binary, no
# debug info, a compile unit that does not resolve to an existing file) exits 2.
# The binaries must be built RelWithDebInfo or Debug (DWARF 5, GCC 12's default).
set -euo pipefail
shopt -s nullglob

die() { echo "tcb: $*" >&2; exit 2; }
usage() { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
check=0 out="" out_given="" build=""
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=1 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; out_given=1; shift ;;
    --source-dir) [ $# -ge 2 ] || usage; root=$(cd "$2" && pwd) || die "no source dir $2"; shift ;;
    -h|--help) usage ;;
    -*) echo "tcb: unknown option $1" >&2; usage ;;
    *) [ -z "$build" ] || die "one build directory only (got $build and $1)"; build=$1 ;;
  esac
  shift
done
build=${build:-$root/build}
out=${out:-$root/doc/tcb.md}
[ -d "$build" ] || die "no build directory $build"
build=$(cd "$build" && pwd)
[ -f "$build/CMakeCache.txt" ] || die "$build is not a CMake build directory (no CMakeCache.txt)"
for tool in readelf nm ldd realpath awk; do command -v "$tool" >/dev/null || die "needs $tool"; done

trusted=(clemmys-runtime clemmys-gateway clemmys-kms)
binaries=("${trusted[@]}" clemmys-simtee)

# Module folders the trusted side must never link, and owner-side files (the owner's
# CLI verifies the KMS and signs policies; no trusted binary needs that code).
untrusted_modules="src/controller src/store src/invoker src/platform src/cli"
owner_files="src/kmsclient/commands src/kmsclient/owner_client src/kmsclient/kms_verify"

# Files that exist only for tests: test sources, fixtures, test data, fuzz targets.
is_test_file() {
  case $1 in
    test/* | */testdata/* | */fuzz/* | *_test.* | *_test_* | */test_* | *test_util* | *testing* | *fixture*) return 0 ;;
  esac
  return 1
}
module_of() {
  local rest=${1#*/}
  case $1 in
    src/*/* | apps/*/*) echo "${1%%/*}/${rest%%/*}" ;;
    */*) echo "${1%%/*}" ;;
    *) echo "." ;;
  esac
}
# Why a trusted binary must not carry this file; empty when it may.
forbidden_reason() {
  local bin=$1 file=$2 mod m
  mod=$(module_of "$file")
  if is_test_file "$file"; then echo "test-only code"; return; fi
  for m in $untrusted_modules; do [ "$mod" = "$m" ] && { echo "untrusted module $m"; return; }; done
  [ "$bin" = clemmys-simtee ] && return
  for m in $owner_files; do [ "${file%.*}" = "$m" ] && { echo "owner-side code"; return; }; done
  [ "$mod" = src/simtee ] && { echo "the simulated hardware's code"; return; }
  case $bin in
    clemmys-runtime | clemmys-gateway)
      [ "$mod" = src/attest ] && { echo "an evidence verifier it never calls"; return; } ;;
  esac
  return 0
}

# Prints "U <path>" for each compile unit's primary file and "F <path>" for every
# file in a unit's file table, paths absolute but not yet canonical. DWARF 5: the
# directory entry 0 is the compilation directory, the others are relative to it.
dwarf_files() {
  readelf --debug-dump=rawline "$1" | awk -v bin="$1" '
    function value(line) { sub(/^[ \t]*[0-9]+\t([0-9]+\t)?/, "", line); sub(/^\([^)]*\): /, "", line); return line }
    /^ *DWARF Version:/ { if ($3 < 5) old = $3 }  # read on: exiting early would SIGPIPE readelf
    END { if (old) print "E DWARF version " old " (need 5)" }
    /The Directory Table/ { mode = "dir"; delete dirs; next }
    /The File Name Table/ { mode = "file"; next }
    /Line Number Statements|^ *Offset:/ { mode = ""; next }
    mode == "dir" && /^ *[0-9]+\t/ {
      split($0, f, "\t"); i = f[1] + 0; d = value($0)
      if (i > 0 && d !~ /^\//) d = dirs[0] "/" d
      dirs[i] = d; next
    }
    mode == "file" && /^ *[0-9]+\t[0-9]+\t/ {
      split($0, f, "\t"); i = f[1] + 0; n = value($0)
      if (n ~ /^</) next  # <built-in>, <command-line>
      p = (n ~ /^\//) ? n : dirs[f[2] + 0] "/" n
      print (i == 0 ? "U " : "F ") p
    }'
}

lines_of() { if [ $# -gt 0 ]; then cat -- "$@" | wc -l; else echo 0; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
violations=0

analyse() {
  local bin=$1 path=$build/bin/$1 dir=$tmp/$1
  mkdir -p "$dir"
  [ -f "$path" ] || die "$path is missing (build the trusted binaries first)"
  readelf -h "$path" >/dev/null 2>&1 || die "$path is not an ELF file"
  readelf -S -W "$path" | grep '\.debug_line ' >/dev/null || die "$path has no DWARF line tables (build RelWithDebInfo or Debug)"
  dwarf_files "$path" >"$dir/raw"
  if grep -q '^E ' "$dir/raw"; then die "$path: $(grep -m1 '^E ' "$dir/raw" | cut -c3-)"; fi
  grep -q '^U ' "$dir/raw" || die "$path: no compile units in its line tables"
  # Canonical paths; keep the project's, relative to the source dir.
  local kind p canon
  while read -r kind p; do
    canon=$(realpath -m -- "$p")
    case $canon in
      "$root"/*) echo "$kind ${canon#"$root"/}" ;;
      *) [ "$kind" = U ] && echo "X $canon" ;;
    esac
  done < <(sort -u "$dir/raw") | sort -u >"$dir/files"
  # A project compile unit must name an existing file: otherwise the binary is stale
  # or was built from another tree, and nothing below would be true.
  while read -r kind p; do
    [ -f "$root/$p" ] || die "$path was compiled from $p, which is not in $root (stale build?)"
  done < <(grep '^[UF] ' "$dir/files")
  # Sources edited after the link: the line counts would not be the binary's.
  while read -r kind p; do
    if [ "$root/$p" -nt "$path" ]; then echo "$p"; fi
  done < <(grep '^[UF] ' "$dir/files") >"$dir/stale"
  if [ -s "$dir/stale" ]; then
    local msg="$path is older than $(wc -l <"$dir/stale") of its sources (e.g. $(head -n 1 "$dir/stale")): rebuild"
    if [ $check = 0 ] && [ -z "$out_given" ]; then die "$msg before writing $out"; fi
    echo "tcb: warning: $msg; line counts are of the current sources" >&2
  fi
  awk '$1 == "U" { print $2 }' "$dir/files" >"$dir/units"
  awk '{ print $2 }' "$dir/files" | sort -u >"$dir/all"
  [ -s "$dir/units" ] || die "$path: no compile unit from $root (built from another tree?)"
  awk '$1 == "X" { print $2 }' "$dir/files" >"$dir/foreign"
  : >"$dir/code"; : >"$dir/test"
  while read -r p; do
    if is_test_file "$p"; then echo "$p" >>"$dir/test"; else echo "$p" >>"$dir/code"; fi
  done <"$dir/all"
  nm -C --defined-only "$path" >"$dir/nm" || die "nm failed on $path"
  ldd "$path" >"$dir/ldd" 2>&1 || die "ldd failed on $path"
  if grep -q 'not found' "$dir/ldd"; then die "$path: a shared library is not found: $(grep 'not found' "$dir/ldd" | head -n 1)"; fi
  # Violations (trusted binaries and the simtee alike).
  local why
  : >"$dir/violations"
  while read -r p; do
    why=$(forbidden_reason "$bin" "$p")
    [ -z "$why" ] || echo "$bin links $p: $why" >>"$dir/violations"
  done <"$dir/all"
  grep -E ' [TtWwVvDdBbRr] .*([Ff]orTesting|_for_testing|(^|[ :<(,])testing::)' "$dir/nm" | sed "s/^[0-9a-f]* [A-Za-z] /$bin defines test-only symbol /" |
    head -n 20 >>"$dir/violations" || true
  case $bin in
    clemmys-runtime | clemmys-gateway)
      grep -E ' [A-Za-z] .*clemmys::attest::' "$dir/nm" | sed "s/^[0-9a-f]* [A-Za-z] /$bin defines evidence-verifier symbol /" |
        head -n 20 >>"$dir/violations" || true ;;
  esac
  if [ -s "$dir/violations" ]; then violations=1; fi
}

for bin in "${binaries[@]}"; do analyse "$bin"; done

# ---- figures --------------------------------------------------------------------
role() {
  case $1 in
    clemmys-simtee) echo "stands for the hardware" ;;
    *) echo "trusted" ;;
  esac
}
summary_row() {
  local bin=$1 dir=$tmp/$1 units cc h tests syms attest
  mapfile -t units <"$dir/units"
  local code_cc=() code_h=() t=()
  mapfile -t t <"$dir/test"
  while read -r p; do case $p in *.h | *.hpp) code_h+=("$root/$p") ;; *) code_cc+=("$root/$p") ;; esac; done <"$dir/code"
  local tfiles=(); for p in "${t[@]}"; do tfiles+=("$root/$p"); done
  cc=$(lines_of "${code_cc[@]}"); h=$(lines_of "${code_h[@]}")
  tests=$(lines_of "${tfiles[@]}")
  syms=$(awk '$2 ~ /^[TtWw]$/' "$dir/nm" | grep -c 'clemmys::' || true)
  attest=$(grep -cE ' [A-Za-z] .*clemmys::attest::' "$dir/nm" || true)
  echo "| \`$bin\` | $(role "$bin") | ${#units[@]} | ${#code_cc[@]} / $cc | ${#code_h[@]} / $h | $((cc + h)) | ${#t[@]} / $tests | $syms | $attest |"
}
module_rows() {
  local dir=$tmp/$1 mod files names n m p name
  while read -r p; do echo "$(module_of "$p") $p"; done <"$dir/all" >"$dir/modules"
  for mod in $(cut -d' ' -f1 "$dir/modules" | sort -u); do
    files=() names=()
    while read -r m p; do
      [ "$m" = "$mod" ] || continue
      files+=("$root/$p")
      name=${p##*/}
      if grep -qxF "$p" "$dir/units"; then name="**$name**"; fi
      if is_test_file "$p"; then name="$name (TEST)"; fi
      names+=("$name")
    done <"$dir/modules"
    n=$(lines_of "${files[@]}")
    echo "| \`$mod\` | $(grep -c "^$mod/" "$dir/units" || true) | $n | ${names[*]} |"
  done
}
# The Debian package that installed a file (usrmerge: /usr/bin/x may be listed as /bin/x).
package_of() {
  command -v dpkg-query >/dev/null || { echo "?"; return; }
  local candidate pkg=""
  for candidate in "$1" "$(realpath "$1")" "${1#/usr}" "/usr$1"; do
    pkg=$(dpkg -S "$candidate" 2>/dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1) || true
    [ -z "$pkg" ] || break
  done
  if [ -n "$pkg" ]; then echo "$pkg $(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)"; else echo "not from a package"; fi
}
shared_rows() {
  local p
  awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }' "$tmp/$1/ldd" | while read -r p; do
    echo "| \`$p\` | $(package_of "$p") |"
  done
}
# What a file is: a script (its interpreter line) or an ELF file (its shared libraries).
what_is() {
  if [ -d "$1" ]; then
    echo "directory of $(find "$1" -type f | wc -l) files"
  elif [ "$(head -c 2 "$1")" = "#!" ]; then
    echo "script: $(head -n 1 "$1" | cut -c3-)"
  else
    echo "$(ldd "$1" 2>/dev/null | grep -c '/' || true) shared libraries"
  fi
}
# The runtime's interpreters as `clemmys up` fixes them (src/platform/runtime_rootfs.cc):
# python3 and node found on its runtime path (UpOptions::runtimePath, not the shell's
# PATH), every link resolved, python's standard library beside it, and /bin/sh and
# /bin/bash for blackbox actions.
RUNTIME_PATH=/usr/local/bin:/usr/bin:/bin
helper_rows() {
  local name p lib what real
  for name in python3 node; do
    if p=$(PATH=$RUNTIME_PATH command -v "$name"); then
      p=$(realpath "$p")
      what=$(what_is "$p")
      # A version manager's shim (pyenv) is what the runtime's argv names; say what it runs.
      if [ "$name" = python3 ] && [ "${what#script}" != "$what" ] &&
        real=$("$p" -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null); then
        what="$what, a shim that runs \`$real\` ($(what_is "$real"))"
      fi
      echo "| \`$name\` | \`$p\` | $what | $(package_of "$p") |"
      lib=$(dirname "$(dirname "$p")")/lib/$(basename "$p")
      if [ "$name" = python3 ] && [ -d "$lib" ]; then
        echo "| python's standard library | \`$lib\` | $(what_is "$lib") | $(package_of "$lib") |"
      fi
    else
      echo "| \`$name\` | not on the runtime path ($RUNTIME_PATH) | | |"
    fi
  done
  for p in /bin/sh /bin/bash; do
    [ -e "$p" ] && echo "| \`$p\` | \`$(realpath "$p")\` | $(what_is "$(realpath "$p")") | $(package_of "$p") |"
  done
  return 0
}
launcher_rows() {
  local l found=0
  for l in "$build"/share/clemmys/launchers/*; do
    found=1; echo "| \`share/clemmys/launchers/${l##*/}\` | $(wc -l <"$l") |"
  done
  [ $found = 1 ] || die "no launchers in $build/share/clemmys/launchers (broken build?)"
}

# ", sources at commit X" when the source dir is a git checkout (and whether it was clean).
source_revision() {
  local rev
  rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null) || return 0
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    echo ", sources at commit $rev with uncommitted changes"
  else
    echo ", sources at commit $rev"
  fi
}

report() {
  cat <<EOF
# Trusted computing base

Generated by \`scripts/tcb.sh\` from the binaries of the build directory
\`$(basename "$build")\`$(source_revision); do not edit by hand. Regenerate with
\`scripts/tcb.sh BUILD_DIR\` after a RelWithDebInfo build; \`scripts/tcb.sh BUILD_DIR --check\`
(run by \`scripts/test.sh\` and the ctest \`tcb_check\`) fails when a rule below is broken.

## Method

- **Linked code, not module folders.** The project code of a binary is read from the
  DWARF line tables of the final executable (\`readelf --debug-dump=rawline\`). Each
  compile unit in them is an object file the linker actually pulled out of a static
  library; an object that no symbol reached is not there, even when its library is on
  the link line. Each file in a unit's file table is source compiled into that
  object: the \`.cc\` itself and the project headers whose inline code, templates or
  declarations it uses. Paths are resolved against the unit's compilation directory;
  a project path that does not exist fails the script (a stale or foreign build).
- **Lines** are the full line counts (\`wc -l\`) of those files, comments included,
  each file counted once per binary. Headers are counted apart from \`.cc\` files.
  Test-only files (\`*_test*\`, \`test_*\`, fixtures, \`testdata/\`, \`fuzz/\`, \`test/\`)
  are counted in their own column and must be zero for every binary.
- **Symbols** (\`nm -C --defined-only\`): code symbols whose name mentions \`clemmys::\`
  (functions, template instantiations over project types), and \`clemmys::attest::\`
  symbols (the evidence verifiers). The runtime and the gateway must have none of the
  latter: they only produce evidence (through \`kmsclient_core\`'s attest client and
  \`tee\`), the KMS verifies it. The owner's check of the KMS's own evidence
  (\`verifyKms\`, \`clemmys kms verify\`) lives in \`clemmys_kms_verify\`, linked by the
  owner-side CLI only, so \`clemmys_attest\` is no longer even on the runtime's or the
  gateway's link line. (Before, it was, through \`kmsclient_core\`; static linking
  already left its objects out, which is why counting folders overstated the TCB.)
- **Beside the project code**, what else handles plaintext inside the trusted process:
  the loader and every shared library (\`ldd\` of the binary), and for the runtime the
  interpreters it starts on tenant code and data and the launcher scripts they run.
  Interpreters are resolved as \`clemmys up\` resolves them for the runtime's argv (the
  runtime path \`/usr/local/bin:/usr/bin:/bin\`, links resolved) when the script runs; doc/simtee.md says how they are
  measured.
- **Not counted:** third-party code (OpenSSL, Boost, yaml-cpp, libseccomp, libstdc++,
  glibc) is listed by package, not counted; Boost's header-only code compiled into
  project objects is in the binary but outside the project line counts.
- \`clemmys-simtee\` stands for the CPU and its firmware: in a real deployment it is
  replaced by SGX/TDX/SEV-SNP hardware, whose vendor is trusted anyway. In simulation it
  holds the root keys, so it is fully trusted, and it is listed to show its size; the
  rules below apply to it except the owner-side and verifier rules.

## Project code per binary

| binary | role | objects | \`.cc\` files / lines | headers / lines | lines | test-only files / lines | \`clemmys::\` code symbols | \`clemmys::attest::\` symbols |
|---|---|---|---|---|---|---|---|---|
EOF
  for bin in "${binaries[@]}"; do summary_row "$bin"; done
  cat <<EOF

## Rules (\`--check\`)

A trusted binary (\`clemmys-runtime\`, \`clemmys-gateway\`, \`clemmys-kms\`) must not link:
any file of an untrusted module ($(sed 's/\([^ ]*\)/`\1`/g; s/ /, /g' <<<"$untrusted_modules")); owner-side code
($(sed 's/\([^ ]*\)/`\1.*`/g; s/ /, /g' <<<"$owner_files")); the simulated hardware (\`src/simtee\`);
test-only files or symbols (\`*ForTesting\`, \`testing::\`); and, for the runtime and the
gateway, any \`src/attest\` file or \`clemmys::attest::\` symbol. \`clemmys-simtee\` must not
link untrusted modules or test-only code.
EOF
  echo
  if [ $violations = 1 ]; then
    echo "**Broken when this was generated** (\`--check\` fails until these are gone):"
    echo
    cat "$tmp"/*/violations | sed 's/.*/- `&`/'
  else
    echo "None is broken."
  fi
  for bin in "${binaries[@]}"; do
    echo
    echo "## \`$bin\`"
    echo
    echo "Project files compiled in, by module (objects, that is \`.cc\` compile units, in **bold**):"
    echo
    echo "| module | objects | lines | files |"
    echo "|---|---|---|---|"
    module_rows "$bin"
    if [ -s "$tmp/$bin/foreign" ]; then
      echo
      echo "Compile units from outside the project (statically linked third-party code):"
      echo
      sed 's/.*/- `&`/' "$tmp/$bin/foreign"
    fi
    echo
    echo "Loader and shared libraries (\`ldd\`); each sees the process's plaintext:"
    echo
    echo "| file | package |"
    echo "|---|---|"
    shared_rows "$bin"
    if [ "$bin" = clemmys-runtime ]; then
      echo
      echo "Interpreters the runtime starts on tenant code, arguments and results: fixed by"
      echo "its \`--python\`/\`--node\` argv, which \`clemmys up\` resolves on its runtime path and"
      echo "puts, with python's standard library and the shells for blackbox actions, in the"
      echo "runtime's measured root file system (\`runtime-rootfs.manifest\`). Code archives are"
      echo "unpacked in process by libarchive (listed above), not by a spawned tool."
      echo
      echo "| name | file on this host | what | package |"
      echo "|---|---|---|---|"
      helper_rows
      echo
      echo "Launcher scripts the interpreters run (installed beside the binary from"
      echo "\`src/runtime/launchers\`), and the tenant's own code (\`.so\` for the C++ kind,"
      echo "loaded with \`dlopen\`):"
      echo
      echo "| launcher | lines |"
      echo "|---|---|"
      launcher_rows
    fi
  done
}

report >"$tmp/tcb.md"
if [ $check = 1 ]; then
  if [ $violations = 1 ]; then
    echo "tcb: the trusted computing base breaks its rules:" >&2
    cat "$tmp"/*/violations >&2
    exit 1
  fi
  echo "tcb: ok ($(for b in "${binaries[@]}"; do printf '%s: %s objects; ' "$b" "$(wc -l <"$tmp/$b/units")"; done))"
  exit 0
fi
cp "$tmp/tcb.md" "$out"
echo "wrote $out"
if [ $violations = 1 ]; then
  echo "tcb: the trusted computing base breaks its rules:" >&2
  cat "$tmp"/*/violations >&2
  exit 1
fi
