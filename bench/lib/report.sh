# bench/lib/report.sh: targets vs measured, doc/benchmarks.md, the gnuplot PNGs and the
# one-line JSON of bench/run.

JSON_KEYS=(gateway_throughput_vs_nginx gateway_p50_vs_nginx function_latency_overhead_max
  e2e_noop_p50_us_secure e2e_throughput_secure chain_hop_us_secure
  startup_eager_over_batched_1gib cold_start_ms_cpp_prewarmed cold_start_ms_python_prewarmed
  kms_attestations_per_s)
declare -gA TARGET=(
  [gateway_throughput_vs_nginx]=">= 1.0" [gateway_p50_vs_nginx]="<= 1.05"
  [function_latency_overhead_max]="<= 0.05" [e2e_noop_p50_us_secure]="<= 1000"
  [e2e_throughput_secure]=">= 2500" [chain_hop_us_secure]="<= 100"
  [startup_eager_over_batched_1gib]=">= 10" [cold_start_ms_cpp_prewarmed]="<= 5"
  [cold_start_ms_python_prewarmed]="<= 30" [kms_attestations_per_s]=">= 1000")

# verdict KEY: met / MISSED / not measured
verdict() {
  local v; v=$(getr "$1")
  [[ $v == null ]] && { echo "not measured"; return; }
  local op=${TARGET[$1]%% *} goal=${TARGET[$1]##* }
  if awk -v v="$v" -v g="$goal" -v op="$op" 'BEGIN { exit !((op == ">=") ? v >= g : v <= g) }'; then
    echo met
  else
    echo "**MISSED**"
  fi
}

# why KEY: one line on a miss or a missing figure, from what this run measured.
why() {
  local k=$1 v
  v=$(verdict "$k")
  if [[ $v == "not measured" ]]; then
    case $k in
      kms_attestations_per_s) echo "kms_bench failed: ${KMS_ERROR:-no output} (section 7)" ;;
      startup_*) echo "startup_bench did not run" ;;
      *) echo "secure \`clemmys up\` did not start (see the header), so nothing was measured" ;;
    esac
    return
  fi
  [[ $v == met ]] && { [[ $k == cold_start_ms_* && ${COLD_FROM:-} == plain ]] && echo "measured in plain mode (secure unavailable)"; return; }
  case $k in
    e2e_throughput_secure | e2e_noop_p50_us_secure)
      echo "secure CPU per request $(cpuSummary 'secure (via'); plain $(cpuSummary 'plain,') (section 3 profiles; 2 shared cores)" ;;
    gateway_*)
      echo "gateway path $(cpuSummary 'clemmys-gateway ->') vs nginx path $(cpuSummary 'nginx ->') (section 3 profiles)" ;;
    chain_hop_us_secure)
      echo "secure hop $(fmt "$(getr chain_hop_us_secure)") µs vs plain $(fmt "$(getr chain_hop_us_plain)") µs: a hop is one round trip controller → runtime, and a round trip between two sleeping processes alone costs ~50 µs on this VM (wakeup_bench, section 9); the secure runtime's work is ~14 µs more than plain in process (section 9) but ~35 µs more in the running runtime (doc/performance.md)" ;;
    function_latency_overhead_max)
      echo "worst: ${R[worst_workload]:-?}: the secure path's fixed cost per request (gateway, envelope checks, a third busy process on 2 shared cores) against a short function; per-round ratios in section 2" ;;
    cold_start_ms_*)
      echo "initTime ${R[cold_init_${k#cold_start_ms_}]:-?} ms of the total; measured in ${COLD_FROM:-?} mode (section 6)" ;;
    kms_attestations_per_s) echo "KMS + simtee CPU per attestation on 2 shared cores caps the rate (section 7)" ;;
    *) echo "see the section's table" ;;
  esac
}

# cpuSummary LABEL-PREFIX: "N µs (proc a, proc b, ...)" from the profile whose title starts so.
cpuSummary() {
  local f
  f=$(grep -l -F "**$1" "$WORK"/profile-*.md 2>/dev/null | head -n1)
  [[ -z $f ]] && { echo "(not profiled)"; return; }
  awk -F'|' '/^\| / && $2 !~ /process|whole machine|---/ {
      gsub(/ /, "", $2); gsub(/ /, "", $3); if ($3 + 0 >= 5) { t += $3; l = l (l ? ", " : "") $2 " " $3 } }
    END { printf "%d µs (%s)", t, l }' "$f"
}

jsonLine() {
  local k out="{" first=1
  for k in "${JSON_KEYS[@]}"; do
    [[ $first == 1 ]] || out+=", "
    first=0
    out+="\"$k\": $(getr "$k")"
  done
  echo "$out}"
}

# plots: PNGs into doc/plots (gnuplot-nox, installed with apt-get when missing and root).
plots() {
  if ! command -v gnuplot >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      log "installing gnuplot-nox for the plots"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >"$WORK/apt.log" 2>&1 ||
        log "apt-get install gnuplot-nox failed; plots skipped"
    else
      log "gnuplot is missing and we are not root: plots skipped"
    fi
  fi
  command -v gnuplot >/dev/null || { PLOTS=0; return; }
  mkdir -p "$ROOT/doc/plots"
  local p="$ROOT/doc/plots"
  if [[ -s $WORK/s1.dat ]]; then
    gnuplot <<GP 2>>"$WORK/gnuplot.log"
set terminal pngcairo size 800,450 noenhanced
set output "$p/gateway_throughput.png"
set title "No-op throughput at 16 connections vs distinct functions"
set xlabel "distinct functions"; set ylabel "requests/s"; set logscale x 2; set key bottom left; set grid
set datafile missing "null"; set yrange [0:*]
plot "< awk '\$2 == 16' $WORK/s1.dat" using 1:3 with linespoints title "plain controller (direct)", \
     "" using 1:4 with linespoints title "nginx -> plain controller", \
     "" using 1:5 with linespoints title "clemmys-gateway -> secure"
GP
  fi
  if [[ -s $WORK/s2.dat ]]; then
    gnuplot <<GP 2>>"$WORK/gnuplot.log"
set terminal pngcairo size 800,450 noenhanced
set output "$p/phoenix_latency.png"
set title "Phoenix workloads: warm p50 latency"
set ylabel "ms"; set style data histograms; set style histogram cluster gap 1
set style fill solid 0.8 border -1; set xtics rotate by -30; set key top left; set grid ytics
set datafile missing "null"
plot "$WORK/s2.dat" using (\$2/1000):xtic(1) title "native", "" using (\$3/1000) title "plain", "" using (\$4/1000) title "secure"
GP
  fi
  if [[ -s $WORK/s5.dat ]]; then
    gnuplot <<GP 2>>"$WORK/gnuplot.log"
set terminal pngcairo size 800,450 noenhanced
set output "$p/startup_heap.png"
set title "Heap creation to end of first invocation"
set xlabel "heap (MiB)"; set ylabel "ms"; set logscale xy; set key top left; set grid
plot for [pol in "eager eager-nomeasure lazy batched16 batched16-nozero"] \
  "< awk -v p=" . pol . " '\$2 == p { sub(/MiB/, \"\", \$1); print }' $WORK/s5.dat" using 1:3 with linespoints title pol
GP
  fi
  PLOTS=1
}

writeDoc() {
  local doc="$ROOT/doc/benchmarks.md" k
  local cpu kernel
  cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)
  kernel=$(uname -sr)
  {
    echo "# Benchmarks"
    echo
    echo "Generated by \`bench/run\` — do not edit by hand; rerun it. Method: everything on"
    echo "loopback on one machine, blocking invokes (\`?blocking=true&result=true\`) driven by"
    echo "wrk $(wrk -v 2>&1 | head -n1 | awk '{ print $2 }') (\`bench/lib/post.lua\`: POST body + Basic auth, round-robin over"
    echo "functions), warm figures after a warm-up run, latencies as wrk's percentiles."
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| command | \`$COMMAND\` |"
    echo "| machine | $(nproc) CPUs, $cpu |"
    echo "| kernel | $kernel |"
    echo "| load average at start | $LOAD_START (the cores are shared with other users: expect noise) |"
    echo "| build | \`$BUILD\` ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)) |"
    echo "| secure platform | $([[ $SECURE_OK == 1 ]] && echo "ran (\`clemmys up\`)" || echo "**not available**: \`clemmys up\` (secure) failed: ${SEC_WHY:-?}") |"
    echo
    echo "## Targets"
    echo
    echo "| figure | target | measured | status | why |"
    echo "|---|---|---|---|---|"
    for k in "${JSON_KEYS[@]}"; do
      echo "| \`$k\` | ${TARGET[$k]} | $(getr "$k") | $(verdict "$k") | $(why "$k") |"
    done
    echo
    if [[ $SECURE_OK != 1 ]]; then
      echo "Secure figures are \`null\` in the JSON: the secure platform did not start, so they"
      echo "were not measured (no estimates are given). The plain and nginx columns are real."
      echo
    fi
    echo "JSON (\`bench/run --json\`, last line):"
    echo
    echo '```'
    jsonLine
    echo '```'
    echo
    echo "## 1. Gateway overhead"
    echo
    echo "No-op cpp functions, ${SECS}s per cell after a 1 s warm-up; requests spread round-robin"
    echo "over N distinct functions. nginx (Debian's, TLS 1.3, self-signed P-256 certificate,"
    echo "keep-alive upstream pool) proxies to the plain controller; the gateway fronts the secure"
    echo "platform. \`gateway_throughput_vs_nginx\` = ratio at 1 function, 16 connections;"
    echo "\`gateway_p50_vs_nginx\` = p50 ratio at 1 function, 1 connection (unloaded latency)."
    echo
    cat "$WORK/s1.md"
    [[ ${PLOTS:-0} == 1 ]] && { echo; echo "![throughput](plots/gateway_throughput.png)"; }
    echo
    echo "## 2. Function overhead: Phoenix workloads, warm"
    echo
    echo "Each workload generates its input from \`{size, seed: 1}\` inside the function; 1"
    echo "connection, $PHX_ROUNDS rounds of ${PHX_SECS}s per platform that alternate which platform goes"
    echo "first (the cores are shared: load drifts during a run). p50s are medians over the rounds;"
    echo "the overhead is the median of the per-round ratios secure/plain − 1, listed per round."
    echo "Native = \`phoenix-bench-native W --size N\` prepare + median run."
    echo "\`function_latency_overhead_max\` = the largest overhead over the workloads."
    echo
    cat "$WORK/s2.md"
    [[ ${PLOTS:-0} == 1 ]] && { echo; echo "![phoenix](plots/phoenix_latency.png)"; }
    echo
    echo "## 3. End-to-end warm no-op"
    echo
    cat "$WORK/s3.md"
    echo
    echo "### Where the time goes (profiles of 16-connection runs, sections 1 and 3)"
    echo
    cat "$WORK"/profile-*.md 2>/dev/null
    echo "Platform timings from 20 sequential blocking invokes returning the activation record"
    echo "(client = curl's time_total; the record's fields have ms resolution). Hardware counters"
    echo "are not available on this machine (\`perf stat -e instructions\` is <not supported>), so"
    echo "the profile above samples \`cpu-clock\`."
    echo
    echo "| platform | records | client µs p50 | duration ms p50 | waitTime ms p50 |"
    echo "|---|---|---|---|---|"
    cat "$WORK/timings.md" 2>/dev/null
    echo
    echo "## 4. Chain per-hop cost"
    echo
    echo "Sequences of 1 and 10 steps of the same warm cpp no-op, 1 connection, ${SECS}s each."
    echo
    cat "$WORK/s4.md"
    echo
    echo "## 5. Start-up: heap commit policies"
    echo
    echo "\`startup_bench --runs $STARTUP_RUNS --sizes-mib $STARTUP_SIZES\` (bench/startup), medians, each cell"
    echo "relative to eager (with per-page measurement) at the same size, with the absolute"
    echo "time in brackets. \`startup_eager_over_batched_1gib\` = eager / batched16 at 1 GiB."
    echo
    cat "$WORK/s5.md"
    echo
    cat "$WORK/s5.notes" 2>/dev/null
    [[ ${PLOTS:-0} == 1 ]] && { echo; echo "![startup](plots/startup_heap.png)"; }
    echo
    echo "### Reference run (from doc/heap.md)"
    echo
    sed -n '/^## For doc\/benchmarks.md/,$p' "$ROOT/doc/heap.md" | sed '1d' | sed 's/^### /#### /'
    echo
    echo "## 6. Cold start per kind"
    echo
    echo "A freshly created no-op action per run: one blocking invoke (cold: curl's time_total,"
    echo "median), \`initTime\` from its activation record, then the same action again (warm)."
    echo "Both invokes go over a connection the client already opened (curl fetches the namespace"
    echo "list first on the same connection): a cold start is the platform's cost, not the"
    echo "client's TCP and TLS handshake, which a real client pays once per connection."
    echo "'prewarmed' runs on a second platform started with \`--prewarm KIND=$COLD_RUNS\` for each"
    echo "kind, after ${PREWARM_SETTLE}s to let the prewarmed runtimes start. The JSON's cold-start"
    echo "figures come from the ${COLD_FROM:-?} platform."
    echo
    cat "$WORK/s6.md"
    echo
    echo "## 7. KMS attestations"
    echo
    echo "\`kms_bench --total $KMS_TOTAL\` (bench/kms): real clemmys-simtee + clemmys-kms, sim evidence,"
    echo "one persistent TLS connection per client thread. \`kms_attestations_per_s\` = best error-free row."
    echo
    cat "$WORK/s7.md"
    if [[ -f $WORK/s8.md ]]; then
      echo
      echo "## 8. Plain platform per kind"
      echo
      echo "The no-TEE baseline alone, per kind: warm blocking no-op latency at 1 connection,"
      echo "throughput at 16 connections, cold start with no prewarmed runtime; the baseline is"
      echo "the cpp no-op /run straight on one clemmys-runtime in the same run."
      echo
      cat "$WORK/s8.md"
    fi
    if [[ -f $WORK/s9.md ]]; then
      echo
      echo "## 9. In-process costs"
      echo
      echo "Google Benchmark in one process, no HTTP and no other process running: one warm"
      echo "\`/run\` of the no-op cpp function through the plain ActionProxy (the baseline) and"
      echo "through the secure path (open and check the INVOKE, run, seal the output, end the"
      echo "sealed log stream) for chains of 1 and 10 steps (\`BM_SecureRun/<steps>/<cleared>\`;"
      echo "cleared = 1: 8 MiB written between iterations, standing in for the other processes of"
      echo "the path); and a hop's envelope operations with AES-256-GCM alone as their baseline."
      echo "doc/performance.md compares these with the CPU the running processes spend. Last,"
      echo "\`wakeup_bench\`: the round trip between two processes that sleep between messages,"
      echo "free to run on any CPU and pinned to one: its first column is the floor under every"
      echo "hop of the platform on this machine."
      echo
      cat "$WORK/s9.md"
    fi
  } >"$doc"
  log "wrote $doc"
}
