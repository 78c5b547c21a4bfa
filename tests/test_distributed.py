"""lab.training.distributed.end_process_group: the exit a distributed launch takes after every command."""

import os
import subprocess
import sys
from pathlib import Path

from lab.training.distributed import end_process_group

ROOT = Path(__file__).resolve().parent.parent

ONE_PROCESS_GROUP = """
import atexit, sys
import torch.distributed as dist
from lab.training.distributed import end_process_group
dist.init_process_group("gloo", init_method="file://" + sys.argv[2], rank=0, world_size=1)
atexit.register(lambda: print("interpreter teardown ran"))
print("written before the exit", end="")  # unflushed: the exit must flush it
end_process_group(int(sys.argv[1]))
print("not reached")
"""


LAUNCHED_WITHOUT_A_GROUP = """
import sys
import torch.distributed
from lab.training.distributed import end_process_group
end_process_group(int(sys.argv[1]))
print("returned", end="")
"""


def test_without_a_process_group_it_returns():
    assert end_process_group(2) is None  # no torch.distributed group in this process: a plain return, no exit


def test_under_a_launcher_but_without_a_process_group_it_returns(tmp_path):
    """e.g. `accelerate launch -m lab report`: a command that trained nothing started no group, so it must not exit."""
    env = {**os.environ, "WORLD_SIZE": "2"}
    done = subprocess.run([sys.executable, "-c", LAUNCHED_WITHOUT_A_GROUP, "2"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "returned", done.stderr[-2000:]


def run_group(tmp_path, status: int, launched: bool) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "WORLD_SIZE"}
    if launched:
        env["WORLD_SIZE"] = "1"  # what torchrun / accelerate launch set
    command = [sys.executable, "-c", ONE_PROCESS_GROUP, str(status), str(tmp_path / f"group-{status}-{launched}")]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_under_a_launcher_it_ends_the_group_and_exits_with_the_status_skipping_teardown(tmp_path):
    for status in (0, 2):
        done = run_group(tmp_path, status, launched=True)
        assert done.returncode == status, done.stderr[-2000:]
        assert done.stdout == "written before the exit"


def test_a_group_this_process_started_itself_is_left_alone(tmp_path):
    done = run_group(tmp_path, 2, launched=False)  # e.g. a test that built a group: no exit in mid-suite
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "written before the exitnot reached\ninterpreter teardown ran\n"
