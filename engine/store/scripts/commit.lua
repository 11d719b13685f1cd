-- Commits one saga transition: compare the version, write the new document, append the outbox
-- and the transition's timeline entries (trimming the timeline to its capacity).
-- Touches one device's keys only (they share the {device id} hash tag).
-- KEYS[1] saga hash (fields v, doc)   KEYS[2] outbox list   KEYS[3] history list
-- ARGV[1] expected version ("0": the saga must not exist yet)   ARGV[2] new document
-- ARGV[3] history capacity   ARGV[4] n, the number of outbox entries
-- ARGV[5 .. 4+n] outbox entries, appended in order   ARGV[5+n ..] history entries, in order
-- Returns {1, new version} or {0, current version} when another writer got there first.
local current = redis.call('HGET', KEYS[1], 'v')
if not current then
  current = '0'
end
if current ~= ARGV[1] then
  return {0, tonumber(current)}
end
local next_version = tonumber(current) + 1
redis.call('HSET', KEYS[1], 'v', next_version, 'doc', ARGV[2])
local outbox_end = 4 + tonumber(ARGV[4])
for i = 5, outbox_end do
  redis.call('RPUSH', KEYS[2], ARGV[i])
end
if #ARGV > outbox_end then
  for i = outbox_end + 1, #ARGV do
    redis.call('RPUSH', KEYS[3], ARGV[i])
  end
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[3]), -1)
end
return {1, next_version}
