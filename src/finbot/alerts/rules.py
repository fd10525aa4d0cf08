"""The rules: plain functions from what finbot already records (tracked predictions, the
collectors' runs, API usage, the disk) to the alerts they raise. Cool-downs, de-duplication
and quiet hours are the gate's business (``gate``), not theirs."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from finbot.alerts.messages import NO_VALUE, Alert, AlertKind, Param, Signed

if TYPE_CHECKING:
    from finbot.collectors import CollectorStats, UsageSummary
    from finbot.config import Costs, Targets
    from finbot.config.alert_settings import CollectorRule, DiskRule, TargetRule, UsageRule
    from finbot.prediction.tracking import Accuracy

SIGNALS = ("BUY", "SELL")
GB = 1e9
PROBABILITY_FIELD = "p_target"  # a tracked prediction's P(target reached), when it has one


def _change_pct(log_return: float) -> float:
    return (math.exp(log_return) - 1.0) * 100.0


def decision_alerts(rows: Iterable[Mapping[str, Any]], alert_level: float) -> list[Alert]:
    """A BUY or SELL whose confidence (0-100) reaches ``alert_level`` (a fraction)."""
    out = []
    for row in rows:
        action, confidence = row.get("decision"), row.get("confidence")
        if action not in SIGNALS or confidence is None or confidence / 100 < alert_level:
            continue
        coin, horizon = row["coin"], row["horizon"]
        params: dict[str, Param] = {
            "action": str(action),
            "coin": coin,
            "horizon": horizon,
            "confidence": round(confidence),
            "level": round(alert_level * 100),
            "price": float(row["last_price"]),
            "predicted": float(row["predicted_price"]),
            "change": Signed(_change_pct(row["predicted_return"])),
        }
        out.append(Alert(AlertKind.DECISION, f"decision:{coin}:{horizon}:{action}", params))
    return out


def _net_eur(costs: Costs, price_ratio: float) -> float:
    """Net profit in EUR of the default order held over the move ``price_ratio``."""
    from finbot.prediction.decision import resolve_spread, round_trip_cost

    cost = round_trip_cost(costs, resolve_spread(costs))
    return costs.default_order_eur * (price_ratio - 1.0) - cost.total_eur


def _target_params(
    row: Mapping[str, Any], target: float, net: float, costs: Costs
) -> dict[str, Param]:
    return {
        "coin": row["coin"],
        "horizon": row["horizon"],
        "target": float(target),
        "net": float(net),
        "order": float(costs.default_order_eur),
        "price": float(row.get("realised_price") or row["last_price"]),
    }


def target_reached_alerts(
    rows: Iterable[Mapping[str, Any]], targets: Targets, costs: Costs
) -> list[Alert]:
    """Resolved predictions whose real move made the coin's net-profit target."""
    out = []
    for row in rows:
        target = targets.target_eur(row["coin"], row["horizon"])
        realised = row.get("realised_return")
        if target is None or realised is None or row.get("status") != "resolved":
            continue
        net = _net_eur(costs, math.exp(realised))
        if net >= target:
            key = f"target_reached:{row['coin']}:{row['horizon']}"
            out.append(
                Alert(AlertKind.TARGET_REACHED, key, _target_params(row, target, net, costs))
            )
    return out


def target_likely_alerts(
    rows: Iterable[Mapping[str, Any]], targets: Targets, costs: Costs, rule: TargetRule
) -> list[Alert]:
    """New predictions whose target is likely: the forecast's probability (``p_target``) above
    ``rule.probability_level`` where it gives one, else the interval's low end reaching it."""
    out = []
    for row in rows:
        target = targets.target_eur(row["coin"], row["horizon"])
        if target is None:
            continue
        net = _net_eur(costs, row["predicted_price"] / row["last_price"])
        params = _target_params(row, target, net, costs)
        key, probability = (
            f"target_likely:{row['coin']}:{row['horizon']}",
            row.get(PROBABILITY_FIELD),
        )
        if probability is not None:
            if probability >= rule.probability_level:
                params["probability"] = round(probability * 100)
                out.append(Alert(AlertKind.TARGET_LIKELY, key, params))
            continue
        low = row.get("interval_low")
        if low is not None and _net_eur(costs, low / row["last_price"]) >= target:
            params["level"] = round((row.get("level") or 0) * 100)
            out.append(Alert(AlertKind.TARGET_LIKELY, key, params, variant="interval"))
    return out


def collector_alerts(summary: Mapping[str, CollectorStats], rule: CollectorRule) -> list[Alert]:
    """A collector whose last ``rule.after_failures`` runs or more all failed."""
    out = []
    for name, stats in sorted(summary.items()):
        streak = stats["consecutive_failures"]
        if streak >= rule.after_failures:
            params: dict[str, Param] = {
                "collector": name,
                "n": streak,
                "error": stats["error"] or "-",
            }
            out.append(
                Alert(AlertKind.COLLECTOR_FAILING, f"collector_failing:{name}", params, True)
            )
    return out


def usage_alerts(usage: UsageSummary, rule: UsageRule, month: str) -> list[Alert]:
    """API usage AMBER or RED this minute; the monthly cap's highest level reached (once a
    month: the key names the month)."""
    out = []
    minute = usage["minute"]
    if minute["state"] in rule.states:
        params: dict[str, Param] = {
            "state": minute["state"],
            "requests": minute["requests"],
            "limit": minute["limit"],
        }
        critical = minute["state"] == "RED"
        out.append(Alert(AlertKind.API_USAGE, f"api_usage:{minute['state']}", params, critical))
    share = usage["month"]["share"] * 100
    reached = [level for level in sorted(rule.monthly_cap_pct) if share >= level]
    if reached:
        level = reached[-1]
        params = {
            "level": round(level),
            "share": float(share),
            "requests": usage["month"]["requests"],
            "cap": usage["month"]["cap"],
        }
        critical = level >= max(rule.monthly_cap_pct)
        out.append(Alert(AlertKind.MONTHLY_CAP, f"monthly_cap:{level:g}:{month}", params, critical))
    return out


def disk_alerts(free_bytes: int, path: str, rule: DiskRule) -> list[Alert]:
    if free_bytes >= rule.min_free_gb * GB:
        return []
    params: dict[str, Param] = {"free": free_bytes / GB, "path": path, "minimum": rule.min_free_gb}
    return [Alert(AlertKind.DISK_LOW, "disk_low", params, critical=True)]


def bot_error_alert(error: str) -> Alert:
    return Alert(AlertKind.BOT_ERROR, "bot_error", {"error": error[:500]}, critical=True)


def probe_alert() -> Alert:
    return Alert(AlertKind.TEST, "test")


def digest_alert(counts: Mapping[str, int], accuracy: Accuracy, day: str) -> Alert:
    """The tracker's last 24 h over every coin and horizon: resolved, hit rate, coverage."""
    windows = [w["24h"] for by_h in accuracy.values() for w in by_h.values() if "24h" in w]
    resolved = sum(w["n"] for w in windows)

    def weighted(name: str) -> Param:
        pairs = [(w["n"], w[name]) for w in windows if w[name] is not None]  # type: ignore[literal-required]
        total = sum(n for n, _v in pairs)
        return round(100 * sum(n * v for n, v in pairs) / total) if total else NO_VALUE

    params: dict[str, Param] = {
        "resolved": resolved,
        "hit_rate": _pct(weighted("hit_rate")),
        "coverage": _pct(weighted("coverage")),
        "pending": counts.get("pending", 0),
    }
    return Alert(AlertKind.DIGEST, f"digest:{day}", params)


def _pct(value: Param) -> Param:
    return value if value == NO_VALUE else f"{value} %"
