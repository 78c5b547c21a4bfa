"""Equal tuning for every model: search=N runs N seeded Optuna (TPE) trials per model over the search space of the
recipe's config (lab.config.search_space), each scored on the validation split, then refits each model with its
best setting and returns its test predictions, as an unsearched run would.

A trial never sees the test part: it runs the recipe on a copy of the data whose test split IS the validation split
(the test texts are not in it at all). The trials live in an Optuna journal file, one study per model, so a search
that stopped continues where it was; each trial's sampler is seeded with (seed, trial number), so a continued search
draws the same trials as one that never stopped, and the same seed gives the same trials.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import time
import typing
from pathlib import Path
from typing import Callable

from lab.config import coerce, shown, yaml_value
from lab.data import LabData
from lab.evaluation import evaluate
from lab.results import RecipeResult
from lab.tasks import TASKS

DEFAULT_VALUE = "default_value"  # a study's user attribute: its model's validation score at the config's own values


def tuned_fit(module, cfg, data: LabData, space: dict[str, dict[str, dict]], trials: int, storage_path,
              on_trial: Callable[..., None] | None = None) -> tuple[RecipeResult, dict]:
    """(the refit models' RecipeResult, the search record) for module (a recipe: Config and run(cfg, data))."""
    storage = journal(Path(storage_path))
    validation = validation_data(data)
    defaults = default_values(module, cfg, validation, storage)
    report = on_trial or print_trial
    searched = {}
    for name in defaults:
        knobs = {**space.get("*", {}), **space.get(name, {})}
        searched[name] = search_model(module, cfg, validation, name, knobs, trials, storage, report)
    refits = [refit(module, cfg, data, name, best_params(study)) for name, study in searched.items()]
    record = {"trials": trials, "metric": TASKS[data.task].headline, "scored_on": "validation",
              "models": {name: model_record(study, defaults[name]) for name, study in searched.items()}}
    return combined(refits), record


def journal(path: Path):
    import optuna
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # one line per trial is printed here instead
    path.parent.mkdir(parents=True, exist_ok=True)
    return optuna.storages.JournalStorage(JournalFileBackend(str(path)))


def validation_data(data: LabData) -> LabData:
    """The data a trial sees: train and validation, with validation standing in as the test split."""
    from datasets import DatasetDict

    splits = DatasetDict(train=data.splits["train"], validation=data.splits["validation"],
                         test=data.splits["validation"])
    # a new fingerprint: nothing keyed by the data (checkpoints) may take a trial for the real run
    fingerprint = hashlib.sha256(f"{data.fingerprint}:search-on-validation".encode()).hexdigest()[:16]
    return dataclasses.replace(data, splits=splits, fingerprint=fingerprint, notes=[])


def default_values(module, cfg, validation: LabData, storage) -> dict[str, float]:
    """Model name -> validation score at the config's own values, from one run of the whole recipe (or from the
    journal, where an earlier search stored them): it names the models to search, and the record keeps it."""
    import optuna

    stored = {study.study_name: study.user_attrs.get(DEFAULT_VALUE) for study in storage.get_all_studies()}
    if stored and None not in stored.values():
        return stored
    result = module.run(cfg, validation)
    values = {model.name: validation_score(validation, model) for model in result.models}
    for name, value in values.items():
        optuna.create_study(storage=storage, study_name=name, direction=direction(validation),
                            load_if_exists=True).set_user_attr(DEFAULT_VALUE, value)
    return values


def direction(data: LabData) -> str:
    return "maximize" if TASKS[data.task].higher_is_better else "minimize"


def validation_score(validation: LabData, model) -> float:
    evaluated = evaluate(validation.task, validation.labels("test"), model.predictions, validation.label_names,
                         model.scores)
    return float(evaluated["metrics"][TASKS[validation.task].headline])


def search_model(module, cfg, validation: LabData, name: str, knobs: dict, trials: int, storage, report):
    """The model's study, holding `trials` complete trials (those the journal already has count)."""
    import optuna
    from optuna.trial import TrialState

    study = optuna.create_study(storage=storage, study_name=name, direction=direction(validation),
                                load_if_exists=True)
    if not knobs:
        return study
    for number in range(len(complete_trials(study)), trials):
        study.sampler = optuna.samplers.TPESampler(seed=trial_seed(cfg.seed, name, number))
        trial = study.ask()
        values = {key: suggest(trial, key, knob) for key, knob in knobs.items()}
        started = time.perf_counter()
        try:
            model = one_model(module.run(configured(cfg, name, values), validation), name)
        except BaseException:
            study.tell(trial, state=TrialState.FAIL)  # not left RUNNING in the journal: a rerun redoes it
            raise
        trial.set_user_attr("seconds", round(time.perf_counter() - started, 3))
        value = validation_score(validation, model)
        study.tell(trial, value)
        report(name, number + 1, trials, value, values)
    return study


def trial_seed(seed: int, name: str, number: int) -> int:
    """One sampler seed per (seed, model, trial): a continued search draws what an unbroken one would."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{name}:{number}".encode()).digest()[:4], "big")


def suggest(trial, key: str, knob: dict):
    """The trial's value for one knob. Choices that are not plain scalars (hidden: [[32], [64]]) are offered as
    their command-line text, so the journal and the record hold "64,32", and mapped back to the value."""
    if "choices" in knob:
        choices = knob["choices"]
        if all(choice is None or isinstance(choice, (bool, int, float, str)) for choice in choices):
            return trial.suggest_categorical(key, choices)
        texts = [shown(choice) for choice in choices]
        return choices[texts.index(trial.suggest_categorical(key, texts))]
    suggest_number = trial.suggest_int if isinstance(knob["low"], int) else trial.suggest_float
    return suggest_number(key, knob["low"], knob["high"], log=knob["log"])


def configured(cfg, name: str, values: dict):
    """cfg with the trial's values; a recipe that runs a subset of its models (models=) runs only this one."""
    fields = {field.name for field in dataclasses.fields(cfg)}
    return dataclasses.replace(cfg, **values, **({"models": [name]} if "models" in fields else {}))


def one_model(result: RecipeResult, name: str):
    found = [model for model in result.models if model.name == name]
    if not found:
        raise ValueError(f"the recipe returned no model named {name} (it returned "
                         f"{', '.join(model.name for model in result.models) or 'none'})")
    return found[0]


def refit(module, cfg, data: LabData, name: str, best_params: dict) -> RecipeResult:
    """The recipe on the real data with the model's best setting; only that model's result is kept."""
    chosen = decoded(cfg, best_params)
    result = module.run(configured(cfg, name, chosen), data)
    return dataclasses.replace(result, models=[one_model(result, name)])


def decoded(cfg, params: dict) -> dict:
    """Optuna's stored params, with choice texts ("64,32") turned back into the config field's value."""
    hints = typing.get_type_hints(type(cfg))
    return {key: coerce(key, yaml_value(value), hints[key], value) if isinstance(value, str) else value
            for key, value in params.items()}


def combined(results: list[RecipeResult]) -> RecipeResult:
    """One RecipeResult of every model's refit, in the order the recipe returned them; notes said once."""
    merged = RecipeResult()
    for result in results:
        merged.models += result.models
        merged.figures.update(result.figures)
        merged.tables.update(result.tables)
        merged.plots.update(result.plots)
        merged.notes += [note for note in result.notes if note not in merged.notes]
    return merged


def complete_trials(study) -> list:
    from optuna.trial import TrialState

    return [trial for trial in study.trials if trial.state == TrialState.COMPLETE]


def best_params(study) -> dict:
    """The best complete trial's params; {} (the config's own values) where there is none: nothing to search."""
    return study.best_params if complete_trials(study) else {}


def model_record(study, default_value: float) -> dict:
    complete = complete_trials(study)
    return {"best_params": best_params(study),
            "best_value": study.best_value if complete else None, "default_value": default_value,
            "trials": [{"number": trial.number, "params": trial.params, "value": trial.value,
                        "seconds": trial.user_attrs.get("seconds")} for trial in complete]}


def print_trial(name: str, number: int, trials: int, value: float, values: dict) -> None:
    setting = " ".join(f"{key}={f'{chosen:.4g}' if isinstance(chosen, float) else shown(chosen)}"
                       for key, chosen in values.items())
    print(f"search {name}: trial {number}/{trials} {value:.4f} ({setting})", file=sys.stderr, flush=True)
