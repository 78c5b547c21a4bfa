"""Wall time, peak memory and throughput, measured the same way for every model."""

from __future__ import annotations

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
    tracemalloc would miss. On CUDA the GPU's own peak is added on top.
    """
    process = psutil.Process()
    start_rss = process.memory_info().rss
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
        result.peak_memory_mb = (peak[0] - start_rss) / 2**20 + gpu_peak_mb()


def gpu_peak_mb() -> float:
    import sys

    torch = sys.modules.get("torch")  # only look if a recipe already imported it
    if torch is not None and torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return 0.0


def throughput(predict, inputs, count: int):
    """Run predict(inputs) once; return its output and examples per second."""
    began = time.perf_counter()
    output = predict(inputs)
    seconds = max(time.perf_counter() - began, 1e-9)
    return output, count / seconds
