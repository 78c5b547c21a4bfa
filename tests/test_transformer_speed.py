"""The transformer recipe's dropout keys (issue 24): they reach the encoder, are bounded, and a model trained with
them still loads in transformers.pipeline() and in `lab predict` with the labels the run scored."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from lab.errors import LabError
from lab.runs import execute
from tests.conftest import tiny_config
from tests.tiny_bert import assert_reloads_with_the_runs_labels, build_tiny_bert

ROOT = Path(__file__).resolve().parents[1]
TINY = "tests/assets/tiny.csv"


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert") / "tiny-bert", ROOT / TINY)


@pytest.fixture(autouse=True)
def every_test_on_one_thread(one_thread):
    yield


def dropout_rates(model) -> dict[str, float]:
    """The rates the modules will apply (not only what the config says)."""
    layer = model.bert.encoder.layer[0]
    return {"attention": layer.attention.self.dropout.p, "hidden": layer.output.dropout.p,
            "embeddings": model.bert.embeddings.dropout.p, "head": model.dropout.p}


def test_the_dropout_keys_reach_the_encoders_modules(tiny_bert):
    from lab.models.hf import load_classifier

    model, _ = load_classifier(str(tiny_bert), ["a", "b"], dropout={"attention": 0.0, "hidden": 0.25})
    assert dropout_rates(model) == {"attention": 0.0, "hidden": 0.25, "embeddings": 0.25, "head": 0.25}
    assert model.config.attention_probs_dropout_prob == 0.0 and model.config.hidden_dropout_prob == 0.25
    own, _ = load_classifier(str(tiny_bert), ["a", "b"], dropout={"attention": None, "hidden": None})
    assert dropout_rates(own) == dict.fromkeys(("attention", "hidden", "embeddings", "head"), 0.1)  # BertConfig's


def test_other_encoder_families_get_their_own_attribute_names():
    from lab.models.hf import dropout_overrides

    distilbert = SimpleNamespace(attention_dropout=0.1, dropout=0.1)
    assert dropout_overrides(distilbert, {"attention": 0.0, "hidden": None}) == {"attention_dropout": 0.0}
    bert = SimpleNamespace(attention_probs_dropout_prob=0.1, hidden_dropout_prob=0.1)
    assert dropout_overrides(bert, {"attention": 0.0, "hidden": 0.2}) == {"attention_probs_dropout_prob": 0.0,
                                                                          "hidden_dropout_prob": 0.2}


@pytest.mark.parametrize("key", ["attention_dropout", "hidden_dropout"])
def test_a_rate_of_one_is_refused_with_the_fix(key):
    with pytest.raises(LabError, match=rf"^{key}=1.0: must be in \[0, 1\); (give e.g. {key}=|leave the key out)"):
        tiny_config("transformer", **{key: 1})


def test_a_model_trained_without_dropout_loads_in_pipeline_and_lab_predict_with_the_same_labels(tiny_bert, tmp_path):
    run = execute("transformer", "tiny", [f"dataset={TINY}", f"model={tiny_bert}", "attention_dropout=0",
                                          "hidden_dropout=0"], runs_dir=str(tmp_path))
    saved = run / "models" / "tiny-bert"
    config = json.loads((saved / "config.json").read_text())
    assert config["attention_probs_dropout_prob"] == 0.0 and config["hidden_dropout_prob"] == 0.0
    assert_reloads_with_the_runs_labels(run, saved, TINY)


def test_scoring_batches_by_length_pads_less_and_returns_documents_in_input_order():
    """by_length sorts the rows longest first; document_logits, following the owner array, undoes the order."""
    import numpy as np

    from lab.models.hf import by_length, document_logits

    lengths = [3, 9, 1, 9, 5, 2]  # documents 0..5, one row each; rows 1 and 3 tie (stable: 1 first)
    encoded = {"input_ids": [[7] * n for n in lengths], "owner": np.arange(6)}
    ordered = by_length(encoded)
    assert [len(ids) for ids in ordered["input_ids"]] == [9, 9, 5, 3, 2, 1]
    assert ordered["owner"].tolist() == [1, 3, 4, 0, 5, 2]
    # batches of 2 pad to their longest row: 9+9+5+5+2+2 = 32 tokens sorted, against 9+9+9+9+5+5 = 46 in input order
    padded = sum(2 * max(len(r) for r in rows[i:i + 2]) for rows in [ordered["input_ids"]] for i in (0, 2, 4))
    assert padded == 32
    row_logits = np.array([[float(owner)] for owner in ordered["owner"]])  # each row's logit names its document
    assert document_logits(row_logits, ordered["owner"], 6)[:, 0].tolist() == [0, 1, 2, 3, 4, 5]


def test_bf16_batches_on_cpu_are_padded_to_a_multiple_of_16_tokens(tiny_bert):
    """Few distinct batch lengths under bf16: oneDNN builds kernels per shape (benchmarks/pad_multiple.py)."""
    import numpy as np
    from transformers import AutoTokenizer

    from lab.models.hf import by_length, loader, pad_multiple, tokenize

    assert pad_multiple("bf16") == 16 and pad_multiple("no") is None  # on CPU; fp32 gains nothing from padding
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    texts = ["the match ended in a draw", "shares fell", "the film won " * 6]
    encoded = by_length(tokenize(tokenizer, texts, max_length=48))
    lengths = [len(ids) for ids in encoded["input_ids"]]
    assert lengths == sorted(lengths, reverse=True) and lengths[0] > 16 and lengths[-1] < 16
    batches = loader(tokenizer, encoded, np.zeros(3), batch_size=2, pad_to_multiple_of=pad_multiple("bf16"))
    assert [tuple(batch["input_ids"].shape) for batch in batches] == [(2, 32), (1, 16)]
    plain = loader(tokenizer, encoded, np.zeros(3), batch_size=2, pad_to_multiple_of=pad_multiple("no"))
    assert [tuple(batch["input_ids"].shape) for batch in plain] == [(2, lengths[0]), (1, lengths[2])]


def test_packed_dropout_masks_keep_one_minus_p_in_every_bit_lane_and_scale_the_kept():
    """Each 64-bit draw feeds four elements: every lane of four must keep 1 - p (a draw whose top bit is always 0, as
    random_() without bounds gives, would keep the whole fourth lane). 2^20 elements: the rate's sd is 0.0003."""
    import torch

    from lab.models.dropout import keep_mask

    torch.manual_seed(0)
    mask = keep_mask(torch.Size([1024, 1024]), 0.1, torch.float32, "cpu").flatten()
    assert mask.unique().tolist() == [0.0, pytest.approx(1 / 0.9)]  # dropped, or kept and scaled by 1 / (1 - p)
    kept = (mask > 0).float()
    assert abs(kept.mean().item() - 0.9) < 0.0015
    for lane in range(4):
        assert abs(kept[lane::4].mean().item() - 0.9) < 0.003
    # p = 0.5 has threshold 0: keep exactly where the 16 bits, read as a signed number, are >= 0
    half = keep_mask(torch.Size([7]), 0.5, torch.bfloat16, "cpu")
    assert half.dtype == torch.bfloat16 and set(half.unique().tolist()) <= {0.0, 2.0}


def test_packed_dropout_masks_come_from_torchs_seeded_generator():
    import torch

    from lab.models.dropout import keep_mask

    def mask(seed, shape=torch.Size([3, 5])):  # 15 elements: not a multiple of the four per draw
        torch.manual_seed(seed)
        return keep_mask(shape, 0.3, torch.float32, "cpu")

    assert torch.equal(mask(1), mask(1)) and mask(1).shape == (3, 5)
    assert not torch.equal(mask(1, torch.Size([64])), mask(2, torch.Size([64])))


def test_pack_dropout_swaps_only_the_active_sites_and_leaves_evaluation_unchanged(tiny_bert):
    import torch

    from lab.models.dropout import PackedDropout, pack_dropout
    from lab.models.hf import load_classifier

    torch.manual_seed(0)
    model, tokenizer = load_classifier(str(tiny_bert), ["a", "b"], dropout={"attention": 0.0, "hidden": 0.25})
    batch = tokenizer(["the match ended in a draw", "shares fell"], return_tensors="pt", padding=True)
    before = model.eval()(**batch).logits
    # two layers x (attention output, block output) + embeddings + head; the attention probabilities' p is 0
    assert pack_dropout(model) == 6
    assert dropout_rates(model) == {"attention": 0.0, "hidden": 0.25, "embeddings": 0.25, "head": 0.25}
    assert isinstance(model.bert.encoder.layer[1].output.dropout, PackedDropout)
    assert type(model.bert.encoder.layer[0].attention.self.dropout) is torch.nn.Dropout
    assert torch.equal(model(**batch).logits, before)  # eval: dropout is the identity
    model.train()
    trained = model(**batch).logits
    assert not torch.allclose(trained, before)
    trained.sum().backward()
    assert torch.isfinite(model.bert.embeddings.word_embeddings.weight.grad).all()


@pytest.mark.parametrize("masks", ["packed", "torch"])
def test_a_model_trained_with_either_mask_loads_in_pipeline_and_lab_predict_with_the_runs_labels(tiny_bert, tmp_path,
                                                                                                  masks):
    # seed 1: on this 40-row corpus a draw of masks can leave one test row wrong after 8 epochs (seeds 0-7: packed
    # masks scored 4 of 4 eight times, torch's six), and the reload check below compares with the true labels
    run = execute("transformer", "tiny", [f"dataset={TINY}", f"model={tiny_bert}", f"dropout_masks={masks}",
                                          "seed=1"], runs_dir=str(tmp_path))
    record = json.loads((run / "record.json").read_text())
    assert any(f"dropout masks: {masks};" in note for note in record["notes"])
    assert_reloads_with_the_runs_labels(run, run / "models" / "tiny-bert", TINY)


def test_frozen_word_embeddings_keep_their_pretrained_values_and_the_model_still_loads(tiny_bert, tmp_path):
    import torch
    from safetensors.torch import load_file

    run = execute("transformer", "tiny", [f"dataset={TINY}", f"model={tiny_bert}", "freeze_word_embeddings=true",
                                          "seed=1"], runs_dir=str(tmp_path))
    record = json.loads((run / "record.json").read_text())
    assert "word embeddings frozen (freeze_word_embeddings=true)" in record["notes"]
    pretrained, trained = load_file(tiny_bert / "model.safetensors"), load_file(run / "models/tiny-bert/model.safetensors")
    key = "embeddings.word_embeddings.weight"
    assert torch.equal(trained[f"bert.{key}"], pretrained[key])  # frozen: not one value moved
    assert not torch.equal(trained["bert.embeddings.position_embeddings.weight"],
                           pretrained["embeddings.position_embeddings.weight"])  # the rest trained
    # the Params column counts what trained: the tiny BERT without its vocabulary x hidden matrix
    model = record["models"][0]
    assert model["efficiency"]["parameters"] == sum(t.numel() for t in trained.values()) - trained[f"bert.{key}"].numel()
    assert_reloads_with_the_runs_labels(run, run / "models" / "tiny-bert", TINY)
