"""Issue 24: would fitting the classical recipe's TF-IDF once per run, instead of once per model, save much?

    flock /tmp/lab-bench.lock python benchmarks/tfidf_fit.py [--size 100000]

recipes/classical.py fits each model as its own Pipeline (TF-IDF, then the classifier), so a run of its three
single-label models fits the same vectorizer three times. Per dataset (logreg_tol.py's two: bbc-news, and a
seeded sample of --size short texts, first 80% train) and per shipped config (default, quick): the TF-IDF's
fit_transform alone (median of 3), and each model's whole pipeline fit (one each). Sharing the TF-IDF would save
(models - 1) x the TF-IDF's fit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.logreg_tol import datasets  # noqa: E402


def seconds(fit) -> float:
    began = time.perf_counter()
    fit()
    return time.perf_counter() - began


def main() -> None:
    from lab.config import build, read_variant
    from recipes import classical

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    print("| dataset | config | TF-IDF fit s | " + " | ".join(f"{m} pipeline s" for m in classical.MODELS)
          + " | sharing saves s (share of the fits) |\n|---|---|---|" + "---|" * (len(classical.MODELS) + 1))
    with tempfile.TemporaryDirectory() as scratch:
        for name, (texts, labels), _ in datasets(args.size, Path(scratch)):
            for variant in ("default", "quick"):
                cfg = build(classical.Config, read_variant("classical", variant), {})
                vectorizer = statistics.median(
                    seconds(lambda: classical.build_pipeline("tfidf_nb", cfg)[0].fit_transform(texts)) for _ in range(3))
                pipelines = [seconds(lambda: classical.build_pipeline(model, cfg).fit(texts, labels))
                             for model in classical.MODELS]
                saved = (len(pipelines) - 1) * vectorizer
                print(f"| {name} | {variant} | {vectorizer:.2f} | " + " | ".join(f"{s:.2f}" for s in pipelines)
                      + f" | {saved:.2f} ({100 * saved / sum(pipelines):.0f}%) |", flush=True)


if __name__ == "__main__":
    main()
