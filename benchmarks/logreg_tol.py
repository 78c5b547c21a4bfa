"""Issue 24: how early may the quick profile stop logistic regression's lbfgs (logreg_tol), at what cost?

    flock /tmp/lab-bench.lock python benchmarks/logreg_tol.py [--tols 1e-4,1e-3,1e-2] [--size 100000]

TF-IDF as the quick classical config (unigrams, min_df 2, 20,000 features), C=10 as the recipe. Two datasets:
bbc-news (its train and test splits, through lab.data) and a seeded sample of --size short texts
(benchmarks/corpora.short_texts, the corpus of scaling.py), whose first 80% train and last 20% test. Per tol: fit
seconds, lbfgs iterations and test macro-F1. One split each, so a difference under a point is noise.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpora import short_texts  # noqa: E402
from benchmarks.scaling import sample  # noqa: E402


def datasets(size: int, folder: Path):
    from lab.data.dataset import load

    bbc = load("bbc-news")
    yield "bbc-news", (bbc.texts("train"), bbc.labels("train")), (bbc.texts("test"), bbc.labels("test"))
    with sample(short_texts(folder), size, folder).open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    cut = int(0.8 * len(rows))
    yield f"{size:,} short texts", ([r[0] for r in rows[:cut]], [r[1] for r in rows[:cut]]), \
        ([r[0] for r in rows[cut:]], [r[1] for r in rows[cut:]])


def quick_features(size: int, folder: Path):
    """Per dataset: (name, train matrix, train labels, test matrix, test labels), through the quick classical
    config's own TF-IDF (recipes/configs/classical/quick.yaml: unigrams, min_df 2, 20,000 features)."""
    from lab.config import build, read_variant
    from recipes import classical

    cfg = build(classical.Config, read_variant("classical", "quick"), {})
    for name, (texts, labels), (test_texts, test_labels) in datasets(size, folder):
        vectorizer = classical.build_pipeline("tfidf_svm", cfg).named_steps["tfidf"]
        yield name, vectorizer.fit_transform(texts), labels, vectorizer.transform(test_texts), test_labels


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tols", default="1e-4,1e-3,1e-2")
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # lbfgs's ConvergenceWarning at a loose tol is the point of the experiment
    print("| dataset | tol | fit s | lbfgs iterations | test macro-F1 |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for name, train, labels, test, test_labels in quick_features(args.size, Path(scratch)):
            for tol in (float(t) for t in args.tols.split(",")):
                began = time.perf_counter()
                model = LogisticRegression(C=10.0, tol=tol, max_iter=2000, random_state=42).fit(train, labels)
                score = 100 * f1_score(test_labels, model.predict(test), average="macro")
                print(f"| {name} | {tol:g} | {time.perf_counter() - began:.1f} | {int(model.n_iter_[0])} | "
                      f"{score:.2f} |", flush=True)


if __name__ == "__main__":
    main()
