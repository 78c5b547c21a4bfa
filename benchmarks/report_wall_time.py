"""How long does `lab report` take on a set of real runs? Wall time of the whole command (a fresh process, imports
included), the median of several repeats, for one checkout of lab or several (to compare before and after a change).

    lab run all --profile quick runs_dir=/tmp/report-runs   # once, to have real runs
    python benchmarks/report_wall_time.py --runs-dir /tmp/report-runs [--repeats 5] [--code . /tmp/old-checkout]

Each repeat writes the report into a fresh temporary folder, so no run finds the previous one's files.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall_times(code: Path, runs_dir: Path, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "lab", "report", "--runs-dir", str(runs_dir), "--out", out],
                           cwd=code, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-dir", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--code", type=Path, nargs="+", default=[Path(".")], help="checkouts of lab to time")
    args = parser.parse_args()
    for code in args.code:
        times = wall_times(code.resolve(), args.runs_dir.resolve(), args.repeats)
        print(f"{str(code):<28} median {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f},"
              f" {len(times)} repeats)")


if __name__ == "__main__":
    main()
