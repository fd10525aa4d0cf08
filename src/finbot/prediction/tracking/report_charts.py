"""The evaluation report's charts (matplotlib, Agg backend), in the report's language: titles,
axis labels and legends through the catalog, tick numbers with the language's decimal mark.

Each chart is a PNG inlined as a base64 ``data:`` URI, so the page needs no other file.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from finbot.i18n import N_, localise_number, percent, translate
from finbot.timeframes import DAY_MS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from finbot.prediction.tracking.result import Evaluation

    Chart = tuple[Figure, str]  # a figure and its text for the page (``<img alt>``)

REALISED = N_("realised")
FORECAST = N_("forecast")


def png_data_uri(fig: Figure, alt: str) -> str:
    """``fig`` as an ``<img>`` with the PNG inlined (``alt``: its text, in the page's
    language); the figure is closed."""
    import html

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return (
        f'<img alt="{html.escape(alt)}" src="data:image/png;base64,'
        + base64.b64encode(buf.getvalue()).decode()
        + '">'
    )


def pyplot() -> Any:  # the matplotlib.pyplot module (Agg backend)
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def png(chart: Chart) -> str:
    """A chart as the page's ``<img>``."""
    return png_data_uri(*chart)


def localise_ticks(ax: Axes, lang: str, *, x: bool = True) -> None:
    """The axes' tick numbers with ``lang``'s separators (``0,95`` in French): matplotlib
    chooses the ticks, Babel's symbols write them. ``x=False`` leaves the x axis (dates)."""
    from matplotlib.ticker import ScalarFormatter

    class _Localised(ScalarFormatter):
        def __call__(self, value: float, pos: int | None = None) -> str:
            return localise_number(lang, super().__call__(value, pos).replace("\u2212", "-"))

    axes = [ax.yaxis, ax.xaxis] if x else [ax.yaxis]
    for axis in axes:
        formatter = _Localised()
        formatter.set_useOffset(False)
        axis.set_major_formatter(formatter)


def predicted_vs_realised(ev: Evaluation, lang: str) -> Chart:
    plt = pyplot()
    runs = list(ev.runs.values())
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.8), squeeze=False)
    for ax, run in zip(axes[0], runs, strict=True):
        ok = np.isfinite(run.y)
        ax.scatter(run.pred[ok], run.y[ok], s=3, alpha=0.3)
        lim = float(np.nanmax(np.abs(run.y[ok]))) if ok.any() else 1.0
        ax.plot([-lim, lim], [-lim, lim], color="grey", linewidth=0.8)
        title = translate(lang, "{h}: predicted vs realised log return", h=run.horizon)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(translate(lang, "predicted"))
        ax.set_ylabel(translate(lang, "realised"))
        localise_ticks(ax, lang)
    return fig, translate(lang, "Predicted vs realised")


def equity(ev: Evaluation, lang: str) -> Chart:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    days = (ev.equity_ts - ev.equity_ts[0]) / DAY_MS if ev.equity_ts.size else []
    ax.plot(days, ev.equity_strategy, label=translate(lang, "decision engine (after costs)"))
    ax.plot(days, ev.equity_hold, label=translate(lang, "buy and hold"))
    ax.plot(days, np.ones_like(ev.equity_hold), label=translate(lang, "cash"), linestyle=":")
    ax.set_xlabel(translate(lang, "days into the test period"))
    ax.set_ylabel(translate(lang, "equity (start = 1)"))
    localise_ticks(ax, lang)
    ax.legend()
    return fig, translate(lang, "equity (start = 1)")


def coverage(ev: Evaluation, lang: str) -> Chart:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    names = list(ev.horizons)
    ax.bar(names, [ev.horizons[h]["coverage"] for h in names])
    nominal = translate(lang, "nominal {level}", level=percent(lang, ev.level, 0))
    ax.axhline(ev.level, color="red", linestyle="--", label=nominal)
    ax.set_ylim(0, 1)
    ax.set_ylabel(translate(lang, "share of outcomes inside the interval"))
    localise_ticks(ax, lang, x=False)
    ax.legend()
    return fig, translate(lang, "Interval coverage by horizon")


def reliability(ev: Evaluation, lang: str) -> Chart:
    """The touch-probability (+X) reliability diagram of each horizon: forecast vs frequency."""
    plt = pyplot()
    names = list(ev.volatility)
    fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3.4), squeeze=False)
    for ax, h in zip(axes[0], names, strict=True):
        table = ev.volatility[h].metrics["touch_up"]["reliability"]
        ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
        ax.plot([b["mean_forecast"] for b in table], [b["frequency"] for b in table], marker="o")
        ax.set_title(translate(lang, "{h}: P(high reaches +X)", h=h), fontsize=9)
        ax.set_xlabel(translate(lang, "forecast probability"))
        ax.set_ylabel(translate(lang, "observed frequency"))
        localise_ticks(ax, lang)
    return fig, translate(lang, "Touch-probability reliability")


def volatility(ev: Evaluation, lang: str) -> Chart:
    """Forecast against realised volatility (σ of the log return over the horizon)."""
    plt = pyplot()
    names = list(ev.volatility)
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.6 * len(names)), squeeze=False)
    for ax, h in zip(axes[:, 0], names, strict=True):
        run = ev.volatility[h].evaluation
        ax.plot(np.sqrt(run.variance), linewidth=0.5, alpha=0.6, label=translate(lang, REALISED))
        ax.plot(np.sqrt(run.forecasts["selected"]), linewidth=0.9, label=translate(lang, FORECAST))
        title = translate(lang, "{h}: volatility forecast vs realised (test rows)", h=h)
        ax.set_title(title, fontsize=9)
        localise_ticks(ax, lang)
        ax.legend(fontsize=8)
    return fig, translate(lang, "Volatility forecast vs realised")
