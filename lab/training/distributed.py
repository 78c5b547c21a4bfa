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
    benchmarks/two_process_exits.py counts such exits (tests/train_worker.py before this: 1 of 20 runs beside two
    busy processes; with it, 0 of 20).
    torchrun then reports a finished run as failed. Returns at once unless a launcher started this process
    (it sets WORLD_SIZE) and a process group is running: a test runner must never exit here.
    """
    distributed = sys.modules.get("torch.distributed")
    launched = "WORLD_SIZE" in os.environ and distributed is not None and distributed.is_available()
    if not (launched and distributed.is_initialized()):
        return
    if status == 0:  # a failed process stops here; torchrun stops the others, which must not wait for it
        distributed.barrier()
    distributed.destroy_process_group()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
