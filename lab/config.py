"""Recipe configs: a dataclass of defaults, overlaid by a YAML variant, overlaid by key=value overrides."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from lab.errors import LabError

CONFIGS_DIR = Path(__file__).resolve().parent.parent / "recipes" / "configs"


@dataclass
class CommonConfig:
    """Keys every recipe shares; a recipe's Config subclasses this."""

    dataset: str = "bbc-news"
    dataset_config: str | None = None  # the Hub config name, for Hub datasets that have several
    text_column: str | None = None  # None: detect text/sentence/review/content/document
    label_column: str | None = None  # None: detect label/labels/category/class/target
    encoding: str = "utf-8"
    seed: int = 42
    runs_dir: str = "runs"


def config_names(recipe: str) -> list[str]:
    folder = CONFIGS_DIR / recipe
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def read_variant(recipe: str, name: str) -> dict[str, Any]:
    """The key/values of a named variant (recipes/configs/<recipe>/<name>.yaml) or of a YAML path."""
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
    return config_cls(**values)


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
        converted = [coerce(key, yaml_value(i) if isinstance(i, str) else i, args[0] if args else Any) for i in items]
        return origin(converted)
    return coerce_scalar(key, value, hint, text)


def coerce_scalar(key: str, value: Any, hint: Any, text: str | None) -> Any:
    if hint is Any:
        return value
    if hint is bool and isinstance(value, bool):
        return value
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint is str and value is not None and not isinstance(value, (dict, list)):
        return text if text is not None else str(value)
    name = getattr(hint, "__name__", str(hint))
    shown = text if text is not None else repr(value)
    raise LabError(f"{key}={shown} is not a valid {name}; give e.g. {key}={example(hint)}")


def example(hint: Any) -> str:
    return {bool: "true", int: "3", float: "0.001", str: "text"}.get(hint, "...")


def as_dict(cfg) -> dict[str, Any]:
    return dataclasses.asdict(cfg)
