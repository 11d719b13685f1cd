-- Claims due timers, so that of N engines exactly one handles each: a claimed timer is pushed to
-- the end of the claim lease, and comes due again only if its claimer dies before settling it.
-- KEYS[1] timers (sorted set: device id -> due ms)
-- ARGV[1] now ms   ARGV[2] claim lease end ms   ARGV[3] how many at most
-- Returns the claimed device ids.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id)
end
return due
