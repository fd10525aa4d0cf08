"""The text lines of ``predict`` for the volatility forecast and the probabilities: what an
answer's ``volatility``, ``p_up`` / ``p_down`` (or the base rates and why), the when question's
per-horizon probabilities and the amount question's ``p_target`` look like on a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from finbot.i18n import localise_number

if TYPE_CHECKING:
    from finbot.cli.context import AppContext
    from finbot.prediction.questions import AmountAnswer, Assessment, WhenAnswer


def _pct(app_ctx: AppContext, p: float | None, digits: int = 1) -> str:
    if p is None:
        return "—"
    return localise_number(app_ctx.lang, f"{p * 100:.{digits}f}") + " %"


def _outcome(app_ctx: AppContext, outcome: str) -> str:
    words = {
        "up": app_ctx.tr("up beyond the costs"),
        "down": app_ctx.tr("down beyond the costs"),
        "flat": app_ctx.tr("within the costs"),
    }
    return words[outcome]


def volatility_line(app_ctx: AppContext, a: Assessment) -> str:
    """``  volatility 1.09 % (garch); P(up > costs) 11.3 %, P(down) 45.4 %; ...``."""
    vf = a.volatility.forecast
    if vf is None:
        vol = app_ctx.tr("volatility: none ({why})", why=app_ctx.line(a.volatility.note))
    else:
        vol = app_ctx.tr(
            "volatility {sigma} ({model})", sigma=_pct(app_ctx, vf.sigma, 2), model=vf.model
        )
    o = a.outcomes
    if o is not None and o.p_up is not None:
        odds = app_ctx.tr(
            "P(up > costs) {up}, P(down < -costs) {down}",
            up=_pct(app_ctx, o.p_up),
            down=_pct(app_ctx, o.p_down),
        )
    else:
        odds = app_ctx.tr(
            "no direction probability: {why}; base rates up {up}, down {down}",
            why=o.text(app_ctx.lang) if o is not None else "—",
            up=_pct(app_ctx, None if o is None else o.base_up),
            down=_pct(app_ctx, None if o is None else o.base_down),
        )
    stated = app_ctx.tr(
        "confidence = P({outcome})",
        outcome=_outcome(app_ctx, a.outcome),
    )
    return "  " + app_ctx.tr("{vol}; {odds}; {stated}", vol=vol, odds=odds, stated=stated)


def _sources(app_ctx: AppContext) -> dict[str, str]:
    return {
        "volatility model": app_ctx.tr("volatility model"),
        "base rate": app_ctx.tr("base rate"),
        "none": "—",
    }


def when_lines(app_ctx: AppContext, ans: WhenAnswer, horizon_words: dict[str, str]) -> list[str]:
    """One line per horizon: the probability of the high reaching the gain, and its source."""
    sources = _sources(app_ctx)
    return [
        app_ctx.tr(
            "  within {h}: P(high reaches +{g} %) {p} ({source})",
            h=horizon_words[h],
            g=localise_number(app_ctx.lang, f"{ans.gain_pct:g}"),
            p=_pct(app_ctx, p),
            source=_source(sources, source),
        )
        for h, p, source in ans.probabilities
    ]


def _source(words: dict[str, str], source: str) -> str:
    """``base rate (10m)`` with its first part translated."""
    head, _, rest = source.partition(" (")
    return words.get(head, head) + (f" ({rest}" if rest else "")


def target_line(app_ctx: AppContext, ans: AmountAnswer) -> str | None:
    """The probability of meeting the coin's target, when it has one."""
    if ans.target_eur is None:
        return None
    return app_ctx.tr(
        "  probability of meeting the target: {p} ({source})",
        p=_pct(app_ctx, ans.p_target),
        source=_source(_sources(app_ctx), ans.p_target_source),
    )
