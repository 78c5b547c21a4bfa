import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lab(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "lab", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_help_is_fast_because_heavy_libraries_load_lazily():
    began = time.perf_counter()
    result = lab("--help")
    assert result.returncode == 0 and "lab run" in result.stdout
    assert time.perf_counter() - began < 2.0
    probe = "import sys, lab.cli, lab.registry; lab.registry.listing(); print(sorted({'torch', 'transformers', 'sklearn', 'datasets'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT).stdout.strip() == "[]"


def test_ls_lists_recipes_configs_and_datasets():
    result = lab("ls")
    assert result.returncode == 0
    assert "classical" in result.stdout and "default, quick, tiny" in result.stdout and "bbc-news" in result.stdout


def test_ls_recipe_lists_each_key_with_its_default_config_value_and_what_it_accepts():
    result = lab("ls", "transformer")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in result.stdout.splitlines()[2:]}
    assert rows["max_length"][0] == "256" and rows["max_length"][1].startswith("int >= 1")
    assert rows["long_documents"][1].startswith("truncate|chunks")
    assert rows["trust_remote_code"][0] == "false" and rows["threads"][0] == "null"
    assert "never run a model repository's own code" in rows["trust_remote_code"][1]
    assert rows["seed"][1].startswith("int >= 0") and "warmup_ratio" in rows and "dataset" in rows
    lstm = lab("ls", "lstm").stdout
    assert "dropout            0.2            float in [0, 1)" in lstm


@pytest.mark.parametrize("args, message", [
    (["run", "classical", "dataset=missing.csv"], "dataset file 'missing.csv' not found"),
    (["run", "classical", "dataset=book.xlsx"], "unsupported dataset"),
    (["run", "classical", "dataset=tests/assets/tiny.csv", "text_column=body"], "columns present: text, label"),
    (["run", "classical", "seed=abc"], "seed=abc is not a valid int"),
    (["run", "classical", "seed=-1"], "seed=-1: must be >= 0; give e.g. seed=42"),
    (["run", "bow_ffn", "dropout=1.5"], "dropout=1.5: must be in [0, 1)"),
    (["run", "classical", "colour=red"], "unknown override key 'colour'"),
    (["run", "classical", "--config", "huge"], "config 'huge' not found"),
    (["run", "nosuchrecipe"], "unknown recipe 'nosuchrecipe'"),
    (["run", "all", "--config", "tiny"], "for the whole progression use --profile (lab run all --profile tiny)"),
    (["run", "classical", "--profile", "quick"], "for one recipe use --config (lab run classical --config quick)"),
    (["ls", "nosuchrecipe"], "unknown recipe 'nosuchrecipe'"),
    (["run", "transformer", "model=no-such-org/no-such-model"], "could not load model 'no-such-org/no-such-model'"),
    (["run", "classical", "text_column=body"], "text_column set, but 'bbc-news' is a folder"),
    (["run", "classical", "dataset=someone/private-set"], "Hub cannot be reached"),
    (["report", "--runs-dir", "does-not-exist"], "no run records"),
])
def test_bad_input_is_one_line_exit_2_and_no_traceback(args, message, tmp_path):
    result = lab(*args, *{"run": [f"runs_dir={tmp_path}"], "report": ["--dataset=x"]}.get(args[0], []))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    # the data layer's notes (bbc-news: its repeated articles were dropped) come first, each on a "note: " line
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("note: ")]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert not any(tmp_path.rglob("record.json"))


def test_an_unwritable_runs_dir_or_report_folder_fails_before_any_work(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    runs = tmp_path / "runs"
    assert lab("run", "classical", "--config", "tiny", "dataset=tests/assets/tiny.csv", f"runs_dir={runs}").returncode == 0
    for args in (["run", "classical", "--config", "tiny", "dataset=tests/assets/tiny.csv", f"runs_dir={blocker}"],
                 ["run", "all", "--profile", "tiny", "dataset=tests/assets/tiny.csv", f"runs_dir={blocker}"],
                 ["report", "--runs-dir", str(runs), "--out", str(blocker / "report")]):
        result = lab(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith(f"error: cannot create the folder {blocker}") and "writable" in last, result.stderr
        assert "== classical" not in result.stderr  # run all stopped before its first recipe


def test_run_then_report_end_to_end(tmp_path):
    result = lab("run", "classical", "--config", "tiny", "dataset=tests/assets/tiny.csv", f"runs_dir={tmp_path}")
    assert result.returncode == 0, result.stderr
    run_folder = Path(result.stdout.strip().splitlines()[-1])
    assert (run_folder / "record.json").is_file() and run_folder.parent.name == "classical"
    report = lab("report", "--runs-dir", str(tmp_path), "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    table = (tmp_path / "report" / "comparison.md").read_text()
    assert table.count("| classical | tfidf_") == 3


@pytest.fixture
def unreachable_endpoint(monkeypatch):
    """HF_ENDPOINT at a local port that accepts connections and never answers, and no HF_*_OFFLINE variable."""
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()  # the kernel accepts the connection; nothing ever replies
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_a_hub_id_fails_after_the_probe_without_asking_datasets(unreachable_endpoint, monkeypatch):
    """The probe, not datasets' ~24 s of retries, decides: load_dataset is never called, and the error comes
    after the probe's 2 s timeout (bounded loosely: the suite may share the machine)."""
    import datasets
    from huggingface_hub import constants

    from lab.data.sources import HUB_PROBE_SECONDS, read_source
    from lab.errors import LabError

    monkeypatch.setattr(constants, "ENDPOINT", unreachable_endpoint)  # read at import; the env var is for the CLI
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: pytest.fail("the Hub was asked"))
    began = time.perf_counter()
    with pytest.raises(LabError, match="Hub cannot be reached"):
        read_source("someone/some-dataset", None, None, "utf-8")
    assert time.perf_counter() - began < HUB_PROBE_SECONDS + 3


def test_a_hub_id_with_an_unreachable_endpoint_is_one_line_exit_2_through_the_cli(unreachable_endpoint, tmp_path):
    import os

    result = subprocess.run([sys.executable, "-m", "lab", "run", "classical", "dataset=someone/some-dataset",
                             f"runs_dir={tmp_path}"], capture_output=True, text=True, cwd=ROOT, env=dict(os.environ),
                            timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: 'someone/some-dataset' is not a local file")
