--[[
  release-lease: deletes the lease only if ARGV[1] holds it, so a late owner never frees a lease
  someone else took after its own expired. KEYS[1] lease key; ARGV[1] owner. Returns 1 if released.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
