"""Progress bars of the long steps outside the topics recipe: drawn on a terminal, silent in a pipe or a log."""

import io
import sys

import numpy as np

from lab.data.duplicates import drop_repeats
from lab.training.loop import predict, seed_everything, train
from tests.test_train import Linear, loader, separable


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_repeat_filter_draws_a_bar_of_texts_on_a_terminal_only(monkeypatch):
    split = {"train": (["one text", "another text", "one text"], ["a", "b", "a"])}
    shown = {}
    for name, stream in (("terminal", Terminal()), ("pipe", io.StringIO())):
        monkeypatch.setattr(sys, "stderr", stream)
        assert drop_repeats(split, "near", [])["train"][0] == ["one text", "another text"]
        shown[name] = stream.getvalue()
    assert "finding repeats" in shown["terminal"] and "0/3 " in shown["terminal"] and shown["pipe"] == ""


def test_training_shows_its_validation_passes_and_predict_its_scoring_when_asked(monkeypatch):
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    seed_everything(0)
    tx, ty = separable(64, seed=1)
    vx, vy = separable(24, seed=2)
    result = train(Linear(), loader(tx, ty, 8, shuffle=True), loader(vx, vy, 8), epochs=2, lr=0.05, progress=True,
                   threads=1)
    trained = stream.getvalue()
    assert "train:" in trained and "validation:" in trained and "0/3 " in trained  # 24 rows: 3 batches
    stream.seek(0), stream.truncate()
    out = predict(result.model, loader(vx, vy, 8), desc="test")
    assert "test" in stream.getvalue() and np.isfinite(out.logits).all()
    stream.seek(0), stream.truncate()
    predict(result.model, loader(vx, vy, 8))
    train(Linear(), loader(tx, ty, 8), loader(vx, vy, 8), epochs=1, lr=0.05, progress=False, threads=1)
    assert stream.getvalue() == ""  # no desc, progress=false: nothing drawn
