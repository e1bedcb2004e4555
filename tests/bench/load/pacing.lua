-- Appended to each script by the benchmark. DELAY_MS holds each connection back between
-- requests, for a lower, steady rate. The gaps are random (exponential, DELAY_MS on
-- average), as independent kiosks send: equal gaps keep the connections in step, so they
-- arrive together and queue behind each other at any rate.
local pause = tonumber(os.getenv("DELAY_MS") or "0")
local seeded = false
if pause > 0 then
  function delay()
    if not seeded then
      -- Each wrk thread has a Lua state of its own: a table's address tells them apart.
      math.randomseed(os.time() + tonumber(string.match(tostring({}), "0x(%x+)") or "0", 16))
      seeded = true
    end
    return math.floor(-pause * math.log(1 - math.random()))
  end
end
