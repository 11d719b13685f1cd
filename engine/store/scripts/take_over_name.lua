-- Moves a reservation from a holder found to be stale (its saga does not use the name) to a new
-- device, if the stale holder still holds it.
-- KEYS[1] name key   ARGV[1] stale holder   ARGV[2] new device id
-- Returns 1 when taken over, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
