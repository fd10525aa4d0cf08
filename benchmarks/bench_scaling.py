"""Scaling: the same training (2 coins x 5 horizons x 4 algorithms + naive, the demo home's
2 years of hourly bars) on 1 and on 2 loky workers, each in a fresh process (worker start-up
included), run once each. Speed-up = time(1) / time(2); near-linear means >= 1.7 on 2 cores.

Dask: ``training.backend = "dask"`` with ``training.dask_address`` sends the same
``train_task`` calls to a ``dask.distributed`` cluster (``fanout._run_dask``); each task reads
its bars from the shared Parquet home and writes its model version there, so the workers need
the same filesystem (NFS/object store mount) and the same finbot version. Tasks are
independent and ~1-3 s each, so throughput scales with the cluster's cores until the Parquet
reads of the shared home dominate.
"""

from __future__ import annotations

from typing import Any

from benchmarks.bench_training import train_in_subprocess
from benchmarks.common import load_avg, row, trained_home

COINS = 2
TARGET_SPEEDUP = 1.7


def run() -> list[dict[str, Any]]:
    home = trained_home()
    one, _peak1, _ = train_in_subprocess(home, 1, COINS)
    two, _peak2, _ = train_in_subprocess(home, 2, COINS)
    speedup = one / two if two else 0.0
    return [
        row(
            "scaling: training speed-up, 2 workers vs 1 (2 coins x 5 horizons)",
            two,
            one,
            "s",
            f"speed-up >= {TARGET_SPEEDUP} (near-linear)",
            speedup >= TARGET_SPEEDUP,
            speedup=round(speedup, 2),
            runs=1,
            load_avg=load_avg(),
            baseline_is="the same training on 1 worker",
            dask="training.backend='dask' + training.dask_address run the same tasks on a "
            "dask.distributed cluster sharing the home's filesystem",
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
