-- The RESULT line every wrk run of scripts/load.sh prints at its end, which load.sh turns into
-- a row of its results table. Given to wrk as the script of the single-URL runs, and loaded by
-- scripts/load-mix.lua (through VG_WRK_REPORT) for the realistic mix.

done = function(summary, latency, requests)
  local ms = function(us) return us / 1000 end
  io.write(string.format("RESULT rps=%.0f p50=%.2f p90=%.2f p99=%.2f max=%.2f non200=%d total=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
    summary.errors.status, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
