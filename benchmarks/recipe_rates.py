"""Question: at what rates do the recipes work on this machine, for the expected-time note printed before each
one (lab/training/estimate.py, RATES), and how close is that note to the wall time it predicts?

    flock /tmp/lab-bench.lock python benchmarks/recipe_rates.py [--recipes lstm,bow_ffn,classical] [--size 30000]
    flock /tmp/lab-bench.lock python benchmarks/recipe_rates.py --check [--recipes ...]   # the shipped RATES only

Each recipe's default config runs in this process (lab.runs.prepare, then the recipe's run: no record is written)
on two datasets: bbc-news (1,656 training articles of about 390 words) and a seeded sample of --size short texts
(benchmarks/corpora.short_texts: sentences of 5-60 words). The torch recipes' figures split their wall into setup,
training steps and validation passes; the rest is the test split's scoring and the metrics. Per recipe it prints
the rates of the estimate's model (Rate: train and infer in the Rate's units per second: wordpieces, words or
texts, times the classes for classical; setup as fixed seconds plus train-split units x passes / prepare, solved
from the two datasets), then each run's wall against the estimate of the shipped RATES and of the fitted ones.
The torch recipes run with progress=false.

Last run (2026-12-02 10:30-10:35 UTC, 2-core AMD EPYC, quiet; the lstm, bow_ffn and classical on bbc-news and
30,000 short texts): lstm 80.9 and 119.2 s, bow_ffn 3.3 and 29.7 s, classical 6.3 and 35.1 s. Its first fit took
bow_ffn and classical in words alone, and missed by up to 4.3x: bow_ffn's cost is per text (optimizer steps),
classical's per word and class (35 classes in the short texts, 5 in bbc-news). With the units now in RATES, the
fitted rates give 94 / 106 s, 2.7 / 30.2 s and 6.4 / 35.1 s (computed from that run's sizes). The check of the
shipped RATES (`--check`, 2026-12-02 14:00 UTC, same machine, quiet): walls lstm 81.0 / 112.3 s, bow_ffn 3.9 /
32.2 s, classical 7.3 / 39.0 s against estimates 94.2 / 107.5, 2.7 / 30.2 and 6.4 / 35.1: within 16% of every
wall but bow_ffn's 4-second bbc-news run (31% under).
"""

from __future__ import annotations

import argparse
import dataclasses
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

TORCH = ("lstm", "bow_ffn", "transformer")


def measure(recipe: str, dataset: str, folder: Path) -> dict:
    """One default run: its wall, the torch figures, and the sizes the estimate sees."""
    overrides = [f"dataset={dataset}", f"runs_dir={folder}"] + (["progress=false"] if recipe in TORCH else [])
    job = runs.prepare(recipe, None, overrides)
    began = time.perf_counter()
    result = job.module.run(job.cfg, job.data)
    wall = time.perf_counter() - began
    rate = estimate.RATES[(recipe, "cpu")]
    sizes = estimate.recipe_sizes(job.cfg, job.data, rate)
    figures = result.figures
    if "seconds_in_training_steps" in figures:  # the passes that ran, not the planned epochs
        sizes = dataclasses.replace(sizes, epochs=round(figures["training_epochs"] / figures["passes_per_epoch"]),
                                    passes=figures["passes_per_epoch"])
    return {"recipe": recipe, "dataset": Path(dataset).stem, "wall": wall, "figures": figures, "sizes": sizes}


def parts(run: dict) -> dict:
    """Seconds of setup (with preparation), training steps, and scoring (validation passes and the test split)."""
    figures, wall = run["figures"], run["wall"]
    if "seconds_in_training_steps" not in figures:  # classical: the fits and the scoring are one
        return {"setup": 0.0, "steps": wall, "scoring": 0.0}
    steps, setup = figures["seconds_in_training_steps"], figures["seconds_in_setup"]
    return {"setup": setup, "steps": steps, "scoring": wall - steps - setup}


def fitted_rate(recipe: str, two: list[dict]) -> estimate.Rate:
    """The shipped Rate with train, infer, setup and prepare solved from these runs."""
    shipped = estimate.RATES[(recipe, "cpu")]
    trained = [r["sizes"].train * r["sizes"].epochs * r["sizes"].passes * r["sizes"].tokens * r["sizes"].outputs
               * r["sizes"].cost
               for r in two]
    train = sum(trained) / sum(parts(r)["steps"] for r in two)
    scored_tokens = [(r["sizes"].validation * (r["sizes"].epochs if shipped.validates else 0) + r["sizes"].test)
                     * r["sizes"].tokens for r in two]
    scoring = sum(parts(r)["scoring"] for r in two)
    infer = sum(scored_tokens) / scoring if scoring > 0 else shipped.infer
    prepared = [(r["sizes"].train if r["sizes"].prepared is None else r["sizes"].prepared) * r["sizes"].tokens
                * r["sizes"].prepare_passes for r in two]
    setups = [parts(r)["setup"] for r in two]
    setup, prepare = solve_setup(prepared, setups) if shipped.prepare else (min(setups), None)
    return dataclasses.replace(shipped, train=train, infer=infer, setup=setup, prepare=prepare)


def solve_setup(prepared: list[float], setups: list[float]) -> tuple[float, float | None]:
    """setup_i = fixed + prepared_i / prepare, through two points; a negative fixed part is taken as 0."""
    (x1, y1), (x2, y2) = sorted(zip(prepared, setups))
    if x2 == x1 or y2 <= y1:
        return min(setups), None
    per_token = (y2 - y1) / (x2 - x1)
    fixed = y1 - per_token * x1
    if fixed < 0:
        per_token, fixed = sum(setups) / sum(prepared), 0.0
    return fixed, 1.0 / per_token


def show(recipe: str, measured: list[dict], rate: estimate.Rate | None) -> None:
    shipped = estimate.RATES[(recipe, "cpu")]
    if rate is not None:
        prepare = f"{rate.prepare:,.0f}" if rate.prepare else "-"
        print(f"{recipe}: fitted Rate(train={rate.train:,.0f}, infer={rate.infer:,.0f}, setup={rate.setup:.1f}, "
              f"prepare={prepare}) {rate.tokens}/s; shipped train={shipped.train:,.0f}, infer={shipped.infer:,.0f}, "
              f"setup={shipped.setup:.1f}, prepare={shipped.prepare or '-'}")
    for run in measured:
        split = ", ".join(f"{k} {v:.1f} s" for k, v in parts(run).items())
        fitted = f", fitted {estimate.expected_seconds(run['sizes'], rate):.1f} s" if rate else ""
        print(f"  {run['dataset']}: wall {run['wall']:.1f} s ({split}); estimate: shipped "
              f"{estimate.expected_seconds(run['sizes'], shipped):.1f} s{fitted}; sizes {run['sizes']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default="lstm,bow_ffn,classical")
    parser.add_argument("--size", type=int, default=30000, help="short texts in the second dataset")
    parser.add_argument("--check", action="store_true", help="only compare the shipped RATES with the walls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        datasets = ["bbc-news", str(sample(short_texts(folder), args.size, folder))]
        for recipe in args.recipes.split(","):
            measured = [measure(recipe, dataset, folder / "runs") for dataset in datasets]
            show(recipe, measured, None if args.check else fitted_rate(recipe, measured))


if __name__ == "__main__":
    main()
