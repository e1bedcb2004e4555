-- GET GET_PATH as each of BEARER_TOKENS (comma-separated) in turn: GET /v1/kiosk/today as
-- the members, or a trainer's GET /v1/gyms.
local tokens = {}
for token in string.gmatch(os.getenv("BEARER_TOKENS") or "", "[^,]+") do
  tokens[#tokens + 1] = token
end
local path = assert(os.getenv("GET_PATH"), "GET_PATH names the path to GET")
local counter = 0

function request()
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1] }
  return wrk.format("GET", path, headers)
end
