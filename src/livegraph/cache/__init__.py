"""Node result caches: `add_node(..., cache_policy=CachePolicy(ttl=60))` and `compile(cache=InMemoryCache())`
run a node once per distinct input (until the entry expires) and replay its writes after that.
Standard library only.
"""

from ._cache import BaseCache, InMemoryCache

__all__ = ["BaseCache", "InMemoryCache"]
