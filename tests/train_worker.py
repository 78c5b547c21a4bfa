"""Run by tests/test_train.py under `torchrun --nproc_per_node 2`: train and predict across processes, save results.

Usage: torchrun --standalone --nproc_per_node 2 tests/train_worker.py OUT_DIR
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

from lab.training.distributed import end_process_group  # noqa: E402
from lab.training.loop import make_accelerator, predict, seed_everything, train  # noqa: E402
from tests.test_train import Linear, evaluation_set, loader, separable  # noqa: E402


def main(out: Path) -> None:
    accelerator = make_accelerator("no")
    seed_everything(0)
    model = Linear()
    train_x, train_y = separable(32, seed=1)
    eval_x, eval_y = evaluation_set()  # odd: the last batch is padded across processes, then de-duplicated
    result = train(model, loader(train_x, train_y, 4, shuffle=True), loader(eval_x, eval_y, 2), epochs=3,
                   lr=0.1, patience=None, progress=False, accelerator=accelerator)
    out_pred = predict(result.model, loader(eval_x, eval_y, 2), accelerator)
    if accelerator.is_main_process:
        np.save(out / "logits.npy", out_pred.logits)
        np.save(out / "labels.npy", out_pred.labels)
        save_file({k: v.contiguous() for k, v in result.model.state_dict().items()}, str(out / "model.safetensors"))
        (out / "info.json").write_text(json.dumps({"processes": accelerator.num_processes,
                                                   "history": result.history}))
    end_process_group(0)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
