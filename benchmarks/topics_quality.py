"""Which word vectors make word clusters read as topics, and how the three topic models of the topics rung compare.

For one dataset: the recipe's word clusters with each candidate source of word vectors (and, for the chosen one,
each vocabulary ranking and K-means weighting), scored by the mean NPMI of each cluster's 10 words nearest its
centre on the training texts (the reference corpus, window and tokens of LDA's coherence); then LDA and the
embedding topics at the recipe's settings. Every candidate shares one preprocessing and one encoder pass.

    python benchmarks/topics_quality.py [--dataset bbc-news] [--reuters N] [key=value ...]

--reuters N uses N texts of /work/shared/data/reuters_modapte_multilabel.csv (seeded draw) that carry exactly one
topic label, one of those carried so by at least 40 texts, that label kept, written to a temporary CSV outside the repo. Quality figures do not depend on the
machine; for the recipe's wall time use benchmarks/topics_bbc.py under flock /tmp/lab-bench.lock.

Last figures (2026-12-01, one seed, 42; mean NPMI of word clusters over all dictionary words, unweighted):
bbc-news: Word2Vec -0.347, each word alone -0.184, token states -0.258, documents holding the word 0.130;
over the first 1000 words with count-weighted K-means 0.121. Reuters (--reuters 1500, 12 labels): -0.393, -0.353,
-0.339, 0.076; first 716 words count-weighted 0.174. LDA 0.104 / 0.072; embedding topics (30 candidates
re-ranked) 0.170 / 0.168, plain c-TF-IDF 0.129 / 0.155.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

REUTERS = Path("/work/shared/data/reuters_modapte_multilabel.csv")
CANDIDATES = [  # (label, overrides): one change at a time
    ("word2vec (before)", {"word_vector_source": "word2vec"}),
    ("encoder, each word alone", {"word_vector_source": "encoder"}),
    ("encoder, token states over occurrences", {"word_vector_source": "encoder_context"}),
    ("encoder, documents holding the word", {"word_vector_source": "encoder_documents"}),
]
VOCABULARY = [("df", "none"), ("count", "none"), ("tfidf", "none"), ("df", "log_count"), ("df", "count")]


def reuters_csv(count: int, seed: int, folder: Path) -> str:
    import numpy as np

    from collections import Counter

    with REUTERS.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["label"] and ";" not in row["label"]]
    common = {label for label, n in Counter(row["label"] for row in rows).items() if n >= 40}
    rows = [row for row in rows if row["label"] in common]  # a stratified split needs a few texts per label
    chosen = np.random.default_rng(seed).choice(len(rows), size=min(count, len(rows)), replace=False)
    path = folder / "reuters_single_label.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows({"text": rows[i]["text"], "label": rows[i]["label"]} for i in sorted(chosen))
    return str(path)


def word_cluster_figures(topics, cfg, data, corpus) -> dict:
    from lab.results import RecipeResult
    from lab.progress import QUIET

    result = RecipeResult()
    began = time.perf_counter()
    topics.word_clusters(cfg, data, corpus, result, {}, QUIET)
    figures = result.figures
    return {"npmi": figures["word_cluster_npmi_mean"], "k": int(figures["elbow_k"]),
            "nmi": figures["word_cluster_nmi"], "seconds": time.perf_counter() - began,
            "clusters": [row["top_words"] for row in result.tables["word_clusters"]]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="bbc-news")
    parser.add_argument("--reuters", type=int, default=0)
    parser.add_argument("--skip-context", action="store_true", help="leave out the token-state candidate (slow)")
    parser.add_argument("overrides", nargs="*", help="key=value config overrides")
    args = parser.parse_args()
    import dataclasses

    import recipes.topics as topics
    from lab.config import build, parse_overrides, read_variant
    from lab.results import RecipeResult
    from lab.runs import load_data
    from lab.topics import steps
    from lab.progress import QUIET

    with tempfile.TemporaryDirectory() as folder:
        overrides = parse_overrides(args.overrides)
        if args.reuters:
            overrides["dataset"] = reuters_csv(args.reuters, 0, Path(folder))
        else:
            overrides.setdefault("dataset", args.dataset)
        cfg = build(topics.Config, read_variant("topics", "default"), {**overrides, "progress": "false"})
        data = load_data(cfg)
        corpus = steps.prepare(cfg, data, [])
    print(f"{data.name}: {len(corpus.train)} train texts, {len(corpus.docs)} scored, {len(data.label_names)} labels, "
          f"vocabulary {len(corpus.dictionary)}")
    began = time.perf_counter()
    steps.train_encoding(cfg, corpus, QUIET, None if args.skip_context else
                         [corpus.dictionary[i] for i in range(len(corpus.dictionary))])
    print(f"encoder pass over the training texts: {time.perf_counter() - began:.1f} s")
    print("| word vectors | vocabulary | K-means weight | K | mean NPMI | NMI vs labels | s |")
    print("|---|---|---|---|---|---|---|")
    best = None
    for label, change in CANDIDATES:
        if args.skip_context and change["word_vector_source"] == "encoder_context":
            continue
        figures = word_cluster_figures(topics, dataclasses.replace(cfg, **change), data, corpus)
        print(f"| {label} | df | none | {figures['k']} | {figures['npmi']:.3f} | {figures['nmi']:.3f} | "
              f"{figures['seconds']:.1f} |")
        if best is None or figures["npmi"] > best[1]["npmi"]:
            best = (change, figures)
    for vocabulary, weight in VOCABULARY:
        change = {**best[0], "cluster_vocabulary": vocabulary, "word_weights": weight,
                  "cluster_words": min(cfg.cluster_words, len(corpus.dictionary) // 2)}
        figures = word_cluster_figures(topics, dataclasses.replace(cfg, **change), data, corpus)
        print(f"| {best[0]['word_vector_source']} | {vocabulary}, first {change['cluster_words']} | {weight} | "
              f"{figures['k']} | {figures['npmi']:.3f} | {figures['nmi']:.3f} | {figures['seconds']:.1f} |")
    print("\nbest word clusters (10 words nearest each centre):")
    for words in best[1]["clusters"]:
        print(f"- {words}")
    result = RecipeResult()
    topics.lda_section(cfg, data, corpus, result, QUIET)
    f = result.figures
    print(f"\nLDA (K={int(f['lda_k'])}): NPMI {f['lda_npmi']:.3f}, diversity {f['lda_topic_diversity']:.2f}, "
          f"NMI {f['lda_nmi']:.3f}")
    for candidates in (0, 10, 20, 30, 40):
        result = RecipeResult()
        topics.embedding_section(dataclasses.replace(cfg, embedding_candidates=candidates), data, corpus, result, {},
                                 QUIET)
        f = result.figures
        print(f"embedding topics (K={int(f['embedding_topics_k'])}, {candidates} c-TF-IDF candidates re-ranked): "
              f"NPMI {f['embedding_topics_npmi_mean']:.3f}, diversity {f['embedding_topics_diversity']:.2f}, "
              f"NMI {f['embedding_topics_nmi']:.3f}")
        if candidates == cfg.embedding_candidates:
            shown = result.tables["embedding_topics"]
    for row in shown:
        print(f"- {row['label'] or '-'}: {row['top_words']} (NPMI {row['npmi']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
