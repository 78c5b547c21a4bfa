from lab.data import text
def test_preprocess_lowercases_drops_stop_words_and_lemmatizes():
    [tokens] = text.preprocess(["The Players were running to the stadiums, and Blair's 3 goals in 2004!"])
    assert tokens == ["player", "run", "stadium", "blair", "goal"]


def test_each_step_can_be_switched_off():
    options = text.TextOptions(lowercase=False, remove_stop_words=False, lemmatize=False, min_token_length=1)
    [tokens] = text.preprocess(["The Players were running"], options)
    assert tokens == ["The", "Players", "were", "running"]


def test_extra_stop_words_and_min_length():
    options = text.TextOptions(extra_stop_words=("Match",), min_token_length=4)
    [tokens] = text.preprocess(["the match was a big win for the team"], options)
    assert tokens == ["team"]  # "big" and "win" are under 4 letters


def test_tokenize_keeps_inner_apostrophes_and_hyphens_and_drops_digits():
    assert text.tokenize("E-mail isn't 4G; Brown's plan") == ["e-mail", "isn't", "g", "brown", "plan"]


def test_dictionary_filters_by_document_frequency():
    documents = [["goal", "match", "common"], ["goal", "common"], ["oven", "common"], ["rare", "common"]]
    dictionary = text.build_dictionary(documents, no_below=2, no_above=0.9)
    assert sorted(dictionary.token2id) == ["goal"]  # "common" is in every document, the rest in one
    assert text.keep_known([["goal", "oven", "goal"]], dictionary) == [["goal", "goal"]]


def test_phrases_join_a_frequent_bigram():
    documents = [["prime", "minister", "spoke", f"word{i}"] for i in range(20)] + [["prime", "time"], ["minister"]]
    phraser = text.fit_phrases(documents, min_count=5, threshold=0.1)
    assert text.apply_phrases(phraser, [["prime", "minister", "spoke"]]) == [["prime_minister", "spoke"]]
