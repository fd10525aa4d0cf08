"""``python -m finbot.tools.check_fx_cache [--home DIR] [--json]``: age and validity of the FX
cache (``cache_dir/fx.json``). Exit 0 when fresh and valid, 1 when stale, invalid or absent."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from finbot.config import detect_lang
from finbot.i18n import N_, Message, Number, in_language, translate
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
        report["problem"] = Message(N_("no FX cache yet (run 'finbot collect fx')"))
        return report
    cached = read_cache(target)
    if cached is None or not 0.2 < cached.rate < 5:
        report["problem"] = Message(N_("unreadable or implausible content"))
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
        report["problem"] = Message(
            N_("stale: {age} s old, TTL {ttl} s"), age=Number(age, 0), ttl=Number(ttl_sec, 0)
        )
    return report


def _line(lang: str, report: dict[str, Any]) -> str:
    """The report as one line in ``lang``."""
    state = translate(lang, "OK") if report["fresh"] else translate(lang, "PROBLEM")
    line = translate(lang, "FX cache {path}: {state}", path=report["path"], state=state)
    if report["valid"]:
        line += translate(
            lang,
            ", EUR/USD {rate}, {age} s old",
            rate=Number(report["rate"], 4),
            age=Number(report["age_sec"], 1),
        )
    if report["problem"]:
        line += f" ({in_language(lang, report['problem'])})"
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="check_fx_cache", description=__doc__)
    parser.add_argument("--home", default=None, help="finbot home (default $FINBOT_HOME)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--lang", choices=["fr", "en"], default=None, help="language (as finbot)")
    args = parser.parse_args(argv)
    services = Services.at(args.home)
    lang = detect_lang(args.lang, services.paths)
    ttl = services.settings.api.exchangerate.ttl_sec
    report = check(services.fx_cache_file, ttl, time.time())
    if args.json:
        print(json.dumps(report))
    else:
        print(_line(lang, report))
    return 0 if report["fresh"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
