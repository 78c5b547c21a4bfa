"""transformer end to end with a tiny locally built BERT (nothing downloaded); resume; 2 processes; real MiniLM smoke."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from lab.config import build, read_variant
from lab.data import load
from lab.errors import LabError
from lab.models.hf import bf16_is_fast_on_cpu
from lab.runs import execute
from tests.conftest import two_process_lab_run
from tests.tiny_bert import assert_reloads_with_the_runs_labels, build_tiny_bert

ROOT = Path(__file__).resolve().parents[2]
TINY = "tests/assets/tiny.csv"


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert") / "tiny-bert", ROOT / TINY)


@pytest.fixture(scope="module")
def data():
    return load(TINY)


@pytest.fixture(autouse=True)
def every_test_on_one_thread(one_thread):
    yield


def config(tiny_bert, runs_dir, **overrides):
    from recipes import transformer

    values = {"model": str(tiny_bert), "dataset": TINY, "runs_dir": str(runs_dir), **overrides}
    return build(transformer.Config, read_variant("transformer", "tiny"), {k: str(v) for k, v in values.items()})


def test_trains_saves_and_reloads_through_pipeline_and_lab_predict(tiny_bert, tmp_path):
    run = execute("transformer", "tiny", [f"dataset={TINY}", f"model={tiny_bert}"], runs_dir=str(tmp_path))
    record = json.loads((run / "record.json").read_text())
    [model] = record["models"]
    assert model["name"] == "tiny-bert" and model["family"] == "transformer"
    assert model["metrics"]["accuracy"] == 1.0 and len(model["history"]) == 8
    saved = run / "models" / "tiny-bert"
    assert (saved / "model.safetensors").is_file() and not list(saved.glob("*.bin")) and not list(saved.glob("*.pkl"))
    assert json.loads((saved / "config.json").read_text())["id2label"] == {"0": "cooking", "1": "sport"}
    assert not any((tmp_path / "tiny" / "transformer" / "checkpoints").iterdir())  # cleaned after training
    assert assert_reloads_with_the_runs_labels(run, saved, TINY) == "tiny-bert"


def test_resume_skips_an_incomplete_checkpoint_and_matches_the_uninterrupted_run(tiny_bert, data, tmp_path):
    from lab.training import checkpoints
    from recipes import transformer

    cfg = config(tiny_bert, tmp_path, clean_checkpoints="false", keep_checkpoints=10)
    full = transformer.run(cfg, data)
    root = checkpoints.checkpoint_root(cfg, data.name, "transformer", data.fingerprint)
    assert sorted(p.name for p in root.iterdir()) == [f"epoch-{i:04d}" for i in range(1, 9)]
    assert not list(root.glob("*/custom_checkpoint_*.pkl"))  # the tracker is JSON + safetensors, never a pickle
    # Interrupted during epoch 8's save: epochs 7 and 8 missing, a half-written epoch-0007 without its marker.
    shutil.rmtree(root / "epoch-0008")
    (root / "epoch-0007" / checkpoints.COMPLETE).unlink()
    (root / "epoch-0007" / "model.safetensors").write_bytes(b"half")
    assert checkpoints.latest(root) == root / "epoch-0006"
    resumed = transformer.run(config(tiny_bert, tmp_path, resume="true"), data)
    assert f"resumed from {root / 'epoch-0006'}" in resumed.notes
    first, second = full.models[0], resumed.models[0]
    assert_same_history(second.history, first.history)
    assert np.allclose(second.scores, first.scores, atol=1e-6)
    # its throughput counts the 2 epochs it trained (7 and 8) against its own clock, not the 6 restored ones
    n_train = len(data.texts("train"))
    assert resumed.figures["train_examples_per_second"] * second.train_seconds == pytest.approx(2 * n_train)
    assert not root.exists()  # clean_checkpoints (default) removed them after the resumed run finished


def assert_same_history(got: list[dict], want: list[dict]) -> None:
    """Epoch by epoch and key by key: pytest.approx takes no list of dicts (pytest >= 9.2 raises on one)."""
    assert [h["epoch"] for h in got] == [h["epoch"] for h in want]
    for got_epoch, want_epoch in zip(got, want):
        assert got_epoch.keys() == want_epoch.keys()
        for key, value in want_epoch.items():
            assert got_epoch[key] == pytest.approx(value, rel=1e-5, abs=1e-6), (want_epoch["epoch"], key)


def test_resume_without_checkpoints_starts_from_scratch(tiny_bert, data, tmp_path):
    from recipes import transformer

    result = transformer.run(config(tiny_bert, tmp_path, resume="true", epochs=1, checkpoint="false"), data)
    assert any("no complete checkpoint" in note for note in result.notes) and len(result.models[0].history) == 1


def test_long_documents_in_chunks_average_the_window_logits(tiny_bert, data, tmp_path):
    from lab.models.hf import document_logits, load_classifier, tokenize
    from recipes import transformer

    rows = np.array([[1.0, 3.0], [3.0, 1.0], [0.0, 4.0], [2.0, 2.0]], dtype=np.float32)
    assert document_logits(rows, np.array([0, 0, 1, 1]), 2).tolist() == [[2.0, 2.0], [1.0, 3.0]]
    _, tokenizer = load_classifier(str(tiny_bert), data.label_names)
    text = data.texts("test")[0]
    windows = tokenize(tokenizer, [text], 12, stride=4)
    assert len(windows["input_ids"]) > 1 and set(windows["owner"].tolist()) == {0}
    assert tokenize(tokenizer, [text], 12, stride=4) is windows  # cached: tokenized once
    result = transformer.run(config(tiny_bert, tmp_path, long_documents="chunks", max_length=12, stride=4,
                                    checkpoint="false"), data)
    assert result.models[0].scores.shape == (len(data.texts("test")), 2)


def test_attention_without_cudnn_turns_off_only_cudnn_and_leaves_cpu_logits_unchanged(tiny_bert, data):
    import torch

    from lab.models.hf import attention, load_classifier

    backends = torch.backends.cuda
    assert backends.cudnn_sdp_enabled()
    with attention(cudnn=False):
        assert not backends.cudnn_sdp_enabled()
        assert backends.flash_sdp_enabled() and backends.mem_efficient_sdp_enabled() and backends.math_sdp_enabled()
    assert backends.cudnn_sdp_enabled()  # restored on leaving
    model, tokenizer = load_classifier(str(tiny_bert), data.label_names)
    assert model.config._attn_implementation == "sdpa"
    batch = tokenizer(data.texts("test")[:4], padding=True, return_tensors="pt")  # padded: a mask reaches sdpa
    with torch.inference_mode():
        free = model(**batch).logits
        with attention(cudnn=False):
            restricted = model(**batch).logits
    assert torch.equal(free, restricted)


def test_length_grouped_batches_are_a_seeded_permutation_of_similar_lengths():
    from lab.models.hf import LengthGroupedSampler

    lengths = [5, 90, 7, 88, 6, 91, 8, 89]
    sampler = LengthGroupedSampler(lengths, batch_size=2, seed=0, group=4)
    order = list(sampler)
    assert sorted(order) == list(range(8))
    batches = [sorted(lengths[i] for i in order[k:k + 2]) for k in range(0, 8, 2)]
    assert all(high - low <= 2 for low, high in batches)  # short with short, long with long
    assert list(sampler) == order
    sampler.set_epoch(1)
    assert list(sampler) != order and list(LengthGroupedSampler(lengths, 2, 0, 4)) == order


def test_group_by_length_false_batches_in_plain_seeded_shuffled_order(tiny_bert):
    """Properties, not the sampler's RNG calls: each example once an epoch, the same order for the same seed and
    epoch and another otherwise, and only group_by_length puts similar lengths together."""
    from transformers import AutoTokenizer

    from lab.models.hf import loader

    lengths = [5, 90, 7, 88, 6, 91, 8, 89]
    encoded = {"input_ids": [[101] * n for n in lengths], "owner": np.arange(8)}
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)

    def order(group_by_length, seed=3, epoch=0):
        batches = loader(tokenizer, encoded, np.arange(8), 2, shuffle=True, seed=seed, group_by_length=group_by_length)
        batches.sampler.set_epoch(epoch)
        return [int(label) for batch in batches for label in batch["labels"]]

    def pairs(indices):
        return [indices[i:i + 2] for i in range(0, len(indices), 2)]

    def similar(indices):
        return all(abs(lengths[a] - lengths[b]) <= 2 for a, b in pairs(indices))

    for grouped in (False, True):
        orders = {(seed, epoch): order(grouped, seed, epoch) for seed in range(5) for epoch in (0, 1)}
        assert all(sorted(o) == list(range(8)) for o in orders.values())  # every example once an epoch
        assert order(grouped, 3, 1) == orders[3, 1]  # the same seed and epoch: the same order (a resume repeats it)
        assert orders[3, 0] != orders[4, 0] and orders[3, 0] != orders[3, 1]  # another seed or epoch: another
        assert len({tuple(o) for o in orders.values()}) >= 7  # of 10 (grouped, only 4! batch orders exist)
        assert all(map(similar, orders.values())) == grouped  # plain shuffling mixes short and long


def test_an_unloadable_model_is_a_lab_error(data, tmp_path):
    from recipes import transformer

    cfg = build(transformer.Config, read_variant("transformer", "tiny"), {"model": str(tmp_path / "nothing")})
    with pytest.raises(LabError, match="could not load model"):
        transformer.run(cfg, data)


def test_two_cpu_processes_count_each_test_example_once(tiny_bert, tmp_path, cpu_processes_env):
    command = two_process_lab_run("transformer", "--config", "tiny", f"dataset={TINY}", f"model={tiny_bert}",
                                  f"runs_dir={tmp_path}", "batch_size=4")  # x 2 processes: the single-process run's 8
    done = subprocess.run(command, cwd=ROOT, env=cpu_processes_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    [run] = list((tmp_path / "tiny" / "transformer").glob("2*"))  # one run folder: only rank 0 wrote
    record = json.loads((run / "record.json").read_text())
    [model] = record["models"]
    n_test = record["dataset"]["sizes"]["test"]
    assert sum(row["support"] for row in model["per_class"].values()) == n_test
    assert sum(map(sum, model["confusion_matrix"])) == n_test
    assert len((run / "predictions.csv").read_text().splitlines()) == 1 + n_test
    assert model["metrics"]["accuracy"] == 1.0 and len(model["history"]) == 8
    assert "mixed precision: no; dropout masks: torch; processes: 2" in record["notes"]


def test_real_minilm_smoke(tmp_path):
    """A few steps with the offline all-MiniLM-L6-v2: loads, trains, predicts, saves with the class names."""
    from recipes import transformer

    cfg = build(transformer.Config, {}, {"dataset": TINY, "max_length": "32", "epochs": "1", "batch_size": "8",
                                         "eval_batch_size": "8", "progress": "false", "checkpoint": "false"})
    result = transformer.run(cfg, load(TINY))
    [model] = result.models
    assert model.name == "minilm-l6" and model.parameters > 20_000_000 and model.scores.shape == (4, 2)
    model.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "config.json").read_text())["label2id"] == {"cooking": 0, "sport": 1}


def test_mixed_precision_no_override_stays_a_string():
    """YAML reads a bare `no` as False; the override must still mean full precision."""
    from recipes import transformer

    assert build(transformer.Config, {}, {"mixed_precision": "no"}).mixed_precision == "no"
    assert transformer.choose_precision("no") == "no"


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a GPU, auto's choice depends on the model's size")
def test_auto_precision_on_cpu_is_bf16_exactly_where_the_cpu_has_native_bf16():
    from recipes import transformer

    expected = "bf16" if bf16_is_fast_on_cpu() else "no"
    assert transformer.choose_precision("auto", 22_713_216) == transformer.choose_precision("auto", 10**9) == expected


@pytest.mark.skipif(not bf16_is_fast_on_cpu(), reason="this CPU has no native bf16: the recipe would not use it")
def test_lab_predict_scores_in_the_precision_the_run_scored_its_test_split_in(tiny_bert, tmp_path):
    from lab.predict import predict

    run = execute("transformer", "tiny", [f"dataset={TINY}", f"model={tiny_bert}", "mixed_precision=bf16"],
                  runs_dir=str(tmp_path))
    scores = np.load(run / "scores_tiny-bert.npy")  # the test split, scored in bf16 autocast
    # as a fresh `lab predict` process has it: no accelerate state left from the training above (whose bf16 a
    # plain Accelerator() would reuse); fp32 here would differ from the run's scores by about 3e-3
    from accelerate.state import AcceleratorState

    AcceleratorState._reset_state(True)
    _, predictions = predict(run, load(TINY).texts("test"))
    assert np.allclose([list(p.probabilities.values()) for p in predictions], scores, atol=1e-6)


def test_seeded_subset_keeps_cap_rows_in_their_order_and_the_same_ones_for_the_same_seed():
    from recipes.transformer import seeded_subset

    texts, labels = [f"text {i}" for i in range(10)], np.arange(10)
    kept, kept_labels = seeded_subset(texts, labels, 4, seed=3)
    assert len(kept) == 4 and kept == [f"text {i}" for i in kept_labels] and list(kept_labels) == sorted(kept_labels)
    assert seeded_subset(texts, labels, 4, seed=3)[0] == kept  # deterministic
    assert seeded_subset(texts, labels, None, seed=3)[0] == texts and seeded_subset(texts, labels, 10, 3)[0] == texts


def test_max_validation_examples_caps_the_rows_each_validation_pass_scores(tiny_bert, data, tmp_path, monkeypatch):
    import lab.training.loop as loop
    from recipes.transformer import run

    scored = []  # rows of every pass that carries labels: the validation passes (test scoring has none)
    real_predict = loop.predict

    def counting_predict(*args, **kwargs):
        out = real_predict(*args, **kwargs)
        if out.labels is not None:
            scored.append(len(out.labels))
        return out

    monkeypatch.setattr(loop, "predict", counting_predict)
    assert len(data.texts("validation")) > 3
    run(config(tiny_bert, tmp_path, max_validation_examples=3, epochs=2, patience="null", checkpoint="false"), data)
    assert scored == [3, 3]  # one pass per epoch, each of 3 rows
