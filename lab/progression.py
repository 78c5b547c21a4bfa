"""`lab run all`: every recipe of the progression on one dataset and one split, then one report.

A recipe that fails does not stop the others; the failure is recorded and shown in the report. With folds=K the
progression runs fold-major: the first fold of every recipe, then one estimate of the wall time left (it names the
recipe that dominates), then the remaining folds of each recipe.
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from lab.config import CommonConfig, build, parse_overrides, read_variant, shipped_variant
from lab.errors import LabError, make_folder
from lab.registry import recipe_names

UNSUPERVISED = {"topics"}  # trains no classifier, so it has no data-efficiency curve

PROFILES = ("default", "quick", "tiny")  # tiny: seconds-long configs for tests and smoke checks
FAILURES = "failures.json"


@dataclass
class Outcome:
    recipe: str
    path: Path | None = None
    error: str | None = None


def run_all(profile: str = "default", overrides=(), recipes: list[str] | None = None) -> list[Outcome]:
    """Each recipe on the full training split, then, with train_sizes=..., each classifier on subsets of it."""
    from lab.runs import load_data

    if profile not in PROFILES:
        raise LabError(f"unknown profile '{profile}'; choose one of: {', '.join(PROFILES)}")
    overrides, sizes = split_train_sizes(list(overrides))
    common = common_config(overrides)
    recipes = recipes or recipe_names()
    routed = route_overrides(recipes, profile, overrides)
    data = load_data(common)  # loaded once: every recipe sees exactly the same split
    make_folder(Path(common.runs_dir) / data.name, "runs_dir=")
    if common.folds > 1:
        check_folds(data, common, recipes, routed)
    outcomes = run_recipes(recipes, profile, routed, data, common)
    for size in sizes:
        if size < len(data.texts("train")):
            outcomes += run_recipes([r for r in recipes if r not in UNSUPERVISED], profile, routed, data, common, size)
    record_failures(Path(common.runs_dir) / data.name, outcomes)
    return outcomes


def route_overrides(recipes: list[str], profile: str, overrides: list[str]) -> dict[str, list[str]]:
    """Each recipe gets the overrides its config has (epochs=2 goes to the torch recipes only), and every config
    is built now, so a key no recipe has or a bad value stops the progression before its first recipe runs."""
    from lab.registry import load_recipe

    values = parse_overrides(overrides)
    routed, used = {}, set()
    for recipe in recipes:
        try:
            config_cls = load_recipe(recipe).Config
        except Exception:  # a recipe that cannot even load fails in run_one, where the others carry on
            routed[recipe], used = list(overrides), used | set(values)
            continue
        mine = [key for key in values if key in config_cls.__dataclass_fields__]
        variant = read_variant(recipe, shipped_variant(recipe, profile))
        try:
            build(config_cls, variant, {key: values[key] for key in mine})
        except LabError as error:
            raise LabError(f"{recipe}: {error}") from None
        routed[recipe], used = [f"{key}={values[key]}" for key in mine], used | set(mine)
    unknown = [key for key in values if key not in used]
    if unknown:
        raise LabError(f"no recipe has the key(s) {', '.join(unknown)}; see each recipe's keys with `lab ls RECIPE`")
    return routed


def check_folds(data, common: CommonConfig, recipes: list[str], routed: dict[str, list[str]]) -> None:
    """Draw the folds once before any recipe runs, so folds= too large for a class stops the progression now; the
    unsupervised recipes score no held-out predictions, so they run on the one split."""
    from lab.data.folds import fold_plan

    fold_plan(data, common.folds, common.repeats, common.seed)
    for recipe in set(recipes) & UNSUPERVISED:
        routed[recipe] = [item for item in routed[recipe] if item.partition("=")[0] not in ("folds", "repeats")]
        print(f"note: {recipe} trains no classifier; it runs on the one split, without folds", file=sys.stderr)


def run_recipes(recipes: list[str], profile: str, routed: dict[str, list[str]], data, common: CommonConfig,
                train_size: int | None = None) -> list[Outcome]:
    """One split: each recipe in turn. Folds: the first fold of every recipe, the estimate, then the rest."""
    if common.folds == 1:
        return [run_one(recipe, profile, routed[recipe], data, train_size) for recipe in recipes]
    from lab.crossval import drain, estimate_note, remaining_fits

    outcomes, started, first = {}, {}, {}
    for recipe in recipes:
        announce(recipe, profile, train_size)
        begun = attempt(recipe, train_size, lambda: first_fold(recipe, profile, routed[recipe], data, train_size))
        if isinstance(begun, Outcome):
            outcomes[recipe] = begun  # failed, or done at once (a recipe run without folds)
        else:
            started[recipe], first[recipe] = begun
    if first:
        print(estimate_note(first, remaining_fits(common, data.own_test)), file=sys.stderr)
    for recipe, work in started.items():
        print(f"== {recipe}: the remaining folds", file=sys.stderr)
        outcomes[recipe] = attempt(recipe, train_size, lambda: Outcome(recipe, path=drain(work)))
    return [outcomes[recipe] for recipe in recipes]


def first_fold(recipe: str, profile: str, overrides: list[str], data, train_size: int | None):
    """(the recipe's remaining steps, its first fold's seconds), or its Outcome when it ran without folds."""
    from lab.runs import prepare, steps

    work = steps(prepare(recipe, shipped_variant(recipe, profile), overrides, data=data, train_size=train_size))
    try:
        return work, next(work)
    except StopIteration as done:
        return Outcome(recipe, path=done.value)


def run_one(recipe: str, profile: str, overrides: list[str], data, train_size: int | None = None) -> Outcome:
    from lab.runs import execute

    config = shipped_variant(recipe, profile)
    announce(recipe, profile, train_size)
    return attempt(recipe, train_size,
                   lambda: Outcome(recipe, path=execute(recipe, config, overrides, data=data, train_size=train_size)))


def announce(recipe: str, profile: str, train_size: int | None) -> None:
    subset = f", {train_size} training examples" if train_size else ""
    print(f"== {recipe} ({shipped_variant(recipe, profile) or 'defaults'}{subset})", file=sys.stderr)


def attempt(recipe: str, train_size: int | None, call):
    """call()'s value, or a failed Outcome: one broken recipe must not cost the user the others."""
    try:
        return call()
    except Exception as error:
        reason = f"{type(error).__name__}: {error}".splitlines()[0] if str(error) else type(error).__name__
        print(f"error: recipe {recipe} failed: {reason}", file=sys.stderr)
        if not isinstance(error, LabError):
            traceback.print_exc(file=sys.stderr)
        return Outcome(recipe, error=reason + (f" (train size {train_size})" if train_size else ""))


def split_train_sizes(overrides: list[str]) -> tuple[list[str], list[int]]:
    """train_sizes=100,300,1000,all belongs to the progression, not to any recipe's config."""
    rest, sizes = [], []
    for item in overrides:
        key, _, value = item.partition("=")
        if key.strip() != "train_sizes":
            rest.append(item)
            continue
        for part in filter(None, (p.strip() for p in value.split(","))):
            if part != "all" and not part.isdigit():
                raise LabError(f"train_sizes item '{part}' is not a whole number or 'all'; "
                               f"write e.g. train_sizes=100,300,1000,all")
            if part != "all":
                sizes.append(int(part))
    return rest, sorted(set(sizes))


def common_config(overrides: list[str]) -> CommonConfig:
    """The dataset keys shared by every recipe; recipe-specific keys are checked when that recipe runs."""
    shared = {f for f in CommonConfig.__dataclass_fields__}
    values = {k: v for k, v in parse_overrides(overrides).items() if k in shared}
    return build(CommonConfig, {}, values)


def record_failures(dataset_runs: Path, outcomes: list[Outcome]) -> None:
    """The report reads this to say which recipes of the last `run all` failed, and why."""
    dataset_runs.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    failed = [{"recipe": o.recipe, "error": o.error, "created": now} for o in outcomes if o.error]
    temporary = dataset_runs / f".{FAILURES}.tmp"
    temporary.write_text(json.dumps(failed, indent=2))
    temporary.replace(dataset_runs / FAILURES)
