import csv
import json
from pathlib import Path

import pytest

from lab.report import build as report
from lab.errors import LabError

ASSETS = Path(__file__).resolve().parent / "assets"
LABELS = ["cooking", "sport"]
TRUTH = ["cooking", "sport", "sport", "cooking", "sport", "cooking", "sport", "sport", "cooking", "sport"]
DATA_NOTE = "dropped 4 texts from the dataset that repeat an earlier text; duplicates=keep keeps them"
TEXTS = ["Pasta | sauce, slowly", "Cup final tonight"] + [f"text {i}" for i in range(2, len(TRUTH))]


def write_run(root: Path, recipe: str, run_id: str, models: dict, fingerprint="abc123", figures=None, tables=None,
              notes=()):
    """A run folder as the runner writes it, with fixed numbers so the rendering can be pinned."""
    folder = root / "tiny" / recipe / run_id
    folder.mkdir(parents=True)
    records = []
    for name, (predicted, seconds) in models.items():
        correct = sum(p == t for p, t in zip(predicted, TRUTH)) / len(TRUTH)
        records.append({
            "name": name, "family": "classical",
            "metrics": {"accuracy": correct, "macro_f1": correct - 0.01, "weighted_f1": correct,
                        "accuracy_ci": [correct - 0.2, min(1.0, correct + 0.1)],
                        "macro_f1_ci": [correct - 0.21, min(1.0, correct + 0.09)]},
            "per_class": {label: {"precision": 1.0, "recall": correct, "f1": correct, "support": 5} for label in LABELS},
            "confusion_matrix": [[5, 0], [0, 5]],
            "efficiency": {"train_seconds": seconds, "examples_per_second": 1000 / seconds, "parameters": 1234,
                           "features": 10, "peak_memory_mb": 12.5},
            "history": [],
        })
    record = {"recipe": recipe, "config_name": "tiny", "run_id": run_id, "created": f"2026-01-01T00:00:{run_id[-2:]}",
              "config": {}, "models": records, "figures": figures or {}, "tables": tables or {}, "plots": [], "notes": list(notes),
              "dataset": {"name": "tiny", "spec": {}, "fingerprint": fingerprint, "label_names": LABELS,
                          "sizes": {"train": 32, "validation": 4, "test": len(TRUTH)}, "notes": [DATA_NOTE]},
              "environment": {"machine": "test machine", "device": "cpu", "git_sha": "0123456789abcdef"}}
    (folder / "record.json").write_text(json.dumps(record))
    with (folder / "predictions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "label"] + list(models) + ["text"])
        for row, label in enumerate(TRUTH):
            writer.writerow([row, label] + [predicted[row] for predicted, _ in models.values()] + [TEXTS[row]])
    return folder


ALL_RIGHT = TRUTH
TWO_WRONG = ["sport", "cooking"] + TRUTH[2:]
SIX_WRONG = [("sport" if t == "cooking" else "cooking") if i < 6 else t for i, t in enumerate(TRUTH)]


@pytest.fixture
def runs_dir(tmp_path):
    write_run(tmp_path, "classical", "run-01", {"nb": (TWO_WRONG, 2.0), "svm": (ALL_RIGHT, 4.0)})
    write_run(tmp_path, "topics", "run-02", {}, figures={"lda_nmi": 0.9123, "elbow_k": 4},
              tables={"lda_topics": [{"topic": 0, "words": "goal match | team"}]})
    write_run(tmp_path, "lstm", "run-03", {"lstm": (SIX_WRONG, 30.0)},
              notes=["lstm stopped early after epoch 4; best epoch 2"])
    return tmp_path


def test_markdown_rendering_is_pinned(runs_dir, tmp_path):
    out = tmp_path / "out"
    report.build_reports(runs_dir, out)
    expected = (ASSETS / "expected_comparison.md").read_text()
    assert (out / "comparison.md").read_text() == expected


def test_csv_has_fixed_columns_one_row_per_model_and_marks_the_best(runs_dir, tmp_path):
    report.build_reports(runs_dir, tmp_path / "out")
    rows = list(csv.DictReader((tmp_path / "out" / "comparison.csv").open()))
    assert list(rows[0])[:6] == ["recipe", "model", "family", "accuracy", "accuracy_ci_low", "accuracy_ci_high"]
    assert {"train_seconds", "examples_per_second", "macro_f1"} <= set(rows[0])
    assert [(r["recipe"], r["model"]) for r in rows] == [("classical", "nb"), ("classical", "svm"), ("lstm", "lstm")]
    best = {r["model"]: r["best_in"].split(";") for r in rows}
    assert "macro_f1" in best["svm"] and "train_seconds" in best["nb"]
    # svm is right everywhere, nb wrong on 2 and lstm on 6: exact McNemar p = 2 * 0.5**2 and 2 * 0.5**6
    p_values = {r["model"]: r["p_vs_best"] for r in rows}
    assert p_values == {"svm": "", "nb": "0.5", "lstm": "0.03125"}


def test_runs_on_another_split_are_left_out_and_named(runs_dir, tmp_path, capsys):
    old = write_run(runs_dir, "bow_ffn", "run-00", {"ffn": (ALL_RIGHT, 1.0)}, fingerprint="different")
    report.build_reports(runs_dir, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert [r["model"] for r in data["rows"]] == ["nb", "svm", "lstm"]
    assert data["excluded_runs"] == [str(old)]
    assert "different test split" in capsys.readouterr().err
    assert "**Warning:**" in (tmp_path / "out" / "comparison.md").read_text()


def test_newest_run_of_a_recipe_wins(runs_dir, tmp_path):
    write_run(runs_dir, "classical", "run-09", {"nb": (ALL_RIGHT, 1.0)})
    report.build_reports(runs_dir, tmp_path / "out")
    rows = json.loads((tmp_path / "out" / "comparison.json").read_text())["rows"]
    assert [(r["model"], r["run_id"]) for r in rows] == [("nb", "run-09"), ("lstm", "run-03")]


def test_runs_written_before_texts_were_kept_still_list_their_shared_errors(runs_dir, tmp_path):
    for path in runs_dir.glob("tiny/*/*/predictions.csv"):
        rows = list(csv.reader(path.open(newline="")))
        with path.open("w", newline="") as handle:
            csv.writer(handle).writerows(row[:-1] for row in rows)  # drop the text column
    report.build_reports(runs_dir, tmp_path / "out")
    hard = json.loads((tmp_path / "out" / "comparison.json").read_text())["hard_examples"]
    assert [(e["row"], e["missed_by"], e["text"]) for e in hard["examples"]] == [(0, 2, ""), (1, 2, "")]


def test_default_output_is_reports_per_dataset(runs_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = report.build_reports(runs_dir)
    assert {"comparison.csv", "comparison.json", "comparison.md", "comparison.html", "cost_quality.png"} <= {
        p.name for p in paths}
    assert all(p.parent == Path("reports") / "tiny" for p in paths)


def test_no_runs_is_a_clear_error(tmp_path):
    with pytest.raises(LabError, match="no run records under"):
        report.build_reports(tmp_path / "empty")


def test_html_is_self_contained_and_escapes_dataset_strings(tmp_path):
    global LABELS, TEXTS
    hostile = "<script>alert(1)</script>"
    original = LABELS, TEXTS
    LABELS, TEXTS = [hostile, "sport"], [f"<img src=x onerror=alert(2)> {i}" for i in range(len(TRUTH))]
    try:
        write_run(tmp_path, "topics", "run-01", {}, tables={"lda_topics": [{"words": f"{hostile} & more"}]})
        write_run(tmp_path, "classical", "run-02", {"nb": (TWO_WRONG, 2.0), "svm": (TWO_WRONG, 3.0)},
                  notes=[f"class {hostile} has one example"])
    finally:
        LABELS, TEXTS = original
    report.build_reports(tmp_path, tmp_path / "out")
    page = (tmp_path / "out" / "comparison.html").read_text()
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp; more" in page
    assert "<li>class &lt;script&gt;alert(1)&lt;/script&gt; has one example</li>" in page
    assert "Test examples most models miss" in page and "&lt;img src=x onerror=alert(2)&gt; 0" in page
    assert 'src="data:image/png;base64,' in page and "<b>" in page
    assert "src=\"http" not in page and "<link" not in page


def test_failed_recipe_is_named_until_a_later_run_succeeds(runs_dir, tmp_path):
    failures = runs_dir / "tiny" / "failures.json"
    failures.write_text(json.dumps([{"recipe": "bow_ffn", "error": "RuntimeError: out of memory",
                                     "created": "2026-01-01T00:00:05"}]))
    report.build_reports(runs_dir, tmp_path / "out")
    text = (tmp_path / "out" / "comparison.md").read_text()
    assert "**Failed:** recipe `bow_ffn`: RuntimeError: out of memory" in text
    assert "out of memory" in (tmp_path / "out" / "comparison.html").read_text()
    write_run(runs_dir, "bow_ffn", "run-07", {"ffn": (ALL_RIGHT, 1.0)})
    report.build_reports(runs_dir, tmp_path / "out")
    assert "Failed" not in (tmp_path / "out" / "comparison.md").read_text()


def test_data_efficiency_curve_from_subset_runs(runs_dir, tmp_path):
    for size, predicted in ((4, SIX_WRONG), (16, TWO_WRONG)):
        folder = write_run(runs_dir, "classical", f"run-1{size % 10}", {"svm": (predicted, 1.0)})
        record = json.loads((folder / "record.json").read_text())
        record["train_size"] = size
        (folder / "record.json").write_text(json.dumps(record))
    report.build_reports(runs_dir, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "comparison.json").read_text())
    # the subset runs never replace the full run in the main table; the full run is the curve's last point (32)
    assert [(r["model"], r["run_id"]) for r in data["rows"]][:2] == [("nb", "run-01"), ("svm", "run-01")]
    assert data["data_efficiency"]["svm"] == [[4, 0.39], [16, 0.79], [32, 0.99]]
    assert (tmp_path / "out" / "data_efficiency.png").stat().st_size > 1000
    assert "## Data efficiency" in (tmp_path / "out" / "comparison.md").read_text()


def test_hard_examples_summary_agrees_in_number():
    from lab.report.markdown import hard_summary

    one = hard_summary({"count": 1, "examples": [{}], "threshold": 2, "models": 3, "missed_by_all": 1,
                        "ceiling_macro_f1": 0.995})
    assert one.startswith("1 test example is missed by at least 2 of the 3 models.")
    assert "1 is missed by every model: a model that missed only that one would score 99.5 macro-F1" in one
    two = hard_summary({"count": 4, "examples": [{}] * 4, "threshold": 3, "models": 6, "missed_by_all": 2,
                        "ceiling_macro_f1": 0.99})
    assert two.startswith("4 test examples are missed") and "2 are missed by every model" in two
