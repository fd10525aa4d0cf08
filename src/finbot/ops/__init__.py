"""Operations: scheduler, process control, logs, API usage, status."""
