"""What a run ran on: package versions, device and git revision, recorded so a result can be reproduced."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("lab", "torch", "transformers", "datasets", "evaluate", "accelerate", "scikit-learn", "gensim", "numpy")


def describe_environment() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": machine_description(),
        "device": device_description(),
        "packages": {name: package_version(name) for name in PACKAGES},
        "git_sha": git_sha(),
    }


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine_description() -> str:
    import psutil

    cpu = cpu_model() or platform.processor() or platform.machine()
    memory = psutil.virtual_memory().total / 2**30
    return f"{cpu}, {os.cpu_count()} CPU cores, {memory:.0f} GiB RAM"


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def device_description() -> str:
    torch = sys.modules.get("torch")  # a recipe that used torch has imported it; others ran on the CPU
    if torch is not None and torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)} x{torch.cuda.device_count()})"
    return "cpu"


def git_sha() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
