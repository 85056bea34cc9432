"""A second computation of all-MiniLM-L6-v2's sentence embedding, kept apart from the one under test.

It follows the published BERT definition step by step: float64 throughout, one sentence at a time (no
padding, no batching), separate query/key/value projections, a per-head attention loop, and GELU through the
exact ``math.erf``. It shares no code with cadenza.workers.memory.bert, so it measures the float32, fused,
batched, erf-approximated fast path's numerical error.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

__all__ = ["ReferenceBert"]

_erf = np.vectorize(math.erf)


class ReferenceBert:
    def __init__(self, model_dir: Path) -> None:
        self.config = json.loads((model_dir / "config.json").read_text())
        self.t = {k: v.astype(np.float64) for k, v in load_file(str(model_dir / "model.safetensors")).items()}

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.t[f"{name}.weight"].T + self.t[f"{name}.bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        eps = self.config["layer_norm_eps"]
        return (x - mu) / np.sqrt(var + eps) * self.t[f"{name}.weight"] + self.t[f"{name}.bias"]

    def _self_attention(self, x: np.ndarray, p: str) -> np.ndarray:
        heads = self.config["num_attention_heads"]
        size = x.shape[1] // heads
        q, k, v = (self._linear(x, f"{p}.attention.self.{n}") for n in ("query", "key", "value"))
        out = np.empty_like(x)
        for h in range(heads):
            cols = slice(h * size, (h + 1) * size)
            scores = q[:, cols] @ k[:, cols].T / math.sqrt(size)
            weights = np.exp(scores - scores.max(-1, keepdims=True))
            weights /= weights.sum(-1, keepdims=True)
            out[:, cols] = weights @ v[:, cols]
        return self._linear(out, f"{p}.attention.output.dense")

    def sentence_embedding(self, ids: list[int]) -> np.ndarray:
        t = self.t
        x = t["embeddings.word_embeddings.weight"][ids]
        x = x + t["embeddings.position_embeddings.weight"][: len(ids)]
        x = x + t["embeddings.token_type_embeddings.weight"][0]
        x = self._norm(x, "embeddings.LayerNorm")
        for i in range(self.config["num_hidden_layers"]):
            p = f"encoder.layer.{i}"
            x = self._norm(x + self._self_attention(x, p), f"{p}.attention.output.LayerNorm")
            inner = self._linear(x, f"{p}.intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
            x = self._norm(x + self._linear(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        pooled = x.mean(0)
        return pooled / np.linalg.norm(pooled)
