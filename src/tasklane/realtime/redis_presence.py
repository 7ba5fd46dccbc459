"""Presence in Redis, shared by every gateway: per user, across all of them, and
forgetful of a gateway that died without a goodbye.

Per project (the ``{project}`` hash tag keeps a project's keys in one cluster slot):

| key | type | holds |
| --- | --- | --- |
| ``tasklane:presence:{P}:user:<U>`` | sorted set | U's connections, scored by expiry (ms) |
| ``tasklane:presence:{P}:users`` | sorted set | users announced present, by latest expiry |
| ``tasklane:presence:{P}:names`` | hash | user → display name |
| ``tasklane:presence:{P}:order`` | sorted set | user → arrival rank, for ``list`` |

Every change runs as one Lua script, so exactly one caller sees each user arrive
(``add`` returns True) and leave (``remove`` returns True, or ``sweep`` lists them):
the announcement happens once, whichever gateways race. Expiry is reckoned on the Redis
server's clock (``TIME``), so gateways' clocks may disagree. An entry lives
``ttl_seconds`` unless renewed; each gateway renews its own every third of that
(``refresh``) and sweeps its rooms' projects as often, so a dead gateway's users are
gone, with ``user_disconnected``, at most ``ttl + ttl/3`` after its last renewal.
Requires Redis 6.2 or later (``ZADD … GT``, ``ZRANGE … REV``).
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from tasklane.realtime.presence import Changes, PresenceChange

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: users, names, order, connections of the user. ARGV: user, connection, name,
# ttl ms, key lifetime ms. Returns 1 if the user was not present.
ADD = (
    _NOW
    + """
local expires = now + tonumber(ARGV[4])
redis.call('ZADD', KEYS[4], expires, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. now)
local first = redis.call('ZSCORE', KEYS[1], ARGV[1]) == false
redis.call('ZADD', KEYS[1], 'GT', expires, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
if first then
  local last = redis.call('ZRANGE', KEYS[3], 0, 0, 'REV', 'WITHSCORES')
  local rank = 1
  if #last > 0 then rank = tonumber(last[2]) + 1 end
  redis.call('ZADD', KEYS[3], rank, ARGV[1])
end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
if first then return 1 end
return 0
"""
)

# Same KEYS. ARGV: user, connection, ttl ms, key lifetime ms. Renews an entry that is
# still there; returns 0 if it is not (lost with a restarted Redis, or swept).
REFRESH = (
    _NOW
    + """
if redis.call('ZSCORE', KEYS[4], ARGV[2]) == false then return 0 end
local expires = now + tonumber(ARGV[3])
redis.call('ZADD', KEYS[4], expires, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. now)
redis.call('ZADD', KEYS[1], 'GT', expires, ARGV[1])
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return 1
"""
)

# Same KEYS. ARGV: user, connection. Returns 1 if it was the user's last connection.
REMOVE = (
    _NOW
    + """
if redis.call('ZREM', KEYS[4], ARGV[2]) == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. now)
local best = redis.call('ZRANGE', KEYS[4], 0, 0, 'REV', 'WITHSCORES')
if #best > 0 then
  redis.call('ZADD', KEYS[1], 'XX', best[2], ARGV[1])
  return 0
end
redis.call('DEL', KEYS[4])
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
"""
)

# KEYS: users, names, order. ARGV: the prefix of the users' connection keys.
# Returns user, name, user, name… of the users whose every connection expired.
SWEEP = (
    _NOW
    + """
local out = {}
for _, user in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)) do
  local key = ARGV[1] .. user
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. now)
  local best = redis.call('ZRANGE', key, 0, 0, 'REV', 'WITHSCORES')
  if #best > 0 then
    redis.call('ZADD', KEYS[1], best[2], user)
  else
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], user)
    out[#out + 1] = user
    out[#out + 1] = redis.call('HGET', KEYS[2], user) or ''
    redis.call('HDEL', KEYS[2], user)
    redis.call('ZREM', KEYS[3], user)
  end
end
return out
"""
)

# KEYS: users, names, order. Returns user, name… of the unexpired, in arrival order.
LIST = (
    _NOW
    + """
local out = {}
for _, user in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local expires = redis.call('ZSCORE', KEYS[1], user)
  if expires and tonumber(expires) >= now then
    out[#out + 1] = user
    out[#out + 1] = redis.call('HGET', KEYS[2], user) or ''
  end
end
return out
"""
)


class RedisPresence:
    def __init__(self, redis: Redis, ttl_seconds: float, *, prefix: str = "tasklane") -> None:
        """``redis`` stays the caller's to close."""
        self._redis = redis
        self._prefix = f"{prefix}:presence:"
        self.ttl_seconds = ttl_seconds
        self._ttl_ms = max(1, round(ttl_seconds * 1000))
        # Keys of a project nobody renews outlive its entries a little, then vanish.
        self._keep_ms = 2 * self._ttl_ms + 10_000
        # This process's connections, to renew: (project, user, connection) -> name
        self._mine: dict[tuple[str, str, str], str] = {}
        self._add = redis.register_script(ADD)
        self._refresh = redis.register_script(REFRESH)
        self._remove = redis.register_script(REMOVE)
        self._sweep = redis.register_script(SWEEP)
        self._list = redis.register_script(LIST)

    def _project_keys(self, project_id: str) -> list[str]:
        base = f"{self._prefix}{{{project_id}}}:"
        return [base + "users", base + "names", base + "order"]

    def _keys(self, project_id: str, user_id: str) -> list[str]:
        return [*self._project_keys(project_id), f"{self._prefix}{{{project_id}}}:user:{user_id}"]

    async def add(self, project_id: str, user_id: str, name: str, connection_id: str) -> bool:
        self._mine[(project_id, user_id, connection_id)] = name
        first = await self._add(
            keys=self._keys(project_id, user_id),
            args=[user_id, connection_id, name, self._ttl_ms, self._keep_ms],
        )
        return bool(first)

    async def remove(self, project_id: str, user_id: str, connection_id: str) -> bool:
        self._mine.pop((project_id, user_id, connection_id), None)
        last = await self._remove(
            keys=self._keys(project_id, user_id), args=[user_id, connection_id]
        )
        return bool(last)

    async def list(self, project_id: str) -> list[dict[str, str]]:
        flat = await self._list(keys=self._project_keys(project_id))
        return [{"userId": u.decode(), "name": n.decode()} for u, n in _pairs(flat)]

    async def refresh(self) -> Changes:
        entries = list(self._mine.items())
        if not entries:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for (project_id, user_id, connection_id), _name in entries:
                await self._refresh(
                    keys=self._keys(project_id, user_id),
                    args=[user_id, connection_id, self._ttl_ms, self._keep_ms],
                    client=pipe,
                )
            renewed = await pipe.execute()
        back: Changes = []
        for ((project_id, user_id, connection_id), name), ok in zip(entries, renewed, strict=True):
            # Not renewed, yet still ours: Redis lost it (a restart), or it was swept
            # while we could not reach Redis. A connection that left meanwhile stays out.
            lost = not ok and (project_id, user_id, connection_id) in self._mine
            if lost and await self.add(project_id, user_id, name, connection_id):
                back.append(PresenceChange(project_id, user_id, name))
        return back

    async def sweep(self, project_ids: Sequence[str]) -> Changes:
        if not project_ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for project_id in project_ids:
                await self._sweep(
                    keys=self._project_keys(project_id),
                    args=[f"{self._prefix}{{{project_id}}}:user:"],
                    client=pipe,
                )
            results = await pipe.execute()
        return [
            PresenceChange(project_id, user.decode(), name.decode())
            for project_id, flat in zip(project_ids, results, strict=True)
            for user, name in _pairs(flat)
        ]


def _pairs(flat: list[bytes]) -> list[tuple[bytes, bytes]]:
    return list(zip(flat[::2], flat[1::2], strict=True))
