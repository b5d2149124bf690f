"""Progress of long steps, told to whoever listens (the CLI's spinner); silent otherwise.

The library never prints: :func:`report` names the step under way (``"solving"``) and
passes it to the listener set by :func:`listening`, if any; :func:`step` names an outer
step whose inner reports it prefixes (``"pricing policy 2/5: solving"``). Listeners are
context-local (:mod:`contextvars`), so threads and notebooks do not see each other's.

>>> from bestshore import progress
>>> seen = []
>>> with progress.listening(seen.append), progress.step("pricing policy 1/2"):
...     progress.report("solving")
>>> seen
['pricing policy 1/2', 'pricing policy 1/2: solving']
>>> progress.report("nobody listens")  # no listener: nothing happens
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["listening", "report", "step"]

_listener: ContextVar[Callable[[str], None] | None] = ContextVar(
    "bestshore_progress_listener", default=None
)
_prefix: ContextVar[str] = ContextVar("bestshore_progress_prefix", default="")


def report(message: str) -> None:
    """Tell the listener, if any, that ``message`` is the step under way."""
    listener = _listener.get()
    if listener is not None:
        prefix = _prefix.get()
        listener(f"{prefix}: {message}" if prefix else message)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Report ``name``, and prefix every report inside the block with it."""
    report(name)
    outer = _prefix.get()
    token = _prefix.set(f"{outer}: {name}" if outer else name)
    try:
        yield
    finally:
        _prefix.reset(token)


@contextmanager
def listening(listener: Callable[[str], None]) -> Iterator[None]:
    """Send the reports made inside the block to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
