"""Text preprocessing shared by the recipes: lowercase, tokenize, drop stop words, lemmatize, bigram phrases.

Everything here works offline: stop words come from scikit-learn's built-in English list (stopwordsiso's list
for other languages) and lemmas from simplemma, which ships its own data for about 50 languages (NLTK and spaCy
would need downloads). TextOptions.language (the dataset's, LabData.language) picks both; a language without a
stop-word list or lemma data skips that step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lab.data.language import has_lemmas, language_stop_words
from lab.errors import LabError

# Letters, optionally joined by inner apostrophes or hyphens ("don't", "e-mail"); digits never make a token,
# since numbers and years carry no topic of their own.
TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
POSSESSIVE = re.compile(r"['’]s$")


# scikit-learn's vectorizers raise ValueError with these when no term survives stop words, min_df and max_df
EMPTY_VOCABULARY = ("empty vocabulary", "no terms remain", "max_df corresponds to < documents than min_df")


@dataclass(frozen=True)
class TextOptions:
    """Each preprocessing step can be switched off; the defaults suit topic modelling of English news."""

    lowercase: bool = True
    remove_stop_words: bool = True
    lemmatize: bool = True
    min_token_length: int = 3
    extra_stop_words: tuple[str, ...] = ()
    language: str = "en"


def stop_words(extra: tuple[str, ...] = (), language: str = "en") -> frozenset[str]:
    return language_stop_words(language) | {word.lower() for word in extra}


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    if lowercase:
        text = text.lower()
    return [POSSESSIVE.sub("", token) for token in TOKEN.findall(text)]


@lru_cache(maxsize=200_000)
def lemma(token: str, language: str = "en") -> str:
    import simplemma

    return simplemma.lemmatize(token, lang=language) if has_lemmas(language) else token


def preprocess(texts: list[str], options: TextOptions = TextOptions()) -> list[list[str]]:
    """One token list per text. Stop words are checked before and after lemmatizing ("was" -> "be")."""
    stops = stop_words(options.extra_stop_words, options.language) if options.remove_stop_words else frozenset()
    seen: dict[str, str] = {}  # raw token -> kept form, or "" when dropped; news reuses most of its words
    documents = []
    for text in texts:
        tokens = []
        for raw in TOKEN.findall(text.lower() if options.lowercase else text):
            token = seen.get(raw)
            if token is None:
                token = seen[raw] = normalise_token(raw, options, stops)
            if token:
                tokens.append(token)
        documents.append(tokens)
    return documents


def normalise_token(token: str, options: TextOptions, stops: frozenset[str]) -> str:
    token = POSSESSIVE.sub("", token)
    if len(token) < options.min_token_length or token.lower() in stops:
        return ""
    if options.lemmatize:
        token = lemma(token, options.language)
        if options.lowercase:  # simplemma restores capitals on names ("blair" -> "Blair")
            token = token.lower()
        if len(token) < options.min_token_length or token.lower() in stops:
            return ""
    return token


def fit_phrases(documents: list[list[str]], min_count: int = 5, threshold: float = 10.0):
    """Learn frequent bigrams ("prime_minister") on the training documents; returns a frozen phraser."""
    from gensim.models.phrases import Phrases

    return Phrases(documents, min_count=min_count, threshold=threshold, delimiter="_").freeze()


def apply_phrases(phraser, documents: list[list[str]]) -> list[list[str]]:
    return [list(phraser[document]) for document in documents]


def build_dictionary(documents: list[list[str]], no_below: int = 5, no_above: float = 0.5, keep_n: int = 20_000):
    """A gensim Dictionary of the training documents, filtered by document frequency (see filter_extremes)."""
    from gensim.corpora import Dictionary

    dictionary = Dictionary(documents)
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
    dictionary.compactify()
    return dictionary


def keep_known(documents: list[list[str]], dictionary) -> list[list[str]]:
    """The documents restricted to the dictionary's words, in their original order."""
    known = dictionary.token2id
    return [[token for token in document if token in known] for document in documents]


def fit_vectorized(fit, recipe: str):
    """fit(), with scikit-learn's empty-vocabulary ValueError turned into the fix for the user's data and config."""
    try:
        return fit()
    except ValueError as exc:
        if not any(message in str(exc) for message in EMPTY_VOCABULARY):
            raise
        raise LabError(f"{recipe} could not build a vocabulary ({exc}); lower min_df=, raise max_df=, or give "
                       f"longer texts") from None
