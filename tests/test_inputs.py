"""Reading user input: files, stdin, HTML, URLs; every refusal has its own message."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from propscope.errors import FetchError, InputNotFoundError, InputTooLargeError, InvalidInputError
from propscope.inputs import check_text, fetch_url, read_input

ARTICLE_HTML = (
    "<html><head><title>T</title></head><body><nav>Home | About</nav><article>"
    "<h1>Council approves bridge</h1><p>The council approved the new bridge on Monday after a "
    "long debate about its cost and the flood survey that delayed it.</p><p>Residents will be "
    "able to comment on the plans until the end of the month, officials said.</p>"
    "</article><footer>Copyright</footer></body></html>"
)


def test_read_input_keeps_text_exact(tmp_path: Path) -> None:
    text = "\ufeffTitle\r\n\r\nCafé 😀 text.\r\n"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode("utf-8"))
    got = read_input(str(path))
    assert got.text == text and got.id == "a"


def test_read_input_html_file_extracts_main_text(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    text = read_input(str(path)).text
    assert "council approved the new bridge" in text
    assert "Home | About" not in text


@pytest.mark.parametrize(
    ("data", "error", "code"),
    [
        (b"", InvalidInputError, "E001"),
        (b"\x00\x01\x02binary", InvalidInputError, "E002"),
        (b"caf\xe9", InvalidInputError, "E003"),
        (b"x" * 50, InputTooLargeError, "E004"),
    ],
    ids=["empty", "binary", "latin-1", "oversized"],
)
def test_read_input_refuses_bad_bytes(data: bytes, error: type, code: str) -> None:
    with pytest.raises(error, match=code):
        read_input("-", stdin=data, max_chars=40)


def test_read_input_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="E005"):
        read_input(str(tmp_path / "nope.txt"))


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "http://"])
def test_fetch_url_refuses_non_http(url: str) -> None:
    with pytest.raises(FetchError, match="E006"):
        fetch_url(url)


@pytest.fixture
def local_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = ARTICLE_HTML.encode() if self.path == "/article" else b"x" * 2000
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_url_refuses_private_address(local_server: str) -> None:
    with pytest.raises(FetchError, match="private address"):
        fetch_url(local_server + "/article")


def test_fetch_url_extracts_article_when_allowed(local_server: str) -> None:
    text = fetch_url(local_server + "/article", allow_private=True)
    assert "council approved the new bridge" in text


def test_fetch_url_refuses_oversized_page(local_server: str) -> None:
    with pytest.raises(FetchError, match="larger than"):
        fetch_url(local_server + "/big", allow_private=True, max_bytes=1000)


@pytest.mark.parametrize("char", ["x", "é", "語", "😀"])
def test_read_input_oversized_file_is_too_large_whatever_the_script(
    char: str, tmp_path: Path
) -> None:
    # A capped read can end inside a multi-byte character: still "too large", never "not UTF-8".
    path = tmp_path / "long.txt"
    path.write_text(char * 1000, encoding="utf-8")
    with pytest.raises(InputTooLargeError, match="E004"):
        read_input(str(path), max_chars=100)  # a 404-byte read cuts "語" (3 bytes) in two


class _EndlessZeros(io.RawIOBase):
    """An endless stream, like /dev/zero, that counts what was read from it."""

    def __init__(self, byte: bytes = b"a") -> None:
        self.byte = byte
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("an unbounded read of an endless stream")
        self.read_bytes += size
        return self.byte * size


@pytest.mark.parametrize(("byte", "code"), [(b"a", "E004"), (b"\x00", "E002")])
def test_read_input_endless_stdin_read_to_the_limit_only(byte: bytes, code: str) -> None:
    stream = _EndlessZeros(byte)
    with pytest.raises(InvalidInputError, match=code):
        read_input("-", stdin=stream, max_chars=1000)  # type: ignore[arg-type]
    assert stream.read_bytes <= 1000 * 4 + 4


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_read_input_utf16_with_bom_decoded(tmp_path: Path, encoding: str) -> None:
    text = "Café 😀 text.\nSecond line.\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    assert read_input(str(path)).text == text


def test_check_text_counts_control_characters_in_the_whole_text() -> None:
    text = "x" * 5000 + "\x01" * 5000
    with pytest.raises(InvalidInputError, match="E002"):
        check_text(text, "t", max_chars=20_000)


def test_check_text_refuses_lone_surrogate() -> None:
    with pytest.raises(InvalidInputError, match="surrogate"):
        check_text("A text \ud800 with a lone surrogate.", "t")


def test_read_input_unreadable_file_is_e008(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("text")

    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)  # chmod 0 does not stop root
    with pytest.raises(InputNotFoundError, match=r"E008.*Permission denied"):
        read_input(str(path))


def test_read_input_directory_is_e016_pointing_to_batch(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"E016.*is a folder.*propscope batch"):
        read_input(str(tmp_path))
