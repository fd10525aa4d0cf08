"""Storage: the partitioned Parquet bar dataset, the TTL cache, and the SQL database."""
