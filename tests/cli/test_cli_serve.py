"""``propscope serve`` and ``propscope analyze --format html``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from propscope.cli import main
from propscope.pipeline import load
from propscope.report_html import render_report
from propscope.results import result_dict
from propscope.server import ServerSettings

ARTICLE = "The senator is a corrupt traitor.\n<b>These crooks</b> will destroy everything.\n"


def test_cli_analyze_html_writes_report(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "report.html"
    args = ["analyze", str(article), "--format", "html", "--model", str(tiny_model_dir)]
    assert main([*args, "--out", str(out)]) == 0
    pipeline = load(tiny_model_dir)
    expected = render_report(result_dict(pipeline.analyze(ARTICLE, doc_id="article"), pipeline))
    assert out.read_text(encoding="utf-8") == expected
    assert "&lt;b&gt;" in expected
    assert "<b>" not in expected
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out == expected


def test_cli_serve_passes_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_serve(model: str, **kwargs: Any) -> None:
        calls.append({"model": model, **kwargs})

    monkeypatch.setattr("propscope.server.serve", fake_serve)
    args = ["serve", "--port", "8123", "--model", "tiny", "--allow-private-urls"]
    assert main([*args, "--max-chars", "1000"]) == 0
    assert calls == [
        {
            "model": "tiny",
            "host": "127.0.0.1",
            "port": 8123,
            "settings": ServerSettings(max_chars=1000, allow_private_urls=True),
        }
    ]


def test_cli_serve_passes_hosts_and_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[ServerSettings] = []
    monkeypatch.setattr(
        "propscope.server.serve", lambda model, **kwargs: calls.append(kwargs["settings"])
    )
    # 10.0.0.5 is not an address of this machine: skip the check that the port can be taken.
    monkeypatch.setattr("propscope.cli.serve.check_port_free", lambda host, port: None)
    args = ["serve", "--host", "10.0.0.5", "--allowed-host", "News.Example.org"]
    assert main([*args, "--analysis-timeout", "5", "--max-queue", "0"]) == 0
    (settings,) = calls
    assert settings.allowed_hosts == (
        "localhost",
        "127.0.0.1",
        "::1",
        "news.example.org",
        "10.0.0.5",
    )
    assert settings.analysis_timeout == 5.0 and settings.max_queue == 0


def test_cli_serve_refuses_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
