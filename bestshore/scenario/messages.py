"""One-line messages for pydantic's validation errors, in the scenario format's words.

A bound error names the whole valid range of its field (``must be <= 1e+09, got 1e+300
(valid: >= 0 and <= 1e+09)``), an unknown field the known one it was probably meant to be
(``did you mean 'aht_seconds'?``), and a bad value is quoted short and on one line
(:func:`bestshore.scenario.errors.show_value`). The field is found by walking the schema
from the model validated (the scenario, or the model changed in code) along the error's
location, so no message table needs keeping in step with the schema.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bestshore.scenario.errors import show_value

__all__ = ["describe", "field_names", "valid_range"]

_BOUNDS = {
    "greater_than_equal": ">=",
    "greater_than": ">",
    "less_than_equal": "<=",
    "less_than": "<",
}


def _members(annotation: Any) -> list[Any]:
    """The types a value of ``annotation`` may take: unions flattened, Annotated kept."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    if annotation is type(None):
        return []
    return [annotation]


def _bare(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _metadata(annotation: Any) -> list[Any]:
    """Constraint objects (``annotated_types.Ge`` ...) carried by ``annotation`` itself."""
    found: list[Any] = []
    for member in _members(annotation):
        while typing.get_origin(member) is typing.Annotated:
            member, *extras = typing.get_args(member)
            for extra in extras:
                found.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
    return found


def _step(annotation: Any, part: str | int) -> tuple[Any, FieldInfo | None] | None:
    """The annotation one location step below ``annotation`` (a field, an item, a value)."""
    for member in _members(annotation):
        bare = _bare(member)
        origin = typing.get_origin(bare)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            if isinstance(part, str) and part in bare.model_fields:
                info = bare.model_fields[part]
                return info.annotation, info
        elif origin is list and isinstance(part, int):
            return typing.get_args(bare)[0], None
        elif origin is dict:
            return typing.get_args(bare)[1], None
    return None


def _walk(root: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[Any, list[Any]] | None:
    """The annotation at ``loc`` under ``root`` and the constraints that apply to it."""
    annotation: Any = root
    constraints: list[Any] = []
    for part in loc:
        step = _step(annotation, part)
        if step is None:
            return None
        annotation, info = step
        constraints = list(info.metadata) if info is not None else []
    return annotation, [*constraints, *_metadata(annotation)]


def valid_range(root: type[BaseModel], loc: tuple[str | int, ...]) -> str | None:
    """``">= 0 and <= 1e+09"`` for the number at ``loc`` under ``root``; None if unbounded
    or not a number."""
    walked = _walk(root, loc)
    if walked is None:
        return None
    parts = []
    for item in walked[1]:
        for kind, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, kind, None)
            if isinstance(item, annotated_types.BaseMetadata) and value is not None:
                parts.append(f"{op} {value:g}")
    return " and ".join(parts) or None


def field_names(root: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The fields the mapping at ``loc`` under ``root`` may carry (empty if not a model)."""
    walked = _walk(root, loc)
    if walked is None:
        return []
    for member in _members(walked[0]):
        bare = _bare(member)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            return list(bare.model_fields)
    return []


def describe(err: Any, root: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """One line saying what is wrong in pydantic error ``err`` at (cleaned) ``loc``."""
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    got = f", got {show_value(value)}" if not isinstance(value, dict | list) else ""
    if kind in _BOUNDS:
        limit = next(iter(ctx.values()))
        text = f"must be {_BOUNDS[kind]} {limit:g}, got {show_value(value)}"
        whole = valid_range(root, loc)
        return f"{text} (valid: {whole})" if whole and " and " in whole else text
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else ""
        close = difflib.get_close_matches(key, field_names(root, loc[:-1]), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown field ({hint}check the spelling; see docs/scenario-format.md)"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"must be a number{got}"
    if kind == "finite_number":
        return f"must be a finite number{got}"
    if kind in ("string_type",):
        return f"must be text{got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false{got}"
    if kind in ("enum", "literal_error"):
        return f"must be one of {ctx.get('expected')}{got}"
    if kind == "string_pattern_mismatch":
        return f"has an invalid format{got} (expected pattern {ctx.get('pattern')})"
    if kind in ("too_short", "too_long"):
        size = ctx.get("min_length" if kind == "too_short" else "max_length")
        got_length = ctx.get("actual_length")
        if kind == "too_short" and size == 1:
            return "must not be empty"
        if kind == "too_short":
            return f"must have at least {size} items, got {got_length}"
        shown = f"{got_length:,}" if isinstance(got_length, int) else "more"
        return f"must have at most {size:,} items, got {shown} (a limit of the scenario format)"
    if kind == "string_too_long":
        size = ctx.get("max_length")
        shown = f"{len(value):,}" if isinstance(value, str) else "more"
        return f"must have at most {size:,} characters, got {shown} (a limit of the format)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping of fields{got}"
    if kind == "list_type":
        return f"must be a list{got}"
    if kind == "date_from_datetime_parsing" or kind.startswith("date"):
        return f"must be a date like 2026-01-12{got}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg']}{got}"
