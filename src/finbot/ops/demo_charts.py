"""The demo report's charts: models against the baseline, and per coin the recent price with
the forecast and its interval drawn ahead. Small figures, laid out by the page's grid; titles,
labels, legends and tick numbers in the report's language."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from finbot.i18n import N_, percent, translate
from finbot.prediction.tracking import localise_ticks, png_data_uri, pyplot
from finbot.timeframes import duration_ms

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from finbot.prediction.questions import Assessment

PriceHistory = tuple[Sequence[int], Sequence[float]]  # bar times (ms UTC), closes (USD)


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


NO_MODEL = N_("No trained model.")
POOLED = N_("pooled")


def _bar_label(lang: str, t: dict[str, Any]) -> str:
    pooled = " " + translate(lang, POOLED) if t.get("pooled") else ""
    return f"{t['coin'][:6]} {t['horizon']}{pooled}"


def ratio_chart(trained: list[dict[str, Any]], lang: str) -> str:
    """Each coin × horizon's test MAE over the naive MAE (below 1: the model has an edge)."""
    ok = [t for t in trained if "error" not in t and t.get("mae_ratio") is not None]
    if not ok:
        return f"<p>{html.escape(translate(lang, NO_MODEL))}</p>"
    return png_data_uri(
        ratio_figure(ok, lang), translate(lang, "Models against the naive baseline")
    )


def ratio_figure(ok: list[dict[str, Any]], lang: str) -> Figure:
    """The bars of ``ratio_chart``, one per trained model (``ok``: none failed)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    ratios = [t.get("best_ratio", t["mae_ratio"]) for t in ok]
    colours = ["tab:green" if r < 1 else "tab:grey" for r in ratios]
    model = translate(lang, "model (green: beats the baseline)")
    ax.bar(range(len(ok)), ratios, color=colours, label=model)
    naive = translate(lang, "naive baseline (= 1)")
    ax.axhline(1.0, color="tab:red", linestyle="--", label=naive)
    ax.set_xticks(range(len(ok)), [_bar_label(lang, t) for t in ok], rotation=90, fontsize=6)
    ax.set_ylabel(translate(lang, "test MAE / naive MAE"))
    ax.set_ylim(min(0.9, min(ratios) - 0.02), max(1.1, max(ratios) + 0.02))
    localise_ticks(ax, lang, x=False)
    ax.legend(loc="upper right", fontsize=7)
    return cast("Figure", fig)  # pyplot is typed Any


def coin_chart(
    coin: str, history: PriceHistory, answers: Sequence[Assessment], level: float, lang: str
) -> str:
    """The coin's recent closes, then from the last bar the predicted price at each horizon
    and its ``level`` interval as a band ahead of the history."""
    fig = coin_figure(coin, history, answers, level, lang)
    return png_data_uri(fig, translate(lang, "{coin}: price and forecast", coin=coin))


def coin_figure(
    coin: str, history: PriceHistory, answers: Sequence[Assessment], level: float, lang: str
) -> Figure:
    """The figure of ``coin_chart``."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 2.8))
    times, closes = history
    if times:
        ax.plot(
            [_when(t) for t in times],
            closes,
            color="tab:blue",
            lw=1,
            label=translate(lang, "price (USD)"),
        )
    ahead = sorted(answers, key=lambda a: duration_ms(a.prediction.horizon))
    if ahead:
        start = ahead[0].prediction
        xs = [_when(start.as_of)] + [
            _when(a.prediction.as_of + duration_ms(a.prediction.horizon)) for a in ahead
        ]
        mid = [start.last_price] + [a.prediction.predicted_price for a in ahead]
        low = [start.last_price] + [a.low_price for a in ahead]
        high = [start.last_price] + [a.high_price for a in ahead]
        band = translate(lang, "{level} interval", level=percent(lang, level, 0))
        ax.fill_between(xs, low, high, color="tab:orange", alpha=0.25, label=band)
        forecast = translate(lang, "forecast")
        ax.plot(xs, mid, "o-", color="tab:orange", ms=3, lw=1, label=forecast)
    ax.set_title(coin, fontsize=9)
    ax.tick_params(labelsize=6)
    localise_ticks(ax, lang, x=False)
    fig.autofmt_xdate()
    ax.legend(loc="upper left", fontsize=6)
    return cast("Figure", fig)  # pyplot is typed Any
