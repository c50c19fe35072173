# bench/lib/platform.sh: starting the platforms and nginx, deploying actions, and the
# wrk driver. A "target" is a pair of shell variables <NAME>_URL and <NAME>_AUTH (Basic
# header value) plus <NAME>_CURL (extra curl flags, e.g. the CA to pin).

# startUp NAME MODE DATADIR [extra clemmys up flags...]: MODE is plain or secure.
# Sets NAME_URL, NAME_AUTH, NAME_CURL, NAME_PID; returns 1 (with NAME_WHY) on failure.
startUp() {
  local name=$1 mode=$2 dir=$3; shift 3
  local flags=(--port 0 --data-dir "$dir" "$@") out="$dir.out" pid
  [[ $mode == plain ]] && flags=(--plain "${flags[@]}")
  mkdir -p "$dir"
  "$BUILD/bin/clemmys" up "${flags[@]}" >"$out" 2>&1 &
  pid=$!
  track "$pid"
  printf -v "${name}_PID" '%s' "$pid"
  if ! waitForLine "$out" '^clemmys ready' 60 "$pid"; then
    printf -v "${name}_WHY" '%s' "$(grep -v '^\s*$' "$out" | head -3 | tr '\n' ' ' | cut -c1-300)"
    stopPid "$pid"
    return 1
  fi
  local props api auth cacert
  props=$(cat "$dir/wskprops")
  api=$(sed -n 's/^APIHOST=//p' <<<"$props")
  auth=$(sed -n 's/^AUTH=//p' <<<"$props")
  cacert=$(sed -n 's/^CACERT=//p' <<<"$props")
  printf -v "${name}_URL" '%s' "$api"
  printf -v "${name}_AUTH" '%s' "Basic $(printf '%s' "$auth" | base64 -w0)"
  if [[ -n $cacert ]]; then printf -v "${name}_CURL" '%s' "--cacert $cacert"
  else printf -v "${name}_CURL" '%s' ""; fi
  log "$name: clemmys up ($mode) ready at $api"
}

stopUp() { local v="${1}_PID"; [[ -n ${!v:-} ]] && stopPid "${!v}"; }

# startNginx NAME UPSTREAM_URL: TLS 1.3 reverse proxy (self-signed P-256 certificate made
# now) on a free loopback port in front of UPSTREAM (http://host:port). Sets NAME_URL.
startNginx() {
  local name=$1 upstream=${2#http://} dir="$WORK/nginx" port pid
  mkdir -p "$dir/tmp"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 || die "openssl req failed"
  port=$(freePort)
  # Fair configuration for a proxy in front of a keep-alive backend: pooled upstream
  # connections, no access log, one worker per core (the gateway is multi-threaded too).
  cat >"$dir/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  client_max_body_size 2m;
  upstream controller { server $upstream; keepalive 64; }
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    ssl_protocols TLSv1.3;
    location / {
      proxy_pass http://controller;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_read_timeout 300s;
    }
  }
}
CONF
  nginx -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout" 2>&1 &
  pid=$!
  track "$pid"
  local i
  for i in $(seq 50); do
    curl -sk -o /dev/null "https://127.0.0.1:$port/" && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/error.log" "$dir/stdout" >&2; die "nginx did not start"; }
    sleep 0.1
  done
  printf -v "${name}_URL" '%s' "https://127.0.0.1:$port"
  log "$name: nginx $(nginx -v 2>&1 | sed 's/.*\///') TLS proxy at https://127.0.0.1:$port -> $upstream"
}

# requestArgs TARGET METHOD [BODY]: sets CURL_BASE (the target's auth and TLS
# arguments) and CURL_REQ (CURL_BASE plus the request: method, JSON body, and a last
# output line "HTTP-status seconds", curl's own time_total).
requestArgs() {
  local t=$1 method=$2 body=${3:-}
  local url="${t}_URL" auth="${t}_AUTH" extra="${t}_CURL"
  CURL_BASE=(-sS -H "Authorization: ${!auth}" --max-time 120)
  [[ ${!url} == https://* && -z ${!extra} ]] && CURL_BASE+=(-k)
  # shellcheck disable=SC2206
  [[ -n ${!extra} ]] && CURL_BASE+=(${!extra})
  CURL_REQ=("${CURL_BASE[@]}" -X "$method" -H 'Content-Type: application/json' -w '\n%{http_code} %{time_total}')
  if [[ -n $body ]]; then
    printf '%s' "$body" >"$WORK/body.json"
    CURL_REQ+=(--data-binary "@$WORK/body.json")
  fi
}
# api TARGET METHOD PATH [BODY]: curl against a target; prints the body, then a last
# line "HTTP-status seconds" (no process start-up in the time).
api() {
  local url="${1}_URL"
  requestArgs "$1" "$2" "${4:-}"
  curl "${CURL_REQ[@]}" "${!url}$3"
}
# apiWarm: like api, but on a connection that is already open (a GET of the namespace
# list first, same curl, same TLS session): the figure holds no TCP or TLS handshake.
apiWarm() {
  local url="${1}_URL"
  requestArgs "$1" "$2" "${4:-}"
  curl "${CURL_BASE[@]}" -o /dev/null "${!url}/api/v1/namespaces" --next "${CURL_REQ[@]}" "${!url}$3"
}
status() { tail -n1 | cut -d' ' -f1; }
latencyUs() { tail -n1 | awk '{ printf "%d", $2 * 1e6 }'; }

# deployCode TARGET NAME KIND FILE [MEMORY_MB]: create/overwrite an action from a file
# (cpp .so files are sent base64 with binary=true).
deployCode() {
  local t=$1 name=$2 kind=$3 file=$4 mem=${5:-128} body code reply
  if [[ $kind == cpp ]]; then
    code=$(base64 -w0 "$file")
    body="{\"exec\":{\"kind\":\"cpp\",\"binary\":true,\"code\":\"$code\"},\"limits\":{\"memory\":$mem,\"timeout\":120000}}"
  else
    code=$(jq -Rs . <"$file")
    body="{\"exec\":{\"kind\":\"$kind\",\"code\":$code},\"limits\":{\"memory\":$mem,\"timeout\":120000}}"
  fi
  reply=$(api "$t" PUT "/api/v1/namespaces/_/actions/$name?overwrite=true" "$body")
  [[ $(status <<<"$reply") == 200 ]] || { log "deploy $name on $t failed: $(head -c 300 <<<"$reply")"; return 1; }
}

# deploySequence TARGET NAME COMPONENT COUNT: a sequence of COUNT times /_/COMPONENT.
deploySequence() {
  local t=$1 name=$2 comp=$3 n=$4 list="" i ns reply
  ns=$(api "$t" GET /api/v1/namespaces | head -n1 | jq -r '.[0]')
  for i in $(seq "$n"); do list+="${list:+,}\"/$ns/$comp\""; done
  reply=$(api "$t" PUT "/api/v1/namespaces/_/actions/$name?overwrite=true" \
    "{\"exec\":{\"kind\":\"sequence\",\"components\":[$list]}}")
  [[ $(status <<<"$reply") == 200 ]] || { log "deploy sequence $name failed: $(head -c 300 <<<"$reply")"; return 1; }
}

# invokeOnce TARGET NAME [BODY]: one blocking invoke; prints "status latency_us".
invokeOnce() {
  local t=$1 name=$2 body=${3:-'{}'}
  api "$t" POST "/api/v1/namespaces/_/actions/$name?blocking=true&result=true" "$body" | tail -n1 |
    awk '{ printf "%s %d\n", $1, $2 * 1e6 }'
}

# load TARGET CONNECTIONS SECONDS BODY NAME...: wrk against the actions' blocking invoke
# URLs (round-robin over the names). Prints "throughput p50_us p99_us errors".
load() {
  local t=$1 conns=$2 secs=$3 body=$4; shift 4
  local url="${t}_URL" auth="${t}_AUTH" paths="" n line
  for n in "$@"; do paths+=" /api/v1/namespaces/_/actions/$n?blocking=true&result=true"; done
  line=$(BENCH_AUTH=${!auth} BENCH_PATHS=$paths BENCH_BODY=$body \
    wrk -t1 -c"$conns" -d"${secs}s" --timeout 30s -s "$ROOT/bench/lib/post.lua" "${!url}" 2>&1 |
    grep '^BENCH ' | tail -n1)
  [[ -z $line ]] && { echo "null null null null"; return; }
  local -A f=()
  local kv
  for kv in ${line#BENCH }; do f[${kv%%=*}]=${kv#*=}; done
  local errors=$((f[status_errors] + f[socket_errors]))
  local ok=$((f[requests] - errors))
  awk -v r="$ok" -v d="${f[duration_us]}" -v p50="${f[p50_us]}" -v p99="${f[p99_us]}" -v e="$errors" \
    'BEGIN { printf "%.1f %d %d %d\n", r / (d / 1e6), p50, p99, e }'
}
