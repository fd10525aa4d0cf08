"""Storage: the partitioned Parquet bar store, other Parquet datasets, the TTL cache, the
database engine and CSV import."""

from .cache_store import (
    Cache as Cache,
)
from .cache_store import (
    make_cache as make_cache,
)
from .csv_import import (
    SHOWN_ERRORS as SHOWN_ERRORS,
)
from .csv_import import (
    CsvRejected as CsvRejected,
)
from .csv_import import (
    import_csv as import_csv,
)
from .dataset import (
    ParquetDataset as ParquetDataset,
)
from .db import (
    Base as Base,
)
from .db import (
    engine_for as engine_for,
)
from .db import (
    ensure_tables as ensure_tables,
)
from .db import (
    session_scope as session_scope,
)
from .parquet_writer import (
    BarStore as BarStore,
)
from .units import (
    VolumeUnit as VolumeUnit,
)
from .versions import (
    STALE_TMP_S as STALE_TMP_S,
)
from .versions import (
    new_version as new_version,
)
from .versions import (
    remove_stale_temporaries as remove_stale_temporaries,
)
from .versions import (
    remove_version as remove_version,
)
from .versions import (
    write_atomic as write_atomic,
)

__all__ = [
    "STALE_TMP_S",
    "new_version",
    "remove_stale_temporaries",
    "remove_version",
    "write_atomic",
    "BarStore",
    "Base",
    "Cache",
    "CsvRejected",
    "ParquetDataset",
    "SHOWN_ERRORS",
    "VolumeUnit",
    "engine_for",
    "ensure_tables",
    "import_csv",
    "make_cache",
    "session_scope",
]
