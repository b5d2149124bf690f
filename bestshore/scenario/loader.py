"""Read a scenario file: safe YAML, inheritance from a base, validation with located errors.

Inheritance: a scenario with ``base: other.yaml`` starts from that file (path relative to
the child) and overrides it. Mappings merge key by key; lists of items that carry an
``id`` (call types, sites, vendors) merge item by item on that id (a child item with the
id of a base item overrides the fields it gives; ``drop: true`` removes the base item);
any other list is replaced whole, and so are ``hours`` and ``languages`` mappings (an
opening-hours spec or a language mix only makes sense whole). Bases may chain; a cycle is an error.

Loading never executes code (``yaml.SafeLoader`` only) and reads no file but the scenario
and the bases it names, which must stay inside the scenario's own folder tree, and must be
regular files (not a folder, a FIFO or a device such as ``/dev/zero``). Bases chain at
most :data:`MAX_BASES` deep; a file holds at most :data:`MAX_VALUES` values.

Plain values follow the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules: ``true`` and
``false`` are the only booleans (``NO``, ``yes``, ``off`` are text: Norway's code stays
``"NO"``), ``012`` is twelve (not octal ten), ``5:30`` is text (not the sexagesimal 330),
``1e5`` is a number, and dates stay text until the schema reads them.

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

import difflib
import math
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bestshore.scenario.checks import check_references
from bestshore.scenario.errors import ScenarioError, one_line, show_value
from bestshore.scenario.messages import describe
from bestshore.scenario.schema import Scenario

__all__ = [
    "load_scenario", "nearest_location", "parse_scenario", "read_scenario_data", "read_yaml",
]  # fmt: skip

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest scenario file [bytes] (20 MiB)."""
MAX_PROFILE_BYTES = 1024 * 1024
"""Largest arrival-profile CSV file [bytes] (1 MiB; 168 rows take a few kB)."""
MAX_VALUES = 200_000
"""Most values (scalars, lists and mappings) one scenario file may write (the demo has
about 2,000; 200 call types with 168 hourly weights each, about 34,000)."""
MAX_BASES = 32
"""Longest chain of ``base:`` scenarios (a file, its base, the base's base, ...)."""
MAX_PATH_CHARS = 1024
"""Longest scenario, base or profile path accepted [characters]."""
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


class _CoreLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's plain scalars.

    The implicit types are only null, true/false, base-10, ``0o`` and ``0x`` integers and
    floats (with ``.inf`` and ``.nan``); everything else, YAML 1.1's ``yes``/``no``/
    ``on``/``off``, sexagesimal ``5:30``, leading-zero octal and timestamps, is text.
    Merge keys are still recognised, to be refused with their line.
    """

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's own class table)

    def construct_core_int(self, node: yaml.ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        return sign * int(digits, 10)

    def construct_core_float(self, node: yaml.ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        if text.lstrip("+-") == ".inf":
            return -math.inf if text.startswith("-") else math.inf
        if text == ".nan":
            return math.nan
        return float(text)


_CORE_IMPLICIT = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$",
        "-+.0123456789",
    ),
    (_MERGE_TAG, r"^(?:<<)$", "<"),
)
for _tag, _pattern, _first in _CORE_IMPLICIT:
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
_CoreLoader.add_constructor("tag:yaml.org,2002:int", _CoreLoader.construct_core_int)
_CoreLoader.add_constructor("tag:yaml.org,2002:float", _CoreLoader.construct_core_float)


# libyaml's scanner and parser (C) where PyYAML was built with it, else PyYAML's own: the
# same events (tests/test_yaml_attacks.py compares the two readers), sooner: a file of
# 10,000 sites (1.2 MB) is read and refused in 3.5 s, 9.0 s with PyYAML's own; the demo
# in 20 ms, 60 ms.
if yaml.__with_libyaml__:
    from yaml._yaml import CParser as _EventParser
else:  # pragma: no cover - PyYAML without libyaml

    class _EventParser:  # type: ignore[no-redef]
        """No C parser: the loader's own (Python) scanner and parser come next in line."""


class _Composer(_EventParser, _CoreLoader):
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

    # the composer is PyYAML's (in Python, so that compose_node below sees every node),
    # reading its events from the event parser
    get_single_node = yaml.composer.Composer.get_single_node
    compose_document = yaml.composer.Composer.compose_document

    def __init__(self, text: str, file: str) -> None:
        if not yaml.__with_libyaml__:  # pragma: no cover
            _CoreLoader.__init__(self, text)
        else:
            _EventParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
        self.file = file
        self._open: list[list[int]] = []  # expanded size so far of each node being composed
        self._anchored: dict[str, tuple[int, int]] = {}  # anchor -> (values, characters)
        self._written = [0, 0]  # values and characters written in the file so far
        self._expanded = [0, 0]  # the same with every alias expanded

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()  # the composer is called on an event, never at the end
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            return self._alias(parent, index, event, line)
        scalar = isinstance(event, yaml.ScalarEvent)
        if len(self._open) >= MAX_DEPTH and not scalar:
            message = f"lists and mappings nested deeper than {MAX_DEPTH} levels"
            raise ScenarioError(message, file=self.file, line=line)
        size = [1, len(event.value) if scalar else 0]
        self._add(self._written, size)
        if self._written[0] > MAX_VALUES:
            message = (
                f"the file holds more than {MAX_VALUES:,} values (the limit of a scenario "
                "file); split the data or shorten its lists"
            )
            raise ScenarioError(message, file=self.file, line=line)
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


def _from_node(node: yaml.Node, file: str, loader: _CoreLoader) -> _Located:
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


def _checked_path(path: Path, what: str = "file") -> None:
    """Refuse a path no file system could hold (NUL, overlong) before using it."""
    text = str(path)
    if "\x00" in text:
        raise ScenarioError(f"{what} path contains a NUL character", file=path)
    if len(text) > MAX_PATH_CHARS:
        raise ScenarioError(
            f"{what} path is {len(text):,} characters, longer than the {MAX_PATH_CHARS:,} accepted",
            file=path,
        )


def read_regular_file(
    path: Path, limit: int, *, what: str = "file", expected: str = "a YAML scenario file"
) -> bytes:
    """The bytes of ``path``, refused (one located :class:`ScenarioError`) unless it is a
    regular file of at most ``limit`` bytes: see :func:`check_regular_file`."""
    check_regular_file(path, limit, what=what, expected=expected)
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)  # a file grown since stat() is still bounded
    except OSError as exc:
        raise ScenarioError(f"cannot read {what} ({exc.strerror})", file=path) from None
    if len(raw) > limit:
        raise ScenarioError(f"file is larger than the {limit:,}-byte limit", file=path)
    return raw


def check_regular_file(
    path: Path, limit: int, *, what: str = "file", expected: str = "a YAML scenario file"
) -> None:
    """Refuse (one :class:`ScenarioError`) a path that is not a regular file of at most
    ``limit`` bytes: a NUL or overlong path, a folder, a FIFO (reading it would block), a
    device (``/dev/zero`` never ends) or a socket."""
    _checked_path(path, what)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{what} not found", file=path) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read {what} ({exc.strerror})", file=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"is a folder, expected {expected}", file=path)
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(
            f"is not a regular file (a FIFO, device or socket), expected {expected}", file=path
        )
    if info.st_size > limit:
        size = f"{info.st_size / 1e6:.0f} MB" if info.st_size >= 1e6 else f"{info.st_size:,} bytes"
        limit_text = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit:,} bytes"
        raise ScenarioError(f"file is {size}, larger than the {limit_text} limit", file=path)


def _read_located(path: Path) -> _Located:
    """A scenario file read: a mapping at the top."""
    located = _read_tree(path, MAX_FILE_BYTES, "a YAML scenario file")
    if located is None:
        raise ScenarioError("file is empty", file=path)
    if not isinstance(located.children, dict):
        raise ScenarioError(
            "top level must be a mapping of fields (name, market, call_types, sites, ...)",
            file=path,
            line=located.at[1],
        )
    return located


def _read_tree(path: Path, limit: int, expected: str) -> _Located | None:
    """A YAML file read with its lines (None where it holds nothing)."""
    raw = read_regular_file(path, limit, expected=expected)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"not UTF-8 text (byte {exc.start}); is this a YAML file?", file=path
        ) from None
    if "\x00" in text:
        raise ScenarioError("contains NUL bytes; is this a YAML file?", file=path)
    composer: _Composer | None = None
    try:
        composer = _Composer(text, str(path))  # PyYAML's own reader checks the text here
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if problem == "exceeded maximum nesting depth":  # libyaml's own limit (1,000)
            message = f"lists and mappings nested deeper than {MAX_DEPTH} levels"
            raise ScenarioError(message, file=path, line=line) from None
        raise ScenarioError(f"YAML syntax error: {problem}", file=path, line=line) from None
    except yaml.reader.ReaderError as exc:  # a character YAML text may not hold
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise ScenarioError(
            f"character U+{code:04X} (a control character) is not allowed in YAML text; "
            "is this a YAML file?",
            file=path,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"YAML error: {exc}", file=path) from None
    finally:
        if composer is not None:
            composer.dispose()
    if node is None:
        return None
    loader = _CoreLoader("")  # constructs scalars only: safe tags, no code
    try:
        return _from_node(node, str(path), loader)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ScenarioError(f"unsupported YAML: {exc.problem}", file=path, line=line) from None


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


def read_yaml(
    path: str | Path, *, limit: int = MAX_FILE_BYTES, expected: str = "a YAML file"
) -> tuple[Any, dict[Path_, Location]]:
    """Any YAML file read as a scenario file is: YAML 1.2's core scalars (``NO`` and
    ``on`` stay text), the same limits on size, values, aliases and depth, one located
    :class:`ScenarioError` if bad; its plain data (None for an empty file) and the
    file:line of every value in it by key path (no bases, no ``drop``: a scenario's)."""
    path = Path(path)
    lines: dict[Path_, Location] = {}
    located = _read_tree(path, limit, expected)
    return (_plain(located, lines, dropping=False) if located is not None else None), lines


def _is_dropped(item: _Located) -> bool:
    return isinstance(item.children, dict) and "id" in item.children and _drops(item)


def _resolve(path: Path, root: Path) -> _Located:
    """The file at ``path`` with its chain of bases merged under it, walked in a loop (a
    chain of any length ends in one error, never a RecursionError)."""
    chain: list[_Located] = []
    seen: dict[Path, Path] = {}  # resolved -> as named
    while True:
        located = _read_located(path)
        seen[path.resolve()] = path
        chain.append(located)
        assert isinstance(located.children, dict)
        base_node = located.children.pop("base", None)
        if base_node is None:
            break
        base_path = _base_path(path, base_node, root)
        if base_path.resolve() in seen:
            cycle = " -> ".join(str(p) for p in (*seen.values(), base_path))
            raise ScenarioError(
                f"circular base scenarios: {cycle}",
                file=path,
                path=("base",),
                line=base_node.at[1],
            )
        if len(chain) >= MAX_BASES:
            raise ScenarioError(
                f"more than {MAX_BASES} base scenarios in a chain (the limit); "
                "flatten some of them",
                file=path,
                path=("base",),
                line=base_node.at[1],
            )
        path = base_path
    merged = chain.pop()
    while chain:
        merged = _merge(merged, chain.pop())
    return merged


def _base_path(path: Path, base_node: _Located, root: Path) -> Path:
    """The file a ``base:`` names, checked: text, a usable path, inside ``root``, existing."""

    def refused(message: str) -> ScenarioError:
        return ScenarioError(message, file=path, path=("base",), line=base_node.at[1])

    name = base_node.value
    if not isinstance(name, str) or not name:
        raise refused("must be the path of a base scenario file")
    if "\x00" in name or len(name) > MAX_PATH_CHARS:
        raise refused(
            f"base {show_value(name)} is not a usable path (a NUL character, or longer than "
            f"{MAX_PATH_CHARS:,} characters)"
        )
    base_path = path.parent / name
    if not base_path.resolve().is_relative_to(root):
        raise refused(f"base {show_value(name)} lies outside the scenario's folder {root}")
    if not base_path.exists():
        raise refused(f"base scenario {show_value(name)} not found (looked for {base_path})")
    return base_path


def _plain(
    node: _Located, locations: dict[Path_, Location], here: Path_ = (), dropping: bool = True
) -> Any:
    """The plain value of ``node``, the location of each value under it added to
    ``locations``; ``dropping``: a scenario's list items marked ``drop`` left out."""
    locations[here] = node.at
    if isinstance(node.children, dict):
        return {
            key: _plain(child, locations, (*here, key), dropping)
            for key, child in node.children.items()
        }
    if isinstance(node.children, list):
        kept = [child for child in node.children if not (dropping and _is_dropped(child))]
        return [_plain(child, locations, (*here, i), dropping) for i, child in enumerate(kept)]
    return node.value


def read_scenario_data(path: str | Path) -> tuple[dict[str, Any], dict[Path_, Location]]:
    """The merged scenario mapping (bases applied) and the file:line of every field in it.

    Arrival profiles given as ``.csv`` file names are read here, relative to the file that
    names them, so the scenario object carries its own data.
    """
    path = Path(path)
    _checked_path(path)
    try:
        root = path.resolve().parent
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror})", file=path) from None
    located = _resolve(path, root)
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
        if "\x00" in name or len(name) > MAX_PATH_CHARS:
            raise ScenarioError(
                f"profile file {show_value(name)} is not a usable path (a NUL character, or "
                f"longer than {MAX_PATH_CHARS:,} characters)",
                file=file, path=where, line=line,
            )  # fmt: skip
        csv = Path(file).parent / name
        if not csv.resolve().is_relative_to(root):
            raise ScenarioError(
                f"profile file {show_value(name)} lies outside the scenario's folder {root}",
                file=file, path=where, line=line,
            )  # fmt: skip
        call_type["arrival_profile"] = _read_profile_csv(csv, file, where, line)


def _read_profile_csv(csv: Path, file: str, where: Path_, line: int | None) -> list[float]:
    """168 weights from a CSV: one number per line, or a ``weight`` column."""
    try:
        raw = read_regular_file(
            csv, MAX_PROFILE_BYTES, what="profile file", expected="a CSV file of 168 weights"
        )
        text = raw.decode("utf-8")
    except (ScenarioError, UnicodeDecodeError) as exc:
        if isinstance(exc, ScenarioError) and exc.message == "profile file not found":
            reason = "not found"
        elif isinstance(exc, ScenarioError):
            reason = f"refused: {exc.message}"
        else:
            reason = "unreadable (not UTF-8 text)"
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
        cells = row.split(",")
        cell = cells[column] if column < len(cells) else ""
        if not _is_number(cell) or float(cell) < 0:
            raise ScenarioError(
                f"{one_line(csv.name, 100)} row {number}: weight must be a number >= 0, "
                f"got {show_value(cell) if cell else 'nothing'}",
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
    at = nearest_location(error.path, locations)
    where: str | Path | None = at[0] if at else file
    return ScenarioError(error.message, file=where, path=error.path, line=at[1] if at else None)


def nearest_location(path: Path_, locations: dict[Path_, Location]) -> Location | None:
    """Where the deepest value of ``path`` that ``locations`` (:func:`read_yaml`,
    :func:`read_scenario_data`) holds was read, None if none."""
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
    errors = _without_typo_twins(exc.errors(include_url=False))

    def order(err: Any) -> tuple[str, int]:
        at = nearest_location(_clean_loc(err["loc"]), locations)
        return (at[0], at[1]) if at else ("", 0)

    errors.sort(key=order)
    first = errors[0]
    loc = _clean_loc(first["loc"])
    message = describe(first, Scenario, loc)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return _locate(ScenarioError(message, file=file, path=loc), file, locations)


def _without_typo_twins(errors: list[Any]) -> list[Any]:
    """Drop each "required field is missing" error that an unknown field beside it, spelt
    close to it, explains (``aht_secnds`` given, ``aht_seconds`` missing: one error)."""
    missing = {_clean_loc(e["loc"]): e for e in errors if e["type"] == "missing"}
    explained: set[Path_] = set()
    for err in errors:
        loc = _clean_loc(err["loc"])
        if err["type"] != "extra_forbidden" or not loc:
            continue
        near = [m[-1] for m in missing if m[:-1] == loc[:-1] and isinstance(m[-1], str)]
        close = difflib.get_close_matches(str(loc[-1]), near, n=1, cutoff=0.6)
        explained.update((*loc[:-1], name) for name in close)
    return [e for e in errors if e["type"] != "missing" or _clean_loc(e["loc"]) not in explained]


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    # pydantic adds the union member tried ("str", "dict[str,...]") to locations: drop it.
    return tuple(p for p in loc if isinstance(p, int) or not any(c in p for c in "[],"))
