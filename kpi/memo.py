"""Results remembered per DataFrame, while the frame lives.

One page run asks for the same per-customer reductions many times (the headline of the range,
the range before, the activity table, the per-period series), always on the same frame objects.
:func:`remembered` computes such a reduction once per set of frames and hands the stored result
back while those frames are alive. Frames are never changed in place in this package (pandas'
copy-on-write keeps a caller's changes to its own copy), so a frame's identity stands for its
contents for as long as it lives; a weak reference makes sure a new frame that happens to get a
dead frame's ``id`` is never mistaken for it.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TypeVar

import pandas as pd

T = TypeVar("T")

_SIZE = 32
_STORE: OrderedDict[tuple[object, ...], tuple[tuple[Callable[[], object], ...], object]] = (
    OrderedDict()
)
_LOCK = threading.Lock()


def _none() -> None:
    return None


def _ref(frame: pd.DataFrame | None) -> Callable[[], object]:
    return weakref.ref(frame) if frame is not None else _none


def remembered(name: str, frames: Sequence[pd.DataFrame | None], compute: Callable[[], T]) -> T:
    """``compute()``, remembered under ``name`` for as long as every frame of ``frames`` lives.

    The result is shared between callers: treat it as read-only (hand out shallow copies of
    pandas objects, which copy-on-write protects).

    >>> frame = pd.DataFrame({"x": [1, 2]})
    >>> calls = []
    >>> remembered("total", [frame], lambda: calls.append(1) or int(frame["x"].sum()))
    3
    >>> remembered("total", [frame], lambda: calls.append(1) or 0), len(calls)
    (3, 1)
    """
    key = (name, *(id(f) for f in frames))
    with _LOCK:
        hit = _STORE.get(key)
        if hit is not None and all(ref() is f for ref, f in zip(hit[0], frames, strict=True)):
            _STORE.move_to_end(key)
            return hit[1]  # type: ignore[return-value]
    result = compute()
    with _LOCK:
        _STORE[key] = (tuple(_ref(f) for f in frames), result)
        _STORE.move_to_end(key)
        if len(_STORE) > _SIZE:
            _forget_oldest()
    return result


def _forget_oldest() -> None:
    """Drop the entries of tables that are gone, then the least recently used ones."""
    gone = [
        key
        for key, (refs, _) in _STORE.items()
        if any(ref is not _none and ref() is None for ref in refs)  # _none stands for None
    ]
    for key in gone:
        del _STORE[key]
    while len(_STORE) > _SIZE:
        _STORE.popitem(last=False)


_SUBSETS: dict[int, tuple[Callable[[], object], Callable[[], object], object]] = {}


def note_subset(child: pd.DataFrame, parent: pd.DataFrame, rows: object) -> None:
    """Record that ``child`` is ``parent``'s rows at positions ``rows`` (an int array).

    A filter keeps some rows of a table; per-row work already done on the whole table (such as
    its customer codes) can then be taken for the kept rows instead of being done again.
    """
    with _LOCK:
        if len(_SUBSETS) >= _SIZE:
            _SUBSETS.clear()
        _SUBSETS[id(child)] = (weakref.ref(child), weakref.ref(parent), rows)


def subset_of(child: pd.DataFrame) -> tuple[pd.DataFrame, object] | None:
    """``(parent, rows)`` recorded by :func:`note_subset` for this very frame, else None."""
    with _LOCK:
        link = _SUBSETS.get(id(child))
    if link is None or link[0]() is not child:
        return None
    parent = link[1]()
    return None if parent is None else (parent, link[2])  # type: ignore[return-value]


_TOKENS: dict[int, tuple[Callable[[], object], str]] = {}
_SERIAL = itertools.count(1)


def token(frame: pd.DataFrame | pd.Series) -> str:
    """A name for this very object, given to no other object while the process runs.

    For caches keyed by arguments (``st.cache_data``): the same live table always gets the
    same name, a new table (a re-upload, another filter, another session's data) a new one,
    however alike their contents. A weak reference tells a live table from a new one that
    took a dead one's ``id``; names come from a counter, so none is ever handed out twice.

    >>> a, b = pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]})
    >>> token(a) == token(a), token(a) == token(b)
    (True, False)
    """
    with _LOCK:
        hit = _TOKENS.get(id(frame))
        if hit is not None and hit[0]() is frame:
            return hit[1]
        if len(_TOKENS) >= 4 * _SIZE:  # forget the tables that are gone
            for key in [k for k, (ref, _) in _TOKENS.items() if ref() is None]:
                del _TOKENS[key]
        name = f"table-{next(_SERIAL)}"
        _TOKENS[id(frame)] = (weakref.ref(frame), name)
        return name


def clear() -> None:
    """Forget everything remembered (tests and cold benchmark runs start from nothing)."""
    with _LOCK:
        _STORE.clear()
