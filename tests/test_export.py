"""`lab export <run> --onnx` (issue 24): the saved transformer as ONNX fp32 and int8, scoring as torch does, and a
one-line error for each kind of bad input."""

import contextlib
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from lab.cli import main
from lab.data import load
from lab.runs import execute
from tests.tiny_bert import build_tiny_bert

ROOT = Path(__file__).resolve().parent.parent
TINY = "tests/assets/tiny.csv"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny transformer run (one thread: a tiny model is all overhead)."""
    import torch

    tiny_bert = build_tiny_bert(tmp_path_factory.mktemp("bert") / "tiny-bert", ROOT / TINY)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("OMP_NUM_THREADS", "1")
            return execute("transformer", "tiny", [f"dataset={TINY}", f"model={tiny_bert}"],
                           runs_dir=str(tmp_path_factory.mktemp("runs")))
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def exported(run):
    """(the saved model's folder, what `lab export --onnx` printed: stdout, stderr); one export for the module."""
    pytest.importorskip("onnxruntime")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["export", str(run), "--onnx"]) == 0
    return run / "models" / "tiny-bert", out.getvalue(), err.getvalue()


def fixture_texts() -> list[str]:
    """The tiny corpus's test split and 20 held-out sentences: rows of many lengths, so batches are padded."""
    import csv

    with open(ROOT / "tests" / "assets" / "tiny_heldout.csv", newline="") as handle:
        return load(TINY).texts("test") + [row["text"] for row in csv.DictReader(handle)]


def test_the_export_writes_an_fp32_and_an_int8_model_next_to_the_saved_one(exported):
    import onnx

    from lab.export import FP32_FILE, INT8_FILE

    exported = exported[0]
    operators = {name: {node.op_type for node in onnx.load(str(exported / name)).graph.node}
                 for name in (FP32_FILE, INT8_FILE)}
    assert "MatMulInteger" in operators[INT8_FILE] and "MatMulInteger" not in operators[FP32_FILE]
    graph = onnx.load(str(exported / FP32_FILE)).graph
    assert [i.name for i in graph.input] == ["input_ids", "attention_mask"] and graph.output[0].name == "logits"


def test_the_fp32_model_gives_torchs_probabilities_and_the_int8_model_its_classes(exported):
    from lab.export import FP32_FILE, load_onnx_predictor
    from recipes.transformer import load_predictor

    exported, texts = exported[0], fixture_texts()
    torch_scores = load_predictor(exported)(texts)
    assert np.allclose(load_onnx_predictor(exported, FP32_FILE, threads=1)(texts), torch_scores, atol=1e-5)
    int8_scores = load_onnx_predictor(exported, threads=1)(texts)
    assert (int8_scores.argmax(1) == torch_scores.argmax(1)).all()
    assert np.allclose(int8_scores.sum(1), 1.0, atol=1e-5)  # probabilities, not logits


def test_the_export_prints_its_files_and_the_measured_decision(exported):
    folder, out, err = exported
    # torch's exporter keeps the weights in model.onnx.data; the quantizer writes one self-contained file
    assert out.split() == [str(folder / name) for name in ("model.onnx", "model.onnx.data", "model.int8.onnx")]
    assert err.startswith("note: ") and "x faster" in err and len(err.strip().splitlines()) == 1


def bad_runs(run: Path, folder: Path) -> list[tuple[list[str], str]]:
    """(argv, what the one-line error must say) for each kind of bad input, built from copies of the tiny run."""
    record = json.loads((run / "record.json").read_text())
    for name, changed in {"classical": {"recipe": "classical"}, "bare": {}, "empty-model": {}}.items():
        (folder / name).mkdir()
        (folder / name / "record.json").write_text(json.dumps(record | changed))
    (folder / "empty-model" / "models" / "tiny-bert").mkdir(parents=True)
    return [(["export", str(folder / "nowhere"), "--onnx"], "not a run folder (no record.json); give a folder that "
                                                             "`lab run transformer` printed"),
            (["export", str(folder / "classical"), "--onnx"], "is a classical run; `lab export --onnx` exports"),
            (["export", str(folder / "bare"), "--onnx"], "has no saved models"),
            (["export", str(folder / "empty-model"), "--onnx"], "holds no saved transformer (config.json)"),
            (["export", str(run), "--onnx", "--model", "nope"], "no saved model 'nope'"),
            (["export", str(run)], f"lab export {run} --onnx")]


def test_bad_input_is_a_one_line_error_with_the_fix(run, tmp_path, capsys):
    for argv, message in bad_runs(run, tmp_path):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.startswith("error: ") and len(err.strip().splitlines()) == 1, err


def test_a_missing_onnxruntime_names_the_extra_to_install(run, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now raises ImportError
    assert main(["export", str(run), "--onnx"]) == 2
    err = capsys.readouterr().err
    assert "needs onnxruntime" in err and 'pip install -e ".[onnx]"' in err and len(err.strip().splitlines()) == 1
