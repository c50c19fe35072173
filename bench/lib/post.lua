-- wrk script for bench/run: blocking POST invokes with Basic auth, spread round-robin
-- over the paths in BENCH_PATHS (space-separated), body BENCH_BODY (default "{}").
-- done() prints one "BENCH key=value ..." line that bench/lib/load.sh parses.
local auth = os.getenv("BENCH_AUTH") or ""
local body = os.getenv("BENCH_BODY") or "{}"
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do
  paths[#paths + 1] = p
end
local headers = { ["Authorization"] = auth, ["Content-Type"] = "application/json" }

-- Each wrk thread has its own Lua state; start threads at different offsets so that
-- two threads do not walk the functions in lock step.
local next = 0
function setup(thread)
  thread:set("offset", math.random(0, #paths - 1))
end

function request()
  next = next % #paths + 1
  local i = (next + (offset or 0) - 1) % #paths + 1
  return wrk.format("POST", paths[i], headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d status_errors=%d socket_errors=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d mean_us=%.0f max_us=%d\n",
    summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
