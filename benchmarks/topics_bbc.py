"""Measure the topics recipe on bbc-news against issue 3's targets and print the figures.

Run it alone on the machine, as every timing in this repo:
    flock /tmp/lab-bench.lock python benchmarks/topics_bbc.py [--config default] [key=value ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import numpy as np  # noqa: E402

TARGETS = {"doc_cluster_nmi": 0.80, "lda_nmi": 0.60, "lda_npmi": 0.08,  # issue 3
           "word_cluster_npmi_mean": 0.10, "embedding_topics_npmi_mean": 0.15}  # issue 25
MAX_SECONDS = 120.0


def raw_tfidf_reference(data, seeds: list[int]) -> tuple[float, float]:
    """The issue's reference: K-means (K = classes) on plain TF-IDF of every bbc-news article, no reduction."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from lab.topics import kmeans
    texts = [t for split in ("train", "validation", "test") for t in data.texts(split)]
    labels = np.concatenate([data.labels(split) for split in ("train", "validation", "test")])
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    scores = kmeans.seeded_scores(matrix, labels, len(data.label_names), seeds)
    return scores["nmi_mean"], scores["nmi_sd"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="default")
    parser.add_argument("overrides", nargs="*", help="key=value config overrides")
    args = parser.parse_args()
    began = time.perf_counter()
    import recipes.topics as topics
    from lab.config import build, parse_overrides, read_variant
    from lab.runs import load_data

    cfg = build(topics.Config, read_variant("topics", args.config), parse_overrides(args.overrides))
    data = load_data(cfg)
    loaded = time.perf_counter()
    result = topics.run(cfg, data)
    finished = time.perf_counter()
    report(cfg, data, result, loaded - began, finished - loaded, finished - began)
    mean, sd = raw_tfidf_reference(data, [cfg.seed + i for i in range(cfg.cluster_seeds)])
    print(f"reference: K-means on raw TF-IDF of all {sum(len(data.texts(s)) for s in ('train', 'validation', 'test'))} "
          f"articles, NMI {mean:.3f} ± {sd:.3f}")
    return 0


def report(cfg, data, result, load_s: float, run_s: float, total_s: float) -> None:
    figures = result.figures
    print(f"topics on {data.name} ({len(data.texts('train'))} train, "
          f"{len(data.texts('test'))} test documents), doc_split={cfg.doc_split}")
    for row in result.tables["doc_cluster_scores"]:
        print(f"  doc clusters {row['representation']:<11} K={row['k']}: NMI {row['nmi_mean']:.3f} ± {row['nmi_sd']:.3f}"
              f"  ARI {row['ari_mean']:.3f}  V {row['v_measure_mean']:.3f}  purity {row['purity_mean']:.3f}"
              f"  (elbow K={row['elbow_k']})")
    for topic in result.tables["lda_topics"]:
        print(f"  LDA topic {topic['topic']}: {topic['top_words']}")
    print(f"  word clusters: elbow K={figures['elbow_k']:.0f} (silhouette {figures['elbow_silhouette']:.3f}) over "
          f"{figures['word_vocabulary']:.0f} words")
    for table in ("word_clusters", "embedding_topics"):
        for topic in result.tables.get(table, []):
            print(f"  {table} {topic.get('cluster', topic.get('topic'))} ({topic['label'] or '-'}, NPMI "
                  f"{topic['npmi']:.3f}): {topic['top_words']}")
    for name in ("doc_cluster_nmi", "lda_nmi", "lda_npmi", "lda_ari", "lda_u_mass", "lda_c_v", "lda_topic_diversity",
                 "lda_perplexity", "lda_k", "elbow_k", "word_cluster_npmi_mean", "word_cluster_diversity",
                 "word_cluster_nmi", "embedding_topics_k", "embedding_topics_npmi_mean", "embedding_topics_diversity",
                 "embedding_topics_nmi"):
        if name in figures:
            target = TARGETS.get(name)
            verdict = "" if target is None else f"  target >= {target:.2f}: {'met' if figures[name] >= target else 'MISSED'}"
            print(f"{name:>20} = {figures[name]:.4f}{verdict}")
    verdict = "met" if total_s <= MAX_SECONDS else "MISSED"
    print(f"{'wall time':>20} = {total_s:.1f} s (imports + data load {load_s:.1f} s, run {run_s:.1f} s)  "
          f"target <= {MAX_SECONDS:.0f} s: {verdict}")
    for note in result.notes:
        print(f"note: {note}")


if __name__ == "__main__":
    raise SystemExit(main())
