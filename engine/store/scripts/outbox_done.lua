-- Removes carried-out entries from the head of a device's outbox, but only while the head still
-- is the entry that was carried out: two engines finishing the same outbox cannot drop an entry
-- appended after they read it.
-- KEYS[1] outbox list   ARGV entries carried out, in order
-- Returns how many entries were removed.
local removed = 0
for i = 1, #ARGV do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if head ~= ARGV[i] then
    break
  end
  redis.call('LPOP', KEYS[1])
  removed = removed + 1
end
return removed
