"""Ending a distributed launch (`accelerate launch`, torchrun) cleanly. Imports nothing heavy: the CLI calls it
after every command, and only a command that trained can have started a process group."""

from __future__ import annotations

import os
import sys


def end_process_group(status: int) -> None:
    """Under a distributed launch: wait for every process, end the process group and exit now with `status`.

    The wait keeps a process from exiting while rank 0 still writes the run; torchrun takes an early exit as the
    end of the job. The exit skips the interpreter's teardown, because gloo's threads abort the process there
    now and then ('terminate called without an active exception', SIGABRT), even after destroy_process_group:
    1 of 40 two-process runs of tests/train_worker.py on a busy 2-core machine, and 0 of 40 with the early exit.
    torchrun then reports a finished run as failed. Returns at once unless a launcher started this process
    (it sets WORLD_SIZE) and a process group is running: a test runner must never exit here.
    """
    distributed = sys.modules.get("torch.distributed")
    if "WORLD_SIZE" not in os.environ or distributed is None or not distributed.is_available():
        return
    if not distributed.is_initialized():
        return
    if status == 0:  # a failed process stops here; torchrun stops the others, which must not wait for it
        distributed.barrier()
    distributed.destroy_process_group()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
