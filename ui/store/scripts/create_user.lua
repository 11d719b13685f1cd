-- Creates a gps-ui user unless one of that name exists. Both keys carry the {ui} hash tag.
-- KEYS[1] the set of user names   KEYS[2] the user's hash
-- ARGV[1] name   ARGV[2] role   ARGV[3] password hash   ARGV[4] created (ms)   ARGV[5] created by
-- Returns 1 when created, 0 when the user exists.
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[2], 'role', ARGV[2], 'hash', ARGV[3], 'created', ARGV[4],
           'createdBy', ARGV[5])
redis.call('SADD', KEYS[1], ARGV[1])
return 1
