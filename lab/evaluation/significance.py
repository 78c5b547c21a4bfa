"""Is one model better than another on the same test examples?"""

from __future__ import annotations

import numpy as np

SIGNIFICANCE = 0.05  # p below this: the two models differ on these test examples


def mcnemar_exact(y_true, pred_a, pred_b) -> float:
    """Two-sided exact McNemar p-value: are models a and b wrong on different test examples more than chance allows?"""
    from scipy.stats import binomtest

    y_true, pred_a, pred_b = map(np.asarray, (y_true, pred_a, pred_b))
    a_only = int(((pred_a == y_true) & (pred_b != y_true)).sum())
    b_only = int(((pred_a != y_true) & (pred_b == y_true)).sum())
    if a_only + b_only == 0:
        return 1.0
    return float(binomtest(a_only, a_only + b_only, 0.5).pvalue)
