"""The composition root: the one place that builds a home's live services.

``Services`` holds one home's collaborators (settings, bar store, model store, database
engine, prediction tracker, API-usage ledger, collector cache, clock, CoinGecko client), each
built once and only on first use, so a cold ``finbot predict`` imports only what it touches.
The CLI builds one per command (``finbot.cli.context``); the scheduler builds one per job run
from the home path string its job store keeps (``finbot.ops.jobs``). Stage code never sees
this object: it receives the typed collaborators it needs (a store, a tracker,
``settings.costs``, a ``CollectorKit``).
"""

from __future__ import annotations

from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from finbot.clock import Clock, SystemClock, now_ms
from finbot.paths import Paths
from finbot.timeframes import Timeframe

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import polars as pl
    from sqlalchemy import Engine

    from finbot.alerts import AlertDispatcher, AlertLog, AlertRun
    from finbot.collectors import ApiUsageStore, CoinGeckoClient, CollectorKit, Datasets
    from finbot.config import Coin, Settings
    from finbot.config.models import Training
    from finbot.config.sizing import MachineFacts, Sizes
    from finbot.prediction.decision import SpreadQuote
    from finbot.prediction.models import ModelStore
    from finbot.prediction.pipeline import Prediction
    from finbot.prediction.questions import Freshness, FreshnessSource, Sources
    from finbot.prediction.tracking import PredictionTracker
    from finbot.prediction.training import VolatilityTraining
    from finbot.prediction.volatility import VolatilityStore
    from finbot.storage import BarStore, Cache

#: One system clock per process: the shared CoinGecko rate limiter is keyed by clock.
SYSTEM_CLOCK = SystemClock()
BAR_TAIL = 600  # bars the questions read for volatility, volume and the spread proxy


class Services:
    """The live collaborators of one home, each built once, on first use.

    ``settings`` (else loaded from the home), ``clock``, ``base_url`` (CoinGecko's, e.g. the
    replay server's) and ``cache`` (a long-lived collector cache) may be given; everything
    else is built here. ``close()`` (or ``with``) releases the HTTP client once it was opened.
    """

    def __init__(
        self,
        paths: Paths,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        base_url: str | None = None,
        cache: Cache | None = None,
        machine: MachineFacts | None = None,
    ) -> None:
        self.paths = paths
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.base_url = base_url
        self._settings = settings
        self._cache = cache
        self._machine = machine

    @classmethod
    def at(cls, home: str | Path | None, *, base_url: str | None = None) -> Services:
        """The services of the home ``home`` (``Paths.resolve`` rules: ``$FINBOT_HOME``...)."""
        return cls(Paths.resolve(home), base_url=base_url)

    def derive(
        self,
        *,
        settings: Settings | None = None,
        base_url: str | None = None,
        clock: Clock | None = None,
    ) -> Services:
        """Services of the same home with other settings, another CoinGecko URL or another
        clock (the demo: its replay server, key and, for a CSV history, the clock starting
        where the data ends); built afresh, closed by the caller."""
        return Services(
            self.paths,
            settings or self.settings,
            clock=clock or self.clock,
            base_url=base_url or self.base_url,
            machine=self._machine,
        )

    # ------------------------------------------------------------ configuration
    @cached_property
    def settings(self) -> Settings:
        if self._settings is not None:
            return self._settings
        from finbot.config import load_settings

        return load_settings(self.paths)

    def add_coins(self, coins: Sequence[Coin]) -> None:
        """Take the resolved top-N coins into these services' settings (what was built from
        the coin list is built again on next use)."""
        from finbot.config.top_coins import with_top_coins

        settings = self.settings
        self._settings = settings.model_copy(
            update={"coins": with_top_coins(settings.coins, tuple(coins))}
        )
        for name in ("settings", "collectors", "sizes"):
            self.__dict__.pop(name, None)

    @cached_property
    def machine(self) -> MachineFacts:
        """The machine's cores and memory (given, else probed through psutil)."""
        from finbot.config.sizing import MachineFacts

        return self._machine or MachineFacts.probe()

    @cached_property
    def sizes(self) -> Sizes:
        """Workers, threads, cache, history window and batch sizes of ``profile`` on this
        machine."""
        from finbot.config.sizing import resolve_sizes

        return resolve_sizes(self.settings.general.profile, self.machine)

    @property
    def training(self) -> Training:
        """``general.training`` with the sized workers and threads per model."""
        sizes = self.sizes
        return self.settings.general.training.model_copy(
            update={"workers": sizes.workers, "threads_per_model": sizes.threads_per_model}
        )

    # ------------------------------------------------------------ stores
    @cached_property
    def bar_store(self) -> BarStore:
        from finbot.storage import BarStore

        store = BarStore(self.paths.parquet_dir, quarantine_dir=self.paths.quarantine_dir)
        store.migrate()  # older bar files to the current schema, once per home
        return store

    @cached_property
    def datasets(self) -> Datasets:
        """The collectors' record datasets (prices, markets, tickers, FX) beside the bars."""
        from finbot.collectors import Datasets

        return Datasets.under(self.paths.parquet_dir)

    @property
    def fx_cache_file(self) -> Path:
        from finbot.collectors import cache_path

        return cache_path(self.paths.cache_dir)

    @cached_property
    def model_store(self) -> ModelStore:
        from finbot.prediction.models import ModelStore

        return ModelStore(self.paths.models_dir, cache_size=self.sizes.model_cache_size)

    @cached_property
    def volatility_store(self) -> VolatilityStore:
        """The volatility models, beside the price models (``<models>/<coin>/vol/<h>/``)."""
        from finbot.prediction.volatility import VolatilityStore

        keep = self.settings.general.training.keep_versions
        return VolatilityStore(self.paths.models_dir, keep=keep)

    @cached_property
    def volatility_training(self) -> VolatilityTraining | None:
        """How training fits the volatility models (None when ``volatility.enabled`` is off)."""
        from finbot.prediction.training import VolatilityTraining

        settings = self.settings
        return VolatilityTraining.of(self.paths.models_dir, settings.general, settings.costs)

    @cached_property
    def engine(self) -> Engine:
        """The project database (one engine per URL per process, shared by every Services)."""
        from finbot.storage import engine_for

        return engine_for(self.paths.db_url)

    @cached_property
    def tracker(self) -> PredictionTracker:
        from finbot.prediction.tracking import PredictionTracker

        return PredictionTracker(self.engine)

    # ------------------------------------------------------------ alerts
    @cached_property
    def alert_log(self) -> AlertLog:
        """The alert history and the rules' marks, beside the tracker's table."""
        from finbot.alerts import AlertLog

        return AlertLog(self.engine)

    @cached_property
    def alert_dispatcher(self) -> AlertDispatcher:
        """A sender to the configured channels; its owner flushes it (``close`` does not)."""
        return self.new_alert_dispatcher()

    def new_alert_dispatcher(self) -> AlertDispatcher:
        """A new sender (its queue and thread) to the configured channels, into ``alert_log``."""
        from finbot.alerts import AlertDispatcher

        settings = self.settings
        return AlertDispatcher(settings.secrets.alert_urls, settings.general.alerts, self.alert_log)

    def alert_run(self) -> AlertRun:
        """One pass of the alert rules, now, through ``alert_dispatcher``."""
        from finbot.alerts import AlertRun

        return AlertRun(self.settings, self.alert_log, self.alert_dispatcher, now_ms(self.clock))

    # ------------------------------------------------------------ collection
    @cached_property
    def usage(self) -> ApiUsageStore:
        from finbot.collectors import open_usage

        api, keys = self.settings.api.coingecko, self.settings.secrets.coingecko_keys
        return open_usage(self.engine, api, keys)

    @cached_property
    def cache(self) -> Cache:
        if self._cache is not None:
            return self._cache
        from finbot.collectors import make_collector_cache

        return make_collector_cache(self.settings.api.coingecko.cache_ttl_sec, self.clock)

    @cached_property
    def coingecko(self) -> CoinGeckoClient:
        from finbot.collectors import make_client

        return make_client(
            self.settings.api.coingecko,
            self.settings.secrets.coingecko_keys,
            base_url=self.base_url,
            clock=self.clock,
            usage=self.usage,
        )

    @property
    def history_days(self) -> dict[Timeframe, int]:
        """``general.history_days`` with the hourly window the sizes allow."""
        days = dict(self.settings.general.history_days)
        if Timeframe.H1 in days:
            days[Timeframe.H1] = min(days[Timeframe.H1], self.sizes.history_window_days)
        return days

    @cached_property
    def collectors(self) -> CollectorKit:
        """What collector runs use; the client is opened by the first run that needs it."""
        from finbot.collectors import CollectorKit

        settings = self.settings
        return CollectorKit(
            api=settings.api,
            secrets=settings.secrets,
            coins=settings.coins,
            history_days=self.history_days,
            clock=self.clock,
            usage=self.usage,
            bars=self.bar_store,
            datasets=self.datasets,
            fx_cache=self.fx_cache_file,
            cache=self.cache,
            coingecko=lambda: self.coingecko,
            base_url=self.base_url,
        )

    # ------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Close the CoinGecko client when one was opened (nothing else holds a resource)."""
        client = self.__dict__.pop("coingecko", None)
        if client is not None:
            client.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# ------------------------------------------------------------------ the questions' inputs
def live_sources(services: Services) -> Sources:
    """The real inputs: pipeline, model store, Parquet bars, tickers/proxy spread, FX, the
    freshest price and the volatility forecast."""
    from finbot.collectors import stored_fx
    from finbot.prediction import pipeline
    from finbot.prediction.questions import Sources, read_calibration, volatility_view

    store, bar_store, clock = services.model_store, services.bar_store, services.clock
    vol_store = services.volatility_store

    def bars(coin: str, timeframe: str) -> pl.DataFrame | None:
        frame = bar_store.read(coin, timeframe, last_n=BAR_TAIL)
        return frame if len(frame) else None

    return Sources(
        predict=lambda coin, h: pipeline.predict(
            coin, h, store=store, bar_store=bar_store, clock=clock
        ),
        calibration=read_calibration,
        bars=bars,
        spread=_spread_source(services),
        eur_per_usd=cache(
            lambda: stored_fx(
                services.fx_cache_file,
                services.datasets.prices,
                services.settings.coins.ids,
                now_ms(clock),
            )
        ),  # read once per set of answers (a sources object serves one command or answer)
        freshness=_freshness_source(services),
        volatility=lambda coin, h: volatility_view(vol_store, bar_store, coin, h),
    )


def _freshness_source(services: Services) -> FreshnessSource:
    """(prediction, timeframe) → its "now": the freshest stored price and the data's age."""
    from finbot.prediction.questions import freshness_of, latest_price

    general = services.settings.general

    def fresh(pred: Prediction, timeframe: str) -> Freshness:
        now = now_ms(services.clock)
        current = latest_price(
            services.bar_store, services.datasets.prices, pred.coin, general.timeframes, now
        )
        return freshness_of(pred, timeframe, current, now, general.freshness.max_age_bars)

    return fresh


def _spread_source(services: Services) -> Callable[[str, pl.DataFrame | None], SpreadQuote]:
    """(coin, bars) → spread quote: stored tickers, else the OHLC proxy, else the default."""
    from finbot.prediction.decision import resolve_spread

    costs = services.settings.costs

    def spread(coin: str, frame: pl.DataFrame | None) -> SpreadQuote:
        def tickers() -> float | None:
            from finbot.collectors import median_spread_pct

            return median_spread_pct(services.datasets.tickers, coin, costs.exchanges_whitelist)

        def proxy() -> float | None:
            from finbot.prediction.decision import estimate_from_bars

            return None if frame is None else estimate_from_bars(frame).fraction

        return resolve_spread(costs, tickers_pct=tickers, proxy_frac=proxy)

    return spread
