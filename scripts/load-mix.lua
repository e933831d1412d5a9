-- wrk script of `scripts/load.sh --mix realistic`: sends the requests that
-- scripts/load-mix.py drew, in order and in a cycle, each with its seeker's bearer token.
--
--   VG_LOAD_REQUESTS=FILE  the requests, one a line: KIND, PERSON, PATH, TOKEN (tab-separated)
--   VG_LOAD_KIND=KIND      only the requests of this kind (search, why, page); default all
--   VG_LOAD_PACE=N         send at N requests/s instead of as fast as the server answers
--                          (run wrk with one thread, -t1: the pace is per thread)
--   VG_LOAD_ONCE=1         stop once every request has been answered once (run wrk with one
--                          thread and a duration long enough)
--
-- Paced, request k is due k/N seconds after the first; a connection that comes free waits
-- until the next request is due, or sends at once if it is overdue, so a server that falls
-- behind is sent the backlog rather than fewer requests. wrk still times each request from
-- when it was sent, not from when it was due: the latency of an overloaded server is
-- understated, but its throughput falls short of N, which shows.
--
-- Prints one RESULT line at the end, as the single-URL runs of scripts/load.sh do.

local requests, count, last = {}, 0, 0

function init(args)
  local file = assert(os.getenv("VG_LOAD_REQUESTS"), "set VG_LOAD_REQUESTS")
  local only = os.getenv("VG_LOAD_KIND") or ""
  for line in io.lines(file) do
    local kind, _, path, token = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if kind and (only == "" or kind == only) then
      count = count + 1
      requests[count] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
    end
  end
  assert(count > 0, "no requests of kind '" .. only .. "' in " .. file)
end

function request()
  last = last % count + 1
  return requests[last]
end

-- wrk's main thread sleeps for the whole duration whatever its threads do; its SIGINT handler
-- (Ctrl-C) is what ends a run early, with the figures of the time actually run.
if os.getenv("VG_LOAD_ONCE") == "1" then
  local ffi = require("ffi")
  ffi.cdef [[
    int getpid(void);
    int kill(int pid, int signal);
  ]]
  local answered = 0
  function response()
    answered = answered + 1
    if answered == count then
      wrk.thread:stop()
      ffi.C.kill(ffi.C.getpid(), 2) -- SIGINT
    end
  end
end

local pace = tonumber(os.getenv("VG_LOAD_PACE") or "")
if pace and pace > 0 then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } vg_timespec;
    int clock_gettime(int clock, vg_timespec *now);
  ]]
  local now, interval, slot = ffi.new("vg_timespec"), 1000 / pace, nil
  local function ms()
    ffi.C.clock_gettime(1, now) -- CLOCK_MONOTONIC
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  end
  -- Milliseconds to wait before the next request; wrk rounds down to whole ones.
  function delay()
    local t = ms()
    slot = slot or t
    local wait = slot - t
    slot = slot + interval
    return math.max(0, wait)
  end
end

-- The same RESULT line as the single-URL runs (scripts/wrk-report.lua).
dofile(os.getenv("VG_WRK_REPORT") or "scripts/wrk-report.lua")
