"""Answers cached per warehouse generation (LIVEPEER_API_CACHE_MB)."""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response


class ResponseCache:
    """Answers by (endpoint, parameters, warehouse generation), least recently used out first.

    The generation changes whenever the data can have changed (DuckDB: the
    file's inode, size or modification time; ClickHouse: every
    LIVEPEER_API_NEWEST_TTL_S seconds), so a cached answer is never older than
    the warehouse it was read from."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.bytes = max_bytes, 0
        self.entries: collections.OrderedDict = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        size = len(value[0])
        if size > self.max_bytes // 4:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.bytes -= len(old[0])

    def answer(self, path: str, request: Request, generation, produce: Callable[[], Response]) -> Response:
        """The cached answer to this request on this generation, else `produce()`'s, kept (with its
        X-* headers, e.g. X-Next-Cursor)."""
        key = (path, tuple(sorted(request.query_params.multi_items())), generation)
        hit = self.get(key)
        if hit is not None:
            return Response(hit[0], media_type=hit[1], headers=hit[2])
        response = produce()
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith("x-")}
        self.put(key, (response.body, response.media_type, headers))
        return response
