"""A fitted volatility model on disk: ``volatility.json`` (plain JSON, no pickle) and, for the
boosted candidate, ``booster.txt`` (LightGBM's text model, its SHA-256 in the JSON).

Floats are written as Python's shortest round-trip repr, so a loaded model forecasts exactly
as the saved one. A figure that could not be measured (NaN) is written as null. Every file is
written to a temporary name and renamed into place. Loading checks the format name and version
and each field; anything else is one ``ModelError`` line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from finbot.errors import FinbotError, ModelError
from finbot.i18n import N_, error_message
from finbot.prediction.features import horizon_bars
from finbot.storage import write_atomic
from finbot.timeframes import canonical, duration_ms

from .boosted import BoostedState, booster_from_text
from .candidates import CANDIDATES, CandidateState, NaiveRule
from .features import BOOSTED_FEATURES
from .fitted import FittedVolatility, Training
from .garch import MAX_EXCESS, GarchParams, GarchState
from .har import DESIGNS, LogOls, design_width
from .jsonfields import Fields, one_line
from .outputs import Maps, Skill
from .probability import Calibration
from .targets import NAIVES

FORMAT = "finbot.volatility"
FORMAT_VERSION = 1
MODEL_FILE = "volatility.json"
BOOSTER_FILE = "booster.txt"
CALIBRATIONS = ("touch_up", "touch_down", "up", "down")


# ---------------------------------------------------------------------------------- saving
def save_volatility(fitted: FittedVolatility, folder: Path) -> None:
    """Write ``fitted`` into ``folder`` (created if needed; the files it holds are replaced)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "timeframe": fitted.timeframe,
        "horizon": fitted.horizon,
        "h": fitted.h,
        "level": fitted.level,
        "cost": fitted.cost,
        "model": _encode_candidate(fitted.candidate, folder),
        "maps": _encode_maps(fitted.maps),
        "skill": {k: _nullable(v) for k, v in dataclasses.asdict(fitted.skill).items()},
        "training": dataclasses.asdict(fitted.training),
    }
    try:
        text = json.dumps(document, indent=2, allow_nan=False) + "\n"
    except ValueError as exc:
        raise ModelError(
            N_("volatility: cannot save a non-finite parameter ({exc})"), exc=error_message(exc)
        ) from exc
    write_atomic(folder / MODEL_FILE, text)
    if not isinstance(fitted.candidate, BoostedState):
        (folder / BOOSTER_FILE).unlink(missing_ok=True)  # a previous save's


def _nullable(value: float) -> float | None:
    return None if value != value else value  # NaN -> null


def _encode_maps(maps: Maps) -> dict[str, Any]:
    out: dict[str, Any] = {"quantile": maps.quantile, "quantile_constant": maps.quantile_constant}
    for name in CALIBRATIONS:
        out[name] = dataclasses.asdict(getattr(maps, name))
    return out


def _encode_candidate(state: CandidateState, folder: Path) -> dict[str, Any]:
    if isinstance(state, NaiveRule):
        return {"name": state.name}
    if isinstance(state, LogOls):
        return {"name": state.name, "coef": list(state.coef), "smear": state.smear}
    if isinstance(state, GarchState):
        return {
            "name": state.name,
            **dataclasses.asdict(state.params),
            "anchor_ts": state.anchor_ts,
            "next_variance": state.next_variance,
        }
    if isinstance(state, BoostedState):
        text = state.booster.model_to_string()
        write_atomic(folder / BOOSTER_FILE, text)
        return {
            "name": state.name,
            "smear": state.smear,
            "booster_file": BOOSTER_FILE,
            "booster_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
    raise ModelError(N_("volatility: cannot save a {kind} candidate"), kind=type(state).__name__)


# --------------------------------------------------------------------------------- loading
def load_volatility(folder: Path) -> FittedVolatility:
    """The model ``save_volatility`` wrote into ``folder``; ModelError when it is missing,
    of another format or version, or malformed."""
    folder = Path(folder)
    path = folder / MODEL_FILE
    root = Fields(_read_json(path), path)
    _check_format(root)
    timeframe, horizon, h = _read_horizon(root)
    return FittedVolatility(
        timeframe=timeframe,
        horizon=horizon,
        h=h,
        candidate=_decode_candidate(
            root.child("model"), folder, duration_ms(timeframe, field="timeframe")
        ),
        level=_level(root),
        cost=root.number("cost", minimum=0.0),
        skill=_decode_skill(root.child("skill")),
        maps=_decode_maps(root.child("maps")),
        training=_decode_training(root.child("training")),
    )


def _decode_skill(doc: Fields) -> Skill:
    return Skill(**{f.name: doc.nullable(f.name) for f in dataclasses.fields(Skill)})


def _read_json(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(
            N_("{parent}: no saved volatility model ({file} missing)"),
            parent=path.parent,
            file=MODEL_FILE,
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(N_("{path}: unreadable ({exc})"), path=path, exc=one_line(exc)) from exc
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ModelError(
            N_("{path}: not valid JSON ({msg} at line {lineno})"),
            path=path,
            msg=exc.msg,
            lineno=exc.lineno,
        ) from exc
    except ValueError as exc:
        raise ModelError(
            N_("{path}: not plain JSON ({exc})"), path=path, exc=error_message(exc)
        ) from exc


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _check_format(root: Fields) -> None:
    if root.raw("format") != FORMAT:
        raise root.fail("format", repr(FORMAT), root.raw("format"))
    version = root.integer("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(
            N_(
                "{path}: volatility model format version {version}; this finbot reads version "
                "{supported} (fit the model again)"
            ),
            path=root.path,
            version=version,
            supported=FORMAT_VERSION,
        )


def _read_horizon(root: Fields) -> tuple[str, str, int]:
    timeframe, horizon, h = root.text("timeframe"), root.text("horizon"), root.integer("h")
    try:
        spelled = canonical(timeframe, field="timeframe"), canonical(horizon)
        bars = horizon_bars(horizon, timeframe)
    except FinbotError as exc:
        raise ModelError(
            N_("{path}: malformed volatility model: {exc}"), path=root.path, exc=one_line(exc)
        ) from exc
    if spelled != (timeframe, horizon):
        raise root.fail("horizon", f"canonical durations {spelled}", (timeframe, horizon))
    if bars != h:
        raise root.fail("h", f"{bars} ({horizon} in {timeframe} bars)", h)
    return timeframe, horizon, h


def _level(root: Fields) -> float:
    level = root.number("level", minimum=0.0, strict=True)
    if level >= 1.0:
        raise root.fail("level", "a fraction below 1", level)
    return level


def _decode_maps(doc: Fields) -> Maps:
    calibrations = {}
    for name in CALIBRATIONS:
        c = doc.child(name)
        calibrations[name] = Calibration(c.number("intercept"), c.number("slope"))
    return Maps(
        quantile=doc.number("quantile", minimum=0.0, strict=True),
        quantile_constant=doc.number("quantile_constant", minimum=0.0, strict=True),
        **calibrations,
    )


def _decode_training(doc: Fields) -> Training:
    return Training(
        first_ts=doc.integer("first_ts"),
        last_ts=doc.integer("last_ts"),
        n_bars=doc.integer("n_bars", minimum=1),
        n_known=doc.integer("n_known", minimum=0),
        data_hash=doc.text("data_hash"),
    )


def _decode_candidate(doc: Fields, folder: Path, step_ms: int) -> CandidateState:
    name = doc.text("name")
    if name in NAIVES:
        return NaiveRule(name)
    if name in DESIGNS:
        coef = doc.numbers("coef", design_width(name, step_ms))
        return LogOls(name, coef, doc.number("smear", minimum=0.0, strict=True))
    if name == "garch":
        return _decode_garch(doc)
    if name == "lightgbm":
        return _load_booster(doc, folder)
    raise doc.fail("name", f"one of {', '.join(CANDIDATES)}", name)


def _decode_garch(doc: Fields) -> GarchState:
    params = GarchParams(
        omega=doc.number("omega", minimum=0.0, strict=True),
        alpha=doc.number("alpha", minimum=0.0),
        beta=doc.number("beta", minimum=0.0),
    )
    if params.persistence > 1.0 + MAX_EXCESS:
        raise doc.fail(
            "beta", "alpha + beta at most 1 (a stationary or integrated GARCH)", params.beta
        )
    return GarchState(
        params,
        anchor_ts=doc.integer("anchor_ts"),
        next_variance=doc.number("next_variance", minimum=0.0, strict=True),
    )


def _load_booster(doc: Fields, folder: Path) -> BoostedState:
    name = doc.text("booster_file")
    if Path(name).name != name or name.startswith("."):
        raise doc.fail("booster_file", "a file name in the model's folder", name)
    path = folder / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(
            N_("{path}: booster unreadable ({reason})"),
            path=path,
            reason=one_line(exc.strerror or exc),
        ) from exc
    if hashlib.sha256(data).hexdigest() != doc.text("booster_sha256"):
        raise ModelError(
            N_("{path}: does not match its SHA-256 in {file} (corrupt or replaced)"),
            path=path,
            file=MODEL_FILE,
        )
    try:
        booster = booster_from_text(data.decode("utf-8"))
    except Exception as exc:  # LightGBMError, UnicodeDecodeError: a file that is no model
        raise ModelError(
            N_("{path}: not a LightGBM model ({exc})"), path=path, exc=one_line(exc)
        ) from exc
    if booster.num_feature() != len(BOOSTED_FEATURES):
        raise ModelError(
            N_("{path}: {n} features, the volatility features are {expected}"),
            path=path,
            n=booster.num_feature(),
            expected=len(BOOSTED_FEATURES),
        )
    return BoostedState(booster, doc.number("smear", minimum=0.0, strict=True))
