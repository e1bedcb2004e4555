-- POST /v1/kiosk/sets as kiosks do: each request a fresh Idempotency-Key, members in turn.
-- MEMBER_TOKENS (comma-separated) are the members' bearer tokens; with none (the floor),
-- no Authorization header is sent. BODY_PATH is the path to POST to.
local tokens = {}
for token in string.gmatch(os.getenv("MEMBER_TOKENS") or "", "[^,]+") do
  tokens[#tokens + 1] = token
end
local path = os.getenv("BODY_PATH") or "/v1/kiosk/sets"
local run = os.getenv("RUN_ID") or "run"
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_tag", run .. "-" .. threads)
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. thread_tag .. "-" .. counter, -- luacheck: globals thread_tag
  }
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]
  end
  local body = '{"exercise": "barbell-back-squat", "load": 60, "unit": "kg", "reps": 8}'
  return wrk.format("POST", path, headers, body)
end
