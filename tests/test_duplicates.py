import random

import pytest

from lab.data.duplicates import NEAR_JACCARD, RepeatFilter, drop_repeats, jaccard, shingles
from lab.errors import LabError

WORDS = [f"w{i}" for i in range(500)]


def article(rng: random.Random, length: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(length))


def test_shingles_are_lowercased_word_trigrams_and_a_short_text_is_one():
    assert shingles("The cat, the HAT sat") == {"the cat the", "cat the hat", "the hat sat"}
    assert shingles("Hello   world") == {"hello world"} and shingles("!!") == {"!!"}
    # 4 trigrams each, 2 shared: 2 / 6
    assert jaccard(shingles("a b c d e f"), shingles("a b c d x y")) == pytest.approx(2 / 6)


def test_a_source_with_splits_loses_the_validation_and_test_copies_of_train_texts():
    notes = []
    kept = drop_repeats({"test": (["a b", "new", "new "], ["x", "y", "y"]),
                         "train": (["a  b", "c"], ["x", "y"])}, "exact", notes)
    assert kept == {"train": (["a  b", "c"], ["x", "y"]), "test": (["new"], ["y"])}
    assert notes == ["dropped 2 texts from the test split that repeat an earlier text; duplicates=keep keeps them"]


def test_near_copies_are_found_however_the_lsh_buckets_them():
    """Every planted copy (1 of 60 words changed: Jaccard about 0.9) is dropped; a half-rewritten text is kept."""
    rng = random.Random(0)
    originals = [article(rng) for _ in range(300)]
    copies = []
    for text in originals[:40]:
        words = text.split()
        words[rng.randrange(len(words))] = "changed"
        copies.append(" ".join(words))
    rewritten = " ".join(originals[40].split()[:30]) + " " + article(rng, 30)
    assert all(jaccard(shingles(c), shingles(o)) >= NEAR_JACCARD for c, o in zip(copies, originals))
    assert jaccard(shingles(rewritten), shingles(originals[40])) < NEAR_JACCARD
    notes = []
    kept = drop_repeats({"train": (originals, ["a"] * 300), "test": (copies + [rewritten], ["a"] * 40 + ["b"])},
                        "near", notes)
    assert kept["test"] == ([rewritten], ["b"]) and len(kept["train"][0]) == 300
    assert notes == ["dropped 0 texts from the test split that repeat an earlier text and 40 near-copies of one "
                     "(word 3-gram Jaccard >= 0.8); duplicates=exact keeps near-copies, duplicates=keep keeps all"]
    assert drop_repeats({"train": (originals, ["a"] * 300), "test": (copies, ["a"] * 40)}, "exact", [])["test"] \
        == (copies, ["a"] * 40)


def test_a_repeat_reports_the_label_of_the_copy_that_was_kept():
    repeats = RepeatFilter(near=True)
    text = article(random.Random(1))
    assert repeats.repeat_of(text, "sport") is None
    assert repeats.repeat_of(text.upper() + " end", "tech") == ("near", "sport")
    assert repeats.repeat_of(" " + text, "tech") == ("exact", "sport")
    # the dropped near-copy again: its label is still compared with the copy that was kept
    assert repeats.repeat_of(text.upper() + " end", "tech") == ("exact", "sport")


def test_a_split_made_only_of_copies_is_an_error_not_an_empty_split():
    with pytest.raises(LabError, match="every text of the test split repeats a text of an earlier split"):
        drop_repeats({"train": (["a b c", "d e f"], ["x", "y"]), "test": (["a  b c"], ["x"])}, "exact", [])
