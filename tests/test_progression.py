import json
import re
import types
from pathlib import Path

import pytest

from lab import progression, runs
from lab.errors import LabError
from lab.registry import recipe_names
from lab.report.build import build_reports


def test_all_runs_every_recipe_on_one_split_and_reports_every_section(tmp_path, tiny_csv):
    outcomes = progression.run_all("tiny", [f"dataset={tiny_csv}", f"runs_dir={tmp_path}"])
    assert [o.recipe for o in outcomes] == recipe_names()
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes if o.error]
    records = [json.loads((o.path / "record.json").read_text()) for o in outcomes]
    assert len({r["dataset"]["fingerprint"] for r in records}) == 1
    build_reports(tmp_path, tmp_path / "report")
    markdown = (tmp_path / "report" / "comparison.md").read_text()
    for section in ("| Recipe | Model | Family |", "## Cost versus quality", "## Per-class F1", "## Confusion matrices"):
        assert section in markdown
    classifier_rows = sum(len(r["models"]) for r in records)
    assert markdown.count("](") >= 2 and classifier_rows >= 3
    if any(m["history"] for r in records for m in r["models"]):
        assert "## Learning curves" in markdown
    if "topics" in recipe_names():
        assert "## topics" in markdown


def test_a_failing_recipe_leaves_the_others_and_a_complete_report(tmp_path, tiny_csv, monkeypatch):
    real = runs.load_recipe

    def load(name):
        if name != "classical":
            return real(name)
        module = real(name)
        def explode(cfg, data):
            raise RuntimeError("simulated crash")
        return types.SimpleNamespace(Config=module.Config, run=explode)

    monkeypatch.setattr(runs, "load_recipe", load)
    monkeypatch.setattr(progression, "recipe_names", lambda: ["classical"])
    outcomes = progression.run_all("tiny", [f"dataset={tiny_csv}", f"runs_dir={tmp_path}"])
    assert outcomes[0].error == "RuntimeError: simulated crash"
    monkeypatch.setattr(runs, "load_recipe", real)
    ok = runs.execute("classical", "tiny", [f"dataset={tiny_csv}"], runs_dir=str(tmp_path))
    failures = json.loads((tmp_path / "tiny" / "failures.json").read_text())
    assert failures[0]["recipe"] == "classical" and ok.exists()


def test_failure_is_shown_in_the_report(tmp_path, tiny_csv, monkeypatch):
    monkeypatch.setattr(progression, "recipe_names", lambda: ["classical", "missing_recipe"])
    outcomes = progression.run_all("tiny", [f"dataset={tiny_csv}", f"runs_dir={tmp_path}"])
    assert outcomes[1].error.startswith("LabError: unknown recipe 'missing_recipe'")
    build_reports(tmp_path, tmp_path / "report")
    markdown = (tmp_path / "report" / "comparison.md").read_text()
    assert "**Failed:** recipe `missing_recipe`" in markdown and markdown.count("| classical | tfidf_") == 3


def test_train_sizes_retrain_classifiers_on_subsets_of_the_same_split(tmp_path, tiny_csv, monkeypatch):
    monkeypatch.setattr(progression, "recipe_names", lambda: ["classical"])
    outcomes = progression.run_all("tiny", [f"dataset={tiny_csv}", f"runs_dir={tmp_path}", "train_sizes=4,12,all"])
    records = [json.loads((o.path / "record.json").read_text()) for o in outcomes]
    assert [r["train_size"] for r in records] == [None, 4, 12]
    assert len({r["dataset"]["fingerprint"] for r in records}) == 1
    build_reports(tmp_path, tmp_path / "report")
    curves = json.loads((tmp_path / "report" / "comparison.json").read_text())["data_efficiency"]
    assert [size for size, _ in curves["tfidf_svm"]] == [4, 12, 32]


@pytest.mark.parametrize("value", ["ten", "100,x"])
def test_bad_train_sizes_are_rejected(value):
    with pytest.raises(LabError, match="train_sizes"):
        progression.split_train_sizes([f"train_sizes={value}"])


def test_each_recipe_gets_only_the_overrides_its_config_has():
    routed = progression.route_overrides(["classical", "bow_ffn", "lstm"], "tiny",
                                         ["epochs=2", "seed=7", "svm_c=0.5", "hidden_size=8"])
    assert routed == {"classical": ["seed=7", "svm_c=0.5"], "bow_ffn": ["epochs=2", "seed=7"],
                      "lstm": ["epochs=2", "seed=7", "hidden_size=8"]}


@pytest.mark.parametrize("override, message", [
    ("colour=red", "no recipe has the key(s) colour"),
    ("dropout=1.5", "bow_ffn: dropout=1.5: must be in [0, 1)"),
])
def test_a_bad_override_stops_run_all_before_any_recipe_runs(tmp_path, tiny_csv, override, message):
    with pytest.raises(LabError, match=re.escape(message)):
        progression.run_all("tiny", [f"dataset={tiny_csv}", f"runs_dir={tmp_path}", override])
    assert not any(tmp_path.iterdir())


def test_the_data_notes_are_printed_once_for_the_whole_progression(tmp_path, tiny_csv, monkeypatch, capsys):
    repeated = tmp_path / "repeated.csv"
    lines = Path(tiny_csv).read_text().splitlines()
    repeated.write_text("\n".join(lines + lines[1:3]) + "\n")  # two rows again: two exact repeats
    monkeypatch.setattr(progression, "recipe_names", lambda: ["classical", "bow_ffn"])
    progression.run_all("tiny", [f"dataset={repeated}", f"runs_dir={tmp_path / 'runs'}"])
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]
    assert notes == ["note: dropped 2 texts from the dataset that repeat an earlier text and 0 near-copies of one "
                     "(word 3-gram Jaccard >= 0.8); duplicates=exact keeps near-copies, duplicates=keep keeps all"]
