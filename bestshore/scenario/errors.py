"""The one error type for bad scenario input, and how its messages stay on one line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

__all__ = ["MAX_MESSAGE_CHARS", "ScenarioError", "format_path", "one_line", "show_value"]

MAX_MESSAGE_CHARS = 600
"""Longest error message printed; a longer one is cut in its middle (``...``)."""
MAX_VALUE_CHARS = 80
"""Longest bad value quoted in a message; a longer one is cut (``...``) and its length given."""

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: any of them could
# start a second line (or a forged one) on a terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]")


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    r"""``text`` on one printable line: control characters escaped (``\n``, ``\x07``),
    cut in the middle past ``limit`` characters."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    if len(text) > limit:
        keep = (limit - 5) // 2
        text = f"{text[:keep]} ... {text[-keep:]}"
    return text


def show_value(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """A bad value as a message quotes it: ``repr`` for text, short, on one line."""
    text = one_line(repr(value) if isinstance(value, str) else str(value), limit=10**9)
    if len(text) > limit:
        text = f"{text[: limit - 20]}... ({len(text):,} characters)"
    return text


def format_path(loc: tuple[str | int, ...]) -> str:
    """``("call_types", 2, "volume")`` -> ``"call_types[2].volume"``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class ScenarioError(ValueError):
    """Invalid scenario input, with where it is and what is wrong, on one line.

    ``str(error)`` reads ``scenarios/x.yaml:14 call_types[2].volume: must be >= 0, got -5``;
    control characters in any part are escaped and an overlong message is cut, so a
    hostile file cannot print a second line (see :func:`one_line`).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        path: tuple[str | int, ...] = (),
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.path = path
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = show_value(self.file, limit=200) if self.file else "<scenario>"
        if self.file and where == repr(self.file):
            where = self.file  # a plain file name is shown as typed, without quotes
        if self.line is not None:
            where += f":{self.line}"
        field = one_line(format_path(self.path), limit=200)
        text = f"{where} {field}: {self.message}" if field else f"{where}: {self.message}"
        return one_line(text)
