"""The predictions table's one migration: one row per coin, horizon and as-of bar.

Before it, every scan (``best``, ``when``, the menu) recorded its predictions again, so one
bar was counted as many times as it was asked about, and ``as_of`` was the OPEN time of the
model's last bar. Now ``as_of`` is the time of the price the prediction starts from (a bar's
close, or a newer quote), ``bar_ts`` the close time of the model's newest bar, and a unique
index on (coin, horizon, bar_ts) keeps the first prediction of each bar only.

``migrate`` brings an older table there, once, in one transaction: adds ``bar_ts``, moves
``as_of`` and ``target_ts`` one bar later (open time → close time, so old rows are scored as
before), deletes the duplicates (the earliest of each bar is kept) and creates the index.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from finbot.timeframes import duration_ms

TABLE = "predictions"
UNIQUE_INDEX = "ux_predictions_coin_horizon_bar"
UNIQUE_COLUMNS = ("coin", "horizon", "bar_ts")


def needs_migration(engine: Engine) -> bool:
    names = {c["name"] for c in inspect(engine).get_columns(TABLE)}
    return "bar_ts" not in names


def migrate(engine: Engine) -> int:
    """Migrate an older predictions table; returns how many duplicate rows were removed."""
    if not needs_migration(engine):
        return 0
    with engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {TABLE} ADD COLUMN bar_ts BIGINT"))
        frames = conn.execute(text(f"SELECT DISTINCT timeframe FROM {TABLE}")).scalars().all()
        for tf in frames:
            step = duration_ms(str(tf), field="timeframe")
            conn.execute(
                text(
                    f"UPDATE {TABLE} SET as_of = as_of + :step, target_ts = target_ts + :step, "
                    "bar_ts = as_of + :step WHERE timeframe = :tf"
                ),
                {"step": step, "tf": tf},
            )
        removed = conn.execute(
            text(
                f"DELETE FROM {TABLE} WHERE id NOT IN "
                f"(SELECT MIN(id) FROM {TABLE} GROUP BY coin, horizon, bar_ts)"
            )
        ).rowcount
        conn.execute(
            text(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {UNIQUE_INDEX} "
                f"ON {TABLE} ({', '.join(UNIQUE_COLUMNS)})"
            )
        )
    return int(removed or 0)
