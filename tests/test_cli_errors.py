"""Every bad input the lab checks for, through the command line: exit status 2, one `error: ...` line that names
the problem and the fix, and no traceback. (tests/test_cli.py covers the config keys' own checks.)"""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = "tests/assets/tiny.csv"

# `python -m lab` with the Hub answering from memory: load_dataset returns the splits named in LAB_HUB_SPLITS,
# each holding the tiny corpus, so the data layer's split checks run as they would on a real Hub dataset.
HUB = """
import csv, os, runpy, sys
import datasets
from datasets import ClassLabel, Dataset, DatasetDict, Features, Value
import lab.data.sources as sources

rows = list(csv.DictReader(open("tests/assets/tiny.csv", newline="")))
features = Features({"text": Value("string"), "label": ClassLabel(names=["cooking", "sport"])})
split = Dataset.from_dict({"text": [r["text"] for r in rows], "label": [r["label"] == "sport" for r in rows]},
                          features=features)
datasets.load_dataset = lambda spec, config=None: DatasetDict({name: split for name in os.environ["LAB_HUB_SPLITS"].split(",")})
sources.hub_reachable = lambda timeout=None: True
sys.argv = ["lab", *sys.argv[1:]]
runpy.run_module("lab", run_name="__main__", alter_sys=True)
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The broken files, folders and run records the cases below point at."""
    root = tmp_path_factory.mktemp("inputs")
    (root / "bad.yaml").write_text("epochs: [1, 2\n")
    (root / "list.yaml").write_text("- epochs\n- 2\n")
    for name in ("cooking", "sport"):
        (root / "empty-classes" / name).mkdir(parents=True)  # class folders without a single .txt
    (root / "broken.json").write_text('{"text": "unclosed')
    with (ROOT / TINY).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    few = [r for r in rows if r["label"] == "cooking"][:10] + [r for r in rows if r["label"] == "sport"][:10]
    with (root / "twenty.csv").open("w", newline="") as handle:  # a test split of 2: one per class
        writer = csv.DictWriter(handle, ["text", "label"])
        writer.writeheader()
        writer.writerows(few)
    (root / "two-words.txt").write_text("2 3\ncoach 0.1 0.2 0.3\noven 0.3 0.2 0.1\n")
    for recipe in ("nosuchrecipe", "topics", "transformer"):
        run_record(root / "runs" / recipe, recipe)
    run_record(root / "subsets" / "tiny" / "classical" / "2026-01-01", "classical", train_size=10)
    return root


def run_record(folder: Path, recipe: str, train_size=None) -> None:
    """A run folder whose record names one saved model, and whose models/ folder holds nothing loadable."""
    (folder / "models" / "m").mkdir(parents=True)
    record = {"recipe": recipe, "run_id": folder.name, "created": "2026-01-01T00:00:00", "train_size": train_size,
              "dataset": {"name": "tiny", "fingerprint": "f", "label_names": ["cooking", "sport"]},
              "models": [{"name": "m", "metrics": {"macro_f1": 0.5, "accuracy": 0.5}}]}
    (folder / "record.json").write_text(json.dumps(record))


DATA = f"dataset={TINY}"
CASES = {
    "config: bad YAML": (["run", "classical", "--config", "{in}/bad.yaml"], "is not valid YAML"),
    "config: not a mapping": (["run", "classical", "--config", "{in}/list.yaml"], "must hold a mapping of key: value"),
    "predict: unknown recipe": (["predict", "{in}/runs/nosuchrecipe", "a text"],
                                "made by recipe 'nosuchrecipe', which this lab does not have"),
    "predict: no reloadable models": (["predict", "{in}/runs/topics", "a text"],
                                      "recipe 'topics' cannot reload its models for prediction"),
    "hf: no saved transformer": (["predict", "{in}/runs/transformer", "a text"],
                                 "holds no saved transformer (config.json); give a run's models/<name> folder"),
    "export: not a transformer run": (["export", "{in}/runs/topics", "--onnx"],
                                      "is a topics run; `lab export --onnx` exports a fine-tuned transformer"),
    "export: no saved transformer": (["export", "{in}/runs/transformer", "--onnx"],
                                     "holds no saved transformer (config.json); rerun `lab run transformer`"),
    "train: fp16 on cpu": (["run", "bow_ffn", "--config", "tiny", DATA, "mixed_precision=fp16"],
                           "mixed_precision=fp16 needs a CUDA GPU; use mixed_precision=bf16 or no on CPU"),
    "cli: every recipe failed": (["run", "all", "--profile", "tiny", DATA, "mixed_precision=fp16", "models=nope",
                                  "lda_alpha=abc"], "every recipe failed (see the messages above)"),
    "report: only data-efficiency runs": (["report", "--runs-dir", "{in}/subsets", "--out", "{out}/report"],
                                          "only data-efficiency runs were found"),
    "progression: unknown profile": (["run", "all", "--profile", "huge"], "unknown profile 'huge'; choose one of"),
    "sources: empty class folders": (["run", "classical", "dataset={in}/empty-classes"],
                                     "holds no <class>/*.txt files"),
    "sources: unknown encoding": (["run", "classical", DATA, "encoding=klingon"], "unknown encoding 'klingon'"),
    "sources: unparseable file": (["run", "classical", "dataset={in}/broken.json"],
                                  "broken.json as json"),
    "kmeans: k_min above k_max": (["run", "topics", "--config", "tiny", "k_min=6", "k_max=3"],
                                  "k_min=6 is above k_max=3; give k_min <= k_max"),
    "data: no validation or test split": (["run", "classical", "dataset=someone/train-only"],
                                          "the dataset has no labelled validation or test split"),
    "data: no train split": (["run", "classical", "dataset=someone/test-only"],
                             "Hub dataset 'someone/test-only' has no train split"),
    "classical: unknown model": (["run", "classical", "--config", "tiny", DATA, "models=tfidf_nb,nope"],
                                 "unknown classical model(s) nope; choose from"),
    "lstm: vectors file missing": (["run", "lstm", "--config", "tiny", DATA, "embedding_init=file"],
                                   "embedding_init=file needs vectors_path="),
    "transformer: max_length": (["run", "transformer", "--config", "tiny", DATA, "max_length=4"],
                                "max_length=4 must be >= 8 tokens"),
    "topics: prior": (["run", "topics", "--config", "tiny", "lda_eta=lots"], "lda_eta='lots' is not a prior"),
    "topics: words without vectors": (["run", "topics", "--config", "tiny", "word_vectors={in}/two-words.txt"],
                                      "only 2 vocabulary words have a vector; give word_vectors="),
    "topics: too few documents": (["run", "topics", "--config", "tiny", "dataset={in}/twenty.csv",
                                   "doc_split=test"], "doc_split=test has 2 documents, too few to cluster into 2"),
    "topics_steps: empty vocabulary": (["run", "topics", "--config", "tiny", "no_above=0.01"],
                                       "the vocabulary has 0 word(s) after preprocessing and filtering"),
}
HUB_SPLITS = {"data: no validation or test split": "train", "data: no train split": "test"}
RECIPE_ERRORS = {"cli: every recipe failed": 5}  # run all reports each recipe's failure, then gives up


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_input_is_one_error_line_and_exit_2(case, inputs, tmp_path):
    args, message = CASES[case]
    args = [arg.format(**{"in": inputs, "out": tmp_path}) for arg in args]
    if args[0] == "run":
        args.append(f"runs_dir={tmp_path}/runs")
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}  # fp16 must meet a CPU
    command = [sys.executable, "-m", "lab", *args]
    if case in HUB_SPLITS:
        env = {k: v for k, v in env.items() if k not in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")}
        env["LAB_HUB_SPLITS"] = HUB_SPLITS[case]
        command = [sys.executable, "-c", HUB, *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 + RECIPE_ERRORS.get(case, 0), done.stderr[-3000:]
    assert errors[-1] == done.stderr.strip().splitlines()[-1] and message in errors[-1], done.stderr[-3000:]
    assert not list((tmp_path / "runs").rglob("record.json"))
