-- Changes fields of an existing gps-ui user; never creates one (a deleted user stays deleted).
-- KEYS[1] the user's hash
-- ARGV field, value, field, value, ...
-- Returns 1 when changed, 0 when there is no such user.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
