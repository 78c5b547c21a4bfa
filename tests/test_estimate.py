"""lab.training.estimate: expected wall time from sizes and measured rates, on hand-computed numbers."""

import dataclasses

import pytest

from lab.training import estimate
from lab.training.estimate import Rate, Sizes, duration, expected_seconds, mean_tokens, round_down, sample_word_counts
from recipes.transformer import Config


class Splits:
    """A LabData stand-in: only the texts of each split matter to the estimate."""

    def __init__(self, train: int, validation: int, test: int, words: int, num_outputs: int = 2):
        text = " ".join(["word"] * words)
        self.num_outputs = num_outputs
        self.splits = {"train": [text] * train, "validation": [text] * validation, "test": [text] * test}

    def texts(self, split: str) -> list[str]:
        return self.splits[split]


@pytest.fixture
def slow_cpu(monkeypatch):
    monkeypatch.setitem(estimate.RATES, ("transformer", "cpu"), Rate(train=100, infer=1000, setup=0))


def test_expected_seconds_adds_setup_training_each_epochs_validation_and_one_test_pass():
    # setup 5 + training 100 texts x 2 epochs x 50 tokens / 1000 = 10 + scoring (20 x 2 + 40) x 50 / 4000 = 1
    assert expected_seconds(Sizes(100, 20, 40, tokens=50, epochs=2), Rate(train=1000, infer=4000, setup=5)) == 16.0


def test_a_time_budget_caps_the_training_steps_but_not_the_scoring():
    # the same sizes: 10 s of training steps cut to a 4 s budget, setup 5 and scoring 1 as before; a budget
    # above the 10 s changes nothing
    rate = Rate(train=1000, infer=4000, setup=5)
    assert expected_seconds(Sizes(100, 20, 40, tokens=50, epochs=2, budget=4), rate) == 10.0
    assert expected_seconds(Sizes(100, 20, 40, tokens=50, epochs=2, budget=60), rate) == 16.0


def test_mean_tokens_approximates_wordpieces_and_cuts_at_max_length():
    # 10 words: 10 x 1.27 + 2 = 14.7 tokens; 300 words: 383, cut to 256
    assert mean_tokens([10, 300], 256) == pytest.approx((14.7 + 256) / 2)
    assert mean_tokens([300], None) == pytest.approx(383.0)
    assert mean_tokens([], 256) == 0.0


def test_word_counts_are_sampled_across_the_whole_list():
    texts = [" ".join(["w"] * (i + 1)) for i in range(1000)]
    counts = sample_word_counts(texts, limit=500)
    assert len(counts) == 500 and counts[:3] == [1, 3, 5] and counts[-1] == 999


@pytest.mark.parametrize("seconds, shown", [(0.3, "under 1 s"), (45, "45 s"), (720, "12 min"), (6000, "1 h 40 min"), (3600, "1 h 00 min")])
def test_duration(seconds, shown):
    assert duration(seconds) == shown


def test_round_down_keeps_two_significant_digits():
    assert [round_down(n) for n in (12345, 916, 99, 7)] == [12000, 910, 99, 7]


def test_over_an_hour_on_cpu_names_the_knobs_with_values(slow_cpu):
    # 1000 texts of 100 words: 129 tokens; training 1000 x 3 x 129 / 100 = 3870 s; scoring (100 x 3 + 100) x 129
    # / 1000 = 51.6 s; 3921.6 s in all. An hour fits 1000 x (3600 - 51.6) / 3870 = 916 texts: 910
    line = estimate.estimate_line("transformer", Config(min_steps=0), Splits(1000, 100, 100, words=100), device="cpu")
    assert line.startswith("transformer: expected wall time about 1 h 05 min on this CPU (1,000 training texts x 3 "
                           "epochs at about 129 tokens each")
    assert line.endswith("over an hour on CPU: to shorten it, give max_train_examples=910, max_length=128, a GPU")


def test_a_capped_train_split_is_estimated_at_its_cap_without_the_warning(slow_cpu):
    # 100 x 3 x 129 / 100 = 387 s + 51.6 s of scoring: 7 min
    line = estimate.estimate_line("transformer", Config(max_train_examples=100, min_steps=0),
                                  Splits(1000, 100, 100, words=100),
                                  device="cpu")
    assert "about 7 min" in line and "100 training texts" in line and "over an hour" not in line


def test_no_estimate_without_a_measured_rate():
    assert estimate.estimate_line("no_such_recipe", Config(), Splits(10, 2, 2, words=5), device="cpu") is None


def test_on_a_gpu_the_gpus_rate_applies_and_no_cpu_warning():
    # the H100 rate: 628 x 128 tokens/s training, 3x that scoring, 10 s setup: 10 + 1000 x 3 x 129 / 80,384 = 4.81
    # + 400 x 129 / 241,152 = 0.21: 15 s
    line = estimate.estimate_line("transformer", Config(min_steps=0), Splits(1000, 100, 100, words=100), device="cuda")
    assert "about 15 s on this GPU" in line and "measured on an H100" in line and "over an hour" not in line


def test_the_runner_prints_the_estimate_before_the_recipe_starts(tmp_path, tiny_csv, monkeypatch, capsys):
    from lab import runs
    from lab.results import RecipeResult

    printed = []

    def stub(cfg, data):  # the recipe itself: by now the estimate must already be on stderr
        printed.append(capsys.readouterr().err)
        return RecipeResult()

    monkeypatch.setattr("recipes.transformer.run", stub)
    runs.execute("transformer", "tiny", [f"dataset={tiny_csv}"], runs_dir=str(tmp_path))
    assert len(printed) == 1 and "note: transformer: expected wall time about" in printed[0]


def test_a_capped_validation_split_is_scored_at_its_cap_each_epoch(slow_cpu):
    # 1000 validation texts: 387 s of training + (1000 x 3 + 100) x 129 / 1000 = 399.9 s of scoring: 13 min;
    # capped at 100: 387 + (100 x 3 + 100) x 129 / 1000 = 438.6 s: 7 min
    splits = Splits(1000, 1000, 100, words=100)
    uncapped = Config(max_train_examples=100, min_steps=0)
    capped = Config(max_train_examples=100, max_validation_examples=100, min_steps=0)
    assert "about 13 min" in estimate.estimate_line("transformer", uncapped, splits, device="cpu")
    assert "about 7 min" in estimate.estimate_line("transformer", capped, splits, device="cpu")


def test_min_steps_passes_are_counted_as_the_loop_plans_them(slow_cpu):
    # 1000 texts in batches of 16: 63 steps a pass, 189 in 3 epochs, under min_steps=300: 100 steps an epoch, 100/63
    # passes. Training 1000 x 3 x 100/63 x 129 / 100 = 6142.9 s + 51.6 s of scoring = 6194.5 s: 1 h 43 min
    line = estimate.estimate_line("transformer", Config(min_steps=300), Splits(1000, 100, 100, words=100),
                                  device="cpu")
    assert "about 1 h 43 min" in line


def test_preparation_passes_grow_with_the_train_split_and_words_are_not_wordpieces(monkeypatch):
    # the lstm counts whitespace words cut at max_length: 100 words, max_length 400: 100 tokens. 1000 texts:
    # setup 2 + Word2Vec 1000 x 100 x 30 passes / 10,000 = 300 + training 1000 x 10 epochs x 100 / 1000 = 1000
    # + scoring (100 x 10 + 100) x 100 / 100,000 = 1.1: 1303.1 s, 22 min; embedding_init=random: no Word2Vec, 17 min
    from recipes.lstm import Config as LstmConfig

    shipped = estimate.RATES[("lstm", "cpu")]
    monkeypatch.setitem(estimate.RATES, ("lstm", "cpu"), Rate(train=1000, infer=100_000, setup=2, tokens="words",
                                                              prepare=10_000, prepare_passes=shipped.prepare_passes,
                                                              prepare_cap=shipped.prepare_cap))
    splits = Splits(1000, 100, 100, words=100)
    cfg = LstmConfig(min_steps=0, epochs=10, w2v_epochs=30, max_length=400)
    line = estimate.estimate_line("lstm", cfg, splits, device="cpu")
    assert "about 22 min" in line and "at about 100 words each" in line
    random = LstmConfig(min_steps=0, epochs=10, embedding_init="random", max_length=400)
    assert "about 17 min" in estimate.estimate_line("lstm", random, splits, device="cpu")
    # w2v_max_texts=500: Word2Vec reads half the texts, 150 s instead of 300 s: 1153.1 s, 19 min
    capped = LstmConfig(min_steps=0, epochs=10, w2v_epochs=30, max_length=400, w2v_max_texts=500)
    assert "about 19 min" in estimate.estimate_line("lstm", capped, splits, device="cpu")


def test_a_recipe_without_epochs_or_validation_passes_is_one_fit_and_one_test_pass(monkeypatch):
    # classical, per word and class: 1000 texts x 100 words x 5 classes / 10,000 = 50 s, plus the test split
    # 100 x 100 / 10,000 = 1 s
    from recipes.classical import Config as ClassicalConfig

    monkeypatch.setitem(estimate.RATES, ("classical", "cpu"), Rate(train=10_000, infer=10_000, tokens="words",
                                                                   validates=False, per_output=True))
    line = estimate.estimate_line("classical", ClassicalConfig(), Splits(1000, 100, 100, words=100, num_outputs=5),
                                  device="cpu")
    assert line.startswith("classical: expected wall time about 51 s on this CPU (1,000 training texts at about "
                           "100 words each, 5 outputs") and "epoch" not in line and "early stopping" not in line


def test_a_rate_in_texts_ignores_their_length(monkeypatch):
    # bow_ffn: 1000 texts x 10 epochs / 100 texts/s = 100 s + scoring (100 x 10 + 100) / 1000 = 1.1 s: 2 min,
    # for texts of 10 words as of 1000
    from recipes.bow_ffn import Config as BowConfig

    monkeypatch.setitem(estimate.RATES, ("bow_ffn", "cpu"), Rate(train=100, infer=1000, tokens="texts"))
    for words in (10, 1000):
        line = estimate.estimate_line("bow_ffn", BowConfig(min_steps=0, epochs=10), Splits(1000, 100, 100, words),
                                      device="cpu")
        assert "about 2 min" in line and "(1,000 training texts x 10 epochs, at rates" in line


def test_topics_adds_the_encoder_word2vec_lda_kmeans_and_document_terms(monkeypatch):
    # 100 training texts of 50 words (65.5 wordpieces, under embed_max_length 128), 10 validation, 20 test (scored).
    # encoder: (100 train + 20 scored texts) x (65.5 + 44 per text) = 13,140 / 1,314 = 10 s, plus setup 5; LDA 100
    # x (50 words + 46 per document) x 2 passes x 3 restarts = 57,600 / 5,760 = 10 s; K-means (100 words + 20 docs x
    # 2 representations) x 2 K values + 20 x 2 representations x 2 seeds = 360 / 36 = 10 s; the rest: 130 documents
    # x (50 + 20 words) x 2 analyses (the two representations) = 18,200 / 1,820 = 10 s: 45 s
    from recipes.topics import Config as TopicsConfig

    assert (estimate.ENCODED_TEXT_PIECES, estimate.LDA_DOCUMENT_WORDS, estimate.DOCUMENT_WORDS) == (44, 46, 20)
    monkeypatch.setitem(estimate.RATES, ("topics", "cpu"), estimate.TopicsRate(
        encode=1_314, word2vec=2000, lda=5_760, kmeans=36, documents=1_820, setup=5))
    splits = Splits(100, 10, 20, words=50)
    common = dict(k_min=2, k_max=3, cluster_words=100, cluster_seeds=2, lda_passes=2, lda_restarts=3,
                  embedding_topics=False)
    encoder = TopicsConfig(representations=["tfidf", "minilm"], word_vector_source="encoder_documents", **common)
    line = estimate.estimate_line("topics", encoder, splits, device="cuda")  # topics runs on the CPU anyway
    assert line == ("topics: expected wall time about 45 s on this CPU (100 training documents, 120 texts through "
                    "the encoder, at rates measured on a 2-core CPU)")
    # no encoder, no setup; Word2Vec 100 x 50 x 4 epochs = 20,000 / 2,000 = 10 s; LDA 10 s; K-means (100 + 20) x 2
    # + 20 x 1 x 2 = 280 / 36 = 7.8 s; the rest 130 x 70 x 1 analysis = 9,100 / 1,820 = 5 s: 32.8 s
    word2vec = TopicsConfig(representations=["tfidf"], word_vector_source="word2vec", w2v_epochs=4, **common)
    assert "about 33 s on this CPU (100 training documents, no encoder" in estimate.estimate_line(
        "topics", word2vec, splits)
    capped = estimate.topics_work(dataclasses.replace(word2vec, max_train_documents=50), splits)
    assert (capped.train, capped.documents, capped.encoded) == (50, 80, 0)


def test_bow_ffns_training_rate_scales_with_its_width_between_the_two_measured_ones():
    # measured: 8,800 texts/s at [64], 3,800 at [256]; the rate's `train` is [256]'s, so [64] costs 3,800/8,800
    from recipes.bow_ffn import Config as BowConfig

    assert estimate.width_cost(256) == pytest.approx(1.0)
    assert estimate.width_cost(64) == pytest.approx(3_800 / 8_800)
    assert estimate.width_cost(160) == pytest.approx((estimate.width_cost(64) + 1) / 2)  # a line between them
    rate = estimate.RATES[("bow_ffn", "cpu")]
    narrow, wide = (estimate.recipe_sizes(BowConfig(hidden=hidden), Splits(100, 10, 10, words=5), rate)
                    for hidden in ([64], [128, 128]))
    assert narrow.cost == pytest.approx(3_800 / 8_800) and wide.cost == pytest.approx(1.0)
