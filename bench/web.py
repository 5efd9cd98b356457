"""The frontends' figures: the JavaScript each app's first view loads (gzipped), next to its
budget, and — with ``python -m bench.web`` — the member's landing flow timed in a real browser.

The first view's JavaScript is the entry chunk, every chunk it imports statically, and the lazy
chunk of the page that view shows (with that chunk's static imports): what the browser must load
before the page can render. Read from Vite's build manifest (``web/<app>/dist/.vite/manifest.json``).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[1] / "web"


@dataclass(frozen=True)
class FirstView:
    app: str
    view: str
    page_source: str | None  # the lazy page module the first view renders, if it is a chunk
    budget_bytes: int


FIRST_VIEWS = (
    FirstView("console", "the dashboard (/console/)", "src/pages/dashboard/DashboardPage.tsx", 400 * 1024),
    FirstView("member", "the QR landing page (/m/scan)", "src/pages/ScanPage.tsx", 150 * 1024),
)


@dataclass(frozen=True)
class Measured:
    view: FirstView
    files: tuple[str, ...]
    gzipped_bytes: int

    @property
    def within_budget(self) -> bool:
        return self.gzipped_bytes <= self.view.budget_bytes


Manifest = dict[str, dict[str, Any]]


def _chunks(manifest: Manifest, key: str, seen: set[str]) -> None:
    if key in seen or key not in manifest:
        return
    seen.add(key)
    for imported in manifest[key].get("imports", []):
        _chunks(manifest, str(imported), seen)


def measure(view: FirstView) -> Measured:
    dist = WEB / view.app / "dist"
    manifest: Manifest = json.loads((dist / ".vite" / "manifest.json").read_text())
    seen: set[str] = set()
    entries = [key for key, chunk in manifest.items() if chunk.get("isEntry")]
    for key in entries:
        _chunks(manifest, key, seen)
    if view.page_source and view.page_source in manifest and manifest[view.page_source].get("isDynamicEntry"):
        _chunks(manifest, view.page_source, seen)
    files = sorted({str(manifest[key]["file"]) for key in seen if str(manifest[key]["file"]).endswith(".js")})
    total = sum(len(gzip.compress((dist / name).read_bytes(), compresslevel=9)) for name in files)
    return Measured(view, tuple(files), total)


def report() -> list[dict[str, object]]:
    rows = []
    for view in FIRST_VIEWS:
        measured = measure(view)
        rows.append(
            {
                "app": view.app,
                "view": view.view,
                "gzipped_kb": round(measured.gzipped_bytes / 1024, 1),
                "budget_kb": view.budget_bytes // 1024,
                "files": len(measured.files),
            }
        )
    return rows


def main() -> None:
    for row in report():
        size = f"{row['gzipped_kb']} KB gzipped JS (budget {row['budget_kb']} KB)"
        print(f"  {row['app']:8} first view {row['view']}: {size}")


if __name__ == "__main__":
    main()
