"""Facts that change only when the data does, computed once per copy of the database.

The app's in-memory copy (see snapshot) hands out cursors that carry a `memo` dict, new at each load:
the territories, the indicators' rules, the headline indicators… are read from it once, instead of by
every view of every filter change. On any other connection (a database file, in the command line and
the import), `remember` just computes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


def remember(con, key: Hashable, compute: Callable[[], T]) -> T:
    """The value under `key` in the cursor's memo, computed on first use. Callers must not modify it."""
    memo = getattr(con, "memo", None)
    if memo is None:
        return compute()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute()  # two threads may both compute it: same value, no harm
        return value
