"""Each stage package's public face, pinned (as httpx pins its exported members).

Changing a face is a decision: update the list here in the same commit, and say why.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[3] / "src"

FACES: dict[str, list[str]] = {
    "finbot.alerts": [
        "Alert",
        "AlertCounts",
        "AlertDispatcher",
        "AlertKind",
        "AlertLog",
        "AlertRun",
        "DeliveryFailed",
        "Outgoing",
        "bot_stopped",
        "check_alerts",
        "check_url",
        "deliver",
        "probe_alert",
        "render",
        "send_digest",
    ],
    "finbot.prediction.features": [
        "CROSS_FEATURE_NAMES",
        "FEATURE_NAMES",
        "IndicatorEngine",
        "NUMPY_INDICATORS",
        "POOLED_FEATURE_NAMES",
        "TAIL_BARS",
        "TALIB_INDICATORS",
        "build_features",
        "cross_tail_bars",
        "feature_matrix",
        "forward_log_returns",
        "horizon_bars",
        "latest_pooled_row",
        "latest_row",
        "pooled_dataset",
        "pooled_frames",
    ],
    "finbot.prediction.models": [
        "ALGORITHMS",
        "Algorithm",
        "Estimator",
        "LIBRARY_TREES",
        "MASTER",
        "MasterPredictor",
        "ModelStore",
        "ModelSummary",
        "NAIVE",
        "NUMPY_TREES",
        "POOLED",
        "PooledModel",
        "SUB_ALGORITHM",
        "StoredModel",
        "TreeEvaluator",
        "check_algorithms",
        "coin_code",
        "make_estimator",
        "pooled_input",
        "save_native",
    ],
    "finbot.prediction.training": [
        "PooledConfig",
        "PooledRun",
        "RetrainMode",
        "VolatilityTraining",
        "fit_pooled",
        "fit_pooled_rows",
        "fit_shrink",
        "pooled_report",
        "run",
        "select_pooled",
        "tasks_for",
        "train",
        "train_all",
        "train_from_store",
        "train_pooled",
        "train_pooled_all",
    ],
    "finbot.prediction.volatility": [
        "BarGrid",
        "CANDIDATES",
        "Calibration",
        "FittedVolatility",
        "HorizonEvaluation",
        "NAIVES",
        "Skill",
        "VOL_TAIL_BARS",
        "VolatilityConfig",
        "VolatilityForecast",
        "VolatilityModel",
        "VolatilityStore",
        "WalkForwardConfig",
        "bar_grid",
        "evaluate_horizon",
        "fit_volatility",
        "forecast_volatility",
        "horizon_data",
        "horizon_metrics",
        "load_volatility",
        "naive_forecasts",
        "qlike",
        "realized_variance",
        "reliability_table",
        "save_volatility",
        "touch_probability",
        "vol_features",
        "walk_forward",
    ],
    "finbot.prediction.decision": [
        "Action",
        "CostBreakdown",
        "Decision",
        "HorizonDecision",
        "HorizonSignal",
        "HorizonThresholds",
        "LiveAccuracy",
        "Reason",
        "SpreadQuote",
        "coverage_from_frame",
        "decide",
        "decide_horizon",
        "direction_hit",
        "direction_hits",
        "estimate_from_bars",
        "hit_rate",
        "horizon_thresholds",
        "resolve_spread",
        "round_trip_cost",
    ],
    "finbot.prediction.tracking": [
        "Accuracy",
        "DecisionInputs",
        "EvalConfig",
        "Evaluation",
        "NewPrediction",
        "PerCoinSelection",
        "PredictionTracker",
        "ReliabilityJson",
        "Selection",
        "Served",
        "WindowStats",
        "evaluate",
        "evaluate_many",
        "evaluations_json",
        "localise_ticks",
        "png_data_uri",
        "pyplot",
        "write_report",
    ],
    "finbot.storage": [
        "BarStore",
        "Base",
        "Cache",
        "CsvRejected",
        "ParquetDataset",
        "SHOWN_ERRORS",
        "STALE_TMP_S",
        "VolumeUnit",
        "engine_for",
        "ensure_tables",
        "import_csv",
        "make_cache",
        "new_version",
        "remove_stale_temporaries",
        "remove_version",
        "session_scope",
        "write_atomic",
    ],
    "finbot.collectors": [
        "ApiUsageStore",
        "CoinGeckoClient",
        "CollectorKit",
        "CollectorStats",
        "Datasets",
        "UsageSummary",
        "backfill_first",
        "cache_path",
        "collect_historical",
        "make_client",
        "make_collector_cache",
        "median_spread_pct",
        "open_usage",
        "order_by_market_cap",
        "read_cache",
        "requests_needed",
        "resolve_top_coins",
        "run_collector",
        "stored_fx",
    ],
    "finbot.replay": [
        "FAULT_KINDS",
        "Fault",
        "FaultPlan",
        "HistorySource",
        "ReplayServer",
        "ReplayVolumeUnit",
        "default_coin_ids",
        "generate_history",
        "load_csv_dir",
    ],
    "finbot.web": [
        "DashboardServer",
        "create_app",
        "dashboard_url",
        "ensure_token",
        "is_loopback",
    ],
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@pytest.mark.parametrize("package", sorted(FACES))
def test_exports_are_pinned(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == FACES[package]
    assert sorted(dir(module)) == FACES[package]


@pytest.mark.parametrize("package", sorted(FACES))
def test_every_export_resolves(package: str) -> None:
    module = importlib.import_module(package)
    for name in FACES[package]:
        assert getattr(module, name) is not None, f"{package}.{name}"


def test_other_stages_import_only_the_faces() -> None:
    """``from finbot.storage.parquet_writer import BarStore`` outside storage is a violation."""
    offences = []
    for path in sorted((SRC / "finbot").rglob("*.py")):
        here = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            for package in FACES:
                inside = here == package or here.startswith(package + ".")
                if node.module.startswith(package + ".") and not inside:
                    offences.append(f"{here}: from {node.module} import ...")
    assert offences == []
