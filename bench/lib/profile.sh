# bench/lib/profile.sh: where the time goes. profiledLoad runs a load() while counting
# the CPU each server process spends (from /proc, per command name) and sampling the
# whole machine with `perf record -e cpu-clock` (hardware counters are not available
# here: `perf stat -e instructions` reports <not supported>). timingsProfile reads the
# platform's own timings from activation records (waitTime, initTime, duration).

# cpuTicks ROOT_PID...: "comm ticks" per command name over the roots and descendants.
cpuTicks() {
  local pids p
  pids=$(ps -e -o pid=,ppid= | awk -v roots="$*" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2; all[NR] = $1 }
    END {
      for (changed = 1; changed;) {
        changed = 0
        for (i in all) { p = all[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } }
      }
      for (p in keep) print p
    }')
  local name
  for p in $pids; do
    [[ -r /proc/$p/stat ]] || continue
    # Name by argv[0], not comm: processes the simtee launches all have the comm
    # "memfd:simtee-ex" (they are executed from a sealed memfd).
    name=$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -n1)
    name=${name##*/}
    # utime/stime are fields 14/15 (comm has no spaces for our processes).
    awk -v n="${name:-?}" '{ print n, $14 + $15 }' "/proc/$p/stat" 2>/dev/null
  done | awk '{ t[$1] += $2 } END { for (c in t) print c, t[c] }'
}
machineBusy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# profiledLoad TARGET CONNS SECS BODY NAME...: like load(); writes $WORK/profile-<ns>.md.
profiledLoad() {
  local t=$1 secs=$3 roots=() result hz before after busy0 busy1 perfData md
  hz=$(getconf CLK_TCK)
  roots=("${PLAIN_PID:-}" "${SEC_PID:-}" $(pgrep -x nginx | tr '\n' ' '))
  # Runs in a subshell (process substitution): name the files by time, which also orders them.
  local stamp; stamp=$(date +%s%N)
  md="$WORK/profile-$stamp.md"
  perfData="$WORK/perf-$stamp.data"
  before=$(cpuTicks "${roots[@]}")
  busy0=$(machineBusy)
  if [[ $PERF_OK == 1 ]]; then
    perf record -q -a -e cpu-clock -F 499 -o "$perfData" -- sleep "$secs" >/dev/null 2>&1 &
    local perfPid=$!
  fi
  result=$(load "$@")
  [[ -n ${perfPid:-} ]] && wait "$perfPid" 2>/dev/null
  busy1=$(machineBusy)
  after=$(cpuTicks "${roots[@]}")
  local thr=${result%% *} requests
  requests=$(awk -v r="$thr" -v s="$secs" 'BEGIN { printf "%d", r * s }')
  {
    echo "**${PROFILE_LABEL:-$t}, 16 connections, ${secs}s, $(fmt "$thr") req/s.** CPU per request by process"
    echo "(from /proc, ${hz} Hz ticks; the machine's 2 cores are shared with other users):"
    echo
    echo "| process | CPU µs per request |"
    echo "|---|---|"
    join -a1 <(sort <<<"$after") <(sort <<<"$before") | awk -v n="$requests" -v hz="$hz" '
      n > 0 { d = $2 - ($3 == "" ? 0 : $3); if (d > 0) printf "| %s | %.0f |\n", $1, d / hz * 1e6 / n }' |
      sort -t'|' -k3 -rn
    awk -v a="$busy0" -v b="$busy1" -v n="$requests" -v hz="$hz" \
      'BEGIN { if (n > 0) printf "| whole machine (all users, incl. wrk) | %.0f |\n", (b - a) / hz * 1e6 / n }'
    if [[ $PERF_OK == 1 && -s $perfData ]]; then
      echo
      echo "\`perf record -a -e cpu-clock\` over the run, top entries by process and object:"
      echo
      echo '```'
      perf report -i "$perfData" --stdio --no-children --sort comm,dso 2>/dev/null |
        grep -v '^#' | grep '%' | head -12
      echo '```'
      echo
      echo "Top symbols in the platform's processes (\`memfd:simtee-ex\` = a process the simtee"
      echo "launched: gateway, runtimes or KMS; their own symbols are not resolved):"
      echo
      echo '```'
      perf report -i "$perfData" --stdio --no-children --sort comm,sym \
        --comms clemmys,clemmys-runtime,clemmys-gateway,clemmys-simtee,memfd:simtee-ex,nginx --percentage relative 2>/dev/null |
        grep -v '^#' | grep '%' | head -15
      echo '```'
    fi
    echo
  } >"$md"
  rm -f "$perfData"
  echo "$result"
}

# timingsProfile TARGET ACTION LABEL: 20 blocking invokes; medians of the client's
# latency and the record's duration / waitTime / initTime (ms resolution).
timingsProfile() {
  local t=$1 name=$2 label=$3 i reply rows="$WORK/timings-$label.raw"
  : >"$rows"
  for i in $(seq 20); do
    reply=$(api "$t" POST "/api/v1/namespaces/_/actions/$name?blocking=true" '{}')
    [[ $(status <<<"$reply") == 200 ]] || continue
    head -n -1 <<<"$reply" | jq -r --arg us "$(latencyUs <<<"$reply")" \
      '[$us, (.duration // "null"), ([.annotations[]? | select(.key == "waitTime") | .value][0] // "null"),
        ([.annotations[]? | select(.key == "initTime") | .value][0] // 0)] | map(tostring) | join(" ")' >>"$rows"
  done
  local c d w n
  c=$(awk '{ print $1 }' "$rows" | median)
  d=$(awk '$2 != "null" { print $2 }' "$rows" | median)
  w=$(awk '$3 != "null" { print $3 }' "$rows" | median)
  n=$(wc -l <"$rows")
  echo "| $label | $n | $(fmt "$c") | $(fmt "$d") | $(fmt "$w") |" >>"$WORK/timings.md"
}
