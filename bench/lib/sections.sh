# bench/lib/sections.sh: the seven measurements of bench/run. Each section writes its
# markdown table to $WORK/sN.md (and data files for the plots) and sets results in R[].
# Targets: PLAIN (plain controller, no proxy), NGX (nginx -> PLAIN), SEC (clemmys-gateway
# of the secure platform) — SEC only when $SECURE_OK is 1.

secureTargets() { if [[ $SECURE_OK == 1 ]]; then echo "PLAIN NGX SEC"; else echo "PLAIN NGX"; fi; }

# --- 1. gateway overhead ------------------------------------------------------
section1() {
  log "1. gateway overhead (${S1_COUNTS[*]} functions x 1/16 connections, ${SECS}s each)"
  local t i n c names=() out="$WORK/s1.md" data="$WORK/s1.dat"
  for t in $(secureTargets); do
    [[ $t == NGX ]] && continue  # NGX shares PLAIN's actions
    for i in $(seq 16); do deployCode "$t" "fn-$i" cpp "$BUILD/examples/libnoop.so" || return 1; done
  done
  {
    echo "| functions | connections | plain direct req/s | p50 µs | nginx→plain req/s | p50 µs | gateway→secure req/s | p50 µs | gateway/nginx req/s | gateway/nginx p50 | errors |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
  } >"$out"
  : >"$data"
  for n in "${S1_COUNTS[@]}"; do
    names=()
    for i in $(seq "$n"); do names+=("fn-$i"); done
    for c in 1 16; do
      local -A thr=() p50=() err=()
      for t in PLAIN NGX SEC; do
        thr[$t]=null; p50[$t]=null; err[$t]=0
        [[ $t == SEC && $SECURE_OK != 1 ]] && continue
        load "$t" "$c" 1 '{}' "${names[@]}" >/dev/null  # warm every function's instances
        if [[ $n == 1 && $c == 16 && $t != PLAIN ]]; then  # profile nginx and the gateway
          local lbl="nginx -> plain controller"
          [[ $t == SEC ]] && lbl="clemmys-gateway -> secure platform"
          read -r thr[$t] p50[$t] _ err[$t] < <(PROFILE_LABEL="$lbl, 1 function" profiledLoad "$t" "$c" "$SECS" '{}' "${names[@]}")
        else
          read -r thr[$t] p50[$t] _ err[$t] < <(load "$t" "$c" "$SECS" '{}' "${names[@]}")
        fi
      done
      local rt rp
      rt=$(calc 'a1/a2' "${thr[SEC]}" "${thr[NGX]}")
      rp=$(calc 'a1/a2' "${p50[SEC]}" "${p50[NGX]}")
      echo "| $n | $c | $(fmt "${thr[PLAIN]}") | $(fmt "${p50[PLAIN]}") | $(fmt "${thr[NGX]}") | $(fmt "${p50[NGX]}") | $(fmt "${thr[SEC]}") | $(fmt "${p50[SEC]}") | $(fmt "$rt" 2) | $(fmt "$rp" 2) | $((err[PLAIN] + err[NGX] + err[SEC])) |" >>"$out"
      echo "$n $c ${thr[PLAIN]} ${thr[NGX]} ${thr[SEC]} ${p50[PLAIN]} ${p50[NGX]} ${p50[SEC]}" >>"$data"
      if [[ $n == 1 && $c == 16 ]]; then setr gateway_throughput_vs_nginx "$rt"; setr nginx_rps_16 "${thr[NGX]}"; fi
      if [[ $n == 1 && $c == 1 ]]; then setr gateway_p50_vs_nginx "$rp"; setr nginx_p50_1 "${p50[NGX]}"; fi
    done
  done
}

# --- 2. Phoenix workloads, secure vs plain --------------------------------------
phoenixSize() {
  case $1 in
    wordcount | string_match) echo 200000 ;;
    matrix_multiply) echo 200 ;;
    kmeans | pca) echo 50000 ;;
    *) echo 1000000 ;;
  esac
}
section2() {
  log "2. Phoenix workloads, warm, 1 connection, $PHX_ROUNDS alternating rounds of ${PHX_SECS}s each"
  local w t size native out="$WORK/s2.md" data="$WORK/s2.dat" worst=null r
  {
    echo "| workload | size | native µs (fresh process: prepare + median run) | plain p50 µs | secure p50 µs | secure/plain − 1 (median of rounds) | per round | errors |"
    echo "|---|---|---|---|---|---|---|---|"
  } >"$out"
  : >"$data"
  for w in "${PHOENIX[@]}"; do
    size=$(phoenixSize "$w")
    native=$("$BUILD/bin/phoenix-bench-native" "$w" --size "$size" --reps 3 |
      awk 'NR == 2 { printf "%.0f", ($3 + $5) * 1000 }')
    local body="{\"size\":$size,\"seed\":1}" errors=0 ready=()
    for t in PLAIN SEC; do
      [[ $t == SEC && $SECURE_OK != 1 ]] && continue
      deployCode "$t" "phoenix-$w" cpp "$BUILD/examples/libphoenix_$w.so" 512 || continue
      invokeOnce "$t" "phoenix-$w" "$body" >/dev/null  # cold start, not measured
      ready+=("$t")
    done
    # Side by side: rounds alternate which platform goes first, so drift in the
    # machine's load (the cores are shared) falls on both; the ratio is the median
    # of the per-round ratios.
    local plainRuns=() secRuns=() ratios=()
    for ((r = 0; r < PHX_ROUNDS; r++)); do
      local order=(PLAIN SEC) p e
      ((r % 2)) && order=(SEC PLAIN)
      local -A p50=([PLAIN]=null [SEC]=null)
      for t in "${order[@]}"; do
        [[ " ${ready[*]} " == *" $t "* ]] || continue
        read -r _ p _ e < <(load "$t" 1 "$PHX_SECS" "$body" "phoenix-$w")
        p50[$t]=$p
        errors=$((errors + ${e:-0}))
      done
      plainRuns+=("${p50[PLAIN]}"); secRuns+=("${p50[SEC]}")
      ratios+=("$(calc 'a1/a2 - 1' "${p50[SEC]}" "${p50[PLAIN]}")")
    done
    local mp ms over
    mp=$(printf '%s\n' "${plainRuns[@]}" | grep -v null | median)
    ms=$(printf '%s\n' "${secRuns[@]}" | grep -v null | median)
    over=$(printf '%s\n' "${ratios[@]}" | grep -v null | median)
    if [[ $over != null ]] && { [[ $worst == null ]] || awk -v a="$over" -v b="$worst" 'BEGIN { exit !(a > b) }'; }; then
      worst=$over
      setr worst_workload "$w, +$(calc 'a1 - a2' "$ms" "$mp") µs"
    fi
    local rounds
    rounds=$(printf '%s\n' "${ratios[@]}" | awk '$1 != "null" { printf "%s%+.3f", (n++ ? " " : ""), $1 }')
    echo "| $w | $size | $(fmt "$native") | $(fmt "$mp") | $(fmt "$ms") | $(fmt "$over" 3) | $rounds | $errors |" >>"$out"
    echo "$w $native $mp $ms" >>"$data"
  done
  setr function_latency_overhead_max "$worst"
}

# --- 3. end-to-end no-op ----------------------------------------------------------
section3() {
  log "3. end-to-end warm no-op (1 connection p50/p99, 16 connections throughput)"
  local t out="$WORK/s3.md"
  {
    echo "| platform | p50 µs (1 conn) | p99 µs (1 conn) | req/s (16 conn) | p50 µs (16 conn) | errors |"
    echo "|---|---|---|---|---|---|"
  } >"$out"
  for t in PLAIN SEC; do
    local label=plain
    [[ $t == SEC ]] && label="secure (via clemmys-gateway)"
    if [[ $t == SEC && $SECURE_OK != 1 ]]; then
      echo "| $label | — | — | — | — | not run: secure \`clemmys up\` unavailable |" >>"$out"
      continue
    fi
    deployCode "$t" noop cpp "$BUILD/examples/libnoop.so" || continue
    load "$t" 16 1 '{}' noop >/dev/null
    local p50 p99 e1 thr p16 e16
    read -r _ p50 p99 e1 < <(load "$t" 1 "$SECS" '{}' noop)
    read -r thr p16 _ e16 < <(PROFILE_LABEL="$label" profiledLoad "$t" 16 "$SECS" '{}' noop)
    echo "| $label | $(fmt "$p50") | $(fmt "$p99") | $(fmt "$thr") | $(fmt "$p16") | $((e1 + e16)) |" >>"$out"
    local key=plain; [[ $t == SEC ]] && key=secure
    setr "e2e_noop_p50_us_$key" "$p50"
    setr "e2e_throughput_$key" "$thr"
  done
  timingsProfile PLAIN noop "plain"
  [[ $SECURE_OK == 1 ]] && timingsProfile SEC noop "secure"
  return 0
}

# --- 4. 10-step chain -------------------------------------------------------------
section4() {
  log "4. chain per-hop cost (1-step vs 10-step no-op sequences, 1 connection)"
  local t out="$WORK/s4.md"
  {
    echo "| platform | 1-step p50 µs | 10-step p50 µs | per hop µs = (10-step − 1-step) / 9 |"
    echo "|---|---|---|---|"
  } >"$out"
  for t in PLAIN SEC; do
    local label=plain key=plain
    [[ $t == SEC ]] && { label=secure; key=secure; }
    if [[ $t == SEC && $SECURE_OK != 1 ]]; then
      echo "| $label | — | — | — (secure \`clemmys up\` unavailable) |" >>"$out"
      continue
    fi
    deployCode "$t" noop cpp "$BUILD/examples/libnoop.so" &&
      deploySequence "$t" chain-1 noop 1 && deploySequence "$t" chain-10 noop 10 || continue
    local p1 p10 hop
    load "$t" 1 1 '{}' chain-10 >/dev/null
    read -r _ p1 _ _ < <(load "$t" 1 "$SECS" '{}' chain-1)
    read -r _ p10 _ _ < <(load "$t" 1 "$SECS" '{}' chain-10)
    hop=$(calc '(a1 - a2) / 9' "$p10" "$p1")
    echo "| $label | $(fmt "$p1") | $(fmt "$p10") | $(fmt "$hop") |" >>"$out"
    setr "chain_hop_us_$key" "$hop"
  done
}

# --- 5. start-up (heap policies) --------------------------------------------------
section5() {
  log "5. start-up: startup_bench --runs $STARTUP_RUNS --sizes-mib $STARTUP_SIZES"
  local raw="$WORK/startup.txt" out="$WORK/s5.md" data="$WORK/s5.dat"
  [[ -x $BUILD/bin/startup_bench ]] || { echo "startup_bench is not built in $BUILD." >"$out"; return 0; }
  "$BUILD/bin/startup_bench" --runs "$STARTUP_RUNS" --sizes-mib "$STARTUP_SIZES" >"$raw" 2>&1 ||
    { log "startup_bench failed: $(tail -3 "$raw")"; return 1; }
  # Rows: heap policy total_ms startup_ms faults committed vs_eager
  awk '!/^#/ && $1 ~ /MiB$/ && $2 != "policy" { print }' "$raw" >"$data"
  local policies
  policies=$(awk '{ print $2 }' "$data" | awk '!seen[$0]++' | tr '\n' ' ')
  {
    printf '| heap |'; for p in $policies; do printf ' %s |' "$p"; done; echo
    printf '|---|'; for p in $policies; do printf -- '---|'; done; echo
    awk -v pol="$policies" '
      BEGIN { n = split(pol, P, " ") }
      { key = $1 SUBSEP $2; v[key] = $7; ms[key] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 } }
      END {
        for (i = 1; i <= m; i++) {
          h = order[i]; line = "| " h " |"
          for (j = 1; j <= n; j++) {
            k = h SUBSEP P[j]
            line = line sprintf(" %.3f (%.0f ms) |", v[k], ms[k])
          }
          print line
        }
      }' "$data"
  } >"$out"
  local ratio
  ratio=$(awk '$1 == "1024MiB" && $2 == "batched16" && $7 > 0 { printf "%.4g", 1 / $7 }' "$data")
  # Prefer the exact quotient startup_bench prints itself when present.
  local printed
  printed=$(sed -n 's/^# 1 GiB: eager \/ batched16 = \([0-9.]*\)x.*/\1/p' "$raw")
  [[ -n $printed ]] && ratio=$printed
  setr startup_eager_over_batched_1gib "${ratio:-null}"
  grep '^#' "$raw" | sed 's/^# */> /' >>"$WORK/s5.notes"
}

# --- 6. cold start per kind -------------------------------------------------------
coldRuns() {  # coldRuns TARGET TAG -> lines "kind latency_ms initTime_ms"
  local t=$1 tag=$2 kind file i name reply init warm
  for kind in cpp python:3 nodejs:20; do
    case $kind in
      cpp) file="$BUILD/examples/libnoop.so" ;;
      python:3) file="$ROOT/examples/noop/noop.py" ;;
      nodejs:20) file="$ROOT/examples/noop/noop.js" ;;
    esac
    for i in $(seq "$COLD_RUNS"); do
      name="cold-$tag-${kind%%:*}-$i"
      deployCode "$t" "$name" "$kind" "$file" || continue
      sleep "$COLD_PAUSE"  # let the pool refill its prewarmed instances
      reply=$(apiWarm "$t" POST "/api/v1/namespaces/_/actions/$name?blocking=true" '{}')
      [[ $(status <<<"$reply") == 200 ]] || { log "cold $name: $(head -c 200 <<<"$reply")"; continue; }
      init=$(head -n -1 <<<"$reply" | jq -r '[.annotations[]? | select(.key == "initTime") | .value][0] // "null"')
      # The same action again, now warm: what the cold start added is the difference.
      warm=$(apiWarm "$t" POST "/api/v1/namespaces/_/actions/$name?blocking=true" '{}' | latencyUs)
      echo "$kind $(latencyUs <<<"$reply" | awk '{ printf "%.2f", $1 / 1000 }') $init $(awk -v w="$warm" 'BEGIN { printf "%.2f", w / 1000 }')"
    done
  done
}
section6() {
  log "6. cold start per kind, without and with prewarmed runtimes ($COLD_RUNS runs each)"
  local out="$WORK/s6.md" raw="$WORK/s6.raw" mode
  : >"$raw"
  for mode in plain secure; do
    local target=PLAIN
    if [[ $mode == secure ]]; then
      [[ $SECURE_OK == 1 ]] || continue
      target=SEC
    fi
    coldRuns "$target" "none-$mode" | sed "s/^/$mode none /" >>"$raw"
    # A second platform with COLD_RUNS prewarmed runtimes per kind.
    local flags=(--memory-budget 16384 --prewarm "cpp=$COLD_RUNS" --prewarm "python:3=$COLD_RUNS"
      --prewarm "nodejs:20=$COLD_RUNS")
    if startUp PRE "$mode" "$WORK/pre-$mode" "${flags[@]}"; then
      sleep "$PREWARM_SETTLE"
      coldRuns PRE "pre-$mode" | sed "s/^/$mode prewarmed /" >>"$raw"
      stopUp PRE
    else
      log "prewarmed $mode platform did not start: $PRE_WHY"
    fi
  done
  {
    echo "| platform | kind | no prewarm: cold ms | initTime ms | then warm ms | prewarmed: cold ms | initTime ms | then warm ms | runs (no prewarm + prewarmed) |"
    echo "|---|---|---|---|---|---|---|---|---|"
  } >"$out"
  local kind
  for mode in plain secure; do
    for kind in cpp python:3 nodejs:20; do
      if [[ $mode == secure && $SECURE_OK != 1 ]]; then
        echo "| secure | $kind | — | — | — | — | — | — | not run: secure \`clemmys up\` unavailable |" >>"$out"
        continue
      fi
      # col FIELD PREWARM: median of a column of the raw lines (fields: mode prewarm kind ms init warm)
      col() { awk -v m=$mode -v k=$kind -v p="$2" -v f="$1" '$1 == m && $2 == p && $3 == k && $f != "null" { print $f }' "$raw" | median; }
      local a ai aw b bi bw n
      a=$(col 4 none) ai=$(col 5 none) aw=$(col 6 none)
      b=$(col 4 prewarmed) bi=$(col 5 prewarmed) bw=$(col 6 prewarmed)
      n="$(awk -v m=$mode -v k=$kind '$1 == m && $2 == "none" && $3 == k' "$raw" | wc -l) + $(awk -v m=$mode -v k=$kind '$1 == m && $2 == "prewarmed" && $3 == k' "$raw" | wc -l)"
      echo "| $mode | $kind | $(fmt "$a" 1) | $(fmt "$ai") | $(fmt "$aw" 1) | $(fmt "$b" 1) | $(fmt "$bi") | $(fmt "$bw" 1) | $n |" >>"$out"
      setr "cold_${mode}_${kind%%:*}_none" "$a"
      setr "cold_${mode}_${kind%%:*}_prewarmed" "$b"
      setr "cold_init_${mode}_${kind%%:*}_prewarmed" "$bi"
    done
  done
  # The headline figures come from the default (secure) platform when it runs.
  local from=secure
  [[ $SECURE_OK == 1 ]] || from=plain
  setr cold_start_ms_cpp_prewarmed "$(getr "cold_${from}_cpp_prewarmed")"
  setr cold_start_ms_python_prewarmed "$(getr "cold_${from}_python_prewarmed")"
  setr cold_init_cpp_prewarmed "$(getr "cold_init_${from}_cpp_prewarmed")"
  setr cold_init_python_prewarmed "$(getr "cold_init_${from}_python_prewarmed")"
  COLD_FROM=$from
}

# --- 7. KMS attestations ------------------------------------------------------------
section7() {
  log "7. KMS attestations: kms_bench --total $KMS_TOTAL"
  local raw="$WORK/kms.txt" out="$WORK/s7.md"
  if [[ ! -x $BUILD/bin/kms_bench ]]; then
    echo "kms_bench is not built in $BUILD." >"$out"
    return 0
  fi
  # TMPDIR: its simtee socket must not be under /tmp (see WORK in bench/run).
  TMPDIR=$WORK "$BUILD/bin/kms_bench" --total "$KMS_TOTAL" >"$raw" 2>&1 || log "kms_bench exited non-zero: $(tail -2 "$raw")"
  {
    echo "| threads | attest/s | p50 ms | p90 ms | p99 ms | KMS CPU/att ms | simtee CPU/att ms | errors |"
    echo "|---|---|---|---|---|---|---|---|"
    awk '$1 ~ /^[0-9]+$/ && NF >= 11 { printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $9, $10, $11 }' "$raw"
  } >"$out"
  local best
  best=$(awk '$1 ~ /^[0-9]+$/ && NF >= 11 && $11 == 0 { if ($2 > m) m = $2 } END { if (m) print m }' "$raw")
  setr kms_attestations_per_s "${best:-null}"
  [[ -z $best ]] && KMS_ERROR=$(grep -m1 -iE 'error|unavailable|failed' "$raw" | cut -c1-200)
  if [[ -z $best ]]; then
    {
      echo
      echo "kms_bench produced no error-free row: \`${KMS_ERROR:-no output}\`."
      if grep -q 'simtee.unavailable: connect /tmp/' "$raw"; then
        echo "kms_bench (bench/kms) keeps its simtee socket in a hard-coded /tmp directory, and"
        echo "processes the simtee launches (the KMS) do not see the host's /tmp; it needs to take"
        echo "its directory from TMPDIR (bench/run sets TMPDIR to a directory outside /tmp)."
      fi
    } >>"$out"
  fi
}

# 8. The plain platform per kind (bench/platform/platform_bench): warm blocking no-op
# p50/p99 at 1 connection, throughput at 16, cold start without a prewarmed runtime, and
# the same run's baseline (the cpp no-op /run straight on one clemmys-runtime).
section8() {
  log "8. plain platform per kind: platform_bench"
  local raw="$WORK/platform_bench.txt" out="$WORK/s8.md"
  if [[ ! -x $BUILD/bin/platform_bench ]]; then
    echo "platform_bench is not built in $BUILD." >"$out"
    return 0
  fi
  local requests=2000 cold=5
  [[ $QUICK == 1 ]] && requests=500 cold=3
  TMPDIR=$WORK "$BUILD/bin/platform_bench" --build "$BUILD" --seconds "$SECS" --requests "$requests" \
    --cold "$cold" >"$raw" 2>&1 || log "platform_bench exited non-zero: $(tail -2 "$raw")"
  {
    echo "\`platform_bench --build $BUILD --seconds $SECS --requests $requests --cold $cold\`"
    echo
    grep -E '^\|' "$raw" || echo "(no table: $(tail -1 "$raw"))"
    echo
    grep -E '^(Baseline|Ratio)' "$raw" || true
  } >"$out"
}

# 9. In-process costs (Google Benchmark, no HTTP, no other process): one warm /run in
# the runtime, plain against secure (bench/runtime), and the envelope operations of a
# hop with AES-GCM alone as the baseline (bench/envelope). What the secure path costs
# on a hot cache; the end-to-end figures add the same work on a cache the other
# processes of the path have just used.
section9() {
  log "9. in-process costs: runtime_bench, envelope_bench; wake-up cost: wakeup_bench"
  local out="$WORK/s9.md" b
  : >"$out"
  for b in runtime_bench envelope_bench wakeup_bench; do
    if [[ ! -x $BUILD/bin/$b ]]; then
      echo "$b is not built in $BUILD." >>"$out"
      continue
    fi
    {
      if [[ $b == wakeup_bench ]]; then
        echo "\`wakeup_bench\`: one request/response between two processes that sleep in poll(), as each hop of the platform does"
        echo
        "$BUILD/bin/$b"
      else
        echo "\`$b --benchmark_min_time=0.3\`"
        echo
        echo "| benchmark | CPU ns | iterations |"
        echo "|---|---|---|"
        "$BUILD/bin/$b" --benchmark_min_time=0.3 --benchmark_format=csv 2>/dev/null |
          awk -F, 'NR > 1 && $1 ~ /^"BM_/ { gsub(/"/, "", $1); printf "| %s | %.0f | %s |\n", $1, $4, $2 }'
      fi
      echo
    } >>"$out"
  done
  local plain secure
  plain=$(grep -m1 '^| BM_PlainRun/0/0 ' "$out" | cut -d'|' -f3 | tr -d ' ')
  secure=$(grep -m1 '^| BM_SecureRun/10/0 ' "$out" | cut -d'|' -f3 | tr -d ' ')
  [[ -n $plain && -n $secure ]] &&
    echo "Secure /run of a 10-step chain's step costs $(calc 'a1/a2' "$secure" "$plain")× the plain /run in process ($(calc '(a1-a2)/1000' "$secure" "$plain") µs more)." >>"$out"
}
