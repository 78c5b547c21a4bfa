"""Word vectors from the encoder, on the tiny local BERT (random weights, built from the fixture corpus)."""

import numpy as np
import pytest

from lab.data import text
from lab.topics import encoder as topics_encoder
from tests.tiny_bert import build_tiny_bert


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    folder = build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), "tests/assets/tiny.csv")
    return topics_encoder.load(str(folder))


def test_a_word_embedded_alone_always_gets_the_same_vector(tiny_encoder):
    vectors = topics_encoder.word_vectors_alone(tiny_encoder, ["goal", "oven", "zebra"], batch_size=2)
    again = topics_encoder.word_vectors_alone(tiny_encoder, ["oven", "goal"], batch_size=1)
    np.testing.assert_allclose(vectors["goal"], again["goal"], atol=1e-6)  # batching and padding change nothing
    assert not np.allclose(vectors["goal"], vectors["oven"])
    assert vectors["zebra"].shape == (32,)  # not in the tokenizer's vocabulary: [UNK]'s vector, no error


def test_contextual_vectors_average_each_occurrence_and_skip_absent_words(tiny_encoder):
    import torch

    texts = ["the striker scored a goal", "a late goal won the match, then another goal"]
    vocabulary = ["goal", "match", "zebra"]
    embeddings, vectors = topics_encoder.read(tiny_encoder, texts, text.TextOptions(), vocabulary, 1, 32)
    assert "zebra" not in vectors.key_to_index and len(vectors) == 2  # never occurs: no vector, no error
    # By hand: the state at each "goal" token, each text run alone; goal is one word piece of the tiny vocabulary.
    states = []
    for sentence in texts:
        batch = tiny_encoder.tokenizer(sentence, return_tensors="pt")
        with torch.inference_mode():
            hidden = tiny_encoder.model(**batch).last_hidden_state[0].numpy()
        tokens = tiny_encoder.tokenizer.convert_ids_to_tokens(batch["input_ids"][0])
        states += [hidden[i] for i, token in enumerate(tokens) if token == "goal"]
    assert len(states) == 3
    np.testing.assert_allclose(vectors["goal"], np.mean(states, axis=0), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)


def test_read_sorts_batches_by_length_but_returns_the_embeddings_in_the_order_given(tiny_encoder):
    # lengths 6, 1, 4 and 2 words: sorted by length, the batches of two are [1, 2] and [4, 6] words
    texts = ["the late goal won the match", "goal", "the oven baked bread", "the striker"]
    together = topics_encoder.read(tiny_encoder, texts, None, [], 2, 32)[0]
    alone = np.vstack([topics_encoder.read(tiny_encoder, [sentence], None, [], 1, 32)[0] for sentence in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)  # row i is text i, whichever batch it was read in
    assert not np.allclose(together[0], together[1])


def test_inflected_occurrences_feed_the_lemma(tiny_encoder):
    options = text.TextOptions()
    _, vectors = topics_encoder.read(tiny_encoder, ["the coaches praised the defence"], options, ["coach"], 4, 32)
    assert "coach" in vectors.key_to_index  # "coaches" is lemmatised to the vocabulary word "coach"


def test_bf16_encoder_runs_in_bf16_and_stays_close_to_fp32(tmp_path_factory, monkeypatch):
    import torch

    from lab.errors import LabError

    folder = str(build_tiny_bert(tmp_path_factory.mktemp("tiny-bert-bf16"), "tests/assets/tiny.csv"))
    texts = ["the striker scored a goal", "the oven baked bread"]
    fp32 = topics_encoder.read(topics_encoder.load(folder, "fp32"), texts, None, [], 2, 32)[0]
    bf16_encoder = topics_encoder.load(folder, "bf16")
    seen = []
    hook = bf16_encoder.model.encoder.layer[0].attention.self.query.register_forward_hook(
        lambda module, inputs, output: seen.append(output.dtype))
    bf16 = topics_encoder.read(bf16_encoder, texts, None, [], 2, 32)[0]
    hook.remove()
    assert seen == [torch.bfloat16]  # autocast really ran the linear layers in bf16
    assert bf16.dtype == np.float32 and bf16.shape == fp32.shape
    assert (fp32 * bf16).sum(axis=1).min() > 0.99  # unit vectors: cosine
    monkeypatch.setattr("lab.models.hf.bf16_is_fast_on_cpu", lambda: False)
    assert topics_encoder.load(folder, "auto").bf16 is False  # emulated bf16 is slower: auto keeps fp32
    with pytest.raises(LabError, match="embed_precision=fp16 is not a precision"):
        topics_encoder.load(folder, "fp16")
