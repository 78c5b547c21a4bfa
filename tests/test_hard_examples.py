import pytest

from lab.evaluation.hard_examples import MAX_LISTED, hard_examples, opening

TRUTH = ["a", "a", "b", "b"]


def test_examples_missed_by_most_models_are_listed_most_missed_first():
    predictions = {"m1": ["b", "a", "b", "a"], "m2": ["b", "a", "a", "a"], "m3": ["a", "a", "a", "b"]}
    hard = hard_examples(TRUTH, predictions, ["t0", "t1", "t2", "t3"])
    # row 0: m1, m2 wrong; row 2: m2, m3 wrong; row 3: m1, m2 wrong -> all three at the threshold of 2 of 3
    assert [e["row"] for e in hard["examples"]] == [0, 2, 3] and hard["threshold"] == 2 and hard["count"] == 3
    assert hard["examples"][0] == {"row": 0, "label": "a", "missed_by": 2, "predicted": {"b": 2}, "text": "t0"}
    assert hard["missed_by_all"] == 0 and hard["ceiling_macro_f1"] == 1.0


def test_the_ceiling_is_the_macro_f1_of_missing_only_what_every_model_misses():
    predictions = {"m1": ["b", "a", "b", "b"], "m2": ["b", "a", "a", "b"]}
    hard = hard_examples(TRUTH, predictions, None)
    assert [e["row"] for e in hard["examples"]] == [0] and hard["examples"][0]["text"] == ""
    # best case b,a,b,b: class a P=1 R=1/2 F1=2/3; class b P=2/3 R=1 F1=4/5; macro (2/3 + 4/5) / 2
    assert hard["missed_by_all"] == 1 and hard["ceiling_macro_f1"] == pytest.approx((2 / 3 + 4 / 5) / 2)


def test_one_model_has_no_shared_errors_and_long_lists_are_cut():
    assert hard_examples(TRUTH, {"m1": ["b", "b", "a", "a"]}, None) is None
    truth = ["a"] * 30
    hard = hard_examples(truth, {"m1": ["b"] * 30, "m2": ["b"] * 30}, None)
    assert hard["count"] == 30 and len(hard["examples"]) == MAX_LISTED


def test_opening_collapses_whitespace_and_keeps_200_characters():
    assert opening("Title\n\n  body  text") == "Title body text"
    assert len(opening("word " * 100)) == 200


def test_the_threshold_is_half_of_the_models_rounded_up_and_the_most_missed_come_first():
    truth = ["a"] * 5
    wrong_on = {"m1": {0, 1, 2, 4}, "m2": {0, 1, 2, 4}, "m3": {0, 1, 4}, "m4": {0, 1}, "m5": {0}}
    predictions = {name: ["b" if i in rows else "a" for i in range(5)] for name, rows in wrong_on.items()}
    hard = hard_examples(truth, predictions, None)
    # 5 models: threshold 3. Missed by: row 0 five, row 1 four, row 2 two (below), row 4 three
    assert hard["models"] == 5 and hard["threshold"] == 3 and hard["count"] == 3
    assert [(e["row"], e["missed_by"]) for e in hard["examples"]] == [(0, 5), (1, 4), (4, 3)]
    assert hard["missed_by_all"] == 1
