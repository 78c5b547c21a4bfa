"""Issue 2's figures: `lab --help` / `lab ls` start-up time, and `lab run classical` + `lab report` on bbc-news.

    python benchmarks/classical_bbc.py
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "lab", *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - began, result


def main() -> None:
    for command in (["--help"], ["ls"]):
        seconds = [timed(*command)[0] for _ in range(5)]
        print(f"lab {' '.join(command):<8} median {statistics.median(seconds):.2f}s  max {max(seconds):.2f}s (5 runs)")
    with tempfile.TemporaryDirectory() as runs_dir:
        seconds, result = timed("run", "classical", f"runs_dir={runs_dir}")
        run_folder = Path(result.stdout.strip().splitlines()[-1])
        print(f"lab run classical: {seconds:.1f}s wall (including start-up, data loading and evaluation)")
        record = json.loads((run_folder / "record.json").read_text())
        for model in record["models"]:
            m, e = model["metrics"], model["efficiency"]
            print(f"  {model['name']:<13} accuracy {m['accuracy']:.4f}  macro-F1 {m['macro_f1']:.4f} "
                  f"[{m['macro_f1_ci'][0]:.3f}, {m['macro_f1_ci'][1]:.3f}]  train {e['train_seconds']:.2f}s  "
                  f"{e['examples_per_second']:,.0f} ex/s")
        report_seconds, _ = timed("report", "--runs-dir", runs_dir, "--out", str(Path(runs_dir) / "report"))
        rows = (Path(runs_dir) / "report" / "comparison.csv").read_text().strip().splitlines()[1:]
        print(f"lab report: {report_seconds:.1f}s, {len(rows)} rows; best macro-F1 "
              f"{max(m['metrics']['macro_f1'] for m in record['models']):.4f}")


if __name__ == "__main__":
    main()
