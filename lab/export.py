"""`lab export <run> --onnx`: a transformer run's saved model as ONNX (fp32) and as ONNX with int8 weights.

The export traces the saved model with torch's torch.export-based ONNX exporter (`dynamo=True`, which needs
onnxscript; the TorchScript exporter still works in torch 2.13 but is deprecated and warns that it will be removed),
with the batch and the sequence length dynamic, then quantizes every MatMul's weights to int8 with onnxruntime's
quantize_dynamic (activations are quantized per batch at run time). The files go next to the saved model:
models/<name>/model.onnx with its weights in model.onnx.data, and models/<name>/model.int8.onnx (self-contained).
Both take input_ids and attention_mask (int64) and give logits; the tokenizer and lab_transformer.json (max_length,
task) in the same folder say how to feed them, and load_onnx_predictor() does it as `lab predict` would.

Decision (issue 24, item 3: adopt only at >= 2x faster at 128 tokens on CPU with >= 99.5% of the test set's
predicted classes the same): not adopted; `lab predict` stays on torch. benchmarks/onnx_inference.py, BBC News at
128 tokens, 206 test articles, 2 threads, 2-core AMD EPYC with native bf16 and VNNI, shared with other work: the
int8 model ran at 135 examples/s against torch's 52 in fp32 (2.6x) but 139 with bf16 autocast (0.97x), the lab's
path on CPUs with native bf16; its classes agreed with torch's on 99.51% of the test articles (205 of 206). The
export prints this as a note (DECISION); benchmarks/README.md has the table.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import warnings
from pathlib import Path

import numpy as np

from lab.errors import LabError

FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
INPUT_NAMES = ("input_ids", "attention_mask")
# what `pip install -e ".[onnx]"` brings: the runtime, the format, and the exporter's graph builder
ONNX_PACKAGES = ("onnxruntime", "onnx", "onnxscript")
DECISION = ("lab predict stays on torch: at 128 tokens on a 2-core CPU the int8 model was 2.6x faster than torch in "
            "fp32 but 0.97x torch with bf16 autocast (the lab's path on CPUs with native bf16), short of the 2x "
            "bar; its classes agreed with torch's on 99.51% of BBC News test articles (benchmarks/README.md)")


def export_run(run: str | Path, model: str | None = None) -> list[Path]:
    """The files written next to the run's saved transformer (--model, or its best): the fp32 model, its weights
    file where torch's exporter keeps them apart (model.onnx.data: it does for MiniLM), and the int8 model."""
    folder = saved_transformer(Path(run), model)
    require_onnx_packages()
    fp32 = export_onnx(folder)
    int8 = quantize_int8(fp32)
    weights = fp32.with_name(fp32.name + ".data")
    return [fp32, *([weights] if weights.is_file() else []), int8]


def saved_transformer(run: Path, model: str | None) -> Path:
    """run/models/<name> of a transformer run, or a LabError that names what the folder is instead."""
    from lab.predict import choose_model, read_record
    from lab.runs import RECORD

    if not (run / RECORD).is_file():  # read_record's own message suggests a classical run
        raise LabError(f"{run} is not a run folder (no record.json); give a folder that `lab run transformer` "
                       f"printed, e.g. runs/bbc-news/transformer/<run-id>")
    record, run = read_record(run)
    if record["recipe"] != "transformer":
        raise LabError(f"run {run} is a {record['recipe']} run; `lab export --onnx` exports a fine-tuned "
                       f"transformer: give a run folder of `lab run transformer`")
    folder = run / "models" / choose_model(record, run, model)
    if not (folder / "config.json").is_file():
        raise LabError(f"{folder} holds no saved transformer (config.json); rerun `lab run transformer`")
    return folder


def require_onnx_packages() -> None:
    missing = [name for name in ONNX_PACKAGES if not importable(name)]
    if missing:
        raise LabError(f"ONNX export needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
                       f"not installed; install the extra: pip install -e \".[onnx]\" (or pip install "
                       f"{' '.join(missing)})")


def importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:  # a module set to None in sys.modules raises it too (the tests use that)
        return False
    return True


def export_onnx(folder: Path) -> Path:
    """folder/model.onnx: the saved model traced on a padded batch of two, batch and sequence length dynamic."""
    import torch

    from lab.models.hf import load_saved

    model, tokenizer, _ = load_saved(folder)
    # two rows of different lengths: the padded one makes the traced graph apply the attention mask
    sample = tokenizer(["a", "a short sentence to trace the model with"], padding=True, return_tensors="pt")
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    axes = {name: {0: batch, 1: sequence} for name in INPUT_NAMES}
    path = folder / FP32_FILE
    with quiet_exporter():
        torch.onnx.export(model, tuple(sample[name] for name in INPUT_NAMES), str(path), dynamo=True,
                          input_names=list(INPUT_NAMES), output_names=["logits"], dynamic_shapes=axes,
                          opset_version=18, verbose=False)
    return path


def quantize_int8(fp32: Path) -> Path:
    """fp32's weights as int8 (QInt8), activations quantized dynamically: folder/model.int8.onnx."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path = fp32.with_name(INT8_FILE)
    with quiet_exporter():
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    return path


@contextlib.contextmanager
def quiet_exporter():
    """Without the exporter's and the quantizer's advice to the console: ops of torchvision (not used here), axis
    names shared by input_ids and attention_mask (meant so), a deprecation inside torch's own exporter (not ours to
    fix), and the quantizer's suggestion to pre-process the graph (the measured int8 model was made without it;
    benchmarks/README.md)."""
    root, onnx_logger = logging.getLogger(), logging.getLogger("torch.onnx")
    levels = root.level, onnx_logger.level
    root.setLevel(logging.ERROR)
    onnx_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="# The axis name", category=UserWarning)
            warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)`", category=FutureWarning)
            yield
    finally:
        root.setLevel(levels[0])
        onnx_logger.setLevel(levels[1])


def onnx_session(path: Path, threads: int | None = None):
    """An onnxruntime CPU session of path; threads=None lets onnxruntime choose (one per physical core)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_logits(session):
    """loader -> one row of logits per window, batch by batch, as the torch model's would be."""

    def row_logits(batches) -> np.ndarray:
        return np.concatenate([session.run(["logits"], {name: batch[name].numpy().astype(np.int64)
                                                        for name in INPUT_NAMES})[0] for batch in batches])

    return row_logits


def load_onnx_predictor(folder: Path, file: str = INT8_FILE, threads: int | None = None):
    """texts -> the outputs `lab predict` gives (probabilities, sigmoid scores or values), through ONNX Runtime."""
    from lab.models.hf import load_saved_tokenizer
    from recipes.transformer import saved_predictor

    folder = Path(folder)
    tokenizer, meta = load_saved_tokenizer(folder)
    return saved_predictor(tokenizer, meta, onnx_logits(onnx_session(folder / file, threads)))
