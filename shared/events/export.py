"""Write every event's JSON Schema to ``schemas/<source>/<DetailType>.json`` (``make schemas``).

The files are the published contracts partners and other services read; a test fails when they
drift from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shared.events.catalog import CONTRACTS


def rendered() -> dict[str, str]:
    return {
        f"{c.source}/{c.detail_type}.json": json.dumps(c.json_schema(), indent=2, ensure_ascii=False, sort_keys=True)
        + "\n"
        for c in CONTRACTS
    }


def main(target: str = "schemas") -> None:
    root = Path(target)
    for relative, text in rendered().items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(CONTRACTS)} schemas under {root}/")


if __name__ == "__main__":
    main(*sys.argv[1:])
