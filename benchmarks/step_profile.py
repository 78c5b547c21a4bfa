"""torch.profiler counts for benchmarks/transformer_vs_trainer.py --profile: what one training step costs each side.

Only events inside the training steps count (both sides mark them with lab.training.loop.STEPS_LABEL), so loading the
model, tokenizing and evaluating do not blur the per-step figures.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path

# profiler event names: kernel launches, and the calls where the host waits for the device (.item(), bool(tensor),
# a blocking copy); on CPU only the aten ops count
LAUNCHES = ("cudaLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernel", "cuLaunchKernelEx")
WAITS = ("cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaEventSynchronize", "aten::_local_scalar_dense")


@contextmanager
def profiled(args, side: str):
    """--profile DIR: run a side under torch.profiler, write its op table to DIR, and yield counts that fill in
    when the block ends. Counted are only the events inside the training steps (both sides mark them with
    lab.training.loop.STEPS_LABEL), so model loading, tokenizing and evaluation do not blur the per-step figures."""
    counts: dict = {}
    if not args.profile:
        yield counts
        return
    import torch
    from torch.profiler import ProfilerActivity, profile

    cuda = torch.cuda.is_available()
    with profile(activities=[ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])) as trace:
        yield counts
    folder = Path(args.profile)
    folder.mkdir(parents=True, exist_ok=True)
    table = trace.key_averages().table(sort_by="self_device_time_total" if cuda else "self_cpu_time_total", row_limit=30)
    (folder / f"{side}_seed{args.seed}.txt").write_text(table)
    counts.update(count_in_steps(trace.events()))


def count_in_steps(events) -> dict:
    """Aten ops, kernel launches, host waits and device-busy seconds among the events that start inside a
    STEPS_LABEL range, and the seconds those ranges span."""
    from lab.training.loop import STEPS_LABEL

    windows = [(e.time_range.start, e.time_range.end) for e in events if e.name == STEPS_LABEL]
    inside = [e for e in events if e.name != STEPS_LABEL and any(a <= e.time_range.start < b for a, b in windows)]
    names = [e.name for e in inside]
    return {"aten_ops": sum(name.startswith("aten::") for name in names),
            "kernel_launches": sum(name in LAUNCHES for name in names),
            "host_waits": sum(name in WAITS for name in names),
            "device_busy_s": device_busy_us(inside) / 1e6,
            "steps_s": sum(b - a for a, b in windows) / 1e6}


def device_busy_us(events) -> float:
    """Kernel time: the device's own events where the profiler lists them, else what the CPU ops launched
    (never both, which would count each kernel twice)."""
    from torch.autograd import DeviceType

    kernels = [e for e in events if e.device_type == DeviceType.CUDA]
    if kernels:
        return sum(e.time_range.elapsed_us() for e in kernels)
    return sum(e.self_device_time_total for e in events if e.device_type == DeviceType.CPU)


def profile_line(run: dict, args) -> str:
    """Per-step counts. Kernel launches and host waits only on a GPU: on CPU there are no launches, and torch's CPU
    fused AdamW reads each parameter's step count as a scalar (105 'waits' per step for MiniLM) without waiting."""
    passes = run.get("passes", args.epochs)  # the lab side's passes can differ (--lab-set min_steps=...)
    steps = math.ceil(run["examples"] / passes / args.batch_size) * passes
    counts = run["profile"]
    keys = ("aten_ops", "kernel_launches", "host_waits") if counts["kernel_launches"] else ("aten_ops",)
    line = ", ".join(f"{counts[key] / steps:.0f} {key.replace('_', ' ')}" for key in keys)
    busy = f"; device busy {counts['device_busy_s']:.1f} of {counts['steps_s']:.1f} s" if counts["kernel_launches"] else ""
    return f"per training step {line}{busy}; op tables under {args.profile}"
