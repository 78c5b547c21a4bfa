"""Wall time, peak memory and throughput, measured the same way for every model."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import psutil


@dataclass
class Measurement:
    seconds: float = 0.0
    peak_memory_mb: float = 0.0


@contextmanager
def measure(interval: float = 0.05):
    """Time a block and sample this process's resident memory; report the peak above the starting level.

    Resident memory is what a user's machine must hold, whatever allocated it (numpy, torch, BLAS), which
    tracemalloc would miss. On CUDA the GPU's own peak above its starting level is added on top; its peak counter
    is reset first, or a later recipe in `lab run all` would report an earlier recipe's peak.
    """
    process = psutil.Process()
    start_rss = process.memory_info().rss
    start_gpu = reset_gpu_peak()
    peak = [start_rss]
    stop = threading.Event()

    def sample():
        while not stop.wait(interval):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = Measurement()
    began = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - began
        stop.set()
        sampler.join()
        peak[0] = max(peak[0], process.memory_info().rss)
        result.peak_memory_mb = (peak[0] - start_rss) / 2**20 + gpu_peak_mb(start_gpu)


def cuda_torch():
    """torch, if a recipe already imported it (importing it here would cost seconds) and it sees a GPU; else None."""
    torch = sys.modules.get("torch")
    return torch if torch is not None and torch.cuda.is_available() else None


def reset_gpu_peak() -> int:
    """Reset the GPU's peak counter to what is allocated now, and return that starting level in bytes."""
    torch = cuda_torch()
    if torch is None:
        return 0
    torch.cuda.reset_peak_memory_stats()
    return torch.cuda.memory_allocated()


def gpu_peak_mb(start_bytes: int = 0) -> float:
    """The GPU's peak allocation since reset_gpu_peak, above the level it started from, in MiB."""
    torch = cuda_torch()
    if torch is None:
        return 0.0
    return max(0, torch.cuda.max_memory_allocated() - start_bytes) / 2**20


def throughput(predict, inputs, count: int):
    """Run predict(inputs) once; return its output and examples per second."""
    began = time.perf_counter()
    output = predict(inputs)
    seconds = max(time.perf_counter() - began, 1e-9)
    return output, count / seconds
