"""Write bestshore/data/profiles/weekly.csv: the bundled weekly arrival profiles.

Run by hand when the shapes change; the package only reads the CSV.

The shapes are synthetic (bestshore, 2026): smooth intraday curves built to follow the
patterns the trade describes for French customer service (a morning peak around 10:00
and an early-afternoon one around 14:00 with a lunch dip, Monday the busiest day,
Saturday lighter, Sunday closed for most services; back-office work arriving through
office hours; a 24/7 travel desk with a long evening tail and a thin night). They are
starting points, to be replaced by a client's own ACD history whenever it exists.
"""

from __future__ import annotations

import math
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "bestshore" / "data" / "profiles" / "weekly.csv"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-0.5 * ((hour - centre) / width) ** 2)


def n1_voice(day: int, hour: int) -> float:
    weight = (1.25, 1.05, 1.0, 1.0, 0.95, 0.55, 0.15)[day]
    h = hour + 0.5
    return weight * (_bump(h, 10.5, 1.8) + 0.85 * _bump(h, 14.5, 2.0) + 0.35 * _bump(h, 18.5, 1.5))


def n2(day: int, hour: int) -> float:
    weight = (1.2, 1.1, 1.05, 1.0, 0.9, 0.3, 0.05)[day]
    h = hour + 0.5
    return weight * (_bump(h, 11.0, 2.0) + 0.9 * _bump(h, 15.0, 2.0))


def back_office(day: int, hour: int) -> float:
    weight = (1.2, 1.0, 1.0, 1.0, 1.0, 0.25, 0.1)[day]
    h = hour + 0.5
    return weight * (_bump(h, 10.0, 3.0) + 0.8 * _bump(h, 15.0, 3.0) + 0.1)


def multilingual_24_7(day: int, hour: int) -> float:
    weight = (1.0, 0.95, 0.95, 1.0, 1.1, 1.15, 1.1)[day]
    h = hour + 0.5
    return weight * (
        0.12 + _bump(h, 11.0, 3.0) + 0.9 * _bump(h, 17.0, 3.5) + 0.4 * _bump(h, 21.5, 2.0)
    )


def flat(day: int, hour: int) -> float:
    return 1.0


PROFILES = {
    "n1_voice": n1_voice,
    "n2": n2,
    "back_office": back_office,
    "multilingual_24_7": multilingual_24_7,
    "flat": flat,
}


def main() -> None:
    lines = [
        "# Weekly arrival profiles, market time, Monday 00:00 first; each column sums to 1.",
        "# Source: synthetic shapes, bestshore 2026 (tools/make_profiles.py documents them).",
        "hour,day,time," + ",".join(PROFILES),
    ]
    columns = {}
    for name, shape in PROFILES.items():
        values = [shape(d, h) for d in range(7) for h in range(24)]
        total = sum(values)
        columns[name] = [v / total for v in values]
    for index in range(168):
        day, hour = divmod(index, 24)
        cells = ",".join(f"{columns[name][index]:.8f}" for name in PROFILES)
        lines.append(f"{index},{DAYS[day]},{hour:02d}:00,{cells}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
