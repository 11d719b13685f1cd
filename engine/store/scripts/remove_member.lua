-- Removes a member from a sorted set if its score is still at most ARGV[2]: nobody raised it
-- (raise_member.lua) since the caller read that score, so it still stands for what the caller
-- saw (a device that has since been created again, or become pending again, is kept).
-- KEYS[1] sorted set   ARGV[1] member   ARGV[2] the highest score to remove
-- Returns 1 when removed, 0 otherwise.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
