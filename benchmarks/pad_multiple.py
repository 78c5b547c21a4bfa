"""Issue 24: does padding each batch to a multiple of k tokens make MiniLM's CPU steps faster and smaller?

    flock /tmp/lab-bench.lock python benchmarks/pad_multiple.py [--variants none,8,16,32,64] [--steps 120] [--fp32]

Each variant runs in a fresh process (so its resident memory is its own): MiniLM with a 35-class head, AdamW,
`--steps` training steps of batch 16 at random lengths 8-64 tokens (short texts under the quick profile's
max_length 64), then 150 inference batches of 64, all under bf16 autocast (the lab's path on CPUs with native bf16;
--fp32 turns it off). A variant k pads each batch's length up to a multiple of k (64: every batch at 64; none:
each batch at its own length, the lab's CPU behaviour before). It prints the seconds and the resident MB after the
steps and after inference: oneDNN builds and caches kernels per shape, so the number of distinct lengths matters.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def resident_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def padded(length: int, multiple: int | None) -> int:
    return length if multiple is None else -(-length // multiple) * multiple


def one_variant(multiple: int | None, steps: int, bf16: bool) -> dict:
    import numpy as np
    import torch

    from lab.models.hf import load_classifier

    torch.set_num_threads(2)
    model, _ = load_classifier("minilm-l6", [str(i) for i in range(35)], False, "single_label",
                               {"attention": 0.0, "hidden": None})
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    rng, began, loaded = np.random.default_rng(0), time.perf_counter(), resident_mb()
    for _ in range(steps):
        ids = torch.randint(1000, 20000, (16, padded(int(rng.integers(8, 65)), multiple)))
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(input_ids=ids).logits.float()
        torch.nn.functional.cross_entropy(logits, torch.randint(0, 35, (16,))).backward()
        optimizer.step()
        optimizer.zero_grad()
    trained, train_seconds = resident_mb(), time.perf_counter() - began
    model.eval()
    began = time.perf_counter()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for _ in range(150):
            model(input_ids=torch.randint(1000, 20000, (64, padded(int(rng.integers(8, 65)), multiple))))
    return {"pad": multiple or "none", "train_s": round(train_seconds, 1), "infer_s": round(time.perf_counter() - began, 1),
            "loaded_mb": round(loaded), "after_steps_mb": round(trained), "after_inference_mb": round(resident_mb())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="none,8,16,32,64")
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--fp32", action="store_true", help="no bf16 autocast")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process: run this one variant, print JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_variant(None if args.one == "none" else int(args.one), args.steps, not args.fp32)))
        return
    print(f"| pad to | {args.steps} steps s | 150 inference batches s | MB loaded | after steps | after inference |")
    print("|---|---|---|---|---|---|")
    for variant in args.variants.split(","):
        command = [sys.executable, __file__, "--one", variant, "--steps", str(args.steps)] + ["--fp32"] * args.fp32
        row = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        print(f"| {row['pad']} | {row['train_s']} | {row['infer_s']} | {row['loaded_mb']} | {row['after_steps_mb']} | "
              f"{row['after_inference_mb']} |", flush=True)


if __name__ == "__main__":
    main()
