import numpy as np
import pytest

from lab.data.folds import fold_assignment, fold_indices
from lab.errors import LabError


def test_each_example_is_in_exactly_one_test_fold_per_repeat_and_the_draw_is_seeded():
    labels = np.array([0] * 12 + [1] * 8 + [2] * 4)
    folds = fold_assignment("single_label", labels, folds=4, repeats=3, seed=7)
    assert folds.shape == (3, 24) and set(np.unique(folds)) == {0, 1, 2, 3}
    for repeat in folds:
        tests = [fold_indices(repeat, k)[1] for k in range(4)]
        assert sorted(np.concatenate(tests).tolist()) == list(range(24))  # a partition: no row twice, none left out
        train, test = fold_indices(repeat, 0)
        assert not set(train) & set(test) and len(train) + len(test) == 24
    np.testing.assert_array_equal(folds, fold_assignment("single_label", labels, 4, 3, seed=7))
    assert not np.array_equal(folds[0], folds[1])  # repeats draw anew (seed + r)
    np.testing.assert_array_equal(folds[1], fold_assignment("single_label", labels, 4, 1, seed=8)[0])


def test_single_label_folds_hold_each_class_in_proportion():
    labels = np.array([0] * 12 + [1] * 8 + [2] * 4)
    fold_of = fold_assignment("single_label", labels, folds=4)[0]
    per_fold = [np.bincount(labels[fold_of == k], minlength=3).tolist() for k in range(4)]
    assert per_fold == [[3, 2, 1]] * 4


def test_multi_label_folds_spread_a_rare_label_over_every_fold():
    rng = np.random.default_rng(0)
    matrix = (rng.random((40, 3)) < 0.5).astype(int)
    matrix[:, 2] = 0
    matrix[[3, 11, 25, 37], 2] = 1  # a rare label: 4 rows, one per fold when stratified
    fold_of = fold_assignment("multi_label", matrix, folds=4)[0]
    assert sorted(fold_of[[3, 11, 25, 37]].tolist()) == [0, 1, 2, 3]


def test_regression_folds_stratify_on_quantile_bins_of_the_target():
    targets = np.linspace(0.0, 1.0, 40)  # 4 bins of 10 rows; each fold gets a share of every bin
    fold_of = fold_assignment("regression", targets, folds=5)[0]
    for k in range(5):
        bins = (np.flatnonzero(fold_of == k) * 4) // 40
        assert np.bincount(bins, minlength=4).tolist() == [2, 2, 2, 2]


def test_too_many_folds_for_a_class_or_the_data_is_a_lab_error():
    with pytest.raises(LabError, match=r"a class has 2 example\(s\), too few for folds=3; give folds=2"):
        fold_assignment("single_label", np.array([0] * 6 + [1] * 2), folds=3)
    with pytest.raises(LabError, match=r"folds=1: give at least 2 folds"):
        fold_assignment("single_label", np.array([0, 1] * 5), folds=1)
