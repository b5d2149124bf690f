"""The independent readers that are programs, not Python packages: Chromium, LibreOffice.

``.ci/run`` installs both from Debian's packages (``.ci/install-checkers``) and then
sets ``BESTSHORE_REQUIRE_CHECKERS=1``: a test needing one fails, instead of skipping,
when that variable is set and the program is missing. On a machine without them (no
apt, not root) the tests skip and say why.

Chromium is driven through Playwright (the Python package only: it brings no browser,
the system's Chromium runs), which reports what a person's browser console would show:
console messages, uncaught errors, and every request the page makes. Every page is
opened in a new, empty profile, with the network closed: any request other than a local
file is refused and recorded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRED = os.environ.get("BESTSHORE_REQUIRE_CHECKERS") == "1"

# Flags for a root, headless, offline Chromium (Playwright adds --headless and the profile).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(what: str) -> None:
    if REQUIRED:
        pytest.fail(f"{what} is required here (BESTSHORE_REQUIRE_CHECKERS=1) but not installed")
    pytest.skip(f"{what} is not installed (.ci/install-checkers installs it)")


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_chromium() -> str:
    """Chromium's path; skips the test (fails it under ``REQUIRED``) when absent."""
    found = chromium_path()
    if found is None:
        _missing("Chromium")
    assert found is not None
    return found


def require_soffice() -> str:
    """LibreOffice's ``soffice``; skips the test (fails it under ``REQUIRED``) when absent."""
    found = soffice_path()
    if found is None:
        _missing("LibreOffice (soffice)")
    assert found is not None
    return found


@dataclass
class Visit:
    """What a browser saw of one page.

    ``console``: every console message as (type, text), ``errors``: uncaught
    exceptions, ``refused``: the URLs the page asked for that are not local files (the
    network is closed, so each is refused), ``dom``: the document once its scripts ran,
    ``drawn``: the Vega views drawn (``svg.marks`` or ``canvas.marks``).
    """

    page: Path
    dom: str = ""
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    drawn: int = 0

    @property
    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught errors and network requests."""
        found = [
            f"console {kind}: {text}" for kind, text in self.console if kind in ("error", "warning")
        ]
        return [
            *found,
            *(f"uncaught: {e}" for e in self.errors),
            *(f"network: {u}" for u in self.refused),
        ]


def visit(pages: list[Path], *, wait_for_charts: bool = True) -> list[Visit]:
    """Open each page in headless Chromium (one new profile for all) and report it.

    A page holding a Vega chart (``vegaEmbed``) is waited for until each of its charts
    drew (at most 30 s); the others until loaded.
    """
    browser = require_chromium()
    from playwright.sync_api import Route, sync_playwright

    visits = []
    with (
        tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile,
        sync_playwright() as driver,
    ):
        context = driver.chromium.launch_persistent_context(
            profile, executable_path=browser, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for path in pages:
                seen = Visit(path)

                def handle(route: Route, seen: Visit = seen) -> None:
                    if route.request.url.startswith("file:"):
                        route.continue_()
                    else:
                        seen.refused.append(route.request.url)
                        route.abort()

                page = context.new_page()
                page.route("**/*", handle)
                page.on("console", lambda m, seen=seen: seen.console.append((m.type, m.text)))
                page.on("pageerror", lambda e, seen=seen: seen.errors.append(str(e)))
                page.goto(path.resolve().as_uri(), wait_until="load")
                source = path.read_text(encoding="utf-8")
                charts = source.count("vegaEmbed(")
                if wait_for_charts and charts:
                    page.wait_for_function(
                        f"document.querySelectorAll('svg.marks, canvas.marks').length >= {charts}",
                        timeout=30_000,
                    )
                page.wait_for_timeout(200)  # late console messages
                seen.drawn = page.locator("svg.marks, canvas.marks").count()
                seen.dom = page.content()
                page.close()
                visits.append(seen)
        finally:
            context.close()
    return visits


def libreoffice_convert(path: Path, folder: Path, to: str = "xlsx") -> Path:
    """``path`` opened and saved again by headless LibreOffice as ``to``, into ``folder``
    (a private profile: no clash with another run)."""
    soffice = require_soffice()
    profile = (folder / "profile").resolve().as_uri()
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(folder / "out"), str(path)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    converted = folder / "out" / f"{path.stem}.{to}"
    assert done.returncode == 0 and converted.exists(), (
        f"LibreOffice did not convert {path.name}: {done.stdout[-500:]} {done.stderr[-500:]}"
    )
    return converted
