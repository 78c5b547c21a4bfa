"""Issue 24: does the quick lstm need Word2Vec over every training text, at 100,000 short texts?

    flock /tmp/lab-bench.lock python benchmarks/lstm_w2v_cap.py [--size 100000] [--caps none,20000,10000]

The quick lstm's Word2Vec (one thread, for reproducibility) read all 79k training texts of scaling.py's 100k CSV:
19-31 s of the lstm's 68-83 s there. `w2v_max_texts=N` learns the vectors from a seeded sample of N training
texts; the vocabulary and the network still see every text. Each cap is one `lab run lstm --config quick` in a
subprocess on the same seeded sample of benchmarks/corpora.short_texts (scaling.py's CSV of that size), and the
script prints its wall, its setup (Word2Vec and the vocabulary) and steps seconds from the record, and the test
macro-F1. The quick lstm trains for a 45-s budget, so a faster machine buys more steps: compare caps within one
run of this script only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpora import short_texts  # noqa: E402
from benchmarks.scaling import sample  # noqa: E402


def run_cap(path: Path, cap: str, work: Path) -> dict:
    runs = work / f"runs_{cap}"
    command = [sys.executable, "-m", "lab", "run", "lstm", "--config", "quick", f"dataset={path}",
               f"runs_dir={runs}", "progress=false", *([] if cap == "none" else [f"w2v_max_texts={cap}"])]
    began = time.perf_counter()
    subprocess.run(command, check=True, cwd=work, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - began
    record = json.loads(next(runs.glob("*/*/*/record.json")).read_text())
    figures, model = record["figures"], record["models"][0]
    return {"cap": cap, "wall": wall, "setup": figures["seconds_in_setup"],
            "steps": figures["seconds_in_training_steps"], "optimizer_steps": figures.get("optimizer_steps"),
            "macro_f1": model["metrics"]["macro_f1"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--caps", default="none,20000,10000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        path = sample(short_texts(work), args.size, work)
        print("| w2v_max_texts | wall s | setup s | steps s | optimizer steps | test macro-F1 % |")
        print("|---|---|---|---|---|---|")
        for cap in args.caps.split(","):
            row = run_cap(path, cap, work)
            print(f"| {row['cap']} | {row['wall']:.1f} | {row['setup']:.1f} | {row['steps']:.1f} | "
                  f"{row['optimizer_steps']} | {100 * row['macro_f1']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
