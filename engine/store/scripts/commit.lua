-- Commits one saga transition: compare the version, write the new document, append the outbox.
-- Touches one device's keys only (they share the {device id} hash tag).
-- KEYS[1] saga hash (fields v, doc)   KEYS[2] outbox list
-- ARGV[1] expected version ("0": the saga must not exist yet)   ARGV[2] new document
-- ARGV[3..] outbox entries, appended in order
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
for i = 3, #ARGV do
  redis.call('RPUSH', KEYS[2], ARGV[i])
end
return {1, next_version}
