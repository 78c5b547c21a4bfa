"""A recipe's expected wall time from the sizes it was given and rates measured on real machines.

Cheap by design, so it can run before every recipe: no tokenizer is loaded. Token counts are approximated from
whitespace words on a sample of the train texts (TOKENS_PER_WORD), and cut at the recipe's max_length.
The figure is an upper bound where early stopping ends training before the last epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 3600.0
SAMPLE = 500  # train texts whose words are counted
DEVICE_NAMES = {"cpu": "CPU", "cuda": "GPU"}
# WordPiece tokens per whitespace word, plus the [CLS]/[SEP] pair: all-MiniLM-L6-v2's tokenizer on the bbc-news
# train split gave 1.269 (489.7 tokens for 385.9 words per article), and the estimate's mean at 256 tokens, 251.07,
# matched the tokenizer's own to 0.01
TOKENS_PER_WORD = {"wordpiece": (1.27, 2)}


@dataclass(frozen=True)
class Rate:
    """A recipe's measured throughput, in tokens (examples x tokens each) per second."""

    train: float  # training steps: forward, backward and optimizer update
    infer: float  # scoring the validation split after each epoch, and the test split once
    setup: float = 0.0  # seconds before the first step: loading the model, tokenizing
    tokens: str = "wordpiece"  # how TOKENS_PER_WORD turns words into the model's tokens
    machine: str = "a 2-core CPU"  # where the rates were measured, named in the note


# (recipe, device) -> Rate; a recipe with no measured rate on the device gets no estimate
RATES = {
    # all-MiniLM-L6-v2, batch 16, attention_dropout=0, bf16 autocast, the default `lab run all` on bbc-news on a
    # quiet 2-core AMD EPYC (Zen 5, avx512_bf16): training steps 18.3 examples/s x 256 tokens, validation and test
    # scoring 60 examples/s, setup 2.4 s, rounded up (benchmarks/README.md, transformer_speed.py). The 2-core Xeon
    # with AMX of earlier sessions trained at about half that rate: read the figure as within 2x.
    ("transformer", "cpu"): Rate(train=18.3 * 256, infer=60.0 * 256, setup=5.0),
    # the lab's bf16 training steps on an H100, bbc-news at 128 tokens: 612 examples/s (lab.models.hf.attention);
    # inference taken as 3x training (a forward pass is a third of a step)
    ("transformer", "cuda"): Rate(train=612 * 128, infer=3 * 612 * 128, setup=10.0,
                                      machine="an H100"),
}


@dataclass(frozen=True)
class Sizes:
    """What a recipe will process: split sizes, mean tokens per text as the model sees them, and epochs."""

    train: int
    validation: int
    test: int
    tokens: float
    epochs: int = 1
    budget: float | None = None  # max_train_seconds: the training steps stop there


def expected_seconds(sizes: Sizes, rate: Rate) -> float:
    """Setup, every epoch's training steps (at most the budget) and validation pass, and one test pass."""
    trained = sizes.train * sizes.epochs * sizes.tokens / rate.train
    if sizes.budget is not None:
        trained = min(trained, sizes.budget)
    scored = (sizes.validation * sizes.epochs + sizes.test) * sizes.tokens / rate.infer
    return rate.setup + trained + scored


def mean_tokens(word_counts: list[int], max_length: int | None, tokens: str = "wordpiece") -> float:
    """Mean tokens per text from whitespace word counts, each text cut at max_length (None: uncut)."""
    per_word, special = TOKENS_PER_WORD[tokens]
    if not word_counts:
        return 0.0
    cut = max_length if max_length is not None else float("inf")
    return sum(min(cut, words * per_word + special) for words in word_counts) / len(word_counts)


def sample_word_counts(texts: list[str], limit: int = SAMPLE) -> list[int]:
    """Word counts of up to `limit` texts spread evenly over the list (not the first ones: files are often sorted)."""
    step = max(1, len(texts) // limit)
    return [len(text.split()) for text in texts[::step][:limit]]


def duration(seconds: float) -> str:
    """45 s, 12 min, 1 h 40 min."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def estimate_line(recipe: str, cfg, data, device: str | None = None) -> str | None:
    """The note printed before a recipe starts: its expected wall time, and past an hour on CPU the knobs that
    shorten it. None when the recipe has no measured rate on this device. Print it as f"note: {line}"."""
    device = device or current_device()
    rate = RATES.get((recipe, device))
    if rate is None:
        return None
    texts = data.texts("train")
    sizes = Sizes(train=capped(len(texts), getattr(cfg, "max_train_examples", None)),
                  validation=capped(len(data.texts("validation")), getattr(cfg, "max_validation_examples", None)),
                  test=len(data.texts("test")),
                  tokens=mean_tokens(sample_word_counts(texts), getattr(cfg, "max_length", None), rate.tokens),
                  epochs=getattr(cfg, "epochs", 1), budget=getattr(cfg, "max_train_seconds", None))
    seconds = expected_seconds(sizes, rate)
    epochs = f"{sizes.epochs} epoch{'s' if sizes.epochs != 1 else ''}"
    line = (f"{recipe}: expected wall time about {duration(seconds)} on this {DEVICE_NAMES.get(device, device)} "
            f"({sizes.train:,} training texts x {epochs} at about {sizes.tokens:.0f} tokens each, at rates measured "
            f"on {rate.machine}; early stopping can end it sooner)")
    if device == "cpu" and seconds > HOUR:
        line += f"; over an hour on CPU: to shorten it, give {', '.join(shorter(cfg, sizes, rate))}"
    return line


def capped(count: int, cap: int | None) -> int:
    return count if cap is None else min(count, cap)


def shorter(cfg, sizes: Sizes, rate: Rate) -> list[str]:
    """The knobs this config has that cut the time, with values that bring it near an hour, and a GPU."""
    knobs = []
    if hasattr(cfg, "max_train_examples"):
        fixed = expected_seconds(Sizes(0, sizes.validation, sizes.test, sizes.tokens, sizes.epochs), rate)
        training = expected_seconds(sizes, rate) - fixed
        fitting = int(sizes.train * (HOUR - fixed) / training) if training > 0 else 0
        if fitting > 0:
            knobs.append(f"max_train_examples={round_down(fitting)}")
    if getattr(cfg, "max_length", None) and cfg.max_length > 128:
        knobs.append("max_length=128")
    knobs.append("a GPU")
    return knobs


def round_down(count: int) -> int:
    """To two significant digits, downwards: 12,345 -> 12,000."""
    scale = 10 ** max(0, len(str(count)) - 2)
    return count // scale * scale


def current_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
