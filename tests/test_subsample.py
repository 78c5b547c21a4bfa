"""lab.data.subsample_train: the data-efficiency experiment's stratified, seeded training subsets."""

import numpy as np
import pytest

from lab.data import LabData, subsample_train
from lab.data.dataset import to_dataset_dict
from lab.errors import LabError

NAMES = ["a", "b", "c"]


def lab_data(train_counts=(60, 30, 10)) -> LabData:
    """A train split with the given examples per class, in interleaved order; 3 validation and 3 test rows."""
    labels = [name for name, count in zip(NAMES, train_counts) for _ in range(count)]
    order = np.random.default_rng(0).permutation(len(labels))
    train = ([f"train text {i}" for i in order], [labels[i] for i in order])
    held_out = {split: ([f"{split} text {name}" for name in NAMES], list(NAMES)) for split in ("validation", "test")}
    splits = to_dataset_dict({"train": train, **held_out}, NAMES)
    return LabData("fake", {"dataset": "fake"}, splits, "fingerprint0", [])


def per_class(data: LabData) -> list[int]:
    return np.bincount(data.labels("train"), minlength=len(NAMES)).tolist()


@pytest.mark.parametrize("size, expected", [
    (50, [30, 15, 5]),  # exact shares
    (6, [3, 2, 1]),  # shares 3.6, 1.8, 0.6: floors 3, 1, then 1 for the smallest class; the remainder goes to b
    (3, [1, 1, 1]),  # every class keeps one example, however small its share
    (11, [7, 3, 1]),  # shares 6.6, 3.3, 1.1: floors 6, 3, 1; the remainder goes to the largest loss, a (0.6)
])
def test_quotas_follow_the_class_shares_and_sum_to_the_size(size, expected):
    sub = subsample_train(lab_data(), size, seed=0)
    assert per_class(sub) == expected and len(sub.labels("train")) == size


def test_the_subset_is_seeded_keeps_its_order_and_changes_only_train():
    data = lab_data()
    first, again, other = (subsample_train(data, 20, seed) for seed in (1, 1, 2))
    assert first.texts("train") == again.texts("train") and first.texts("train") != other.texts("train")
    original = data.texts("train")
    positions = [original.index(text) for text in first.texts("train")]
    assert positions == sorted(positions)  # a subset in the original order, each row once
    assert len(set(positions)) == 20
    for split in ("validation", "test"):
        assert first.texts(split) == data.texts(split)
    assert first.fingerprint == data.fingerprint and first.spec == {"dataset": "fake", "train_size": 20}


def test_a_size_at_or_above_the_split_is_the_whole_split():
    data = lab_data()
    assert subsample_train(data, 100, seed=0) is data and subsample_train(data, 500, seed=0) is data


def test_a_size_below_the_number_of_classes_is_a_lab_error():
    with pytest.raises(LabError, match=r"^train size 2 is smaller than the 3 classes; give train_sizes of at least 3$"):
        subsample_train(lab_data(), 2, seed=0)
