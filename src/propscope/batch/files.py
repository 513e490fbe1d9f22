"""File safety for batch runs: files committed whole by an atomic rename (flushed, the folder
synced), leftovers of killed runs removed, and one lock per output so two runs never share it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from propscope.errors import ConfigError, Errors


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class AtomicFile:
    """A file written under a temporary name and renamed over ``path`` by :meth:`commit`.

    Like :func:`propscope.io.atomic_write_bytes`, but streamed, for outputs too large to hold in
    memory. Leaving the ``with`` block without :meth:`commit` (an error) removes the temporary.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        self.tmp = Path(name)
        self.handle: BinaryIO | None = os.fdopen(fd, "wb")
        self.done = False

    def __enter__(self) -> AtomicFile:
        return self

    def commit(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        fd = os.open(self.tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(self.tmp, 0o666 & ~_umask())
        os.replace(self.tmp, self.path)
        fsync_dir(self.path.parent)
        self.done = True

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        if not self.done:
            with contextlib.suppress(OSError):
                self.tmp.unlink()


def _umask() -> int:
    # The umask can only be read by setting it; mkstemp creates files as 0600.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def remove_temporaries(path: Path) -> None:
    """Temporary files of writes into ``path`` that a killed process left behind."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


class RunLock:
    """An exclusive lock on the run folder, released by the kernel when the process dies."""

    def __init__(self, folder: Path, out: Path) -> None:
        self.fd: int | None = None
        try:
            import fcntl
        except ImportError:  # no advisory locks on this platform: run unlocked
            return
        self.fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self.fd)
            self.fd = None
            raise ConfigError(
                Errors.E075.format(
                    path=out, reason="another propscope batch is writing it right now"
                )
            ) from exc

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
