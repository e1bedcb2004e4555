-- POST /v1/kiosk/identify at one kiosk (KIOSK_TOKEN) for the members in turn
-- (BADGES and PINS, comma-separated, in the same order).
local badges, pins = {}, {}
for badge in string.gmatch(os.getenv("BADGES") or "", "[^,]+") do badges[#badges + 1] = badge end
for pin in string.gmatch(os.getenv("PINS") or "", "[^,]+") do pins[#pins + 1] = pin end
local counter = 0

function request()
  counter = counter + 1
  local i = (counter % #badges) + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("KIOSK_TOKEN"),
  }
  local body = string.format('{"badge": "%s", "pin": "%s"}', badges[i], pins[i])
  return wrk.format("POST", "/v1/kiosk/identify", headers, body)
end
