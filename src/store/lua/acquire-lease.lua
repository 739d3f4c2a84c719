--[[
  acquire-lease: takes a free (or expired) lease, or renews it when ARGV[1] already holds it.
  KEYS[1] lease key; ARGV[1] owner; ARGV[2] ttl in ms. Returns 1 when the owner holds it afterwards.
]]
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
