"""Reading and writing files: exact text in, all-or-nothing output.

Corpus offsets count the characters of a file read as-is, so :func:`read_text` decodes UTF-8 with
no newline translation and keeps a byte-order mark as a character. Writers go through
:func:`atomic_write_bytes`, which writes a temporary file next to the target and renames it into
place, so a crash or an error never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from propscope.errors import ConfigError, Errors, InputNotFoundError, InvalidInputError


def read_text(path: Path) -> str:
    """Read a UTF-8 text file exactly as stored.

    Line ends are not translated (``\\r\\n`` stays two characters) and a byte-order mark is kept
    as the character ``\\ufeff``, so character offsets computed elsewhere on the raw file hold.

    Args:
        path: The file to read.

    Returns:
        The decoded text.

    Raises:
        InputNotFoundError: ``path`` does not exist.
        InvalidInputError: The file is not valid UTF-8.

    Example:
        >>> text = read_text(Path("article111111111.txt"))  # doctest: +SKIP
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputNotFoundError(Errors.E005.format(path=path)) from exc
    try:
        # Decoding bytes never translates newlines, unlike text-mode reading.
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            Errors.E003.format(source=path, position=exc.start, reason=exc.reason)
        ) from exc


@functools.cache
def _file_mode() -> int:
    # mkstemp creates files as 0600; give the output the mode a plain open() would have.
    # The umask can only be read by setting it, so do it once.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating missing parent folders.

    The data go to a temporary file in the same folder, which is then renamed over ``path``
    with :func:`os.replace`. Either the whole new content is there or the old file (or no
    file) is.

    Args:
        path: The file to write.
        data: The bytes to store.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def check_output_path(path: Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Check, before any work, that ``path`` can be written atomically and safely.

    Refused: a path that exists and is not a regular file (a folder, a device such as
    ``/dev/null``, a FIFO, a socket) or is a symbolic link (replacing it would drop the link;
    writing through it would change a file elsewhere), a path that is one of ``inputs`` (after
    resolving links), and a folder where no file can be created (read-only, no permission).

    Args:
        path: The output file.
        inputs: Files the same run reads (``-`` and URLs are ignored).

    Returns:
        ``path``, unchanged.

    Raises:
        ConfigError: (E075) saying what is wrong with ``path``.
    """
    path = Path(path)

    def refuse(reason: str) -> ConfigError:
        return ConfigError(Errors.E075.format(path=path, reason=reason))

    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise refuse(exc.strerror or type(exc).__name__) from exc
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise refuse("it is a symbolic link; give the path of a regular file")
        if stat.S_ISDIR(info.st_mode):
            raise refuse("it is a folder; give a file name")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("it is not a regular file (a device, FIFO or socket)")
    resolved = path.resolve()
    for source in inputs:
        source = str(source)
        if source == "-" or "://" in source:
            continue
        if Path(source).resolve() == resolved:
            raise refuse(f"it is the input {source}; choose another --out")
    folder = resolved.parent
    while not folder.exists():  # missing folders are created; test the first that exists
        folder = folder.parent
    if not folder.is_dir():
        raise refuse(f"{folder} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".propscope-probe.", suffix=".tmp")
    except OSError as exc:
        raise refuse(f"cannot create files in {folder} ({exc.strerror or exc})") from exc
    os.close(fd)
    os.unlink(probe)
    return path


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically, with no newline translation.

    Args:
        path: The file to write. Missing parent folders are created.
        text: The text to store; ``\\n`` is written as a single byte on every platform.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


__all__ = ["atomic_write_bytes", "atomic_write_text", "check_output_path", "read_text"]
