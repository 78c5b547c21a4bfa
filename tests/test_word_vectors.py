import numpy as np
import pytest
from gensim.models import KeyedVectors

from lab.models import word_vectors
from lab.errors import LabError

WORDS = ["goal", "match", "oven", "bread"]
VECTORS = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.9, 0.1]], dtype=np.float32)


def keyed():
    vectors = KeyedVectors(vector_size=3)
    vectors.add_vectors(WORDS, VECTORS)
    return vectors


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_text_and_binary_round_trip(tmp_path, binary):
    path = tmp_path / ("vectors.bin" if binary else "vectors.txt")
    keyed().save_word2vec_format(str(path), binary=binary)
    loaded = word_vectors.load_word_vectors(str(path), "word_vectors")
    assert list(loaded.index_to_key) == WORDS
    np.testing.assert_allclose(loaded["oven"], VECTORS[2], atol=1e-6)


def test_glove_text_without_header(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("".join(f"{w} {' '.join(map(str, v))}\n" for w, v in zip(WORDS, VECTORS)))
    loaded = word_vectors.load_word_vectors(str(path), "word_vectors")
    assert loaded.vector_size == 3 and list(loaded.index_to_key) == WORDS


def test_missing_file_is_a_one_line_lab_error(tmp_path):
    with pytest.raises(LabError, match="^vectors_path file .* not found; check vectors_path=") as error:
        word_vectors.load_word_vectors(str(tmp_path / "nope.txt"), "vectors_path")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("content", ["goal 1.0 oops\nmatch 0.5\n", "2 3\ngoal 1.0 0.0\n", ""])
def test_malformed_file_is_a_one_line_lab_error(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(LabError) as error:
        word_vectors.load_word_vectors(str(path), "word_vectors")
    assert "\n" not in str(error.value) and "word_vectors" in str(error.value)


def test_word2vec_on_the_same_documents_and_seed_gives_the_same_vectors():
    documents = [["goal", "match", "win"], ["oven", "bread", "bake"], ["goal", "win", "cup"]] * 10
    first = word_vectors.train_word2vec(documents, 8, 2, 1, 5, seed=3)
    again = word_vectors.train_word2vec(documents, 8, 2, 1, 5, seed=3)
    other = word_vectors.train_word2vec(documents, 8, 2, 1, 5, seed=4)
    assert np.array_equal(first.vectors, again.vectors) and not np.array_equal(first.vectors, other.vectors)
