"""Recipes are found by convention: recipes/<name>.py with a Config dataclass and a run() function.

Listing reads the files' docstrings without importing them, so `lab ls` never pays for torch.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import re
import typing
from pathlib import Path

from lab.config import LIMITS, build, config_names, read_variant, shipped_variant
from lab.errors import LabError

RECIPES_DIR = Path(__file__).resolve().parent.parent / "recipes"
# The order of the progression: `lab run all` runs them in this order, and the report lists them in it.
PROGRESSION = ("topics", "classical", "bow_ffn", "lstm", "transformer")


def recipe_names() -> list[str]:
    found = {p.stem for p in RECIPES_DIR.glob("*.py") if not p.stem.startswith("_")}
    return [name for name in PROGRESSION if name in found] + sorted(found - set(PROGRESSION))


def describe(name: str) -> str:
    tree = ast.parse((RECIPES_DIR / f"{name}.py").read_text())
    doc = ast.get_docstring(tree) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def listing() -> list[dict]:
    return [{"recipe": name, "description": describe(name), "configs": config_names(name)} for name in recipe_names()]


def load_recipe(name: str):
    if name not in recipe_names():
        raise LabError(f"unknown recipe '{name}'; choose one of: {', '.join(recipe_names())} (see `lab ls`)")
    return importlib.import_module(f"recipes.{name}")


def config_keys(name: str) -> list[dict]:
    """Each key of a recipe's config: the value `lab run <name>` uses, what it accepts, and its source comment."""
    config_cls = load_recipe(name).Config
    comments: dict[str, str] = {}
    for cls in reversed(config_cls.__mro__):  # a recipe's own comment wins over its base class's
        if dataclasses.is_dataclass(cls):
            comments |= dict(re.findall(r"^    (\w+):[^#\n]*#\s*(.+)$", inspect.getsource(cls), re.MULTILINE))
    cfg = build(config_cls, read_variant(name, shipped_variant(name, "default")), {})
    hints = typing.get_type_hints(config_cls)
    return [{"key": f.name, "value": getattr(cfg, f.name), "accepts": accepts(f.name, hints[f.name]),
             "comment": comments.get(f.name, "")} for f in dataclasses.fields(cfg)]


def accepts(key: str, hint) -> str:
    """'random|word2vec|file', 'int >= 1', 'float in [0, 1) or null', ..."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is typing.Literal:
        return "|".join(map(str, args))
    if type(None) in args:
        inner = [a for a in args if a is not type(None)]
        return f"{accepts(key, inner[0]) if len(inner) == 1 else 'text'} or null"
    if typing.get_origin(hint) in (list, tuple):
        return f"comma-separated {accepts(key, args[0]) if args else 'values'}"
    kind = {bool: "true|false", int: "int", float: "float", str: "text"}.get(hint, getattr(hint, "__name__", "value"))
    return f"{kind} {LIMITS[key][1]}" if key in LIMITS else kind
