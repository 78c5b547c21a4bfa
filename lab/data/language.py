"""The dataset's language: detected on a sample of its texts (py3langid), or given with language=.

py3langid is langid.py's model with a faster numpy core: 97 languages, ISO 639-1 codes, offline, about 1 ms a text
once its model is loaded. Stop words for other languages than English come from stopwordsiso, lemmas from
simplemma (about 50 languages); where either has no data for a language, that step is skipped for it.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import numpy as np

from lab.errors import LabError

SAMPLE = 200  # texts classified; a majority over 200 texts is stable even where single short texts are not
CHARACTERS = 1000  # of each text: enough to tell a language, and bounds the time on long documents
SAMPLE_SEED = 0


@lru_cache(maxsize=1)
def identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def detect_language(texts: list[str]) -> tuple[str, int, int]:
    """(ISO 639-1 code, texts voting for it, texts sampled): a majority vote over a seeded sample."""
    chosen = np.random.default_rng(SAMPLE_SEED).permutation(len(texts))[:SAMPLE]
    votes = Counter(identifier().classify(texts[i][:CHARACTERS])[0] for i in sorted(chosen))
    code, count = votes.most_common(1)[0]
    return code, count, len(chosen)


def resolve_language(texts: list[str], language: str | None, notes: list[str]) -> str:
    """language= when given (checked), else the detected language; a note when that is not English, or when no
    language wins a majority of the sample (then English, lab's default)."""
    if language is not None:
        code = language.strip().lower()
        if code not in known_languages():
            raise LabError(f"language={language} is not a language code py3langid knows; give an ISO 639-1 code "
                           f"such as en, de, fr or es")
        return code
    code, count, sampled = detect_language(texts)
    if count * 2 <= sampled:  # no majority: short or odd texts (codes, names, word lists); keep lab's default
        notes.append(f"could not tell the texts' language (the most common guess, {code}, won {count} of {sampled} "
                     f"sampled train texts); using en: set language= if that is wrong")
        return "en"
    if code != "en":
        notes.append(f"language: {code} ({count} of {sampled} sampled train texts, py3langid); "
                     f"set language= to override")
    return code


@lru_cache(maxsize=1)
def known_languages() -> frozenset[str]:
    return frozenset(identifier().labels)


@lru_cache(maxsize=64)
def language_stop_words(language: str) -> frozenset[str]:
    """English: scikit-learn's list (what lab has always used); other languages: stopwordsiso's, or none."""
    if language == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS)
    import stopwordsiso

    return frozenset(word.lower() for word in stopwordsiso.stopwords(language)) if stopwordsiso.has_lang(language) \
        else frozenset()


@lru_cache(maxsize=64)
def has_lemmas(language: str) -> bool:
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    return language in SUPPORTED_LANGUAGES
