"""`lab predict` on each recipe's saved run: the same labels and probabilities the run recorded for its test set."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from lab.cli import main
from lab.data import load
from lab.errors import LabError
from lab.predict import predict, read_texts
from lab.runs import execute
from tests.tiny_bert import build_tiny_bert

ROOT = Path(__file__).resolve().parent.parent
TINY = "tests/assets/tiny.csv"
RECIPES = {"classical": [], "bow_ffn": [], "transformer": ["model={tiny_bert}"]}
if (ROOT / "recipes" / "lstm.py").is_file():
    RECIPES["lstm"] = []


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One tiny run per recipe, sharing one runs folder."""
    import torch

    folder = tmp_path_factory.mktemp("runs")
    tiny_bert = build_tiny_bert(tmp_path_factory.mktemp("bert") / "tiny-bert", ROOT / TINY)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with pytest.MonkeyPatch.context() as patch:  # module scope: the user's own OMP_NUM_THREADS comes back after
            patch.setenv("OMP_NUM_THREADS", "1")
            return {recipe: execute(recipe, "tiny", [f"dataset={TINY}"] + [o.format(tiny_bert=tiny_bert) for o in extra],
                                    runs_dir=str(folder)) for recipe, extra in RECIPES.items()}
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_predict_reproduces_each_saved_models_test_predictions(runs, recipe):
    run = runs[recipe]
    record = json.loads((run / "record.json").read_text())
    data = load(TINY)
    for model in record["models"]:
        name, predictions = predict(run, data.texts("test"), model["name"])
        assert name == model["name"]
        probabilities = np.array([list(p.probabilities.values()) for p in predictions])
        assert np.allclose(probabilities.sum(1), 1.0, atol=1e-5)
        with (run / "predictions.csv").open(newline="") as handle:
            recorded = [row[name] for row in csv.DictReader(handle)]
        assert [p.label for p in predictions] == recorded
        if model["name"] != "tfidf_svm":  # the SVM records margins; predict shows their softmax
            assert np.allclose(probabilities, np.load(run / f"scores_{name}.npy"), atol=1e-5)


def test_the_cli_prints_label_and_probabilities_per_text(runs, tmp_path, capsys):
    texts = tmp_path / "texts.txt"
    texts.write_text("bake the bread in a hot oven\n\nthe striker scored in the cup final\n")
    assert main(["predict", str(runs["classical"]), "fry the carrots in olive oil", "--file", str(texts),
                 "--model", "tfidf_logreg"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err.strip() == "model: tfidf_logreg" and len(lines) == 3
    assert [line.split("\t")[0] for line in lines] == ["cooking", "cooking", "sport"]
    assert lines[2].split("\t")[2] == "the striker scored in the cup final"
    probabilities = [float(part.split("=")[1]) for part in lines[0].split("\t")[1].split()]
    assert lines[0].split("\t")[1].startswith("cooking=") and sum(probabilities) == pytest.approx(1.0, abs=1e-3)


def test_the_default_model_is_the_runs_best(runs):
    record = json.loads((runs["classical"] / "record.json").read_text())
    best = max(record["models"], key=lambda m: m["metrics"]["macro_f1"])["name"]
    assert predict(runs["classical"], ["a text"])[0] == best


def test_bad_input_is_a_one_line_error(runs, tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("\n  \n")
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "record.json").write_text((runs["classical"] / "record.json").read_text())
    unsupervised = tmp_path / "topics-run"
    unsupervised.mkdir()
    record = json.loads((runs["classical"] / "record.json").read_text())
    (unsupervised / "record.json").write_text(json.dumps(record | {"recipe": "topics", "models": []}))
    cases = [(["predict", str(tmp_path / "nowhere"), "text"], "not a run folder"),
             (["predict", str(bare), "text"], "has no saved models"),
             (["predict", str(unsupervised), "text"], "is a topics run, which trains no classifier"),
             (["predict", str(runs["classical"]), "--file", str(tmp_path / "empty.txt")], "holds no text"),
             (["predict", str(runs["classical"])], "no texts to classify"),
             (["predict", str(runs["classical"]), "x", "--model", "nope"], "no saved model 'nope'")]
    for argv, message in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1
    with pytest.raises(LabError, match="cannot read"):
        read_texts(str(tmp_path / "missing.txt"))
