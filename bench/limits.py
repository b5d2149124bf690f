"""How fast and in how much memory hostile inputs are answered (issue 15), timed here.

Usage::

    python -m bench.limits                  # writes bench/limits.md and bench/limits.json
    python -m bench.limits --out /tmp/limits.md

Each case runs the command line in a fresh process, as a user would: its wall time and
its peak memory (the child's own ``ru_maxrss``, from ``os.wait4``) are printed and
written. The tests check what each case answers (``tests/test_input_limits.py``,
``tests/test_erlang.py``); how long it takes is measured here, never asserted there.
Each case's file is written before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as ``python bench/limits.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["main", "run_limits"]


def _dump(data: Any) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, sort_keys=False))


def _many_values(folder: Path) -> list[str]:
    from bestshore.examples import tiny

    path = folder / "three-million-values.yaml"
    path.write_text(_dump(tiny()) + "pad: [" + ",".join(["1"] * 3_000_000) + "]\n")
    return ["validate", str(path)]


def _many_sites(folder: Path) -> list[str]:
    from bestshore.examples import tiny

    data = tiny()
    site = data["sites"][0]
    data["sites"] = [{**site, "id": f"s{i}"} for i in range(10_000)]
    path = folder / "ten-thousand-sites.yaml"
    path.write_text(_dump(data))
    return ["solve", str(path)]


def _trillion_calls(folder: Path) -> list[str]:
    return ["staffing", "--calls", "1e12", "--aht", "180"]


def _demo(folder: Path) -> list[str]:
    return ["validate", str(ROOT / "scenarios" / "demo.yaml")]


#: (name, the exit code expected: 0 answered, 2 refused, how the command is made)
CASES: list[tuple[str, int, Callable[[Path], list[str]]]] = [
    ("the demo validated (for scale)", 0, _demo),
    ("3 million values in one list", 2, _many_values),
    ("10,000 sites", 2, _many_sites),
    ("a trillion calls a year (staffing calculator)", 0, _trillion_calls),
]


def _timed(command: list[str]) -> dict[str, Any]:
    """The command line run once in a fresh process: exit code, wall seconds, peak MiB."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bestshore.cli", *command],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "seconds": seconds,
        "peak_mib": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "stderr": lines[-1] if lines else "",
    }


def run_limits(repeats: int = 3) -> list[dict[str, Any]]:
    """Every case, ``repeats`` times each; the median wall time and largest peak kept."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bestshore-limits-") as folder:
        for name, expected, make in CASES:
            command = make(Path(folder))
            runs = [_timed(command) for _ in range(repeats)]
            for run in runs:  # the temporary folder's name changes from run to run
                run["stderr"] = run["stderr"].replace(f"{folder}/", "")
            seconds = sorted(run["seconds"] for run in runs)[len(runs) // 2]
            row = {
                "case": name,
                "expected": expected,
                "exit": sorted({run["exit"] for run in runs}),
                "seconds": seconds,
                "peak_mib": max(run["peak_mib"] for run in runs),
                "message": runs[0]["stderr"],
            }
            print(
                f"{name}: exit {row['exit']}, {seconds:.2f} s (median of {repeats}), "
                f"peak {row['peak_mib']:.0f} MiB",
                flush=True,
            )
            rows.append(row)
    return rows


def _markdown(rows: list[dict[str, Any]], repeats: int) -> str:
    lines = [
        "# Hostile inputs: time and memory (issue 15)",
        "",
        f"`python -m bench.limits`: each case is the command line in a fresh process, run "
        f"{repeats} times (the median wall time, the largest peak memory), on "
        f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| case | expected exit | exit | wall [s] | peak memory [MiB] | last line of stderr |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        message = str(row["message"]).replace("|", "\\|")
        exits = ", ".join(str(code) for code in row["exit"])
        lines.append(
            f"| {row['case']} | {row['expected']} | {exits} | {row['seconds']:.2f} | "
            f"{row['peak_mib']:.0f} | {message} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "limits.md")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rows = run_limits(args.repeats)
    args.out.write_text(_markdown(rows, args.repeats), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    wrong = [row["case"] for row in rows if row["exit"] != [row["expected"]]]
    if wrong:
        print(f"unexpected exit codes: {', '.join(wrong)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
