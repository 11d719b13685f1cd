-- Settles a claimed timer: moves it to the device's next due time, or removes it when nothing is
-- due, but only while it still carries our claim (an earlier due time written meanwhile by a
-- transition wins).
-- KEYS[1] timers   ARGV[1] device id   ARGV[2] claim lease end ms   ARGV[3] next due ms or ''
-- Returns 1 when settled, 0 when the timer had moved on.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then
  return 0
end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
