"""lab.distributed.end_process_group: the exit a distributed launch takes after every command."""

import subprocess
import sys
from pathlib import Path

from lab.distributed import end_process_group

ROOT = Path(__file__).resolve().parent.parent

ONE_PROCESS_GROUP = """
import atexit, sys
import torch.distributed as dist
from lab.distributed import end_process_group
dist.init_process_group("gloo", init_method="file://" + sys.argv[2], rank=0, world_size=1)
atexit.register(lambda: print("interpreter teardown ran"))
print("written before the exit", end="")  # unflushed: the exit must flush it
end_process_group(int(sys.argv[1]))
print("not reached")
"""


def test_without_a_process_group_it_returns():
    end_process_group(0)  # no torch.distributed group in this process: a plain return, no exit


def test_it_ends_the_group_and_exits_with_the_status_skipping_teardown(tmp_path):
    for status in (0, 2):
        command = [sys.executable, "-c", ONE_PROCESS_GROUP, str(status), str(tmp_path / f"group-{status}")]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == status, done.stderr[-2000:]
        assert done.stdout == "written before the exit"
