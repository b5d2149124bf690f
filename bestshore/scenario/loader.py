"""Read a scenario file: safe YAML, inheritance from a base, validation with located errors.

Inheritance: a scenario with ``base: other.yaml`` starts from that file (path relative to
the child) and overrides it. Mappings merge key by key; lists of items that carry an
``id`` (call types, sites, vendors) merge item by item on that id (a child item with the
id of a base item overrides the fields it gives; ``drop: true`` removes the base item);
any other list is replaced whole, and so are ``hours`` and ``languages`` mappings (an
opening-hours spec or a language mix only makes sense whole). Bases may chain; a cycle is an error.

Loading never executes code (``yaml.SafeLoader`` only) and reads no file but the scenario
and the bases it names, which must stay inside the scenario's own folder tree.

Anchors and aliases (``&x`` ... ``*x``) work, within a budget. Everything after the YAML
parser sees each alias as a full copy of what it names, so a few hundred bytes of nested
aliases (a "billion laughs" file) would stand for billions of values. A file is refused as
soon as its aliases expand it to more than :data:`ALIAS_GROWTH` times the values written so
far (or characters of text), past a floor of :data:`ALIAS_FREE_VALUES` values and
:data:`ALIAS_FREE_CHARACTERS` characters; an alias inside the value it names, and lists or
mappings nested deeper than :data:`MAX_DEPTH` levels, are refused too. Merge keys
(``<<: *x``) are not supported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bestshore.scenario.checks import check_references
from bestshore.scenario.errors import ScenarioError
from bestshore.scenario.schema import Scenario

__all__ = ["load_scenario", "parse_scenario", "read_scenario_data"]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 50
"""Deepest nesting of lists and mappings in a scenario file (real ones have under 10)."""
ALIAS_GROWTH = 10
"""Aliases may expand a file to this many times the values (characters) written so far."""
ALIAS_FREE_VALUES = 100_000
"""Values any file may expand to by aliases, however little it writes."""
ALIAS_FREE_CHARACTERS = 1_000_000
"""Characters of text any file may expand to by aliases, however little it writes."""
Location = tuple[str, int]  # (file, 1-based line)
Path_ = tuple[str | int, ...]


class _Located:
    """A YAML value with the file and line of every key and item under it."""

    __slots__ = ("at", "children", "value")

    def __init__(self, value: Any, at: Location, children: Any = None) -> None:
        self.value = value  # plain scalar, or None for containers
        self.at = at
        self.children = children  # dict[str, _Located] | list[_Located] | None


_CONTAINER_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Composer(yaml.SafeLoader):
    """PyYAML's safe composer, keeping the size of the file with its aliases expanded in check.

    Composing does not copy what an alias names (the alias is its anchor's node again), but
    :func:`_from_node` and everything after it does. So every value written in the file
    counts once, and every alias counts the expanded size of the value it names (complete
    by then, or the alias is inside it: a loop). The running totals, in values and in
    characters of scalar text, may not pass :data:`ALIAS_GROWTH` times what is written so
    far, nor the free floors. Each alias is checked as it is read, and nothing is expanded
    before the whole file has passed: memory stays within the budget by construction.
    Nesting deeper than :data:`MAX_DEPTH` is refused too (the composer recurses).
    """

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self._open: list[list[int]] = []  # expanded size so far of each node being composed
        self._anchored: dict[str, tuple[int, int]] = {}  # anchor -> (values, characters)
        self._written = [0, 0]  # values and characters written in the file so far
        self._expanded = [0, 0]  # the same with every alias expanded

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            return self._alias(parent, index, event, line)
        scalar = isinstance(event, yaml.ScalarEvent)
        if len(self._open) >= MAX_DEPTH and not scalar:
            message = f"lists and mappings nested deeper than {MAX_DEPTH} levels"
            raise ScenarioError(message, file=self.file, line=line)
        size = [1, len(event.value) if scalar else 0]
        self._add(self._written, size)
        self._add(self._expanded, size)
        self._open.append(size)
        node = super().compose_node(parent, index)
        self._open.pop()
        if self._open:
            self._add(self._open[-1], size)
        if event.anchor is not None:
            self._anchored[event.anchor] = (size[0], size[1])
        return node

    def _alias(
        self, parent: yaml.Node | None, index: Any, event: yaml.AliasEvent, line: int
    ) -> yaml.Node | None:
        anchor = str(event.anchor)  # an alias always names one
        if anchor in self.anchors and anchor not in self._anchored:
            raise ScenarioError(
                f"alias *{anchor} is inside the value it names (a loop); write the value out",
                file=self.file,
                line=line,
            )
        node = super().compose_node(parent, index)  # an undefined alias raises
        size = self._anchored[anchor]
        self._add(self._expanded, size)
        if self._open:
            self._add(self._open[-1], size)
        limits = (
            max(ALIAS_FREE_VALUES, ALIAS_GROWTH * self._written[0]),
            max(ALIAS_FREE_CHARACTERS, ALIAS_GROWTH * self._written[1]),
        )
        for expanded, limit, unit in zip(
            self._expanded, limits, ("values", "characters"), strict=True
        ):
            if expanded > limit:
                raise ScenarioError(
                    f"YAML aliases expand the file to more than {limit:,} {unit} (an alias "
                    "bomb?); write the values out instead of aliasing them",
                    file=self.file,
                    line=line,
                )
        return node

    @staticmethod
    def _add(total: list[int], size: Sequence[int]) -> None:
        total[0] += size[0]
        total[1] += size[1]


def _from_node(node: yaml.Node, file: str, loader: yaml.SafeLoader) -> _Located:
    at = (file, node.start_mark.line + 1)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _CONTAINER_TAGS:
        raise ScenarioError(f"unsupported YAML tag {node.tag!r}", file=file, line=at[1])
    if isinstance(node, yaml.MappingNode):
        children: dict[Any, _Located] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError("mapping keys must be plain names", file=file, line=at[1])
            if key_node.tag == _MERGE_TAG:
                raise ScenarioError(
                    "merge keys (<<) are not supported; write the keys out",
                    file=file,
                    line=key_node.start_mark.line + 1,
                )
            key = loader.construct_object(key_node)
            if key in children:
                raise ScenarioError(
                    f"key {key!r} appears twice", file=file, line=key_node.start_mark.line + 1
                )
            children[key] = _from_node(value_node, file, loader)
        return _Located(None, at, children)
    if isinstance(node, yaml.SequenceNode):
        return _Located(None, at, [_from_node(item, file, loader) for item in node.value])
    return _Located(loader.construct_object(node), at)


def _read_located(path: Path) -> _Located:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError("file not found", file=path) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror})", file=path) from None
    if path.is_dir():
        raise ScenarioError("is a folder, expected a YAML scenario file", file=path)
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            f"file is {size / 1e6:.0f} MB, larger than the {MAX_FILE_BYTES // 2**20} MiB limit",
            file=path,
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"not UTF-8 text (byte {exc.start}); is this a YAML file?", file=path
        ) from None
    if "\x00" in text:
        raise ScenarioError("contains NUL bytes; is this a YAML file?", file=path)
    composer = _Composer(text, str(path))
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ScenarioError(f"YAML syntax error: {problem}", file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"YAML error: {exc}", file=path) from None
    finally:
        composer.dispose()
    if node is None:
        raise ScenarioError("file is empty", file=path)
    loader = yaml.SafeLoader("")  # constructs scalars only: safe tags, no code
    try:
        located = _from_node(node, str(path), loader)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ScenarioError(f"unsupported YAML: {exc.problem}", file=path, line=line) from None
    if not isinstance(located.children, dict):
        raise ScenarioError(
            "top level must be a mapping of fields (name, market, call_types, sites, ...)",
            file=path,
            line=located.at[1],
        )
    return located


# Values that only make sense whole: a child's hours or language mix replaces the base's.
_REPLACED_WHOLE = frozenset({"hours", "languages"})


def _merge(base: _Located, child: _Located) -> _Located:
    if isinstance(base.children, dict) and isinstance(child.children, dict):
        merged = dict(base.children)
        for key, value in child.children.items():
            whole = key in _REPLACED_WHOLE or key not in merged
            merged[key] = value if whole else _merge(merged[key], value)
        return _Located(None, child.at, merged)
    if _is_id_list(base) and _is_id_list(child):
        assert isinstance(base.children, list) and isinstance(child.children, list)
        items = {_item_id(item): item for item in base.children}
        for item in child.children:
            key = _item_id(item)
            if _drops(item):
                items.pop(key, None)
            elif key in items:
                items[key] = _merge(items[key], item)
            else:
                items[key] = item
        return _Located(None, child.at, list(items.values()))
    return child


def _is_id_list(node: _Located) -> bool:
    return isinstance(node.children, list) and all(
        isinstance(item.children, dict) and "id" in item.children for item in node.children
    )


def _item_id(item: _Located) -> Any:
    assert isinstance(item.children, dict)
    return item.children["id"].value


def _drops(item: _Located) -> bool:
    assert isinstance(item.children, dict)
    drop = item.children.get("drop")
    return drop is not None and drop.value is True


def _is_dropped(item: _Located) -> bool:
    return isinstance(item.children, dict) and "id" in item.children and _drops(item)


def _resolve(path: Path, chain: tuple[Path, ...], root: Path) -> _Located:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(p.name for p in (*chain, resolved))
        raise ScenarioError(f"circular base scenarios: {cycle}", file=path, path=("base",))
    located = _read_located(path)
    assert isinstance(located.children, dict)
    base_node = located.children.pop("base", None)
    if base_node is None:
        return located
    if not isinstance(base_node.value, str) or not base_node.value:
        raise ScenarioError(
            "must be the path of a base scenario file",
            file=path,
            path=("base",),
            line=base_node.at[1],
        )
    base_path = path.parent / base_node.value
    if not base_path.resolve().is_relative_to(root):
        raise ScenarioError(
            f"base {base_node.value!r} lies outside the scenario's folder {root}",
            file=path,
            path=("base",),
            line=base_node.at[1],
        )
    if not base_path.exists():
        raise ScenarioError(
            f"base scenario {base_node.value!r} not found (looked for {base_path})",
            file=path,
            path=("base",),
            line=base_node.at[1],
        )
    base = _resolve(base_path, (*chain, resolved), root)
    return _merge(base, located)


def _plain(node: _Located, locations: dict[Path_, Location], here: Path_ = ()) -> Any:
    locations[here] = node.at
    if isinstance(node.children, dict):
        return {key: _plain(child, locations, (*here, key)) for key, child in node.children.items()}
    if isinstance(node.children, list):
        kept = [child for child in node.children if not _is_dropped(child)]
        return [_plain(child, locations, (*here, i)) for i, child in enumerate(kept)]
    return node.value


def read_scenario_data(path: str | Path) -> tuple[dict[str, Any], dict[Path_, Location]]:
    """The merged scenario mapping (bases applied) and the file:line of every field in it.

    Arrival profiles given as ``.csv`` file names are read here, relative to the file that
    names them, so the scenario object carries its own data.
    """
    path = Path(path)
    root = path.resolve().parent
    located = _resolve(path, (), root)
    locations: dict[Path_, Location] = {}
    data = _plain(located, locations)
    _inline_profiles(data, locations, root)
    return data, locations


def _inline_profiles(data: dict[str, Any], locations: dict[Path_, Location], root: Path) -> None:
    call_types = data.get("call_types")
    if not isinstance(call_types, list):
        return
    for i, call_type in enumerate(call_types):
        if not isinstance(call_type, dict):
            continue
        name = call_type.get("arrival_profile")
        if not (isinstance(name, str) and name.lower().endswith(".csv")):
            continue
        where = ("call_types", i, "arrival_profile")
        file, line = locations.get(where, (str(root), None))
        csv = Path(file).parent / name
        if not csv.resolve().is_relative_to(root):
            raise ScenarioError(
                f"profile file {name!r} lies outside the scenario's folder {root}",
                file=file, path=where, line=line,
            )  # fmt: skip
        call_type["arrival_profile"] = _read_profile_csv(csv, file, where, line)


def _read_profile_csv(csv: Path, file: str, where: Path_, line: int | None) -> list[float]:
    """168 weights from a CSV: one number per line, or a ``weight`` column."""
    try:
        text = csv.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else "unreadable"
        raise ScenarioError(
            f"profile file {csv} {reason}", file=file, path=where, line=line
        ) from None
    rows = [r.strip() for r in text.splitlines() if r.strip() and not r.startswith("#")]
    header = rows[0].split(",") if rows else []
    column = header.index("weight") if "weight" in header else -1
    if column >= 0 or not _is_number(header[-1] if header else ""):
        rows = rows[1:]
    values = []
    for number, row in enumerate(rows, start=2 if column >= 0 else 1):
        cell = row.split(",")[column]
        if not _is_number(cell) or float(cell) < 0:
            raise ScenarioError(
                f"{csv.name} row {number}: weight must be a number >= 0, got {cell!r}",
                file=file, path=where, line=line,
            )  # fmt: skip
        values.append(float(cell))
    return values


def _is_number(text: str) -> bool:
    try:
        return float(text) == float(text) and abs(float(text)) != float("inf")
    except ValueError:
        return False


def parse_scenario(
    data: dict[str, Any],
    *,
    file: str | Path | None = None,
    locations: dict[Path_, Location] | None = None,
) -> Scenario:
    """Validate a scenario mapping; raise one located :class:`ScenarioError` if it is bad.

    ``file`` is where the mapping was read from: messages name it, and it becomes the
    scenario's :attr:`~Scenario.source`.
    """
    locations = locations or {}
    try:
        scenario = Scenario.model_validate(data, context={"source": file})
    except ValidationError as exc:
        raise _first_error(exc, data, file, locations) from None
    try:
        check_references(scenario)
    except ScenarioError as exc:
        raise _locate(exc, file, locations) from None
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge and validate a scenario file.

    Raises
    ------
    ScenarioError
        With the file, line, field path and what is wrong, on one line.
    """
    data, locations = read_scenario_data(path)
    return parse_scenario(data, file=path, locations=locations)


def _locate(
    error: ScenarioError, file: str | Path | None, locations: dict[Path_, Location]
) -> ScenarioError:
    at = _nearest(error.path, locations)
    where: str | Path | None = at[0] if at else file
    return ScenarioError(error.message, file=where, path=error.path, line=at[1] if at else None)


def _nearest(path: Path_, locations: dict[Path_, Location]) -> Location | None:
    for end in range(len(path), -1, -1):
        if path[:end] in locations:
            return locations[path[:end]]
    return None


def _first_error(
    exc: ValidationError,
    data: dict[str, Any],
    file: str | Path | None,
    locations: dict[Path_, Location],
) -> ScenarioError:
    errors = exc.errors(include_url=False)

    def order(err: Any) -> tuple[str, int]:
        at = _nearest(_clean_loc(err["loc"]), locations)
        return (at[0], at[1]) if at else ("", 0)

    errors.sort(key=order)
    first = errors[0]
    loc = _clean_loc(first["loc"])
    message = _message(first)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return _locate(ScenarioError(message, file=file, path=loc), file, locations)


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    # pydantic adds the union member tried ("str", "dict[str,...]") to locations: drop it.
    return tuple(p for p in loc if isinstance(p, int) or not any(c in p for c in "[],"))


def _message(err: Any) -> str:
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    got = f", got {value!r}" if not isinstance(value, dict | list) else ""
    bounds = {
        "greater_than_equal": ">=",
        "greater_than": ">",
        "less_than_equal": "<=",
        "less_than": "<",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return f"must be {bounds[kind]} {limit:g}, got {value}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/scenario-format.md)"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"must be a number{got}"
    if kind == "finite_number":
        return f"must be a finite number{got}"
    if kind in ("string_type",):
        return f"must be text{got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false{got}"
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}{got}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}{got}"
    if kind == "string_pattern_mismatch":
        return f"has an invalid format{got} (expected pattern {ctx.get('pattern')})"
    if kind in ("too_short", "too_long"):
        size = ctx.get("min_length" if kind == "too_short" else "max_length")
        got_length = ctx.get("actual_length")
        if kind == "too_short" and size == 1:
            return "must not be empty"
        bound = "at least" if kind == "too_short" else "at most"
        return f"must have {bound} {size} items, got {got_length}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping of fields{got}"
    if kind == "list_type":
        return f"must be a list{got}"
    if kind == "date_from_datetime_parsing" or kind.startswith("date"):
        return f"must be a date like 2026-01-12{got}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg']}{got}"
