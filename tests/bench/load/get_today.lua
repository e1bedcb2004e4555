-- GET /v1/kiosk/today for the members in turn (MEMBER_TOKENS, comma-separated).
local tokens = {}
for token in string.gmatch(os.getenv("MEMBER_TOKENS") or "", "[^,]+") do
  tokens[#tokens + 1] = token
end
local counter = 0

function request()
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1] }
  return wrk.format("GET", "/v1/kiosk/today", headers)
end
