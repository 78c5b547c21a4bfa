"""Two cross-validated runs of one model on the same folds, with two configs: does the change move the score?

`lab report` compares models; this compares two configs of one model, for example the transformer with and
without `head_lr=0.01`, each a `lab run RECIPE folds=K ...` into its own runs folder. The fold scores are paired by
fold, and the corrected resampled t-test (Nadeau and Bengio, lab.evaluation.resampling) says whether their mean
difference stands out from the folds' noise; the naive paired t-test is printed beside it, for comparison only.

    python benchmarks/compare_folded_runs.py RUN_A/record.json RUN_B/record.json [--metric rmse] [--model NAME]

Both runs must share the fold fingerprint (the data, K, R and the seed), or the pairing would be meaningless.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab.evaluation.resampling import corrected_resampled_ttest, naive_paired_ttest, summary  # noqa: E402

def check_same_folds(a: dict, b: dict) -> None:
    """A folded run's dataset fingerprint is its fold plan's ("cv-...", lab/data/folds.py: the data, K, R, the seed
    and the assignment itself), so equal fingerprints mean fold i of one run is fold i of the other."""
    codes = a["dataset"]["fingerprint"], b["dataset"]["fingerprint"]
    if not all(code.startswith("cv-") for code in codes):
        sys.exit("both runs must be cross-validated (lab run RECIPE folds=K)")
    if codes[0] != codes[1]:
        sys.exit(f"the runs were not folded alike (fold fingerprints {codes[0]} and {codes[1]}): "
                 "run both on the same data with the same folds, repeats and seed")


def fold_scores(record: dict, model: str | None, metric: str) -> list[float]:
    per_fold = record["resampling"]["per_fold"]
    name = model or next(iter(per_fold))
    return [fold[metric] for fold in per_fold[name]]


def config_difference(a: dict, b: dict) -> str:
    keys = sorted(set(a["config"]) | set(b["config"]))
    changed = [f"{k}: {a['config'].get(k)} -> {b['config'].get(k)}" for k in keys
               if a["config"].get(k) != b["config"].get(k) and k not in ("runs_dir",)]
    return "; ".join(changed) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("record_a")
    parser.add_argument("record_b")
    parser.add_argument("--metric", help="default: the runs' headline metric")
    parser.add_argument("--model", help="default: the first model of each run")
    args = parser.parse_args()
    a, b = (json.loads(Path(path).read_text()) for path in (args.record_a, args.record_b))
    check_same_folds(a, b)
    metric = args.metric or a["resampling"]["headline"]
    scores_a, scores_b = fold_scores(a, args.model, metric), fold_scores(b, args.model, metric)
    print(f"config changes A -> B: {config_difference(a, b)}")
    print(f"{metric} per fold, A: {' '.join(f'{s:.4f}' for s in scores_a)}")
    print(f"{metric} per fold, B: {' '.join(f'{s:.4f}' for s in scores_b)}")
    summaries = {"A": summary(scores_a), "B": summary(scores_b)}
    for name, s in summaries.items():
        interval = f"95% CI {s['ci_low']:.4f}-{s['ci_high']:.4f}"
        print(f"{name}: {s['mean']:.4f} +- {s['sd']:.4f} ({interval}, {s['folds']} folds)")
    n_train, n_test = a["resampling"]["n_train"], a["resampling"]["n_test"]
    _, corrected = corrected_resampled_ttest(scores_b, scores_a, n_train, n_test)
    _, naive = naive_paired_ttest(scores_b, scores_a)
    difference = summaries["B"]["mean"] - summaries["A"]["mean"]
    print(f"B - A: {difference:+.4f}; corrected p = {corrected:.3f} (naive paired p = {naive:.3f}, too optimistic)")


if __name__ == "__main__":
    main()
