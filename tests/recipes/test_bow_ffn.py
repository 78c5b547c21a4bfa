"""bow_ffn end to end on the 40-row fixture corpus: trains, reports, saves, reloads to the same probabilities."""

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from lab.data import load
from tests.conftest import held_out_accuracy, tiny_config as shared_tiny_config, two_process_lab_run
from lab.errors import LabError
from recipes import bow_ffn

TINY = "tests/assets/tiny.csv"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data():
    return load(TINY)


def tiny_config(**overrides):
    return shared_tiny_config("bow_ffn", **overrides)


@pytest.mark.parametrize("features", ["tfidf", "binary", "counts"])
def test_learns_the_tiny_corpus_and_reloads_to_the_same_probabilities(data, features, tmp_path):
    result = bow_ffn.run(tiny_config(features=features), data)
    [model] = result.models
    y_test = data.labels("test")
    assert model.family == "neural" and (model.predictions == y_test).all()
    assert model.scores.shape == (len(y_test), 2) and np.allclose(model.scores.sum(1), 1.0, atol=1e-5)
    assert model.features > 20 and model.parameters == model.features * 16 + 16 + 16 * 2 + 2
    assert len(model.history) == 15 and model.history[-1]["val_macro_f1"] == 1.0
    assert model.train_seconds > 0 and model.examples_per_second > 0
    assert_seconds_split(result.figures, model.train_seconds)
    assert "learning_curves_bow_ffn" in result.plots
    model.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "model.json").read_text())["features"] == features
    assert not list(tmp_path.glob("m/*.pkl"))
    predictor = bow_ffn.load_predictor(tmp_path / "m")
    assert np.allclose(predictor(data.texts("test")), model.scores, atol=1e-6)
    assert held_out_accuracy(predictor, data.label_names) >= 0.9


def assert_seconds_split(split: dict, train_seconds: float) -> None:
    """The setup share is what is left of the measured seconds: negative if steps or validation were overcounted."""
    assert set(split) == {"seconds_in_training_steps", "seconds_in_validation", "seconds_in_setup",
                          "optimizer_steps", "training_epochs", "passes_per_epoch", "training_examples_seen",
                          "scheduled_steps"}
    # no time budget: the schedule keeps its planned length, which early stopping can only cut short
    assert split["scheduled_steps"] >= split["optimizer_steps"] > 0 and split["training_examples_seen"] > 0
    assert split["seconds_in_training_steps"] > 0 and split["seconds_in_validation"] > 0
    assert split["seconds_in_setup"] >= 0
    assert split["seconds_in_training_steps"] + split["seconds_in_validation"] <= train_seconds


def test_same_seed_same_history(data):
    first = bow_ffn.run(tiny_config(dropout=0.2, epochs=4), data).models[0]
    second = bow_ffn.run(tiny_config(dropout=0.2, epochs=4), data).models[0]
    assert first.history == second.history and np.array_equal(first.scores, second.scores)


def test_an_ensemble_averages_the_probabilities_of_its_seeds_networks(data, tmp_path):
    result = bow_ffn.run(tiny_config(ensemble=3, seed=5), data)
    [ensemble] = result.models
    singles = [bow_ffn.run(tiny_config(seed=seed), data).models[0] for seed in (5, 6, 7)]
    assert np.allclose(ensemble.scores, np.mean([single.scores for single in singles], axis=0), atol=1e-6)
    assert ensemble.parameters == 3 * singles[0].parameters
    assert ensemble.history == singles[0].history  # the first network's learning curves
    assert_seconds_split(result.figures, ensemble.train_seconds)
    assert result.notes[0].startswith("bow_ffn averages the class probabilities of 3 networks (seeds 5-7)")
    ensemble.save(tmp_path / "m")
    again = bow_ffn.load_predictor(tmp_path / "m")(data.texts("test"))
    assert np.allclose(again, ensemble.scores, atol=1e-6)


def test_an_ensemble_on_two_cpu_processes_counts_each_test_example_once(tmp_path, cpu_processes_env):
    command = two_process_lab_run("bow_ffn", "--config", "tiny", f"dataset={TINY}", f"runs_dir={tmp_path}",
                                  "ensemble=2")
    done = subprocess.run(command, cwd=ROOT, env=cpu_processes_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    [run] = list((tmp_path / "tiny" / "bow_ffn").glob("2*"))  # one run folder: only rank 0 wrote
    record = json.loads((run / "record.json").read_text())
    [model] = record["models"]
    assert sum(map(sum, model["confusion_matrix"])) == record["dataset"]["sizes"]["test"]
    assert model["metrics"]["accuracy"] == 1.0
    assert record["notes"][0].startswith("bow_ffn averages the class probabilities of 2 networks (seeds 42-43)")


def test_an_impossible_vocabulary_is_a_lab_error(data):
    with pytest.raises(LabError, match=r"^bow_ffn could not build a vocabulary \(.*\); lower min_df="):
        bow_ffn.run(tiny_config(min_df=1000), data)


def test_missing_model_folder_is_a_lab_error(tmp_path):
    with pytest.raises(LabError, match="no saved model"):
        bow_ffn.load_predictor(tmp_path)


def test_runs_through_the_runner(tmp_path):
    from lab.runs import execute

    folder = execute("bow_ffn", "tiny", [f"dataset={TINY}"], runs_dir=str(tmp_path))
    record = json.loads((Path(folder) / "record.json").read_text())
    [model] = record["models"]
    assert model["family"] == "neural" and len(model["history"]) == 15
    assert (Path(folder) / "learning_curves_bow_ffn.png").is_file()
    assert (Path(folder) / "models" / "bow_ffn" / "model.safetensors").is_file()
