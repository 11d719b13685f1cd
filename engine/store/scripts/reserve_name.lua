-- Reserves a device name for a device, unless another device holds it.
-- KEYS[1] name key   ARGV[1] device id
-- Returns '' when the caller holds the name now, else the holder's device id.
local holder = redis.call('GET', KEYS[1])
if not holder or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1])
  return ''
end
return holder
