"""How often a finished 2-process CPU run exits non-zero: tests/train_worker.py (train, gather, write) under
torchrun, N times, optionally beside processes that keep the cores busy (the aborts came under load).

    python benchmarks/two_process_exits.py --runs 30 --busy 2
    git show 9685ed7:tests/train_worker.py > /tmp/old_worker.py   # the worker before lab/distributed.py
    python benchmarks/two_process_exits.py --runs 30 --busy 2 --worker /tmp/old_worker.py
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def launch(worker: Path, out: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               str(worker), out]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning on the CPU meanwhile")
    parser.add_argument("--worker", type=Path, default=ROOT / "tests" / "train_worker.py")
    args = parser.parse_args()
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    failures = []
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory() as out:
                done = launch(args.worker, out)
            if done.returncode != 0:
                aborted = "terminate called without an active exception" in done.stderr
                failures.append(f"run {run + 1}: exit {done.returncode}{' (SIGABRT at exit)' if aborted else ''}")
    finally:
        for spinner in spinners:
            spinner.kill()
    print(f"{args.worker}: {len(failures)} of {args.runs} two-process runs exited non-zero "
          f"({args.busy} busy processes beside them)")
    for line in failures:
        print(f"  {line}")


if __name__ == "__main__":
    main()
