"""lab.evaluation.efficiency: wall time, resident-memory peak and the GPU's peak, each measured per block."""

import sys
import time

import pytest
import torch

from lab.evaluation import efficiency
from lab.evaluation.efficiency import measure, throughput

MiB = 2**20


class FakeCuda:
    """torch.cuda's allocator counters, driven by hand: allocate() raises the peak as a real allocation would."""

    def __init__(self, allocated_mib: int = 0):
        self.allocated = self.peak = allocated_mib * MiB

    def allocate(self, mib: int) -> None:
        self.allocated += mib * MiB
        self.peak = max(self.peak, self.allocated)

    def free(self, mib: int) -> None:
        self.allocated -= mib * MiB

    def reset_peak_memory_stats(self) -> None:
        self.peak = self.allocated


class SteadyProcess:
    """psutil.Process with a constant resident size, so only the GPU's share varies."""

    def memory_info(self):
        return type("Memory", (), {"rss": 500 * MiB})()


@pytest.fixture
def cuda(monkeypatch):
    fake = FakeCuda(allocated_mib=40)  # e.g. a model an earlier recipe left on the GPU
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda *a, **k: fake.reset_peak_memory_stats())
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda *a, **k: fake.allocated)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda *a, **k: fake.peak)
    monkeypatch.setattr(efficiency.psutil, "Process", SteadyProcess)
    return fake


def test_a_later_block_reports_its_own_gpu_peak_not_an_earlier_ones(cuda):
    with measure() as first:  # the first recipe: 300 MiB at its peak, then freed
        cuda.allocate(300)
        cuda.free(300)
    with measure() as second:  # the next recipe in `lab run all` peaks at 100 MiB
        cuda.allocate(100)
        cuda.free(100)
    assert first.peak_memory_mb == pytest.approx(300)
    assert second.peak_memory_mb == pytest.approx(100)


def test_the_gpu_peak_is_counted_above_the_level_the_block_started_from(cuda):
    cuda.allocate(60)  # allocated before the block: not this block's cost
    with measure() as cost:
        cuda.allocate(25)
    assert cost.peak_memory_mb == pytest.approx(25)


def test_without_torch_imported_nothing_is_read_from_the_gpu(cuda, monkeypatch):
    monkeypatch.delitem(sys.modules, "torch")  # a recipe that never imported torch (classical)
    with measure() as cost:
        cuda.allocate(300)
    assert cost.peak_memory_mb == 0.0


def test_resident_memory_and_seconds_of_a_real_block():
    with measure(interval=0.01) as cost:
        block = bytearray(96 * MiB)  # zero-filled pages become resident once written
        block[::4096] = b"x" * len(block[::4096])
        time.sleep(0.05)
        del block
    assert cost.seconds >= 0.05
    assert 80 <= cost.peak_memory_mb < 400  # the 96 MiB block, sampled before it was freed


def test_throughput_counts_examples_per_second_of_one_call():
    def slow_predict(texts):
        time.sleep(0.1)
        return [len(t) for t in texts]

    output, rate = throughput(slow_predict, ["ab", "c"], count=50)
    assert output == [2, 1]
    assert 100 < rate <= 500  # 50 examples in a bit over 0.1 s
