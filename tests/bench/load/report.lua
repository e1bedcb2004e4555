
-- Appended to each script by the benchmark: one JSON line with what it measured.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\nWRK_RESULT {"requests": %d, "seconds": %.3f, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
