"""Rate limiting per token: at most API_RATE_LIMIT requests per API_RATE_WINDOW seconds.

A fixed window counted in Django's default cache (`cache.add` then `cache.incr`, both atomic in
every cache backend Django ships). Why the cache and not a database counter: a counter row would
add a write, and a row lock that serialises a token's concurrent requests, to every API call —
including the many reads that otherwise touch the database only through indexes. The cost of the
cache is where it lives: with the default local-memory cache each process counts on its own, so
with N gunicorn workers a token gets up to N × the limit. A deployment that must hold the limit
exactly across processes or machines configures a shared cache (Redis or Memcached through
CACHES; docs/api.md, docs/trien-khai.md). The limit protects the server from a runaway script; it
is not a billing meter, so that approximation is acceptable.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def _limits() -> tuple[int, int]:
    return settings.API_RATE_LIMIT, settings.API_RATE_WINDOW


def hit(token_key: str) -> int | None:
    """Count one request of the token (named by its digest: ids may be reused after a delete);
    None when allowed, else the seconds until it may retry."""
    limit, window = _limits()
    if limit <= 0:
        return None
    now = time.time()
    slot = int(now // window)
    key = f"rasoat:api:rate:{token_key}:{slot}"
    # add() only sets a missing key; the expiry outlives the window so a late incr still finds it.
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        # Evicted between add and incr (a full local-memory cache): start the window again.
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count <= limit:
        return None
    return max(1, int((slot + 1) * window - now) + 1)
