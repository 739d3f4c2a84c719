--[[
  commit-checked: applies a list of writes only if every document version check holds.
  The one atomic primitive of the store port (see docs/adr/0003-store-optimistic-commit.md).

  KEYS: every physical key the commit touches, each once.
  ARGV: <nChecks> { <keyIndex> <version> }*
        <nOps> { put <keyIndex> <json> <ttlMs|0>
               | del <keyIndex>
               | zadd <keyIndex> <score> <member>
               | zrem|sadd|srem <keyIndex> <member>
               | xadd <keyIndex> <maxLen|0> <nFields> { <field> <value> }* }*
  Documents are hashes { v = version, d = JSON text }.

  Returns false when a check fails (nothing written), else { 'ok', <stream id of each xadd>... }.
  Raises WRONGTYPE before any write when an op (or check) meets a key holding another type, so a
  failing commit never leaves half its writes behind.
]]
local pos = 1
local function arg()
  local value = ARGV[pos]
  pos = pos + 1
  return value
end

local nChecks = tonumber(arg())
for _ = 1, nChecks do
  local key = KEYS[tonumber(arg())]
  local want = tonumber(arg())
  local have = tonumber(redis.call('HGET', key, 'v') or '0')
  if have ~= want then
    return false
  end
end

local ops = {}
local nOps = tonumber(arg())
for n = 1, nOps do
  local op = { name = arg(), key = KEYS[tonumber(arg())] }
  if op.name == 'put' then
    op.json = arg()
    op.ttl = tonumber(arg())
  elseif op.name == 'zadd' then
    op.score = arg()
    op.member = arg()
  elseif op.name == 'zrem' or op.name == 'sadd' or op.name == 'srem' then
    op.member = arg()
  elseif op.name == 'xadd' then
    op.maxLen = tonumber(arg())
    op.fields = {}
    for f = 1, tonumber(arg()) * 2 do
      op.fields[f] = arg()
    end
  elseif op.name ~= 'del' then
    return redis.error_reply('ERR commit-checked: unknown op ' .. tostring(op.name))
  end
  ops[n] = op
end

local wants = { put = 'hash', zadd = 'zset', zrem = 'zset', sadd = 'set', srem = 'set', xadd = 'stream' }
local types = {}
for _, op in ipairs(ops) do
  local held = types[op.key] or redis.call('TYPE', op.key)['ok']
  if op.name == 'del' then
    types[op.key] = 'none'
  else
    local want = wants[op.name]
    if held ~= 'none' and held ~= want then
      return redis.error_reply('WRONGTYPE commit-checked: ' .. op.name .. ' on a key holding a ' .. held)
    end
    if not (held == 'none' and (op.name == 'zrem' or op.name == 'srem')) then
      types[op.key] = want
    end
  end
end

local result = { 'ok' }
for _, op in ipairs(ops) do
  if op.name == 'put' then
    redis.call('HINCRBY', op.key, 'v', 1)
    redis.call('HSET', op.key, 'd', op.json)
    if op.ttl > 0 then
      redis.call('PEXPIRE', op.key, op.ttl)
    else
      redis.call('PERSIST', op.key)
    end
  elseif op.name == 'del' then
    redis.call('DEL', op.key)
  elseif op.name == 'zadd' then
    redis.call('ZADD', op.key, op.score, op.member)
  elseif op.name == 'zrem' then
    redis.call('ZREM', op.key, op.member)
  elseif op.name == 'sadd' then
    redis.call('SADD', op.key, op.member)
  elseif op.name == 'srem' then
    redis.call('SREM', op.key, op.member)
  elseif op.name == 'xadd' then
    local id
    if op.maxLen > 0 then
      id = redis.call('XADD', op.key, 'MAXLEN', '~', op.maxLen, '*', unpack(op.fields))
    else
      id = redis.call('XADD', op.key, '*', unpack(op.fields))
    end
    result[#result + 1] = id
  end
end
return result
