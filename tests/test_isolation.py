"""The suite's own environment: it never reaches the Hub, whatever the user exported."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import os
def test_probe():
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["HF_DATASETS_OFFLINE"] == "1"
"""


def test_an_exported_hf_hub_offline_0_does_not_send_the_suite_to_the_network(tmp_path):
    """conftest forces the offline switches; a setdefault would keep the user's 0 and let tests go online.
    The probe loads tests/conftest.py as a plugin, as the suite does."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    env = {**os.environ, "HF_HUB_OFFLINE": "0", "HF_DATASETS_OFFLINE": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                           str(probe)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


def test_the_two_process_launch_names_a_port_nothing_listens_on():
    """accelerate's default 29500 collides when two suites run on one machine."""
    import socket

    from tests.conftest import two_process_lab_run

    command = two_process_lab_run("classical")
    port = int(command[command.index("--main_process_port") + 1])
    assert port != 29500
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # free: binding succeeds
