-- Forgets a pending device that stopped announcing: deletes its saga, outbox, last-seen time and
-- timeline in one step, but only if the saga is still the version the caller read and judged
-- pending and expired (commit.lua raises the version with every write of the document, so an
-- unchanged version is an unchanged phase) and its last announce is still older than the cutoff.
-- An announce that arrives meanwhile therefore wins, and the device stays.
-- Touches one device's keys only (they share the {device id} hash tag).
-- KEYS[1] saga hash   KEYS[2] outbox   KEYS[3] last seen   KEYS[4] history
-- ARGV[1] the version read   ARGV[2] cutoff (ms): a last announce at or after it keeps the device
-- Returns 1 when deleted, 0 when the device changed or announced meanwhile (nothing is written).
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then
  return 0
end
local seen = redis.call('GET', KEYS[3])
if seen and tonumber(seen) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
