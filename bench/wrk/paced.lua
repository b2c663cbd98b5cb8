-- bench/wrk/paced.lua: each connection waits KINLET_PACE_MS between its requests, so the offered rate is
-- about connections × 1000 ÷ (pace + latency) per second, well below saturation. wrk's latency excludes
-- the wait: it is the time from sending a request to its response, as with report.lua (loaded below).
local pace = tonumber(os.getenv("KINLET_PACE_MS") or "32")
delay = function()
   return pace
end
dofile((os.getenv("KINLET_BENCH_DIR") or ".") .. "/wrk/report.lua")
