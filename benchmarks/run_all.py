"""Issue 6's figures: wall time and peak memory of `lab run all` for a profile, in a scratch folder.

    python benchmarks/run_all.py                 # default profile (about 20 minutes on 2 CPU cores)
    python benchmarks/run_all.py quick           # quick profile
    python benchmarks/run_all.py quick train_sizes=100,300,1000,all
    python benchmarks/run_all.py --workdir /tmp/rep   # keep runs/ and reports/ there (the committed report)

Peak memory is the largest resident set of the `lab` process (getrusage of the finished child).
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path


def main(profile: str, overrides: list[str], workdir: str | None) -> None:
    with (nullcontext(workdir) if workdir else tempfile.TemporaryDirectory()) as folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "lab", "run", "all", "--profile", profile, *overrides],
                                cwd=folder, capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
        seconds = time.perf_counter() - began
        peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20  # Linux reports KiB
        print(result.stdout.strip())
        if result.returncode:
            print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "", file=sys.stderr)
        print(f"lab run all --profile {profile} {' '.join(overrides)}: exit {result.returncode}, "
              f"{seconds // 60:.0f} min {seconds % 60:.0f} s wall, peak RSS {peak_gib:.2f} GiB")
        table = Path(folder) / "reports" / "bbc-news" / "comparison.md"
        if table.is_file():
            lines = table.read_text().splitlines()
            start = next(i for i, line in enumerate(lines) if line.startswith("| Recipe |"))
            end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
            print("\n".join(lines[start:end]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", nargs="?", default="default")
    parser.add_argument("overrides", nargs="*", metavar="key=value")
    parser.add_argument("--workdir", help="run in this folder and keep its runs/ and reports/ (default: a scratch "
                        "folder, removed afterwards)")
    args = parser.parse_args()
    main(args.profile, args.overrides, args.workdir)
