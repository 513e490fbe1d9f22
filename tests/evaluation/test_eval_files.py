"""evaluate_files on prediction files as users save them (BOM, Windows line ends)."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.evaluation.files import evaluate_files

GOLD = "111\topinion\n222\treporting\n333\tsatire\n"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["plain", "bom", "bom-crlf"],
)
def test_evaluate_prediction_file_with_bom_scores_like_plain(
    tmp_path: Path, encode: object
) -> None:
    gold, pred = tmp_path / "gold.tsv", tmp_path / "pred.tsv"
    gold.write_text(GOLD, encoding="utf-8")
    pred.write_bytes(encode(GOLD))  # type: ignore[operator]
    scores = evaluate_files("semeval2023-st1", gold, pred)
    assert scores.main == pytest.approx(1.0) and scores.missing == scores.extra == 0
