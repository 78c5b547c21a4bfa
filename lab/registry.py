"""Recipes are found by convention: recipes/<name>.py with a Config dataclass and a run() function.

Listing reads the files' docstrings without importing them, so `lab ls` never pays for torch.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from lab.config import config_names
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
