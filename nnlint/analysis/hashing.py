"""Content digests: the cache key of a file and of the project files its analysis consulted."""

from __future__ import annotations

try:  # hashlib's own blake2b (it never takes OpenSSL's), without loading OpenSSL: a warm run's 2 %
    from _blake2 import blake2b
except ImportError:  # pragma: no cover  (another interpreter)
    from hashlib import blake2b


def content_hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()
