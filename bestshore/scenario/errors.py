"""The one error type for bad scenario input."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ScenarioError", "format_path"]


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

    ``str(error)`` reads ``scenarios/x.yaml:14 call_types[2].volume: must be >= 0, got -5``.
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
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        field = format_path(self.path)
        return f"{where} {field}: {self.message}" if field else f"{where}: {self.message}"
