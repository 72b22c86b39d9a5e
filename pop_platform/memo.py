"""Per-process memory for values that are costly to compute and rarely change, such as a
large organisation's goal roll-up or its unit tree.

Each value is kept with the fingerprint of the rows it was computed from (for example the
number of rows and their last change, read with one cheap query): a caller passes the
fingerprint it reads now and gets the kept value only while that is unchanged, so a
change made by any process shows at once. ``max_age`` bounds what a fingerprint cannot
see (such as two changes committed in the reverse order of their timestamps).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

_every_memo: weakref.WeakSet[Memo] = weakref.WeakSet()


def forget_everything() -> None:
    """Empty every memo of this process (tests: each starts, and each query count is
    taken, in a process that has kept nothing)."""
    for memo in list(_every_memo):
        memo.clear()


class Memo(Generic[T]):
    def __init__(self, *, max_age: float, size: int = 16) -> None:
        self.max_age = max_age
        self.size = size
        self._items: dict[Hashable, tuple[Hashable, float, T]] = {}
        self._lock = threading.Lock()
        _every_memo.add(self)

    def get(self, key: Hashable, fingerprint: Hashable, compute: Callable[[], T]) -> T:
        kept = self._items.get(key)
        now = time.monotonic()
        if kept is not None and kept[0] == fingerprint and now - kept[1] < self.max_age:
            return kept[2]
        value = compute()
        with self._lock:
            self._items.pop(key, None)
            while len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (fingerprint, now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
