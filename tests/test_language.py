"""The dataset's language: detected on a sample, recorded, overridable; stop words and lemmas follow it."""

import pytest

from lab import data
from lab.data import text
from lab.data.language import detect_language, resolve_language
from lab.errors import LabError

from tests.conftest import ASSETS

GERMAN = str(ASSETS / "tiny_german.csv")


def test_german_and_english_fixtures_are_told_apart(tiny_csv):
    german = data.load(GERMAN)
    assert german.language == "de" and german.spec["language"] == "de"
    assert german.notes == ["language: de (22 of 22 sampled train texts, py3langid); set language= to override"]
    english = data.load(tiny_csv)
    assert english.language == "en" and not any("language" in note for note in english.notes)


def test_language_key_overrides_the_detection():
    forced = data.load(GERMAN, language="EN")
    assert forced.language == "en" and forced.notes == []
    with pytest.raises(LabError, match="language=german is not a language code .* such as en, de"):
        data.load(GERMAN, language="german")


def test_a_language_without_a_majority_falls_back_to_english_with_a_note():
    # a third each of German, English and French: no language has half the votes
    texts = ["Das Wetter ist heute sehr schön"] * 10 + ["The weather is very nice today"] * 10 + \
        ["Il fait très beau aujourd'hui"] * 10
    code, votes, sampled = detect_language(texts)
    assert (votes, sampled) == (10, 30)
    notes = []
    assert resolve_language(texts, None, notes) == "en"
    assert notes == [f"could not tell the texts' language (the most common guess, {code}, won {votes} of {sampled} "
                     f"sampled train texts); using en: set language= if that is wrong"]


def test_german_stop_words_and_lemmas():
    [tokens] = text.preprocess(["Die Kinder spielten gestern mit den Hunden"], text.TextOptions(language="de"))
    assert tokens == ["kind", "spielen", "gestern", "hund"]  # die, mit, den: German stop words
    [english] = text.preprocess(["Die Kinder spielten gestern mit den Hunden"], text.TextOptions())
    assert "die" in english and "den" in english  # the English list knows neither


def test_a_language_without_lemma_data_keeps_its_tokens():
    assert text.lemma("東京", "ja") == "東京"
    assert text.stop_words(("Foo",), "xx") == frozenset({"foo"})  # no list for the code: only the extra words


def test_english_stop_words_are_still_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert text.stop_words() == frozenset(ENGLISH_STOP_WORDS)
