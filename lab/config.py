"""Recipe configs: a dataclass of defaults, overlaid by a YAML variant, overlaid by key=value overrides."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from lab.errors import LabError

CONFIGS_DIR = Path(__file__).resolve().parent.parent / "recipes" / "configs"

# Bounds on a key of this name in any recipe's config. Outside them a run either crashes deep inside torch,
# scikit-learn or gensim, or runs and means nothing (warmup_ratio=2, patience=0, hidden=0): stop before any work.
AT_LEAST_ONE = ("batch_size", "eval_batch_size", "epochs", "grad_accum_steps", "threads", "patience", "hidden",
                "hidden_size", "num_layers", "embedding_dim", "max_length", "max_vocab", "min_freq", "max_features",
                "ngram_max", "min_df", "max_train_examples", "max_validation_examples", "keep_checkpoints",
                "min_token_length", "bigram_min_count", "keep_n", "w2v_size", "w2v_window", "w2v_epochs", "w2v_workers",
                "cluster_words", "k_max",
                "nearest_words", "lsa_components", "embed_batch_size", "embed_max_length", "cluster_seeds",
                "lda_passes", "lda_iterations", "lda_chunksize", "lda_restarts", "ensemble", "folds", "repeats",
                "max_train_documents", "w2v_max_texts")
LIMITS: dict[str, tuple[typing.Callable[[float], bool], str]] = {
    **{key: (lambda v: v >= 1, ">= 1") for key in AT_LEAST_ONE},
    **{key: (lambda v: v >= 0, ">= 0") for key in ("seed", "weight_decay", "stride", "no_below", "sample_docs",
                                                            "search")},
    **{key: (lambda v: v > 0, "> 0") for key in ("lr", "head_lr", "max_grad_norm", "nb_alpha", "logreg_c", "logreg_tol",
                                                          "svm_c")},
    **{key: (lambda v: v >= 2, ">= 2") for key in ("topn", "lda_k", "lda_k_sweep")},
    **{key: (lambda v: 0 <= v < 1, "in [0, 1)") for key in ("dropout", "warmup_ratio", "attention_dropout",
                                                               "hidden_dropout")},
    **{key: (lambda v: 0 < v <= 1, "a share in (0, 1]") for key in ("max_df", "no_above")},
}


@dataclass
class CommonConfig:
    """Keys every recipe shares; a recipe's Config subclasses this."""

    dataset: str = "bbc-news"  # bbc-news (built in), a .csv/.tsv/.json/.jsonl/.parquet file, a folder, or a Hub id
    dataset_config: str | None = None  # the Hub config name, for Hub datasets that have several
    text_column: str | None = None  # None: detect text/sentence/review/content/document
    label_column: str | None = None  # None: detect label/...; a,b,c: 0/1 columns (multi-label); *: all but text/split
    task: Literal["auto", "single_label", "multi_label", "regression"] = "auto"  # auto: read from the labels (lab/data/labels.py)
    label_sep: str | None = None  # the character joining a row's labels (joy;love): multi-label; an empty cell is no label
    validation_file: str | None = None  # the user's own validation split: a table with dataset='s columns
    test_file: str | None = None  # the user's own test split; dataset= is then the train split, kept whole
    split_column: str | None = None  # a column of train/validation/dev/test: the user's own splits in one file
    language: str | None = None  # ISO 639-1 code (de, fr, ...); None: detected on a sample of the train texts
    encoding: str = "utf-8"  # of the dataset's files
    duplicates: Literal["near", "exact", "keep"] = "near"  # before the split, drop repeats (exact: equal up to whitespace; near: also 80% of word 3-grams shared)
    seed: int = 42  # the split, initial weights and batch order: the same seed gives the same run
    runs_dir: str = "runs"  # where run folders are written: <runs_dir>/<dataset>/<recipe>/<run-id>/
    folds: int = 1  # K >= 2: cross-validate, one run folder scored over K stratified folds; 1: one split
    repeats: int = 1  # R: draw the K folds R times, with seeds seed..seed+R-1 (needs folds >= 2)
    search: int = 0  # Optuna trials per model over the config's search: block, scored on validation; 0: no search

    def __post_init__(self):
        if self.folds == 1 and self.repeats > 1:
            raise LabError(f"repeats={self.repeats} repeats cross-validation, but folds=1 is one split; "
                           f"give folds=5 (or more), or leave repeats out")


def config_names(recipe: str) -> list[str]:
    folder = CONFIGS_DIR / recipe
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def shipped_variant(recipe: str, name: str) -> str | None:
    """name if the recipe ships a config of that name (a profile, or "default"), else None: its dataclass defaults."""
    return name if name in config_names(recipe) else None


def read_variant(recipe: str, name: str | None) -> dict[str, Any]:
    """The key/values of a named variant (recipes/configs/<recipe>/<name>.yaml) or of a YAML path; None: none.
    A `search:` block is the variant's search space (see search_space), not a key; `search: 30` is the key."""
    values = variant_file(recipe, name)
    return {key: value for key, value in values.items() if not (key == "search" and isinstance(value, dict))}


def variant_file(recipe: str, name: str | None) -> dict[str, Any]:
    if name is None:
        return {}
    path = Path(name) if name.endswith((".yaml", ".yml")) else CONFIGS_DIR / recipe / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(config_names(recipe)) or "none"
        raise LabError(f"config '{name}' not found for recipe '{recipe}'; choose one of: {known}, or give a .yaml path")
    try:
        values = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise LabError(f"config file {path} is not valid YAML ({str(exc).splitlines()[0]}); fix the file") from None
    if not isinstance(values, dict):
        raise LabError(f"config file {path} must hold a mapping of key: value; fix the file")
    return values


RANGE_KEYS = {"low", "high", "log"}


def search_space(config_cls: type, recipe: str, name: str | None) -> dict[str, dict[str, dict]]:
    """The variant's `search:` block, checked against config_cls: {section: {key: knob}}, where section "*" holds
    the flat block's knobs (every model's) and any other section one model's own; a knob is {"low", "high", "log"}
    (typed as the key) or {"choices": [...]}. The shared keys (dataset, seed, ...) and models= are not searchable."""
    block = variant_file(recipe, name).get("search")
    if block is None or isinstance(block, int) and not isinstance(block, bool):
        return {}
    where = f"the search: block of {recipe}'s config '{name}'"
    hints = typing.get_type_hints(config_cls)
    shared = {f.name for f in dataclasses.fields(CommonConfig)} | {"models"}
    searchable = sorted(set(hints) - shared)
    if not isinstance(block, dict):
        raise LabError(f"{where} must map keys to ranges or choices, e.g. search: {{lr: {{low: 0.0001, high: 0.01, "
                       f"log: true}}}}; fix the file")
    space: dict[str, dict[str, dict]] = {}
    for key, value in block.items():
        if key in searchable:
            space.setdefault("*", {})[key] = search_knob(key, value, hints[key], where)
        elif key not in hints and isinstance(value, dict) and not RANGE_KEYS & set(value):
            for inner, knob in value.items():
                if inner not in searchable:
                    raise unsearchable(inner, f"{where}, section {key}", searchable)
                space.setdefault(str(key), {})[inner] = search_knob(inner, knob, hints[inner], where)
        else:
            raise unsearchable(key, where, searchable)
    return space


def unsearchable(key: str, where: str, searchable: list[str]) -> LabError:
    return LabError(f"search key '{key}' in {where} is not a key this recipe can search; give one of: "
                    f"{', '.join(searchable)}, or a model name holding a block of them")


def search_knob(key: str, value: Any, hint: Any, where: str) -> dict:
    """A {low, high, log} range of an int or float key, or a list of choices of any key, coerced to its type."""
    if isinstance(value, list) and value:
        choices = [coerce(key, choice, hint) for choice in value]
        check_search_limits(key, [item for choice in choices for item in as_items(choice)], where)
        return {"choices": choices}
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
    number = next((a for a in (typing.get_args(hint) if optional else (hint,)) if a in (int, float)), None)
    if not isinstance(value, dict) or set(value) - RANGE_KEYS or not {"low", "high"} <= set(value) or number is None:
        form = "{low: ..., high: ..., log: true}" if number else "a list of choices"
        raise LabError(f"search: {key} in {where} must be {form}" + (" or a list of choices" if number else "")
                       + "; fix the file")
    low, high = (coerce_scalar(key, value[end], number, None) for end in ("low", "high"))
    log = value.get("log", False)
    if not low < high or not isinstance(log, bool) or log and low <= 0:
        raise LabError(f"search: {key} in {where} has low={low}, high={high}, log={log}; give low < high, "
                       f"log true or false, and low > 0 with log")
    check_search_limits(key, [low, high], where)
    return {"low": low, "high": high, "log": log}


def check_search_limits(key: str, values: list, where: str) -> None:
    within, rule = LIMITS.get(key, (lambda v: True, ""))
    bad = [v for v in values if v is not None and not within(v)]
    if bad:
        raise LabError(f"search: {key}={shown(bad[0])} in {where} must be {rule}; fix the range")


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """'lr=0.001' -> {'lr': '0.001'}; values stay text until coerce() knows the field type."""
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LabError(f"override '{pair}' is not key=value; write it as e.g. seed=1")
        values[key.strip()] = value
    return values


def build(config_cls: type, variant: dict[str, Any], overrides: dict[str, Any]):
    """Instantiate config_cls from defaults <- variant <- overrides, checking names and types."""
    hints = typing.get_type_hints(config_cls)
    fields = {f.name for f in dataclasses.fields(config_cls)}
    values: dict[str, Any] = {}
    for source, mapping in (("config file", variant), ("override", overrides)):
        for key, raw in mapping.items():
            if key not in fields:
                raise LabError(f"unknown {source} key '{key}'; known keys: {', '.join(sorted(fields))}")
            text = raw if source == "override" else None
            values[key] = coerce(key, yaml_value(raw) if text is not None else raw, hints[key], text)
    cfg = config_cls(**values)
    check_limits(cfg)
    return cfg


def check_limits(cfg) -> None:
    """A LabError naming the first key outside its LIMITS, with the recipe's default as the fix."""
    for field in dataclasses.fields(cfg):
        if field.name not in LIMITS:
            continue
        within, rule = LIMITS[field.name]
        value = getattr(cfg, field.name)
        if any(item is not None and not within(item) for item in as_items(value)):
            default = field.default_factory() if field.default is dataclasses.MISSING else field.default
            fix = (f"give e.g. {field.name}={shown(default)}" if default not in (None, [], ())
                   else "leave the key out for the default")
            each = "each value " if isinstance(value, (list, tuple)) else ""
            raise LabError(f"{field.name}={shown(value)}: {each}must be {rule}; {fix}")


def as_items(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def shown(value: Any) -> str:
    """A value as it is written on the command line: 64,32 for lists, true/false, null."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(shown, value))
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return str(value)


def yaml_value(text: str) -> Any:
    try:
        return yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        return text


def coerce(key: str, value: Any, hint: Any, text: str | None = None) -> Any:
    """Convert value to the field type, or raise a LabError that names the key and the expected type."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            if type(None) in args:
                return None
        inner = [a for a in args if a is not type(None)]
        return coerce(key, value, inner[0], text) if len(inner) == 1 else value
    if origin is Literal:
        if text is not None and text in args:  # YAML would read override `mixed_precision=no` as False
            return text
        if value not in args:
            raise LabError(f"{key}={value!r} is not allowed; choose one of: {', '.join(map(str, args))}")
        return value
    if origin in (list, tuple):
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            items = [items]
        item_hint = args[0] if args else Any
        try:
            return origin(coerce(key, yaml_value(i) if isinstance(i, str) else i, item_hint) for i in items)
        except LabError:
            name = getattr(item_hint, "__name__", str(item_hint))
            shown = text if text is not None else value if isinstance(value, str) else repr(value)
            sample = {int: "64,32", float: "0.1,0.5"}.get(item_hint, "a,b")
            raise LabError(f"{key}={shown} is not a list of {name} values; give them comma-separated, "
                           f"e.g. {key}={sample}") from None
    return coerce_scalar(key, value, hint, text)


def coerce_scalar(key: str, value: Any, hint: Any, text: str | None) -> Any:
    if hint is Any:
        return value
    if hint is bool and isinstance(value, bool):
        return value
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint is float and isinstance(value, (int, float, str)) and not isinstance(value, bool):
        number = finite_number(value)
        if number is not None:
            return number
    if hint is str and value is not None and not isinstance(value, (dict, list)):
        return text if text is not None else str(value)
    name = getattr(hint, "__name__", str(hint))
    shown = text if text is not None else repr(value)
    raise LabError(f"{key}={shown} is not a valid {name}; give e.g. {key}={example(hint)}")


def finite_number(value: int | float | str) -> float | None:
    """PyYAML (YAML 1.1) reads 5e-5 as a string, since it wants 5.0e-5; Python reads both. nan and inf (.nan, .inf
    in YAML) are no setting's value."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def example(hint: Any) -> str:
    return {bool: "true", int: "3", float: "0.001", str: "text"}.get(hint, "...")


def as_dict(cfg) -> dict[str, Any]:
    return dataclasses.asdict(cfg)
