"""Print line coverage per finbot package and fail below the spec's floors.

The floors are the spec's own figures (collectors 85 %, prediction 78 %, storage 90 %,
operations 82 %); other packages are shown without a floor.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

FLOORS = {"collectors": 85.0, "prediction": 78.0, "storage": 90.0, "ops": 82.0}


def main() -> int:
    subprocess.run([sys.executable, "-m", "coverage", "combine", "--append", "-q"], check=False)
    out = Path("coverage.json")
    subprocess.run([sys.executable, "-m", "coverage", "json", "-q", "-o", str(out)], check=True)
    files = json.loads(out.read_text())["files"]
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, info in files.items():
        parts = Path(path).parts
        if "finbot" not in parts:
            continue
        rest = parts[parts.index("finbot") + 1 :]
        package = rest[0] if len(rest) > 1 else "(top)"
        totals[package][0] += info["summary"]["covered_lines"]
        totals[package][1] += info["summary"]["num_statements"]
    failed = False
    print(f"{'package':<14}{'coverage':>10}{'floor':>8}")
    for package, (covered, statements) in sorted(totals.items()):
        pct = 100.0 * covered / statements if statements else 100.0
        floor = FLOORS.get(package)
        mark = ""
        if floor is not None and pct < floor:
            failed = True
            mark = "  BELOW FLOOR"
        floor_text = f"{floor:.0f} %" if floor is not None else "-"
        print(f"{package:<14}{pct:>8.1f} %{floor_text:>8}{mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
