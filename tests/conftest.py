import os
import socket
import sys
from pathlib import Path

import pytest

# Tests never reach the Hub: fail fast instead of waiting on the network. Forced, not defaulted: a user's exported
# HF_HUB_OFFLINE=0 must not send the suite to the network. A test that needs them unset builds its own environment.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ASSETS = Path(__file__).resolve().parent / "assets"


@pytest.fixture
def tiny_csv() -> str:
    return str(ASSETS / "tiny.csv")


def free_port() -> int:
    """A port nothing listens on now: two suites on one machine must not both rendezvous on accelerate's 29500."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def two_process_lab_run(*lab_run_args: str) -> list[str]:
    """`accelerate launch` of `lab run ...` on 2 processes. accelerate 1.x: `--cpu` alone starts ONE process;
    `--multi_gpu` is its torchrun launcher, which on a machine without GPUs gives 2 gloo CPU processes."""
    return [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
            "--num_machines", "1", "--main_process_port", str(free_port()), "--mixed_precision", "no",
            "--dynamo_backend", "no", "-m", "lab", "run", *lab_run_args]


@pytest.fixture
def cpu_processes_env() -> dict:
    """For launching 2-process CPU runs: the repo importable, GPUs hidden (else the processes would share one GPU),
    one torch thread per process."""
    path = os.pathsep.join(filter(None, [str(ASSETS.parent.parent), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}


@pytest.fixture(autouse=True)
def close_figures():
    """Recipes return open matplotlib figures for the runner to save; tests that call run() directly close them."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def held_out_accuracy(predict_probabilities, label_names: list[str]) -> float:
    """Accuracy on tests/assets/tiny_heldout.csv: 20 new sentences (10 a class) in the tiny corpus's words. The
    tiny test split has 4 rows, which a coin-flipping model gets all right one time in 16; 18 of these 20 it
    gets one time in 5,000."""
    import csv

    import numpy as np

    with (ASSETS / "tiny_heldout.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    predicted = np.asarray(predict_probabilities([row["text"] for row in rows])).argmax(axis=1)
    return float(np.mean([label_names[p] == row["label"] for p, row in zip(predicted, rows)]))


def tiny_config(recipe: str, **overrides):
    """A recipe's tiny.yaml config with key=value overrides, built exactly as `lab run` builds it."""
    return variant_config(recipe, "tiny", **overrides)


def default_config(recipe: str, **overrides):
    """A recipe's default.yaml config with key=value overrides: what `lab run <recipe>` uses."""
    return variant_config(recipe, "default", **overrides)


def variant_config(recipe: str, variant: str, **overrides):
    from lab.config import build, read_variant
    from lab.registry import load_recipe

    return build(load_recipe(recipe).Config, read_variant(recipe, variant), {k: str(v) for k, v in overrides.items()})


@pytest.fixture
def one_thread(monkeypatch):
    """Tiny models are all overhead: one thread is fastest, and two thrash on a shared 2-core machine."""
    import torch

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
