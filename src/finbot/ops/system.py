"""Machine figures for ``status``: CPU, memory, disk of the home, GPU presence, uptime."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import NotRequired, TypedDict


class GpuInfo(TypedDict):
    present: bool
    devices: list[str]
    source: str


class MemoryInfo(TypedDict):
    total_mb: int
    used_percent: float
    available_mb: int


class DiskInfo(TypedDict):
    path: str
    total_gb: float
    free_gb: float
    used_percent: float


class ProcessMetrics(TypedDict, total=False):
    """Empty when the process is gone."""

    rss_mb: float
    threads: int
    started_at: float  # epoch seconds


class SystemMetrics(TypedDict):
    cpu_percent: float
    cpu_count: int | None
    memory: MemoryInfo
    disk: DiskInfo
    gpu: GpuInfo
    bot_process: NotRequired[ProcessMetrics]


def gpu_info(timeout: float = 3.0) -> GpuInfo:
    """``{"present": bool, "devices": [...], "source": ...}`` from ``nvidia-smi -L``; no torch
    needed. "none detected" when there is no tool or it finds nothing."""
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return {"present": False, "devices": [], "source": "none detected (no nvidia-smi)"}
    try:
        out = subprocess.run(
            [tool, "-L"], capture_output=True, text=True, timeout=timeout, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return {"present": False, "devices": [], "source": f"nvidia-smi failed: {exc}"}
    devices = [line.strip() for line in out.splitlines() if line.strip().startswith("GPU")]
    return {
        "present": bool(devices),
        "devices": devices,
        "source": "nvidia-smi" if devices else "none detected",
    }


def system_metrics(home: Path, *, pid: int | None = None) -> SystemMetrics:
    """CPU (%), memory, disk of the home's file system, GPU, and the bot process's RSS."""
    import psutil

    memory = psutil.virtual_memory()
    folder = home if home.exists() else Path(home.anchor or "/")
    disk = psutil.disk_usage(str(folder))
    out: SystemMetrics = {
        "cpu_percent": psutil.cpu_percent(interval=0.1),
        "cpu_count": psutil.cpu_count(),
        "memory": {
            "total_mb": round(memory.total / 2**20),
            "used_percent": memory.percent,
            "available_mb": round(memory.available / 2**20),
        },
        "disk": {
            "path": str(folder),
            "total_gb": round(disk.total / 2**30, 1),
            "free_gb": round(disk.free / 2**30, 1),
            "used_percent": disk.percent,
        },
        "gpu": gpu_info(),
    }
    if pid is not None:
        out["bot_process"] = process_metrics(pid)
    return out


def process_metrics(pid: int) -> ProcessMetrics:
    """RSS, threads and start time of one process (``{}`` when it is gone)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            return {
                "rss_mb": round(proc.memory_info().rss / 2**20, 1),
                "threads": proc.num_threads(),
                "started_at": proc.create_time(),
            }
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return {}
