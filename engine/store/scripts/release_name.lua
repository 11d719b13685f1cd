-- Releases a name reservation if, and only if, the given device holds it.
-- KEYS[1] name key   ARGV[1] device id
-- Returns 1 when released, 0 when the device did not hold it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
