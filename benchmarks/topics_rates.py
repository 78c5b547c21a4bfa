"""Question: at what rates does the topics recipe work on this machine, for the expected-time note printed before it
(lab/training/estimate.py, TopicsRate), and how close is that note to the wall it predicts?

    flock /tmp/lab-bench.lock python benchmarks/topics_rates.py [--size 30000] [--configs default,quick]
    flock /tmp/lab-bench.lock python benchmarks/topics_rates.py --configs quick --dataset FILE --set KEY=VALUE ...

Each config runs in this process (lab.runs.prepare, then topics.run, progress=false: no record is written) on
bbc-news (1,656 training articles of about 390 words) and a seeded sample of --size short texts
(benchmarks/corpora.short_texts). cProfile splits each wall into the estimate's terms, by the cumulative time of:
the encoder's load (setup) and its passes (lab.topics.encoder.read), Word2Vec (train_word2vec), LDA (train_lda),
the K-means sweeps and seeded scores (kmeans.sweep, kmeans.seeded_scores), and the rest (preprocessing, TF-IDF,
LSA, coherence, scoring). The units are the estimate's own (estimate.topics_units: words or wordpieces plus a fixed
cost per document, points x K values), so each rate is units / seconds; the rate printed last is the pooled one
over every run (sum of units / sum of seconds).
cProfile's overhead is small next to these calls (a few thousand Python calls each), and is left in the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpora import short_texts  # noqa: E402
from benchmarks.scaling import sample  # noqa: E402
from lab import runs  # noqa: E402
from lab.training import estimate  # noqa: E402

# estimate term -> the (file, function) whose cumulative time it is
TERMS = {"setup": [("encoder.py", "load")], "encode": [("encoder.py", "read")],
         "word2vec": [("word_vectors.py", "train_word2vec")], "lda": [("lda.py", "train_lda")],
         "kmeans": [("kmeans.py", "sweep"), ("kmeans.py", "seeded_scores")]}


def cumulative(profile: cProfile.Profile, targets: list[tuple[str, str]]) -> float:
    stats = pstats.Stats(profile).stats  # (file, line, function) -> (calls, primitive, tottime, cumtime, callers)
    return sum(row[3] for (file, _, function), row in stats.items()
               if any(file.endswith("/" + f) and function == name for f, name in targets))


def measure(config: str, dataset: str, folder: Path, overrides: tuple = ()) -> dict:
    job = runs.prepare("topics", config, [f"dataset={dataset}", f"runs_dir={folder}", "progress=false", *overrides])
    work = estimate.topics_work(job.cfg, job.data)
    profile = cProfile.Profile()
    began = time.perf_counter()
    profile.runcall(job.module.run, job.cfg, job.data)
    wall = time.perf_counter() - began
    seconds = {term: cumulative(profile, targets) for term, targets in TERMS.items()}
    seconds["documents"] = wall - sum(seconds.values())
    rate = estimate.RATES[("topics", "cpu")]
    return {"run": f"{config} on {Path(dataset).stem}{''.join(' ' + o for o in overrides)}", "wall": wall, "seconds": seconds,
            "units": estimate.topics_units(work), "estimate": estimate.topics_seconds(work, rate)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30000)
    parser.add_argument("--configs", default="default,quick")
    parser.add_argument("--dataset", help="profile this dataset instead of bbc-news and the short texts (the terms "
                                          "and the estimate; its rates are not the shipped ones' fit)")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="overrides for every run")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="topics-rates-"))
    datasets = [args.dataset] if args.dataset else ["bbc-news", str(sample(short_texts(folder), args.size, folder))]
    measured = [measure(config, dataset, folder, tuple(args.set)) for config in args.configs.split(",")
                for dataset in datasets]
    for run in measured:
        parts = ", ".join(f"{term} {s:.1f} s" for term, s in run["seconds"].items())
        print(f"{run['run']}: wall {run['wall']:.1f} s, shipped estimate {run['estimate']:.1f} s ({parts})")
    print("pooled rates (units per second; setup in seconds per run that loads the encoder):")
    for term in TERMS.keys() - {"setup"} | {"documents"}:
        units = sum(run["units"][term] for run in measured)
        spent = sum(run["seconds"][term] for run in measured)
        print(f"  {term}: {units / spent:,.0f} ({units:,.0f} units in {spent:.1f} s)" if spent > 0 else
              f"  {term}: not run")
    loads = [run["seconds"]["setup"] for run in measured if run["units"]["encode"] > 0]
    print(f"  setup: {sum(loads) / len(loads):.1f} s" if loads else "  setup: no run loaded the encoder")


if __name__ == "__main__":
    main()
