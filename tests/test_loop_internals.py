"""The training loop's inner choices, each checked by its effect: the best-epoch tie-break, the warmup schedule,
no weight decay on biases and norms, class weights in the loss, and resuming a run that had stopped early."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lab.training import loop
from lab.training.loop import param_groups, predict, seed_everything, train
from lab.training.schedule import warmup_schedule
from lab.training.torch_recipe import class_weights
from lab.training.tracker import Tracker
from tests.test_train import Linear, fit, loader, separable


def record(epoch, f1, loss):
    return {"epoch": epoch, "train_loss": 1.0, "val_loss": loss, "val_accuracy": f1, "val_macro_f1": f1}


def test_a_tie_on_macro_f1_goes_to_the_lower_validation_loss():
    tracker, model = Tracker(), nn.Linear(1, 1)
    for epoch, (f1, loss) in enumerate([(0.8, 0.5), (1.0, 0.4), (1.0, 0.3), (1.0, 0.35), (0.9, 0.1)], start=1):
        with torch.no_grad():
            model.weight.fill_(epoch)  # the weights say which epoch they are from
        tracker.add(record(epoch, f1, loss), model)
    assert tracker.best_epoch == 2 and tracker.best_loss == 0.3  # epoch 3, 0-based
    assert tracker.best_weights["weight"].item() == 3.0  # a copy: later epochs did not overwrite it


def test_training_keeps_the_epoch_with_the_lowest_loss_among_equal_f1s():
    """On separable data every epoch after the first scores macro-F1 1.0 while the validation loss keeps falling."""
    result, (vx, vy) = fit(epochs=5, patience=1)
    losses = [r["val_loss"] for r in result.history]
    assert [r["val_macro_f1"] for r in result.history][1:] == [1.0] * 4 and losses == sorted(losses, reverse=True)
    assert result.best_epoch == 5 and not result.stopped_early  # ties that improve the loss reset patience
    out = predict(result.model, loader(vx, vy, 8))
    assert F.cross_entropy(torch.from_numpy(out.logits), torch.from_numpy(vy)).item() == pytest.approx(losses[-1])


def test_warmup_rises_linearly_then_decays_linearly_to_zero():
    param = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=1.0)
    scheduler = warmup_schedule(optimizer, total_steps=10, warmup_ratio=0.2)  # 2 warmup steps
    rates = []
    for _ in range(11):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert rates == pytest.approx([1 / 3, 2 / 3, 1.0, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0.0])


def test_no_warmup_starts_at_the_full_rate():
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=2.0)
    warmup_schedule(optimizer, total_steps=4, warmup_ratio=0.0)
    assert optimizer.param_groups[0]["lr"] == 2.0


def test_the_schedule_counts_optimizer_steps_after_accumulation(monkeypatch):
    seen = []

    def recording(optimizer, total_steps, warmup_ratio):
        seen.append((total_steps, warmup_ratio))
        return warmup_schedule(optimizer, total_steps, warmup_ratio)

    monkeypatch.setattr(loop, "warmup_schedule", recording)
    fit(epochs=3, batch_size=8, grad_accum_steps=3, patience=None, warmup_ratio=0.25)
    assert seen == [(9, 0.25)]  # 64 examples: 8 batches, 3 optimizer steps an epoch (the last after 2), 3 epochs


class Norms(nn.Module):
    """A linear layer and a LayerNorm; `unused` and `unused_bias` reach the loss only times zero, so their
    gradient is zero and AdamW changes them through weight decay alone."""

    def __init__(self):
        super().__init__()
        self.linear, self.norm = nn.Linear(2, 2), nn.LayerNorm(2)
        self.unused = nn.Parameter(torch.ones(3, 3))
        self.unused_bias = nn.Parameter(torch.ones(3))
        self.frozen = nn.Parameter(torch.ones(2, 2), requires_grad=False)

    def forward(self, x):
        return self.norm(self.linear(x)) + 0.0 * (self.unused.sum() + self.unused_bias.sum())


def test_only_matrices_are_decayed_and_frozen_parameters_are_left_out():
    model = Norms()
    decayed, plain = param_groups(model, 0.3)
    assert decayed["weight_decay"] == 0.3 and plain["weight_decay"] == 0.0
    ids = lambda group: {id(p) for p in group["params"]}  # noqa: E731
    assert ids(decayed) == {id(model.linear.weight), id(model.unused)}
    assert ids(plain) == {id(model.linear.bias), id(model.norm.weight), id(model.norm.bias), id(model.unused_bias)}


def test_head_lr_goes_to_the_new_head_only_and_the_schedule_scales_both_rates():
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1,
                                                     num_attention_heads=2, intermediate_size=16, num_labels=3))
    groups = param_groups(model, 0.1, head_lr=0.5)
    ids = lambda chosen: {id(p) for group in chosen for p in group["params"]}  # noqa: E731
    head, body = [g for g in groups if "lr" in g], [g for g in groups if "lr" not in g]
    assert ids(head) == {id(model.classifier.weight), id(model.classifier.bias)}
    assert ids(body) == {id(p) for p in model.bert.parameters()}  # the pooler is pretrained: it keeps lr
    assert [g["weight_decay"] for g in head] == [0.1, 0.0]
    optimizer = torch.optim.AdamW(groups, lr=0.01)
    scheduler = warmup_schedule(optimizer, total_steps=10, warmup_ratio=0.5)
    optimizer.step()
    scheduler.step()  # step 1 of a 5-step warmup: both rates at (1 + 1) / (5 + 1) of their peak (WarmupDecay)
    assert [round(g["lr"], 6) for g in optimizer.param_groups] == [0.003333, 0.003333, 0.166667, 0.166667]
    assert len(param_groups(model, 0.1)) == len(param_groups(Norms(), 0.1, head_lr=0.5)) == 2  # nothing to split


def test_training_shrinks_an_idle_matrix_and_leaves_an_idle_bias_alone():
    seed_everything(0)
    model = Norms()
    x, y = separable(16, seed=1)
    train(model, loader(x, y, 8), loader(x, y, 8), epochs=2, lr=0.1, weight_decay=0.5, patience=None,
          progress=False, threads=1)
    assert torch.equal(model.unused_bias.detach(), torch.ones(3))
    assert (model.unused.detach() < 1.0).all() and (model.unused.detach() > 0.5).all()


def test_balanced_class_weights_are_n_over_k_times_count():
    labels = np.array([0, 0, 0, 1, 2, 2])
    assert class_weights(labels, 3, "balanced") == pytest.approx([6 / 9, 6 / 3, 6 / 6])
    assert class_weights(labels, 4, "balanced") == pytest.approx([0.5, 1.5, 0.75, 1.5])  # class 3 absent: as if 1
    assert class_weights(labels, 3, "none") is None


def weighted_cross_entropy(logits, labels, weights):
    """By hand: each example's negative log-likelihood, weighted by its class, over the sum of those weights."""
    log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    nll = -log_probs[np.arange(len(labels)), labels]
    w = np.asarray(weights)[labels]
    return float((w * nll).sum() / w.sum())


def test_class_weights_weight_the_training_and_validation_losses():
    """lr=0 keeps the weights fixed, so both losses are the weighted cross-entropy of one known model."""
    x, y = separable(12, seed=3)
    y[:3] = 1 - y[:3]  # a few mistakes, so the per-class losses differ
    fixed = Linear()
    with torch.no_grad():
        fixed.net[0].weight.copy_(torch.tensor([[-0.5, -0.3], [0.4, 0.6]]))
        fixed.net[0].bias.copy_(torch.tensor([0.1, -0.2]))
    logits = fixed(torch.from_numpy(x)).detach().numpy()
    result = train(fixed, loader(x, y, 12), loader(x, y, 12), epochs=1, lr=0.0, patience=None, progress=False,
                   class_weights=[1.0, 3.0], threads=1)
    [history] = result.history
    expected = weighted_cross_entropy(logits, y, [1.0, 3.0])
    assert history["train_loss"] == pytest.approx(expected, rel=1e-5)
    assert history["val_loss"] == pytest.approx(expected, rel=1e-5)
    assert expected != pytest.approx(weighted_cross_entropy(logits, y, [1.0, 1.0]), rel=1e-3)


def test_resuming_a_run_that_had_stopped_early_trains_no_further(tmp_path):
    """The output layer is zeroed and frozen after epoch 1, so F1 drops and patience=2 stops after epoch 3."""
    holder = {}

    def sabotage_and_save(epoch, accelerator, record):
        if epoch == 0:
            with torch.no_grad():
                for param in holder["model"].net[3].parameters():
                    param.zero_().requires_grad_(False)
        accelerator.save_state(str(tmp_path / f"epoch-{epoch + 1}"))

    def run(model, **kwargs):
        seed_everything(0)
        tx, ty = separable(64, seed=1)
        vx, vy = separable(16, seed=2)
        return train(model, loader(tx, ty, 8, shuffle=True, seed=0), loader(vx, vy, 8), epochs=10, lr=0.05,
                     patience=2, progress=False, threads=1, **kwargs), (vx, vy)

    seed_everything(0)
    first, _ = run(holder.setdefault("model", Linear(hidden=4)), on_epoch_end=sabotage_and_save)
    assert first.stopped_early and len(first.history) == 3
    seed_everything(0)
    resumed, (vx, vy) = run(Linear(hidden=4), resume_from=tmp_path / "epoch-3")
    assert resumed.history == first.history and resumed.this_run["epochs"] == 0
    assert resumed.stopped_early and resumed.best_epoch == 1
    out = predict(resumed.model, loader(vx, vy, 8))
    assert (out.probabilities.argmax(1) == vy).all()  # the best epoch's weights, restored from the checkpoint


def test_an_empty_split_is_a_lab_error():
    from lab.errors import LabError

    with pytest.raises(LabError, match=r"^there is nothing to predict: the data split is empty; check the dataset$"):
        predict(Linear(), loader(np.zeros((0, 2), np.float32), np.zeros(0, np.int64), 8))
