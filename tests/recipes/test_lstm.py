"""lstm end to end on the 40-row fixture corpus, its parts by hand, and the save/load round trip."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lab.data import load
from tests.conftest import held_out_accuracy, tiny_config as shared_tiny_config
from lab.errors import LabError
from lab.models.lstm import LSTMClassifier
from recipes import lstm

TINY = "tests/assets/tiny.csv"


@pytest.fixture(scope="module")
def data():
    return load(TINY)


def tiny_config(**overrides):
    return shared_tiny_config("lstm", **overrides)


def test_tokenizer_and_vocabulary():
    assert lstm.tokenize("It's 2 goals, Mr. Smith!") == ["it's", "2", "goals", ",", "mr", ".", "smith", "!"]
    vocab = lstm.build_vocab([["b", "a", "b", "c"], ["a", "b"]], min_freq=2, max_size=10)
    assert vocab == ["<pad>", "<unk>", "b", "a"]
    assert lstm.build_vocab([["b", "a", "b"]], min_freq=1, max_size=3) == ["<pad>", "<unk>", "b"]
    index = {t: i for i, t in enumerate(vocab)}
    assert [s.tolist() for s in lstm.encode([["a", "zzz", "b"], []], index, max_length=2)] == [[3, 1], [1]]


def test_bucketed_batches_cover_every_example_once_and_group_lengths():
    lengths = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10]
    sampler = lstm.BucketBatchSampler(lengths, batch_size=3, shuffle=True, seed=0, pool=2)
    epoch1, epoch2 = list(sampler), list(sampler)
    assert sorted(i for b in epoch1 for i in b) == list(range(10)) and len(epoch1) == len(sampler) == 4
    assert epoch1 != epoch2  # a new order each epoch
    again = lstm.BucketBatchSampler(lengths, batch_size=3, shuffle=True, seed=0, pool=2)
    assert list(again) == epoch1  # ... and the same sequence for the same seed
    ordered = list(lstm.BucketBatchSampler(lengths, batch_size=3, shuffle=False))
    assert [[lengths[i] for i in b] for b in ordered] == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]


@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
@pytest.mark.parametrize("bidirectional,layers", [(True, 1), (False, 1), (True, 2)])
def test_padding_does_not_change_a_texts_output(pooling, bidirectional, layers):
    torch.manual_seed(0)
    arch = {"embedding_dim": 4, "hidden_size": 3, "num_layers": layers, "bidirectional": bidirectional,
            "pooling": pooling, "dropout": 0.0, "n_classes": 2, "freeze": False}
    model = LSTMClassifier(10, arch).eval()
    alone = model(torch.tensor([[2, 3, 4]]), torch.tensor([3]))
    padded = model(torch.tensor([[2, 3, 4, 0, 0], [5, 6, 7, 8, 9]]), torch.tensor([3, 5]))
    assert torch.allclose(alone[0], padded[0], atol=1e-6)


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("layers", [1, 2])
def test_same_outputs_as_torchs_packed_bidirectional_lstm(layers, packed):
    """Both execution modes compute exactly a stacked bidirectional nn.LSTM on packed sequences."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    torch.manual_seed(0)
    arch = {"embedding_dim": 4, "hidden_size": 3, "num_layers": layers, "bidirectional": True, "pooling": "max",
            "dropout": 0.0, "n_classes": 2, "freeze": False, "packed": packed}
    model = LSTMClassifier(10, arch).eval()
    reference = torch.nn.LSTM(4, 3, layers, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for depth, (forward, backward) in enumerate(model.layers):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(reference, f"{name}_l{depth}").copy_(getattr(forward, f"{name}_l0"))
                getattr(reference, f"{name}_l{depth}_reverse").copy_(getattr(backward, f"{name}_l0"))
        ids, lengths = torch.tensor([[2, 3, 4, 0, 0], [5, 6, 7, 8, 9], [9, 0, 0, 0, 0]]), torch.tensor([3, 5, 1])
        packed = pack_padded_sequence(model.embedding(ids), lengths, batch_first=True, enforce_sorted=False)
        states, _ = pad_packed_sequence(reference(packed)[0], batch_first=True, padding_value=float("-inf"))
        expected = model.classifier(states.max(dim=1).values)
        assert torch.allclose(model(ids, lengths), expected, atol=1e-6)


@pytest.mark.parametrize("overrides", [{}, {"embedding_init": "word2vec", "pooling": "last", "packed": True}])
def test_learns_the_tiny_corpus_and_reloads_to_the_same_probabilities(data, overrides, tmp_path):
    result = lstm.run(tiny_config(**overrides), data)
    [model] = result.models
    y_test = data.labels("test")
    assert model.family == "neural" and (model.predictions == y_test).all()
    assert model.scores.shape == (len(y_test), 2) and np.allclose(model.scores.sum(1), 1.0, atol=1e-5)
    assert len(model.history) == 15 and model.history[-1]["val_macro_f1"] == 1.0
    assert model.features > 50 and model.parameters > 0
    assert "learning_curves_lstm" in result.plots
    model.save(tmp_path / "m")
    predictor = lstm.load_predictor(tmp_path / "m")
    assert np.allclose(predictor(data.texts("test")), model.scores, atol=1e-6)
    assert held_out_accuracy(predictor, data.label_names) >= 0.9


def test_same_seed_same_history(data):
    first = lstm.run(tiny_config(dropout=0.2, epochs=3, embedding_init="word2vec"), data).models[0]
    second = lstm.run(tiny_config(dropout=0.2, epochs=3, embedding_init="word2vec"), data).models[0]
    assert first.history == second.history and np.array_equal(first.scores, second.scores)


def test_word2vec_learns_from_a_seeded_sample_of_w2v_max_texts(monkeypatch):
    import lab.models.word_vectors as word_vectors

    seen, real = [], word_vectors.train_word2vec
    monkeypatch.setattr(word_vectors, "train_word2vec", lambda lists, *rest: seen.append(lists) or real(lists, *rest))
    token_lists = [[f"only{i}", "shared", "word"] for i in range(20)]
    cfg = lstm.Config(embedding_dim=8, w2v_epochs=1, min_freq=1, w2v_max_texts=5)
    matrix = lstm.word2vec_vectors(token_lists, ["<pad>", "<unk>", "shared", "word"], cfg)
    rows = [token_lists.index(tokens) for tokens in seen[0]]
    assert len(rows) == 5 and rows == sorted(set(rows)) and matrix.shape == (4, 8)  # 5 distinct texts, in order
    assert lstm.sampled(token_lists, 5, cfg.seed) == seen[0]  # the same seed draws the same sample
    assert lstm.sampled(token_lists, None, 0) is token_lists and lstm.sampled(token_lists, 20, 0) is token_lists


@pytest.mark.parametrize("header", ["3 16\n", ""])  # word2vec text, GloVe text
def test_vectors_file(data, tmp_path, header):
    path = tmp_path / "vectors.txt"
    path.write_text(header + "".join(f"{w} " + " ".join(["0.5"] * 16) + "\n" for w in ("the", "coach", "oven")))
    result = lstm.run(tiny_config(embedding_init="file", vectors_path=path, epochs=2), data)
    assert any("covers" in note for note in result.notes)
    with pytest.raises(LabError, match="not found"):
        lstm.run(tiny_config(embedding_init="file", vectors_path=tmp_path / "missing.txt"), data)
    (tmp_path / "bad.txt").write_text("this is not\na vectors file\n")
    with pytest.raises(LabError, match="not a valid vectors file"):
        lstm.run(tiny_config(embedding_init="file", vectors_path=tmp_path / "bad.txt"), data)
    (tmp_path / "words.txt").write_text("the\ncoach\n")  # words without numbers: 0-dimensional vectors
    with pytest.raises(LabError, match="holds no vectors"):
        lstm.run(tiny_config(embedding_init="file", vectors_path=tmp_path / "words.txt"), data)


def test_runs_through_the_runner(tmp_path):
    from lab.runs import execute

    folder = execute("lstm", "tiny", [f"dataset={TINY}"], runs_dir=str(tmp_path))
    record = json.loads((Path(folder) / "record.json").read_text())
    assert record["models"][0]["family"] == "neural" and len(record["models"][0]["history"]) == 15
    assert (Path(folder) / "learning_curves_lstm.png").is_file()
    assert json.loads((Path(folder) / "models" / "lstm" / "model.json").read_text())["vocab"][:2] == ["<pad>", "<unk>"]
