"""Where a solve spends its time: a sampling profile of ``bestshore.solve``.

Usage::

    python -m bench.profiler scenarios/demo-roster.yaml
    python -m bench.profiler scenarios/demo-roster.yaml --interval 0.001 --top 40

cProfile loses every frame that calls HiGHS's ``run`` (``solve_with_highs`` and its
callers do not appear in its statistics, and their time goes missing), so this samples
the main thread's Python stack from a second thread every ``--interval`` seconds, each
sample weighted by the time since the last; the samples add up to the wall time, HiGHS's
own time included (on the frame that called it). It prints the stage timings, the
functions by inclusive time, and for each function of :data:`BREAKDOWN` how its time
splits among the functions it calls. One warm-up solve of ``scenarios/demo.yaml`` runs
first (imports, caches), unprofiled.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from types import TracebackType

if __package__ in (None, ""):  # run as ``python bench/profiler.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
# The functions whose time is split among their callees (file:function).
BREAKDOWN = (
    "plan.py:plan_sourcing",
    "plan.py:solve_round",
    "reprice.py:reprice",
    "roster.py:add_roster",
    "plan.py:price_exactly",
    "roster.py:whole_roster",
    "roster.py:_patterns",
)

Stack = tuple[str, ...]


class Sampler:
    """Sample the main thread's stack every ``interval`` seconds while in the block."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.samples: defaultdict[Stack, float] = defaultdict(float)
        self._stop = threading.Event()
        self._main = threading.main_thread().ident
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(self.interval)
            now = time.perf_counter()
            frame = sys._current_frames().get(self._main or 0)
            stack = []
            while frame is not None:
                stack.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_code.co_name}")
                frame = frame.f_back
            self.samples[tuple(reversed(stack))] += now - last
            last = now

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def inclusive(self) -> list[tuple[str, float]]:
        """Seconds each function was on the stack, most first."""
        seconds: defaultdict[str, float] = defaultdict(float)
        for stack, weight in self.samples.items():
            for name in set(stack):
                seconds[name] += weight
        return _most(seconds)

    def callees(self, parent: str) -> list[tuple[str, float]]:
        """Seconds of ``parent`` by the function it called (``(self)``: its own lines)."""
        seconds: defaultdict[str, float] = defaultdict(float)
        for stack, weight in self.samples.items():
            if parent in stack:
                at = stack.index(parent)
                seconds[stack[at + 1] if at + 1 < len(stack) else "(self)"] += weight
        return _most(seconds)


def _most(seconds: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(seconds.items(), key=lambda item: (-item[1], item[0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profiler", description=__doc__)
    parser.add_argument("scenario", type=Path, help="a scenario YAML file")
    parser.add_argument("--interval", type=float, default=0.002, help="seconds between samples")
    parser.add_argument("--top", type=int, default=30, help="functions listed by inclusive time")
    parser.add_argument("--no-check", action="store_true", help="skip the verification")
    args = parser.parse_args(argv)

    import bestshore
    from bestshore.scenario import load_scenario

    bestshore.solve(load_scenario(ROOT / "scenarios" / "demo.yaml"), check=False)  # warm-up
    scenario = load_scenario(args.scenario)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with Sampler(args.interval) as sampler:
        bestshore.solve(scenario, check=not args.no_check, timings=timings)
    wall = time.perf_counter() - start
    print(f"{args.scenario}: {wall:.2f} s wall, {sum(sampler.samples.values()):.2f} s sampled")
    print("stages: " + ", ".join(f"{k} {v:.3f}" for k, v in timings.items()))
    print(f"\nby inclusive time (top {args.top}):")
    for name, seconds in sampler.inclusive()[: args.top]:
        print(f"{seconds:9.2f} s {100 * seconds / wall:5.1f} %  {name}")
    for parent in BREAKDOWN:
        split = sampler.callees(parent)
        if not split:
            continue
        print(f"\n{parent}: {sum(seconds for _, seconds in split):.2f} s")
        for name, seconds in split[:8]:
            print(f"{seconds:9.2f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
