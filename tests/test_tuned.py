"""search=N through the runner: every fit searches (each fold on its own validation part), the run folder keeps
the trials, and the report lists each model's trials and chosen setting."""

import json

from lab import runs
from lab.report.build import build_reports


def test_a_cross_validated_search_runs_one_search_per_fold_and_reports_it(tmp_path, tiny_csv):
    folder = runs.execute("classical", "tiny", [f"dataset={tiny_csv}", "folds=2", "search=2"],
                          runs_dir=str(tmp_path / "runs"))
    record = json.loads((folder / "record.json").read_text())
    search = record["search"]
    assert search["fits"] == 2 and len(search["chosen_per_fit"]) == 2  # each fold searched on its own
    assert search["scored_on"] == "validation" and search["trials"] == 2
    assert {name: len(model["trials"]) for name, model in search["models"].items()} == {
        "tfidf_nb": 2, "tfidf_logreg": 2, "tfidf_svm": 2}
    assert search["chosen_per_fit"][0] == {name: m["best_params"] for name, m in search["models"].items()}
    assert sorted(p.suffix for p in (folder / "search").iterdir()) == [".log", ".log"]  # one journal per fold
    build_reports(tmp_path / "runs", tmp_path / "report")
    markdown = (tmp_path / "report" / "comparison.md").read_text()
    assert "## Tuning" in markdown
    svm = next(line for line in markdown.splitlines() if line.startswith("| classical | tfidf_svm | 2/2 |"))
    assert "svm_c=" in svm and "ngram_max=" in svm and "logreg_c" not in svm  # only the model's own knobs


def test_without_resume_a_rerun_searches_afresh(tmp_path, tiny_csv):
    overrides = [f"dataset={tiny_csv}", "search=2"]
    first = runs.execute("classical", "tiny", overrides, runs_dir=str(tmp_path))
    second = runs.execute("classical", "tiny", overrides, runs_dir=str(tmp_path))
    trials = [json.loads((f / "record.json").read_text())["search"]["models"]["tfidf_svm"]["trials"]
              for f in (first, second)]
    assert [len(t) for t in trials] == [2, 2]  # not 4: the old journal was not continued
    assert [t["params"] for t in trials[0]] == [t["params"] for t in trials[1]]  # seeded: the same trials
