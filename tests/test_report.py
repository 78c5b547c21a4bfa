import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from lab.errors import LabError
from lab.evaluation import evaluate_predictions
from lab.report import build as report
from lab.report import columns

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "tests" / "assets"
LABELS = ["cooking", "sport"]
TRUTH = ["cooking", "sport", "sport", "cooking", "sport", "cooking", "sport", "sport", "cooking", "sport"]
DATA_NOTE = "dropped 4 texts from the dataset that repeat an earlier text; duplicates=keep keeps them"
TEXTS = ["Pasta | sauce, slowly", "Cup final tonight"] + [f"text {i}" for i in range(2, len(TRUTH))]

ALL_RIGHT = TRUTH
TWO_WRONG = ["sport", "cooking"] + TRUTH[2:]
SIX_WRONG = [("sport" if t == "cooking" else "cooking") if i < 6 else t for i, t in enumerate(TRUTH)]

TOPIC_FIGURES = {"elbow_k": 4.0, "elbow_silhouette": 0.1453, "doc_cluster_nmi_tfidf": 0.5747,
                 "doc_cluster_nmi_lsa": 0.8685, "doc_cluster_nmi": 0.8685, "doc_cluster_nmi_sd": 0.01315,
                 "lda_nmi": 0.9123, "lda_npmi": 0.104, "word_cluster_c_v": 0.0712}
TOPIC_TABLES = {
    "word_elbow": [{"k": k, "distortion": 100.0 / k, "silhouette": 0.1} for k in range(2, 9)],
    "word_clusters": [{"cluster": 0, "size": 12, "centre_word": "goal", "nearest_words": "match team"}],
    "doc_cluster_scores": [{"representation": "tfidf", "nmi_mean": 0.5747, "nmi_sd": 0.0778},
                           {"representation": "lsa", "nmi_mean": 0.8685, "nmi_sd": 0.01315}],
    "lda_topics": [{"topic": 0, "top_words": "goal match | team"}],
}


def label_ids(labels, names=LABELS):
    return np.array([names.index(label) for label in labels])


def write_run(root: Path, recipe: str, run_id: str, models: dict, fingerprint="abc123", figures=None, tables=None,
              notes=(), config_name="tiny", dataset="tiny"):
    """A run folder as the runner writes it; every metric computed by lab.evaluation from the predictions."""
    folder = root / dataset / recipe / run_id
    folder.mkdir(parents=True)
    records = []
    for name, (predicted, seconds) in models.items():
        evaluated = evaluate_predictions(label_ids(TRUTH, LABELS), label_ids(predicted, LABELS), LABELS)
        records.append({
            "name": name, "family": "neural" if recipe == "lstm" else "classical", **evaluated,
            "efficiency": {"train_seconds": seconds, "examples_per_second": 1000 / seconds, "parameters": 1234,
                           "features": 10, "peak_memory_mb": 12.5},
            "history": [],
        })
    record = {"recipe": recipe, "config_name": config_name, "run_id": run_id,
              "created": f"2026-01-01T00:00:{run_id[-2:]}", "config": {}, "models": records,
              "figures": figures or {}, "tables": tables or {}, "plots": [], "notes": list(notes),
              "dataset": {"name": dataset, "spec": {}, "fingerprint": fingerprint, "label_names": LABELS,
                          "sizes": {"train": 32, "validation": 4, "test": len(TRUTH)}, "notes": [DATA_NOTE]},
              "environment": {"machine": "test machine", "device": "cpu", "git_sha": "0123456789abcdef"}}
    (folder / "record.json").write_text(json.dumps(record))
    with (folder / "predictions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "label"] + list(models) + ["text"])
        for row, label in enumerate(TRUTH):
            writer.writerow([row, label] + [predicted[row] for predicted, _ in models.values()] + [TEXTS[row]])
    return folder


def write_runs(root: Path, **options) -> Path:
    write_run(root, "classical", "run-01", {"nb": (TWO_WRONG, 2.0), "svm": (ALL_RIGHT, 4.0)}, **options)
    write_run(root, "topics", "run-02", {}, figures=TOPIC_FIGURES, tables=TOPIC_TABLES, **options)
    write_run(root, "lstm", "run-03", {"lstm": (SIX_WRONG, 30.0)}, notes=["lstm stopped early after epoch 4; best epoch 2"],
              figures={"seconds_in_validation": 0.007321, "seconds_in_setup": 1.606}, **options)
    return root


@pytest.fixture
def runs_dir(tmp_path):
    return write_runs(tmp_path / "runs")


def page_without_images(html: str) -> str:
    """The PNG bytes depend on the matplotlib build; the page around them is what is pinned."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,...", html)


@pytest.fixture
def built(runs_dir, tmp_path):
    report.build_reports(runs_dir, tmp_path / "out")
    return tmp_path / "out"


@pytest.mark.parametrize("name", ["comparison.md", "comparison.csv", "comparison.json", "comparison.html"])
def test_every_output_is_pinned(built, name):
    """Regenerate on purpose with LAB_PIN=1 after a wanted change, and read the diff."""
    text = (built / name).read_text()
    text = page_without_images(text) if name.endswith(".html") else text
    stored = ASSETS / f"expected_{name}"
    if __import__("os").environ.get("LAB_PIN"):
        stored.write_text(text)
    assert text == stored.read_text()


def test_the_fixture_is_consistent_a_40_percent_model_has_its_own_per_class_f1(built):
    """lstm gets 4 of 10 right: cooking TP 1, FP 3, FN 3 -> F1 2/8; sport TP 3, FP 3, FN 3 -> F1 6/12."""
    rows = {r["model"]: r for r in json.loads((built / "comparison.json").read_text())["rows"]}
    assert rows["lstm"]["accuracy"] == 0.4 and rows["lstm"]["macro_f1"] == pytest.approx((0.25 + 0.5) / 2)
    assert "| lstm | 25.0 | 50.0 |" in (built / "comparison.md").read_text()
    # nb misses one of each class: cooking 3/4 right, sport 5/6 -> F1 0.75 and 5/6
    assert rows["nb"]["macro_f1"] == pytest.approx((0.75 + 5 / 6) / 2)


def test_csv_has_fixed_columns_one_row_per_model_and_marks_the_best(built):
    rows = list(csv.DictReader((built / "comparison.csv").open()))
    assert list(rows[0])[:6] == ["recipe", "model", "family", "accuracy", "accuracy_ci_low", "accuracy_ci_high"]
    assert [(r["recipe"], r["model"]) for r in rows] == [("classical", "nb"), ("classical", "svm"), ("lstm", "lstm")]
    best = {r["model"]: r["best_in"].split(";") for r in rows}
    assert "macro_f1" in best["svm"] and "train_seconds" in best["nb"] and "macro_f1" not in best["nb"]
    # svm is right everywhere, nb wrong on 2 and lstm on 6: exact McNemar p = 2 * 0.5**2 and 2 * 0.5**6
    p_values = {r["model"]: r["p_vs_best"] for r in rows}
    assert p_values == {"svm": "", "nb": "0.5", "lstm": "0.03125"}


def test_topics_section_follows_the_method_with_human_names(built):
    page = (built / "comparison.md").read_text()
    topics = page[page.index("## Topics"):page.index("## LSTM")]
    steps = re.findall(r"^### (.+)$", topics, re.MULTILINE)
    assert steps == ["1. Choosing K: the elbow", "2. Word clusters", "3. Document clusters scored against the labels",
                     "4. LDA topics", "5. Topic coherence", "Other figures"]
    documents = topics[topics.index("### 3."):topics.index("### 4.")]
    assert documents.splitlines()[4] == "| document clusters vs labels (NMI), best representation: LSA | 0.87 ± 0.01 |"
    assert "| document clusters vs labels (NMI), TF-IDF | 0.57 |" in topics
    assert "| word clusters: K chosen by the elbow | 4 |" in topics
    assert "| word_cluster_c_v | 0.0712 |" in topics.split("### Other figures")[1]  # no line yet: raw, not lost
    assert "| centre word | nearest words |" in topics and "doc_cluster_nmi_sd" not in page
    # the sweep is not on the page, but in the JSON and in its own CSV
    assert "K sweep" not in page and "distortion" not in page
    data = json.loads((built / "comparison.json").read_text())
    assert len(data["tables"]["topics"]["word_elbow"]) == 7 and data["figures"]["topics"]["elbow_k"] == 4.0
    assert (built / "topics_word_elbow.csv").read_text().splitlines()[:2] == ["k,distortion,silhouette",
                                                                              "2,50.0,0.1"]


def test_recipe_figures_have_human_names_and_units_and_keep_raw_keys_in_json(built):
    page = (built / "comparison.md").read_text()
    assert "| validation time (s) | 0.00732 |" in page and "| setup time: data, vocabulary, model (s) | 1.61 |" in page
    assert "seconds_in_validation" not in page and "seconds_in_validation" not in (built / "comparison.html").read_text()
    assert json.loads((built / "comparison.json").read_text())["figures"]["lstm"]["seconds_in_validation"] == 0.007321


def test_the_headline_columns_are_a_table_a_task_type_swaps(runs_dir, tmp_path, monkeypatch):
    own = (columns.metric("accuracy", "Hit rate % (95% CI)"), columns.Column("model", "Model"),
           columns.metric("macro_f1", "Macro-F1 % (95% CI)", page=False), columns.Column("train_seconds", "Train s",
                                                                                         columns.decimal(2), "min",
                                                                                         "efficiency"))
    monkeypatch.setitem(columns.HEADLINE_COLUMNS, "single_label", own)
    [written] = report.build_reports(runs_dir, tmp_path / "out")
    lines = (tmp_path / "out" / "comparison.md").read_text().splitlines()
    header = next(line for line in lines if line.startswith("| Hit rate"))
    assert header == "| Hit rate % (95% CI) | Model | Train s |"
    assert "| 80.0 [50.0–100.0] | nb | **2.00** |" in lines
    assert (tmp_path / "out" / "comparison.csv").read_text().splitlines()[0] == (
        "accuracy,accuracy_ci_low,accuracy_ci_high,model,macro_f1,macro_f1_ci_low,macro_f1_ci_high,train_seconds,"
        "best_in")


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
    [written] = report.build_reports(runs_dir)
    assert {"comparison.csv", "comparison.json", "comparison.md", "comparison.html", "cost_quality.png"} <= {
        p.name for p in written.paths}
    assert written.folder == Path("reports") / "tiny" and all(p.parent == written.folder for p in written.paths)


def test_no_runs_is_a_clear_error(tmp_path):
    with pytest.raises(LabError, match="no run records under"):
        report.build_reports(tmp_path / "empty")


def test_a_report_of_another_profile_or_split_is_never_replaced_silently(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_runs(tmp_path / "full", config_name="default")
    [first] = report.build_reports(tmp_path / "full")
    assert first.folder == Path("reports/tiny") and first.note is None
    write_runs(tmp_path / "quick", config_name="quick")
    [second] = report.build_reports(tmp_path / "quick")
    assert second.folder == Path("reports/tiny-quick")
    assert second.note == ("reports/tiny holds a report of profile default, split abc123, so this one (profile "
                           "quick, split abc123) went to reports/tiny-quick")
    assert f"note: {second.note}" in capsys.readouterr().err
    assert json.loads(Path("reports/tiny/comparison.json").read_text())["profile"] == "default"  # untouched
    write_runs(tmp_path / "resplit", config_name="default", fingerprint="fedcba9876")
    [third] = report.build_reports(tmp_path / "resplit")
    assert third.folder == Path("reports/tiny-split-fedcba98")
    [again] = report.build_reports(tmp_path / "full")  # the same profile and split: replaced in place, unsaid
    assert again.folder == Path("reports/tiny") and again.note is None
    [chosen] = report.build_reports(tmp_path / "quick", Path("reports/tiny"))  # --out: there, and said
    assert chosen.folder == Path("reports/tiny") and chosen.note.startswith(
        "replaced the report in reports/tiny (profile default, split abc123) with this one (profile quick")


def test_a_report_from_before_profiles_were_recorded_counts_as_the_default_profile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("reports/tiny").mkdir(parents=True)
    Path("reports/tiny/comparison.json").write_text(json.dumps({"dataset": {"fingerprint": "abc123"}}))
    [written] = report.build_reports(write_runs(tmp_path / "runs", config_name="quick"))
    assert written.folder == Path("reports/tiny-quick")
    [written] = report.build_reports(write_runs(tmp_path / "runs2", config_name="default"))
    assert written.folder == Path("reports/tiny")


def test_report_command_ends_with_the_headline_table_then_the_paths(runs_dir, tmp_path, capsys):
    from lab.cli import main

    assert main(["report", "--runs-dir", str(runs_dir), "--out", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:6] == [
        "Comparison on tiny (profile tiny)",
        "| Model | Macro-F1 % (95% CI) | vs best      | Train s |",
        "|-------|---------------------|--------------|---------|",
        "| nb    | 79.2 [44.4–100.0]   | p=0.500 n.s. | 2.0     |",
        "| svm   | 100.0 [100.0–100.0] | best         | 4.0     |",
    ]
    assert lines[6] == "| lstm  | 37.5 [9.1–67.0]     | p=0.031      | 30.0    |" and lines[7] == str(tmp_path / "out")
    assert "  comparison.html" in lines[8:]


def test_html_escapes_every_dataset_string(tmp_path):
    global LABELS, TEXTS
    hostile, attribute = "<script>alert(1)</script>", '"onerror=alert(3) x="'
    original = LABELS, TEXTS
    LABELS, TEXTS = [hostile, attribute], [f"<img src=x onerror=alert(2)> {i}" for i in range(len(TRUTH))]
    truth, wrong = ([LABELS[0] if t == "cooking" else LABELS[1] for t in labels] for labels in (TRUTH, TWO_WRONG))
    try:
        globals()["TRUTH"], saved = truth, TRUTH
        write_run(tmp_path, "topics", "run-01", {}, tables={"lda_topics": [{"top_words": f"{hostile} & more"}]},
                  figures={f"{hostile}_key": 1.0})
        write_run(tmp_path, "classical", "run-02", {"nb": (wrong, 2.0), "svm": (wrong, 3.0)},
                  notes=[f"class {hostile} has one example"])
    finally:
        LABELS, TEXTS = original
        globals()["TRUTH"] = saved
    report.build_reports(tmp_path, tmp_path / "out")
    page = (tmp_path / "out" / "comparison.html").read_text()
    assert "<script>" not in page and "<img src=x" not in page and '"onerror' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp; more" in page
    assert "&#34;onerror=alert(3) x=&#34;" in page
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
    assert "> **Failed:** recipe `bow_ffn`: RuntimeError: out of memory" in text
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
    assert data["data_efficiency"]["svm"] == [[4, 0.375], [16, pytest.approx((0.75 + 5 / 6) / 2)], [32, 1.0]]
    assert (tmp_path / "out" / "data_efficiency.png").stat().st_size > 1000
    assert "## Data efficiency" in (tmp_path / "out" / "comparison.md").read_text()


def test_hard_examples_summary_agrees_in_number():
    from lab.report.model import hard_summary

    one = hard_summary({"count": 1, "examples": [{}], "threshold": 2, "models": 3, "missed_by_all": 1,
                        "ceiling_macro_f1": 0.995})
    assert one.startswith("1 test example is missed by at least 2 of the 3 models.")
    assert "1 is missed by every model: a model that missed only that one would score 99.5 macro-F1" in one
    two = hard_summary({"count": 4, "examples": [{}] * 4, "threshold": 3, "models": 6, "missed_by_all": 2,
                        "ceiling_macro_f1": 0.99})
    assert two.startswith("4 test examples are missed") and "2 are missed by every model" in two


def text_box(label, renderer):
    """A label's text in figure pixels: Text's own extent, once the annotation has placed itself."""
    from matplotlib.text import Text

    label.update_positions(renderer)
    return Text.get_window_extent(label, renderer)


def committed_bbc_rows() -> list[dict]:
    """The six model rows of the BBC report committed before this plot's labels were placed, where bow_ffn and
    tfidf_logreg collided; kept as a fixture so regenerating reports/ cannot change the test."""
    return json.loads((ROOT / "tests" / "assets" / "bbc_rows_2026-12.json").read_text())


def test_cost_quality_labels_never_overlap_on_the_committed_bbc_rows():
    """bow_ffn (2.7 s, 98.05) and tfidf_logreg (3.1 s, 98.04) sat on top of each other before."""
    from lab.report import plots

    rows = committed_bbc_rows()
    figure = plots.cost_quality_figure(rows, "macro_f1", "Macro-F1 % (95% CI)")
    renderer = figure.canvas.get_renderer()
    boxes = {t.get_text(): text_box(t, renderer) for t in figure.axes[0].texts}
    assert sorted(boxes) == sorted(r["model"] for r in rows)
    assert all(figure.axes[0].bbox.x0 < box.x0 < figure.bbox.x1 for box in boxes.values())  # on the figure
    names = sorted(boxes)
    overlapping = [(a, b) for i, a in enumerate(names) for b in names[i + 1:] if boxes[a].overlaps(boxes[b])]
    assert overlapping == []


def test_cost_quality_draws_each_models_95_percent_ci_as_an_error_bar():
    from lab.report import plots

    rows = committed_bbc_rows()
    figure = plots.cost_quality_figure(rows, "macro_f1", "Macro-F1 % (95% CI)")
    bars = figure.axes[0].containers
    assert len(bars) == len(rows)
    for bar, row in zip(bars, rows):
        [segments] = bar.lines[2]
        (x0, low), (x1, high) = segments.get_segments()[0]
        assert (low, high) == pytest.approx((row["macro_f1_ci_low"], row["macro_f1_ci_high"]))
        assert x0 == x1 == pytest.approx(row["train_seconds"])


def test_label_placement_separates_points_that_coincide():
    from lab.report import plots

    rows = [{"model": f"model_{i}", "family": "classical", "train_seconds": 2.0, "macro_f1": 0.9,
             "macro_f1_ci_low": 0.85, "macro_f1_ci_high": 0.95} for i in range(30)]  # more than OFFSETS
    figure = plots.cost_quality_figure(rows, "macro_f1", "Macro-F1 % (95% CI)")
    renderer = figure.canvas.get_renderer()
    boxes = [text_box(t, renderer) for t in figure.axes[0].texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_cost_quality_labels_cover_no_models_error_bar():
    from matplotlib.transforms import Bbox

    from lab.report import plots

    rows = committed_bbc_rows()
    figure = plots.cost_quality_figure(rows, "macro_f1", "Macro-F1 % (95% CI)")
    axis, renderer = figure.axes[0], figure.canvas.get_renderer()
    bars = []
    for bar in axis.containers:  # each bar's line from its CI low to high, in figure pixels
        [(x, low), (_, high)] = axis.transData.transform(bar.lines[2][0].get_segments()[0])
        bars.append(Bbox.from_extents(x - 1, low, x + 1, high))
    for label in axis.texts:
        box = text_box(label, renderer)
        assert not any(box.overlaps(bar) for bar in bars), label.get_text()


def test_a_confusion_matrix_shows_its_counts_up_to_15_classes_and_colour_only_beyond(monkeypatch):
    from lab.report import plots

    monkeypatch.setattr(plots, "png", lambda figure: figure)  # keep the figure to look at its artists
    small = plots.confusion_matrices([{"name": "m", "confusion_matrix": np.eye(3, dtype=int).tolist()}], list("abc"))
    assert [text.get_text() for text in small.axes[0].texts] == ["1", "0", "0", "0", "1", "0", "0", "0", "1"]
    names = [f"c{i}" for i in range(16)]
    large = plots.confusion_matrices([{"name": "m", "confusion_matrix": np.eye(16, dtype=int).tolist()}], names)
    assert len(large.axes[0].texts) == 0 and len(large.axes) == 2  # the panel and its colour bar
