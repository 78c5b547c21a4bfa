import collections
import csv
import json
import re
import types
from pathlib import Path

import pytest

from lab import progression, runs
from lab.errors import LabError
from lab.registry import recipe_names
from lab.report.build import build_reports
from tests.tiny_bert import build_tiny_bert

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert") / "tiny-bert", ROOT / "tests" / "assets" / "tiny.csv")


# The sections a full progression's report has, by name, in this order (no recipe may skip its own).
SECTIONS = ["## Cost versus quality", "## Per-class F1 (%)", "## Confusion matrices", "## Learning curves",
            "## Topics: clusters and topic models", "### 1. Choosing K: the elbow", "### 2. Word clusters",
            "### 3. Document clusters scored against the labels", "### 4. LDA topics", "### 5. Embedding topics",
            "### 6. Topic coherence",
            "## Bag of words, feed-forward network", "## LSTM", "## Transformer", "## Runs"]


def test_all_runs_every_recipe_on_one_split_and_reports_every_section(tmp_path, tiny_csv, tiny_bert, one_thread):
    outcomes = progression.run_all("tiny", [f"dataset={tiny_csv}", f"runs_dir={tmp_path}", f"model={tiny_bert}"])
    assert [o.recipe for o in outcomes] == recipe_names() == ["topics", "classical", "bow_ffn", "lstm", "transformer"]
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes if o.error]
    records = [json.loads((o.path / "record.json").read_text()) for o in outcomes]
    assert len({r["dataset"]["fingerprint"] for r in records}) == 1
    assert records[-1]["config"]["model"] == str(tiny_bert)  # the tiny local BERT, not the 22M MiniLM
    [written] = build_reports(tmp_path, tmp_path / "report")
    markdown = (tmp_path / "report" / "comparison.md").read_text()
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert [h for h in headings if h in SECTIONS] == SECTIONS, headings
    models = [m["name"] for r in records for m in r["models"]]
    assert models == ["tfidf_nb", "tfidf_logreg", "tfidf_svm", "bow_ffn", "lstm", "tiny-bert"]
    assert [row[1]["text"] for row in written.model["headline"]["rows"]] == models + ["dummy (floor)"]
    for link in re.findall(r"\]\(([^)]+\.png)\)", markdown):  # every picture the page shows is there
        assert (tmp_path / "report" / link).stat().st_size > 1000, link
    assert {"cost_quality.png", "confusion_matrices.png", "learning_curves.png", "topics_elbow.png"} <= {
        p.name for p in written.paths}
    assert written.model["data"]["profile"] == "tiny" and "- **Profile:** tiny" in markdown


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


def test_train_sizes_retrain_classifiers_on_stratified_subsets_of_the_same_split(tmp_path, tiny_csv, monkeypatch):
    """20 cooking and 10 sport texts: the train split holds 16 and 8. Quotas by hand, each class's share floored and
    what is left handed to the class that lost most to the rounding: 4 -> 2.67, 1.33 -> 3 and 1; 5 -> 3.33, 1.67
    -> 3 and 2; 7 -> 4.67, 2.33 -> 5 and 2; 9 -> exactly 6 and 3; 11 -> 7.33, 3.67 -> 7 and 4."""
    rows = list(csv.DictReader(open(tiny_csv, newline="")))
    uneven = tmp_path / "uneven.csv"
    with uneven.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([r for r in rows if r["label"] == "cooking"] + [r for r in rows if r["label"] == "sport"][:10])
    seen = []  # the training split each run of the recipe was given
    real = runs.load_recipe

    def load(name):
        module = real(name)
        def run(cfg, data):
            seen.append((data.texts("train"), [data.label_names[i] for i in data.labels("train")]))
            return module.run(cfg, data)
        return types.SimpleNamespace(Config=module.Config, run=run)

    monkeypatch.setattr(runs, "load_recipe", load)
    monkeypatch.setattr(progression, "recipe_names", lambda: ["classical"])
    outcomes = progression.run_all("tiny", [f"dataset={uneven}", f"runs_dir={tmp_path / 'runs'}", "train_sizes=4,5,7,9,11,all"])
    records = [json.loads((o.path / "record.json").read_text()) for o in outcomes]
    assert [r["train_size"] for r in records] == [None, 4, 5, 7, 9, 11]
    assert [collections.Counter(labels) for _, labels in seen] == [
        {"cooking": 16, "sport": 8}, {"cooking": 3, "sport": 1}, {"cooking": 3, "sport": 2},
        {"cooking": 5, "sport": 2}, {"cooking": 6, "sport": 3}, {"cooking": 7, "sport": 4}]
    full = set(seen[0][0])
    assert all(set(texts) <= full and len(set(texts)) == len(texts) for texts, _ in seen[1:])  # drawn from train
    assert len({r["dataset"]["fingerprint"] for r in records}) == 1
    build_reports(tmp_path / "runs", tmp_path / "report")
    curves = json.loads((tmp_path / "report" / "comparison.json").read_text())["data_efficiency"]
    assert [size for size, _ in curves["tfidf_svm"]] == [4, 5, 7, 9, 11, 24]


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
    notes = [line for line in capsys.readouterr().err.splitlines()
             if line.startswith("note: ") and "expected wall time" not in line]  # each recipe's own estimate
    assert notes == ["note: dropped 2 texts from the dataset that repeat an earlier text and 0 near-copies of one "
                     "(word 3-gram Jaccard >= 0.8); duplicates=exact keeps near-copies, duplicates=keep keeps all"]


def test_run_all_reports_into_the_working_folder_beside_another_profiles_report(tmp_path, tiny_csv, monkeypatch,
                                                                                 capsys):
    """The runs go elsewhere (runs_dir=../scratch-runs); the report lands in reports/<dataset>/ here, and a quick
    run never replaces the tiny profile's report."""
    from lab.cli import main

    monkeypatch.setattr(progression, "recipe_names", lambda: ["classical"])
    work = tmp_path / "clone"
    work.mkdir()
    monkeypatch.chdir(work)
    scratch = f"runs_dir={tmp_path / 'scratch-runs'}"
    assert main(["run", "all", "--profile", "tiny", f"dataset={tiny_csv}", scratch]) == 0
    out = capsys.readouterr().out.splitlines()
    table = out.index("Comparison on tiny (profile tiny)")
    assert out[table + 1].startswith("| Model ") and out[table + 3].startswith("| tfidf_nb ")
    assert out[table + 6].startswith("| dummy (floor) ")  # the newest run's dummy model: the floor row
    assert out[table + 7] == "reports/tiny" and "  comparison.md" in out[table + 8:]
    assert json.loads(Path("reports/tiny/comparison.json").read_text())["profile"] == "tiny"
    assert main(["run", "all", "--profile", "quick", f"dataset={tiny_csv}", scratch]) == 0
    assert "went to reports/tiny-quick" in capsys.readouterr().err
    assert json.loads(Path("reports/tiny/comparison.json").read_text())["profile"] == "tiny"
    assert json.loads(Path("reports/tiny-quick/comparison.json").read_text())["profile"] == "quick"
    assert main(["run", "all", "--profile", "tiny", f"dataset={tiny_csv}", scratch, "--out", "mine"]) == 0
    assert json.loads(Path("mine/comparison.json").read_text())["profile"] == "tiny"


def test_run_all_with_folds_reports_every_section_with_mean_and_sd(tmp_path, tiny_csv, tiny_bert, one_thread):
    outcomes = progression.run_all("tiny", [f"dataset={tiny_csv}", f"runs_dir={tmp_path}", f"model={tiny_bert}",
                                            "folds=3"])
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes if o.error]
    records = [json.loads((o.path / "record.json").read_text()) for o in outcomes]
    folded = [r for r in records if r["recipe"] != "topics"]  # topics trains no classifier: one split
    assert all(len(r["resampling"]["fold_seconds"]) == 3 for r in folded)
    assert len({r["dataset"]["fingerprint"] for r in folded}) == 1
    [written] = build_reports(tmp_path, tmp_path / "report")
    markdown = (tmp_path / "report" / "comparison.md").read_text()
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert [h for h in headings if h in SECTIONS] == SECTIONS, headings
    assert "3-fold cross-validation, 1 repeat: mean ± sd over 3 folds" in markdown
    for record in folded:
        for model in record["models"]:
            mean = record["resampling"]["summary"][model["name"]]["macro_f1"]["mean"]
            row = next(line for line in markdown.splitlines() if line.startswith(f"| {model['name']} ")
                       or f"| {model['name']} |" in line)
            assert f"{100 * mean:.1f}" in row and " ± " in row and "| 3 |" in row, row
    assert (tmp_path / "report" / "fold_scores.png").stat().st_size > 1000
