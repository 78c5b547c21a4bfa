"""Is one model better than another on the same test examples?

single_label: the exact McNemar test on the examples one model gets right and the other wrong. multi_label and
regression: a paired permutation test (approximate randomization, Noreen 1989) on the headline metric: swap the two
models' predictions on a random subset of examples, and count how often the swapped difference in the headline is
at least the observed one. With few examples (2^n <= EXACT_LIMIT) every swap pattern is enumerated, so the p-value
is exact.
"""

from __future__ import annotations

import itertools

import numpy as np

from lab.evaluation.multilabel import micro_counts, micro_f1_from_sums
from lab.evaluation.regression import rmse_from_sums, squared_errors

SIGNIFICANCE = 0.05  # p below this: the two models differ on these test examples
PERMUTATIONS = 10_000
PERMUTATION_SEED = 0
EXACT_LIMIT = 2 ** 12
CHUNK = 1000  # permutations evaluated at once: (CHUNK, n) masks


def mcnemar_exact(y_true, pred_a, pred_b) -> float:
    """Two-sided exact McNemar p-value: are models a and b wrong on different test examples more than chance allows?"""
    from scipy.stats import binomtest

    y_true, pred_a, pred_b = map(np.asarray, (y_true, pred_a, pred_b))
    a_only = int(((pred_a == y_true) & (pred_b != y_true)).sum())
    b_only = int(((pred_a != y_true) & (pred_b == y_true)).sum())
    if a_only + b_only == 0:
        return 1.0
    return float(binomtest(a_only, a_only + b_only, 0.5).pvalue)


# task -> (per-example statistics of one model's predictions, the headline metric from their sums over examples)
HEADLINE_STATISTICS = {"regression": (squared_errors, rmse_from_sums), "multi_label": (micro_counts, micro_f1_from_sums)}


def permutation_test(task: str, y_true, pred_a, pred_b, permutations: int = PERMUTATIONS,
                     seed: int = PERMUTATION_SEED) -> float:
    """Two-sided p-value of the difference in the task's headline metric under random swaps of a's and b's outputs."""
    per_example, metric = HEADLINE_STATISTICS[task]
    a, b = per_example(y_true, pred_a), per_example(y_true, pred_b)
    n = len(a)
    observed = abs(float(metric(a.sum(axis=0), n) - metric(b.sum(axis=0), n)))
    tolerance = 1e-12 * max(1.0, observed)  # a swap that ties the observed difference counts as "at least"
    exact = 2 ** n <= EXACT_LIMIT
    masks = (np.array(list(itertools.product([0.0, 1.0], repeat=n))) if exact else None)
    rng = np.random.default_rng(seed)
    at_least = total = 0
    for start in range(0, len(masks) if exact else permutations, CHUNK):
        swap = masks[start:start + CHUNK] if exact else \
            (rng.random((min(CHUNK, permutations - start), n)) < 0.5).astype(float)
        sums_a, sums_b = swap @ b + (1 - swap) @ a, swap @ a + (1 - swap) @ b
        differences = np.abs(metric(sums_a, n) - metric(sums_b, n))
        at_least += int((differences >= observed - tolerance).sum())
        total += len(swap)
    return at_least / total if exact else (at_least + 1) / (total + 1)


PAIRED_TESTS = {"single_label": lambda y_true, a, b: mcnemar_exact(y_true, a, b),
                "multi_label": lambda y_true, a, b: permutation_test("multi_label", y_true, a, b),
                "regression": lambda y_true, a, b: permutation_test("regression", y_true, a, b)}


def paired_test(task: str, y_true, pred_a, pred_b) -> float:
    """p-value: do models a and b differ on these test examples (the task's test, see the module docstring)?"""
    return PAIRED_TESTS[task](y_true, pred_a, pred_b)
