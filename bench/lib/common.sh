# bench/lib/common.sh: shared helpers of bench/run — logging, results, the build,
# free ports, process bookkeeping (every process started is stopped by cleanup()).
# Sourced by bench/run; expects ROOT, BUILD and WORK to be set.

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Results: R[key]=value (numbers or "null"); notes per key say why a figure is missing.
declare -gA R=()
declare -gA NOTE=()
setr() { R[$1]=$2; }
getr() { printf '%s' "${R[$1]:-null}"; }

# Floating-point helpers (awk); "null" in, "null" out.
calc() {  # calc 'EXPR in a1..a4' ARGS...: prints null if any argument is null or empty
  local expr=$1 a; shift
  for a in "$@"; do [[ -z $a || $a == null ]] && { echo null; return; }; done
  awk -v a1="${1:-0}" -v a2="${2:-0}" -v a3="${3:-0}" -v a4="${4:-0}" \
    "BEGIN { v = ($expr); printf \"%.4g\\n\", v }"
}
fmt() {  # fmt VALUE [DECIMALS]: human form, "—" for null
  [[ -z $1 || $1 == null ]] && { printf '—'; return; }
  printf "%.${2:-0}f" "$1"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- processes ---------------------------------------------------------------
declare -ga PIDS=()
track() { PIDS+=("$1"); }
stopPid() {  # stopPid PID: SIGTERM, then SIGKILL after 5 s
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stopPid "$pid"; done
  [[ -n ${WORK:-} && -d $WORK && ${KEEP_WORK:-0} != 1 ]] && rm -rf "$WORK"
}

freePort() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# waitForLine FILE PATTERN SECONDS PID: 0 when FILE has PATTERN, 1 on timeout or exit.
waitForLine() {
  local file=$1 pattern=$2 secs=$3 pid=$4 i
  for i in $(seq $((secs * 10))); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# --- build -------------------------------------------------------------------
BUILD_TARGETS=(clemmys clemmys-runtime clemmys-gateway clemmys-kms clemmys-simtee kms_bench runtime_bench envelope_bench wakeup_bench
  startup_bench phoenix-bench-native noop phoenix_wordcount phoenix_histogram
  phoenix_linear_regression phoenix_matrix_multiply phoenix_kmeans phoenix_string_match phoenix_pca)
PHOENIX=(wordcount histogram linear_regression matrix_multiply kmeans string_match pca)

buildAll() {
  local missing=0 t
  for t in clemmys clemmys-runtime startup_bench kms_bench phoenix-bench-native; do
    [[ -x $BUILD/bin/$t ]] || missing=1
  done
  [[ -f $BUILD/examples/libnoop.so ]] || missing=1
  if [[ $missing == 0 && ${REBUILD:-0} != 1 ]]; then
    log "using the existing build in $BUILD (REBUILD=1 to rebuild)"
    return
  fi
  if [[ ! -f $BUILD/build.ninja ]]; then
    log "configuring $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$WORK/cmake.log" 2>&1 ||
      { tail -20 "$WORK/cmake.log" >&2; die "cmake failed"; }
  fi
  log "building ${#BUILD_TARGETS[@]} targets in $BUILD (ninja -j2 -k 0)"
  # -k 0: a target broken by work in progress elsewhere must not stop the others; what is
  # missing afterwards decides what can run.
  ninja -C "$BUILD" -j2 -k 0 "${BUILD_TARGETS[@]}" >"$WORK/ninja.log" 2>&1 ||
    log "some targets failed to build (first error below); running what was built
$(grep -m1 -A6 FAILED "$WORK/ninja.log")"
  for t in clemmys clemmys-runtime; do
    [[ -x $BUILD/bin/$t ]] || die "$BUILD/bin/$t did not build; see the error above"
  done
  [[ -f $BUILD/examples/libnoop.so ]] || die "$BUILD/examples/libnoop.so did not build"
}
