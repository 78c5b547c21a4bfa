"""The task table of the training loop (lab/training/objectives.py): losses, standardised regression targets,
pos_weight, direction-aware early stopping, validation thresholds, ensembles, and the English-only encoder note."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from lab.errors import LabError
from lab.training.loop import predict, seed_everything, train
from lab.training.objectives import Objective, choose_thresholds, decide, fold_standardisation, objective_for
from lab.training.tracker import Tracker


class Net(nn.Module):
    def __init__(self, outputs: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, outputs))

    def forward(self, x):
        return self.net(x)


def loader(x, y, batch_size=8, shuffle=False):
    rows = [{"x": torch.from_numpy(a), "labels": torch.tensor(b)} for a, b in zip(x, y)]
    return DataLoader(rows, batch_size=batch_size, shuffle=shuffle, generator=torch.Generator().manual_seed(0))


def linear_target(n: int, seed: int):
    """y = 100 + 30 x0 - 20 x1: far from unit scale, so an unstandardised MSE would need another learning rate."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, 2)).astype(np.float32)
    return x, 100.0 + 30.0 * x[:, 0] - 20.0 * x[:, 1]


def test_regression_trains_on_the_standardised_target_and_predicts_in_its_units():
    tx, ty = linear_target(128, 1)
    vx, vy = linear_target(32, 2)
    objective = objective_for("regression", ty, 1)
    assert objective.mean == pytest.approx(ty.mean()) and objective.sd == pytest.approx(ty.std())
    targets = objective.targets(ty)
    assert targets.dtype == np.float32 and targets.mean() == pytest.approx(0, abs=1e-5)
    seed_everything(0)
    result = train(Net(1), loader(tx, targets, shuffle=True), loader(vx, objective.targets(vy)), epochs=30,
                   lr=0.02, patience=None, progress=False, threads=1, objective=objective)
    assert set(result.history[0]) == {"epoch", "train_loss", "val_loss", "val_rmse", "val_mae"}
    best = min(range(30), key=lambda i: (result.history[i]["val_rmse"], result.history[i]["val_loss"]))
    assert result.best_epoch == best + 1  # lower RMSE is better
    values = predict(result.model, loader(vx, objective.targets(vy)), objective=result.objective).probabilities
    assert values.shape == (32,) and np.sqrt(np.mean((values - vy) ** 2)) == pytest.approx(
        result.history[best]["val_rmse"], rel=1e-4)
    assert np.sqrt(np.mean((values - vy) ** 2)) < 0.1 * vy.std()  # learned, in the target's own units
    raw = result.model(torch.from_numpy(vx)).detach().numpy()[:, 0]
    assert np.allclose(raw, values, atol=1e-3)  # the model itself now gives target units: it is what gets saved


def test_folding_the_standardisation_scales_only_the_output_layer():
    seed_everything(0)
    model, x = Net(1), torch.randn(5, 2)
    before = model(x).detach()
    objective = Objective("regression", mean=7.0, sd=3.0)
    fold_standardisation(model, objective)
    assert torch.allclose(model(x).detach(), before * 3.0 + 7.0, atol=1e-5)
    fold_standardisation(model, objective)  # once only
    assert torch.allclose(model(x).detach(), before * 3.0 + 7.0, atol=1e-5)
    with pytest.raises(LabError, match="single-output linear layer"):
        fold_standardisation(Net(2), Objective("regression", mean=1.0, sd=2.0))


def test_multi_label_learns_each_label_with_sigmoid_scores():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (160, 2)).astype(np.float32)
    y = np.column_stack([x[:, 0] > 0, x[:, 1] > 0]).astype(np.float32)  # two independent labels
    objective = objective_for("multi_label", y[:128], 2)
    seed_everything(0)
    result = train(Net(2), loader(x[:128], y[:128], shuffle=True), loader(x[128:], y[128:]), epochs=20, lr=0.05,
                   patience=None, progress=False, threads=1, objective=objective)
    assert {"val_micro_f1", "val_macro_f1"} <= set(result.history[-1]) and result.history[-1]["val_micro_f1"] > 0.9
    scores = predict(result.model, loader(x[128:], y[128:]), objective=objective).probabilities
    assert scores.shape == (32, 2) and ((scores > 0) & (scores < 1)).all()
    assert not np.allclose(scores.sum(axis=1), 1.0)  # per label, not a softmax


def test_pos_weight_is_negatives_over_positives_per_label_and_reaches_the_loss():
    labels = np.array([[1, 0], [1, 0], [0, 0], [1, 1]], dtype=np.float32)
    objective = objective_for("multi_label", labels, 2, "balanced")
    assert objective.weights.tolist() == pytest.approx([1 / 3, 3.0])
    logits, targets = torch.tensor([[0.3, -1.0], [2.0, 0.5]]), torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    expected = F.binary_cross_entropy_with_logits(logits, targets, pos_weight=torch.tensor([1 / 3, 3.0]))
    assert objective.loss(logits, targets).item() == pytest.approx(expected.item())
    assert objective_for("multi_label", labels, 2).weights is None


def test_balanced_single_label_weights_match_scikit_learn():
    objective = objective_for("single_label", np.array([0, 0, 0, 1]), 2, "balanced")
    assert objective.weights.tolist() == pytest.approx([4 / 6, 4 / 2])
    with pytest.raises(LabError, match="class_weights=balanced has no meaning for regression"):
        objective_for("regression", np.array([1.0, 2.0]), 1, "balanced")


def test_tracker_keeps_the_best_epoch_in_the_metrics_direction():
    lower, higher = Tracker("val_rmse", higher_is_better=False), Tracker("val_micro_f1")
    model = nn.Linear(1, 1)
    for epoch, (rmse, f1) in enumerate([(3.0, 0.2), (2.0, 0.5), (2.5, 0.4)], start=1):
        lower.add({"epoch": epoch, "val_loss": 1.0, "val_rmse": rmse}, model)
        higher.add({"epoch": epoch, "val_loss": 1.0, "val_micro_f1": f1}, model)
    assert lower.best_epoch == higher.best_epoch == 1  # 0-based: the second epoch
    restored = Tracker()
    restored.load_state_dict({**lower.state_dict(), "best_f1": 0.7})  # checkpoints written before task types
    assert restored.best_score == lower.best_score
    old = lower.state_dict()
    old["best_f1"] = old.pop("best_score")
    restored.load_state_dict(old)
    assert restored.best_score == lower.best_score


def test_thresholds_maximise_validation_micro_f1_ties_nearest_half():
    scores = np.array([[0.9, 0.2], [0.35, 0.8], [0.1, 0.3]])
    labels = np.array([[1, 0], [1, 1], [0, 0]])
    # global: only thresholds in (0.3, 0.35] get every cell right; per label, label 1 is right anywhere in
    # (0.3, 0.8], and 0.5 is the nearest to one half
    assert choose_thresholds(scores, labels) == [0.35, 0.35]
    assert choose_thresholds(scores, labels, per_label=True) == [0.35, 0.5]
    assert choose_thresholds(scores, np.array([[1, 0], [1, 0], [0, 0]]), per_label=True)[1] == 0.35  # never seen
    assert decide("multi_label", scores, [0.35, 0.5]).tolist() == labels.tolist()
    assert decide("multi_label", scores).tolist() == [[1, 0], [0, 1], [0, 0]]  # 0.5 without chosen thresholds


def test_an_ensemble_averages_what_its_members_output_mean():
    from lab.training.torch_recipe import average_of

    seed_everything(0)
    members, x = [Net(2), Net(2)], torch.randn(4, 2)
    outputs = torch.stack([m(x) for m in members]).detach()
    multi = average_of(members, "multi_label")(x=x).detach()
    assert torch.allclose(torch.sigmoid(multi), torch.sigmoid(outputs).mean(0), atol=1e-5)
    single = average_of(members)(x=x).detach()
    assert torch.allclose(torch.softmax(single, 1), torch.softmax(outputs, 2).mean(0), atol=1e-5)
    regression = [Net(1), Net(1)]
    values = torch.stack([m(x) for m in regression]).detach()
    assert torch.allclose(average_of(regression, "regression")(x=x).detach(), values.mean(0), atol=1e-6)


def test_an_english_only_encoder_on_other_languages_gets_a_note():
    from lab.models.hf import language_note

    note = language_note("minilm-l6", "de")
    assert "'de'" in note and "model=xlm-roberta-base" in note and "English only" in note
    assert language_note("minilm-l6", "en") is None and language_note("minilm-l6", None) is None
    assert language_note("xlm-roberta-base", "de") is None
    assert language_note("/models/bert-base-uncased/", "fr") is not None


def test_multi_label_validation_scores_at_the_best_threshold_not_at_one_half():
    # every probability is under 0.5 (as for rare labels early in training), but the positives rank first:
    # at 0.5 micro-F1 would be 0 in every epoch; at a threshold in (0.2, 0.3], as chosen, it is 1
    probabilities = np.array([[0.30, 0.10], [0.10, 0.40], [0.20, 0.05], [0.05, 0.20]])
    targets = np.array([[1, 0], [0, 1], [0, 0], [0, 0]], dtype=np.float32)
    logits = np.log(probabilities / (1 - probabilities)).astype(np.float32)
    figures = objective_for("multi_label", targets, 2).validation(logits, targets)
    assert figures["val_micro_f1"] == pytest.approx(1.0) and figures["val_macro_f1"] == pytest.approx(1.0)


def test_auto_weights_are_balanced_pos_weight_for_multi_label_only():
    labels = np.array([[1, 0], [1, 0], [0, 0], [1, 1]], dtype=np.float32)
    assert objective_for("multi_label", labels, 2, "auto").weights.tolist() == pytest.approx([1 / 3, 3.0])
    assert objective_for("single_label", np.array([0, 0, 0, 1]), 2, "auto").weights is None
    regression = objective_for("regression", np.array([1.0, 3.0]), 1, "auto")  # no error: auto means none here
    assert regression.weights is None and regression.mean == 2.0
