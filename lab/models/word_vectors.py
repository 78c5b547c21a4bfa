"""Word vectors shared by the topics and lstm recipes: Word2Vec trained on the train split, or a vectors file."""

from __future__ import annotations

import zlib
from pathlib import Path

from lab.errors import LabError

FORMATS = "a GloVe .txt, or a word2vec .txt/.vec ('<count> <dim>' header) or .bin file"


def stable_hash(text: str) -> int:
    """gensim seeds some initial vectors with hash(); Python's str hash changes from process to process."""
    return zlib.crc32(text.encode("utf-8"))


def train_word2vec(documents: list[list[str]], vector_size: int, window: int, min_count: int, epochs: int,
                   seed: int, workers: int = 1):
    """CBOW Word2Vec on the training documents. One worker by default: more threads make the vectors
    non-reproducible."""
    from gensim.models import Word2Vec

    model = Word2Vec(documents, vector_size=vector_size, window=window, min_count=min_count, epochs=epochs,
                     seed=seed, workers=workers, sg=0, hashfxn=stable_hash)
    return model.wv


def load_word_vectors(path, key: str):
    """GloVe text (no header), word2vec text (a "count dim" header) or word2vec binary, told apart by their
    first bytes, not by the file name. `key` is the config key that named the file, for the error messages."""
    from gensim.models import KeyedVectors

    file = Path(path).expanduser()
    if not file.is_file():
        raise LabError(f"{key} file '{path}' not found; check {key}= and give {FORMATS}")
    binary, header = sniff_vectors(file)
    try:
        vectors = KeyedVectors.load_word2vec_format(str(file), binary=binary, no_header=not header)
    except Exception as exc:  # gensim raises ValueError, EOFError, UnicodeDecodeError... on a bad file
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise LabError(f"{key} file '{path}' is not a valid vectors file ({reason}); give {FORMATS}") from None
    if len(vectors) == 0 or vectors.vector_size == 0:  # a list of bare words parses as 0-dimensional vectors
        raise LabError(f"{key} file '{path}' holds no vectors (each line: a word, then its numbers); give {FORMATS}")
    return vectors


def sniff_vectors(file: Path) -> tuple[bool, bool]:
    """(binary, has_header). Both word2vec formats start with a text "count dim" line; binary data follows it."""
    with file.open("rb") as handle:
        first = handle.readline(1000)
        rest = handle.read(4096)
    parts = first.split()
    header = len(parts) == 2 and all(part.isdigit() for part in parts)
    if not header:
        return False, False
    try:
        rest.decode("utf-8")
        return False, True
    except UnicodeDecodeError:
        return True, True
