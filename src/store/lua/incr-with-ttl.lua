--[[
  incr-with-ttl: increments a counter and gives it an expiry if it has none yet (a fixed window).
  KEYS[1] counter key; ARGV[1] ttl in ms. Returns the new value.
]]
local value = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return value
