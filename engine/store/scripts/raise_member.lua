-- Adds a member to a sorted set, or raises its score to at least ARGV[2] and always above the
-- score it had. A conditional removal (remove_member.lua) by someone who read the older score
-- then leaves the member alone, whatever the callers' clocks say. With a cap, a member that is
-- not in the set yet is refused while the set already holds that many.
-- KEYS[1] sorted set   ARGV[1] member   ARGV[2] now (ms)   ARGV[3] cap, or '' for none
-- Returns {outcome, size after}: outcome 2 added, 1 already there (raised), 0 refused at the cap.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local size = redis.call('ZCARD', KEYS[1])
local at = tonumber(ARGV[2])
local outcome = 1
if score then
  at = math.max(at, tonumber(score) + 1)
elseif ARGV[3] ~= '' and size >= tonumber(ARGV[3]) then
  return {0, size}
else
  outcome = 2
  size = size + 1
end
redis.call('ZADD', KEYS[1], string.format('%.0f', at), ARGV[1])
return {outcome, size}
