"""A process-local cache bounded by bytes as well as by entries.

Django's ``LocMemCache`` limits only the number of entries; cached pages are 10 KB to 600 KB,
so 20,000 entries could hold gigabytes. :class:`BoundedLocMemCache` also keeps the sum of the
stored (pickled) values under ``OPTIONS["MAX_BYTES"]`` by dropping the least recently used
entries first. Used when ``SKILLNADER_CACHE_DIR`` is not set (one cache per worker process).
"""

from __future__ import annotations

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

__all__ = ["BoundedLocMemCache"]

_SIZES: dict[str, dict[str, int]] = {}


class BoundedLocMemCache(LocMemCache):
    """``LocMemCache`` with a limit on the bytes held (``OPTIONS["MAX_BYTES"]``, default 128 MiB)."""

    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS") or {}
        self.max_bytes = int(options.get("MAX_BYTES", 128 * 2**20))
        self._sizes = _SIZES.setdefault(name, {})

    @property
    def bytes_held(self) -> int:
        """The bytes of the values now held (pickled, as stored)."""
        return sum(self._sizes.get(k, 0) for k in self._cache)

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        super()._set(key, value, timeout)
        self._sizes[key] = len(value)
        # Least recently used entries are at the end (LocMemCache moves hits to the front).
        total = sum(self._sizes.get(k, 0) for k in self._cache)
        while total > self.max_bytes and len(self._cache) > 1:
            old, _ = self._cache.popitem()
            self._expire_info.pop(old, None)
            total -= self._sizes.pop(old, 0)
        # Sizes of entries dropped by culling, expiry or deletion.
        if len(self._sizes) > 2 * len(self._cache) + 16:
            for k in [k for k in self._sizes if k not in self._cache]:
                del self._sizes[k]

    def clear(self):
        with self._lock:
            self._sizes.clear()
        super().clear()
