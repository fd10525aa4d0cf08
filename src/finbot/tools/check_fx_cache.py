"""``python -m finbot.tools.check_fx_cache [--home DIR] [--json]``: age and validity of the FX
cache (``cache_dir/fx.json``). Exit 0 when fresh and valid, 1 when stale, invalid or absent."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from finbot.services import Services


def check(target: Path, ttl_sec: float, now_s: float) -> dict[str, Any]:
    """The state of the cache file ``target``: path, exists, valid, rate, age_sec, ttl_sec,
    fresh, problem."""
    from finbot.collectors import read_cache

    report: dict[str, Any] = {
        "path": str(target),
        "exists": target.exists(),
        "valid": False,
        "rate": None,
        "source": None,
        "age_sec": None,
        "ttl_sec": ttl_sec,
        "fresh": False,
        "problem": None,
    }
    if not target.exists():
        report["problem"] = "no FX cache yet (run 'finbot collect fx')"
        return report
    cached = read_cache(target)
    if cached is None or not 0.2 < cached.rate < 5:
        report["problem"] = "unreadable or implausible content"
        return report
    age = now_s - cached.fetched_ms / 1000
    report.update(
        valid=True,
        rate=cached.rate,
        source=cached.source,
        age_sec=round(age, 1),
        fresh=0 <= age <= ttl_sec,
    )
    if not report["fresh"]:
        report["problem"] = f"stale: {age:.0f} s old, TTL {ttl_sec:.0f} s"
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="check_fx_cache", description=__doc__)
    parser.add_argument("--home", default=None, help="finbot home (default $FINBOT_HOME)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    services = Services.at(args.home)
    ttl = services.settings.api.exchangerate.ttl_sec
    report = check(services.fx_cache_file, ttl, time.time())
    if args.json:
        print(json.dumps(report))
    else:
        state = "OK" if report["fresh"] else "PROBLEM"
        print(
            f"FX cache {report['path']}: {state}"
            + (
                f", EUR/USD {report['rate']:.4f}, {report['age_sec']} s old"
                if report["valid"]
                else ""
            )
            + (f" ({report['problem']})" if report["problem"] else "")
        )
    return 0 if report["fresh"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
