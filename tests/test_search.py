"""search=N: the search-space reader, the Optuna search (lab/search.py) and the tuning table (lab/report/tuning.py)."""

import types
from dataclasses import dataclass

import numpy as np
import pytest

from lab import config
from lab.config import CommonConfig, search_space
from lab.errors import LabError
from lab.results import ModelResult, RecipeResult
from lab.search import tuned_fit
from tests.conftest import tiny_config


@dataclass
class StubConfig(CommonConfig):
    models: list[str] | None = None
    share: float = 0.5  # the share of the given test split the stub predicts right: higher is better
    width: list[int] = (8,)
    ngram_max: int = 1


class StubRecipe:
    """A recipe with two models whose score rises with `share`. It records every config and data it is given, and
    fails the moment a text of the real test split shows up in a run that is not one of the final refits."""

    def __init__(self, data):
        self.real_test = data.texts("test")
        self.calls = []  # (cfg, was it given the real data)
        self.Config = StubConfig

    def run(self, cfg, data) -> RecipeResult:
        real = data.texts("test") == self.real_test
        if not real:
            seen = {text for split in data.splits for text in data.texts(split)}
            assert not seen & set(self.real_test), "a trial was given test texts"
        self.calls.append((cfg, real))
        truth = data.labels("test")
        right = np.arange(len(truth)) < round(cfg.share * len(truth))
        predictions = np.where(right, truth, 1 - truth)
        names = cfg.models or ["stub_a", "stub_b"]
        return RecipeResult(models=[ModelResult(name, "neural", predictions) for name in names])


STUB_SPACE = {"*": {"share": {"low": 0.0, "high": 1.0, "log": False}},
              "stub_b": {"width": {"choices": [[4], [8, 4]]}}}


@pytest.fixture
def tiny_data(tiny_csv):
    from lab.data import load

    return load(tiny_csv)


def written_space(tmp_path, text: str, config_cls=StubConfig) -> dict:
    path = tmp_path / "variant.yaml"
    path.write_text(text)
    return search_space(config_cls, "stub", str(path))


def test_the_space_reader_types_ranges_and_choices_by_field_and_keeps_sections(tmp_path):
    space = written_space(tmp_path, "search:\n  share: {low: 0, high: 1}\n  ngram_max: {low: 1, high: 3}\n"
                                    "  stub_b: {width: [[4], 8]}\n")
    assert space == {"*": {"share": {"low": 0.0, "high": 1.0, "log": False},
                           "ngram_max": {"low": 1, "high": 3, "log": False}},
                     "stub_b": {"width": {"choices": [[4], [8]]}}}
    assert isinstance(space["*"]["share"]["low"], float) and isinstance(space["*"]["ngram_max"]["low"], int)


@pytest.mark.parametrize("block, message", [
    ("  sahre: {low: 0, high: 1}", "search key 'sahre' .* give one of: ngram_max, share, width"),
    ("  stub_b: {widht: [[4]]}", "search key 'widht' in .*section stub_b"),
    ("  seed: [1, 2]", "search key 'seed'"),
    ("  models: [[a]]", "search key 'models'"),
    ("  share: {low: 1, high: 0}", "low=1.0, high=0.0.*give low < high"),
    ("  share: {low: 0, high: 1, log: true}", "low > 0 with log"),
    ("  share: {low: 0, high: 1, step: 0.1}", r"share .* must be \{low: \.\.\., high: \.\.\., log: true\}"),
    ("  ngram_max: {low: 1.5, high: 3}", "ngram_max=1.5 is not a valid int"),
    ("  ngram_max: {low: 0, high: 3}", r"ngram_max=0 .* must be >= 1; fix the range"),
    ("  width: {low: 1, high: 3}", "width .* must be a list of choices"),
    ("  ngram_max: []", "ngram_max .* must be"),
    ("  ngram_max: [1, two]", "ngram_max='two' is not a valid int"),
])
def test_the_space_reader_names_the_bad_key_and_the_fix(tmp_path, block, message):
    with pytest.raises(LabError, match=message):
        written_space(tmp_path, "search:\n" + block + "\n")


def test_the_search_block_is_no_config_key_but_a_trial_count_is(tmp_path):
    path = tmp_path / "variant.yaml"
    path.write_text("share: 0.25\nsearch:\n  share: {low: 0, high: 1}\n")
    assert config.read_variant("stub", str(path)) == {"share": 0.25}
    path.write_text("search: 7\n")
    assert config.build(StubConfig, config.read_variant("stub", str(path)), {}).search == 7
    assert search_space(StubConfig, "stub", str(path)) == {}
    with pytest.raises(LabError, match="search=-1: must be >= 0"):
        config.build(StubConfig, {}, {"search": "-1"})


def test_every_shipped_config_with_a_search_block_reads_and_names_its_recipes_models():
    from lab.registry import load_recipe, recipe_names

    for recipe in recipe_names():
        module = load_recipe(recipe)
        for name in config.config_names(recipe):
            space = search_space(module.Config, recipe, name)
            assert recipe == "topics" or space, (recipe, name)
            if recipe == "classical":
                assert set(space) - {"*"} == {"tfidf_nb", "tfidf_logreg", "tfidf_svm", "tfidf_ridge", "tfidf_svr"}


def test_the_best_trial_of_each_model_is_refit_on_the_real_data(tiny_data, tmp_path):
    from recipes import classical

    given = []
    recording = types.SimpleNamespace(Config=classical.Config,
                                      run=lambda cfg, data: given.append(cfg) or classical.run(cfg, data))
    cfg = tiny_config("classical")
    space = search_space(classical.Config, "classical", "tiny")
    result, record = tuned_fit(recording, cfg, tiny_data, space, 3, tmp_path / "search.log", on_trial=print)

    assert [model.name for model in result.models] == ["tfidf_nb", "tfidf_logreg", "tfidf_svm"]
    assert record["trials"] == 3 and record["metric"] == "macro_f1" and record["scored_on"] == "validation"
    refits = given[-3:]
    for refit, (name, searched) in zip(refits, record["models"].items()):
        assert refit.models == [name] and len(searched["trials"]) == 3
        best = max(searched["trials"], key=lambda trial: trial["value"])
        assert searched["best_value"] == best["value"]
        assert {key: getattr(refit, key) for key in searched["best_params"]} == searched["best_params"]
        assert set(searched["best_params"]) == {"ngram_max", {"tfidf_nb": "nb_alpha", "tfidf_logreg": "logreg_c",
                                                               "tfidf_svm": "svm_c"}[name]}
    assert len(given) == 1 + 3 * 3 + 3  # the default run names the models, then 3 trials each, then 3 refits


def test_a_trial_never_sees_the_test_split_and_is_scored_on_validation(tiny_data, tmp_path):
    stub = StubRecipe(tiny_data)
    result, record = tuned_fit(stub, StubConfig(), tiny_data, STUB_SPACE, 4, tmp_path / "search.log")

    assert [real for _, real in stub.calls] == [False] * (1 + 4 + 4) + [True, True]
    assert [model.name for model in result.models] == ["stub_a", "stub_b"]
    # validation labels 0 1 1 0; the stub gets the first k right and flips the rest. k=2: 0 1 0 1, each class
    # F1 1/2; k=3: 0 1 1 1, F1 2/3 and 4/5, macro 11/15; k=1: 0 0 0 1, F1 2/5 and 0. (The test split is 0 1 0 1.)
    macro_f1_by_rows_right = {0: 0.0, 1: 0.2, 2: 0.5, 3: 11 / 15, 4: 1.0}
    for name, searched in record["models"].items():
        for trial in searched["trials"]:
            assert trial["value"] == pytest.approx(macro_f1_by_rows_right[round(trial["params"]["share"] * 4)])
        assert searched["best_value"] == max(trial["value"] for trial in searched["trials"])
        assert searched["default_value"] == pytest.approx(0.5)  # share=0.5
    refit_b = stub.calls[-1][0]
    assert refit_b.models == ["stub_b"] and refit_b.width in ([4], [8, 4])
    assert record["models"]["stub_b"]["best_params"]["width"] == config.shown(refit_b.width)
    assert "width" not in record["models"]["stub_a"]["best_params"]  # each model shows only its own knobs


def trials_of(record: dict) -> dict:
    return {name: [(trial["params"], trial["value"]) for trial in model["trials"]]
            for name, model in record["models"].items()}


def test_the_same_seed_gives_the_same_trials_and_another_seed_others(tiny_data, tmp_path):
    def search(seed: int, folder: str) -> dict:
        return tuned_fit(StubRecipe(tiny_data), StubConfig(seed=seed), tiny_data, STUB_SPACE, 3,
                         tmp_path / folder / "search.log")[1]

    first = trials_of(search(42, "a"))
    assert trials_of(search(42, "b")) == first
    assert trials_of(search(43, "c")) != first


def test_a_continued_journal_runs_only_the_missing_trials_and_draws_what_an_unbroken_search_would(tiny_data,
                                                                                                  tmp_path):
    journal = tmp_path / "search.log"
    tuned_fit(StubRecipe(tiny_data), StubConfig(), tiny_data, STUB_SPACE, 2, journal)
    stub = StubRecipe(tiny_data)
    _, continued = tuned_fit(stub, StubConfig(), tiny_data, STUB_SPACE, 4, journal)

    assert [real for _, real in stub.calls] == [False] * 4 + [True, True]  # 2 new trials a model, no default run
    unbroken = tuned_fit(StubRecipe(tiny_data), StubConfig(), tiny_data, STUB_SPACE, 4, tmp_path / "one.log")[1]
    assert trials_of(continued) == trials_of(unbroken)
    assert [trial["number"] for trial in continued["models"]["stub_a"]["trials"]] == [0, 1, 2, 3]


def test_a_trial_that_fails_is_marked_failed_and_redone(tiny_data, tmp_path):
    stub = StubRecipe(tiny_data)
    run = stub.run

    def run_out_of_memory_on_the_second_trial(cfg, data):
        if len(stub.calls) == 2:
            raise RuntimeError("out of memory")
        return run(cfg, data)

    stub.run = run_out_of_memory_on_the_second_trial
    with pytest.raises(RuntimeError):
        tuned_fit(stub, StubConfig(), tiny_data, STUB_SPACE, 2, tmp_path / "search.log")
    _, record = tuned_fit(StubRecipe(tiny_data), StubConfig(), tiny_data, STUB_SPACE, 2, tmp_path / "search.log")
    assert [len(model["trials"]) for model in record["models"].values()] == [2, 2]


def test_the_search_module_imports_no_recipe_and_not_the_runner():
    from tests.test_layout import ROOT, imports_of, module_names

    imported = imports_of(ROOT / "lab" / "search.py", module_names())
    assert not {name for name in imported if name.startswith("recipes") or name == "lab.runs"}
    assert "lab.evaluation" in imported


def searched_record(task="single_label", recipe="classical", search=None) -> dict:
    return {"recipe": recipe, "task": task, **({"search": search} if search else {})}


def test_the_tuning_rows_and_table_come_from_the_records_search_blocks():
    from lab.report.tuning import render_tuning_markdown, tuning_rows, tuning_section, tuning_table

    svm = {"best_params": {"svm_c": 0.5, "ngram_max": 2}, "best_value": 0.9812, "default_value": 0.975,
           "trials": [{"number": 0, "params": {"svm_c": 0.5, "ngram_max": 2}, "value": 0.9812, "seconds": 1.0},
                      {"number": 1, "params": {"svm_c": 3.0, "ngram_max": 1}, "value": 0.95, "seconds": 1.2}]}
    ffn = {"best_params": {"hidden": "128", "lr": 0.001}, "best_value": 0.9, "default_value": 0.88, "trials": []}
    records = [searched_record(), searched_record(search={"trials": 2, "metric": "macro_f1",
                                                          "scored_on": "validation", "models": {"tfidf_svm": svm}}),
               searched_record(recipe="bow_ffn", search={"trials": 2, "metric": "macro_f1", "scored_on": "validation",
                                                         "models": {"bow_ffn": ffn}})]
    rows = tuning_rows(records)
    assert [(row["recipe"], row["model"], row["trials"], row["budget"]) for row in rows] == [
        ("classical", "tfidf_svm", 2, 2), ("bow_ffn", "bow_ffn", 0, 2)]
    assert rows[0]["setting"] == {"svm_c": 0.5, "ngram_max": 2} and rows[0]["best_value"] == 0.9812
    table = tuning_table(records)
    assert table["rows"][0] == ["classical", "tfidf_svm", "2/2", "validation", "macro_f1", "98.1", "97.5",
                                "svm_c=0.5 ngram_max=2"]
    markdown = render_tuning_markdown(records)
    assert markdown.splitlines()[2] == "| classical | tfidf_svm | 2/2 | validation | macro_f1 | 98.1 | 97.5 | " \
                                       "svm_c=0.5 ngram_max=2 |"
    assert "| bow_ffn | bow_ffn | 0/2 |" in markdown
    assert tuning_table([searched_record()]) is None and render_tuning_markdown([]) == ""
    section = tuning_section(records)
    assert section["title"] == "Tuning" and section["tables"] == [table] and tuning_section([]) is None


def test_the_tuning_table_writes_a_regression_metric_as_a_number():
    from lab.report.tuning import tuning_table

    ridge = {"best_params": {"ridge_alpha": 2.0}, "best_value": 0.41234, "default_value": None, "trials": []}
    table = tuning_table([searched_record("regression", search={"trials": 5, "metric": "rmse",
                                                                "scored_on": "validation",
                                                                "models": {"tfidf_ridge": ridge}})])
    assert table["rows"][0][5:] == ["0.412", "", "ridge_alpha=2.0"]



def test_a_model_with_no_knobs_gets_no_trials_and_is_refit_with_the_configs_own_values(tiny_data, tmp_path):
    stub = StubRecipe(tiny_data)
    space = {"stub_b": {"share": {"low": 0.9, "high": 1.0, "log": False}}}
    result, record = tuned_fit(stub, StubConfig(), tiny_data, space, 2, tmp_path / "search.log")

    assert record["models"]["stub_a"] == {"best_params": {}, "best_value": None, "default_value": 0.5, "trials": []}
    assert record["models"]["stub_b"]["best_value"] == 1.0  # 0.9 to 1.0 of 4 rows: all right
    assert [(cfg.models, cfg.share) for cfg, real in stub.calls if real][0] == (["stub_a"], 0.5)
    assert [model.name for model in result.models] == ["stub_a", "stub_b"]
