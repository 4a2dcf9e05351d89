-- One page under load for `make bench`: each wrk connection is one user who asks for the page, waits a
-- think time (BENCH_THINK_MIN_MS..BENCH_THINK_MAX_MS; none when 0) and asks again.
local path = os.getenv("BENCH_PATH")
local think_min = tonumber(os.getenv("BENCH_THINK_MIN_MS") or "0")
local think_max = tonumber(os.getenv("BENCH_THINK_MAX_MS") or "0")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["Accept-Language"] = "vi"

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed)
end

function request()
  return wrk.format("GET", path)
end

if think_max > 0 then
  function delay()
    return math.random(think_min, think_max)
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"non_2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
