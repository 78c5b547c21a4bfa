"""Wall time and macro-F1 of `lab run transformer` (a config of choice, default: default) on bbc-news.

    flock /tmp/lab-bench.lock python benchmarks/transformer_bbc.py [--config quick] [key=value ...]

Issue 5's figures: macro-F1 >= 0.98 with the default config on CPU, and its wall time on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="default")
    parser.add_argument("overrides", nargs="*", metavar="key=value")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as runs:
        began = time.perf_counter()
        command = [sys.executable, "-m", "lab", "run", "transformer", "--config", args.config, f"runs_dir={runs}",
                   "progress=false", *args.overrides]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - began
        if done.returncode != 0:
            sys.exit(done.stderr[-3000:])
        run = Path(done.stdout.strip().splitlines()[-1])
        record = json.loads((run / "record.json").read_text())
    [model] = record["models"]
    print(f"lab run transformer --config {args.config} {' '.join(args.overrides)}")
    print(f"  wall time (whole command, incl. imports and data) {wall:.1f} s")
    print(f"  train seconds (load model, tokenize, train, validate) {model['efficiency']['train_seconds']:.1f}")
    print(f"  epochs run {len(model['history'])}; per epoch val macro-F1 "
          f"{[round(h['val_macro_f1'], 4) for h in model['history']]}")
    print(f"  test accuracy {model['metrics']['accuracy']:.4f}  macro-F1 {model['metrics']['macro_f1']:.4f}  "
          f"(95% CI {model['metrics']['macro_f1_ci'][0]:.4f}-{model['metrics']['macro_f1_ci'][1]:.4f})")
    print(f"  inference {model['efficiency']['examples_per_second']:.1f} ex/s; notes: {'; '.join(record['notes'])}")


if __name__ == "__main__":
    main()
