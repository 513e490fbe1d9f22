"""The models shipped inside the package: their names and families, which one suits a language,
and where a model finds the components it borrows from another (``PipelineSettings.borrowed``).

Nothing here loads a model (:func:`propscope.pipeline.load` does), so it is cheap to import.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from importlib import resources
from pathlib import Path

from propscope.errors import Errors, ModelLoadError

#: ``auto`` picks a model per article from its language (see :func:`model_for_language`): the
#: ``accurate`` family's where it is installed, else the ``fast`` family's.
AUTO_MODEL = "auto"
DEFAULT_MODEL = "en-fast"
MULTILINGUAL_MODEL = "multi-fast"
BUNDLED_MODELS = ("en-fast", "en-accurate", "multi-fast")
#: Model families, chosen per article by language like ``auto``: (English model, other languages).
#: A family member that is not installed falls back to the ``fast`` one.
FAMILY_MODELS: dict[str, tuple[str, str]] = {
    "fast": (DEFAULT_MODEL, MULTILINGUAL_MODEL),
    "accurate": ("en-accurate", MULTILINGUAL_MODEL),
}
#: The family behind ``auto``. en-accurate's highlights are right more often and find about
#: 2.6 times as many annotated spans on held-out English articles (docs/benchmarks.md), and on
#: PTC dev, news it never saw, its tagger scores 0.213 against en-fast's 0.152; it needs the
#: optional all-mpnet-base-v2 install, and without it ``auto`` is the ``fast`` family.
DEFAULT_FAMILY = "accurate"
#: The family every installation has: what a missing family member falls back to.
FALLBACK_FAMILY = "fast"


def bundled_model_path(name: str = DEFAULT_MODEL) -> Path:
    """The folder of a model shipped inside the package."""
    if name not in BUNDLED_MODELS:
        raise ModelLoadError(
            Errors.E041.format(
                path=name, reason=f"no bundled model of that name; bundled: {BUNDLED_MODELS}"
            )
        )
    return Path(str(resources.files("propscope") / "resources" / "models" / name))


def borrowed_by(folder: Path) -> dict[str, str]:
    """The components the model in ``folder`` borrows (its pipeline.json's ``borrowed``)."""
    settings = folder / "pipeline.json"
    return dict(json.loads(settings.read_text()).get("borrowed", {})) if settings.is_file() else {}


def borrowed_component_path(name: str, source: str, base: Path, _depth: int = 0) -> Path:
    """The folder of component ``name`` of model ``source``: a bundled model's name, or a model
    folder (a relative one is relative to ``base``). A source that borrows the component itself
    is followed. Raises ModelLoadError when it is missing."""
    folder = bundled_model_path(source) if source in BUNDLED_MODELS else base / source
    if (folder / name).is_dir():
        return folder / name
    onward = borrowed_by(folder)
    if name in onward and _depth < 8:
        return borrowed_component_path(name, onward[name], folder.parent, _depth + 1)
    raise ModelLoadError(
        Errors.E041.format(
            path=folder / name,
            reason=f"this model takes its {name} from the model {source!r}, which is not "
            "installed there; install or train that model first",
        )
    )


def model_source(source: str, base: Path) -> str:
    """``source`` as a model saved anywhere can name it: a bundled model by its name, any other
    folder absolute (a relative one taken from ``base``)."""
    return source if source in BUNDLED_MODELS else str((base / source).resolve())


def is_model_family(model: object) -> bool:
    """Whether ``model`` names a family chosen per language (``auto``, ``fast``, ``accurate``)."""
    return isinstance(model, str) and (model == AUTO_MODEL or model in FAMILY_MODELS)


#: The keys of a component's config.json that name a pretrained encoder it runs.
ENCODER_KEYS = ("encoder", "embedding_encoder")


def component_encoders(folder: Path) -> set[str]:
    """The pretrained encoders that the components of the model in ``folder`` run, borrowed
    components included (their config.json files name them, under :data:`ENCODER_KEYS`)."""
    components = [path for path in folder.iterdir() if path.is_dir()]
    components += [
        borrowed_component_path(component, source, folder.parent)
        for component, source in borrowed_by(folder).items()
    ]
    names = set()
    for component in components:
        for config in component.rglob("config.json"):  # an ensemble's members are subfolders
            settings = json.loads(config.read_text(encoding="utf-8"))
            for key in ENCODER_KEYS:
                if isinstance(settings.get(key), str):
                    names.add(settings[key])
    return names


def missing_part(name: str) -> str | None:
    """What the bundled model ``name`` lacks here (None when it is installed): its files, a
    component it borrows, or a pretrained encoder its components run (en-accurate's
    all-mpnet-base-v2 is an optional install), with how to install it."""
    # Imported here: the encoder registry costs 0.2 s, which `propscope --help` need not pay.
    from propscope.models.encoders import encoder_missing

    folder = bundled_model_path(name)
    if not (folder / "meta.json").exists():
        return f"its files are missing from {folder}; reinstall propscope"
    try:
        encoders = component_encoders(folder)
    except ModelLoadError as exc:
        return str(exc)
    return next(filter(None, map(encoder_missing, sorted(encoders))), None)


def _installed(name: str) -> bool:
    """Whether the bundled model ``name`` is here, with all it borrows and runs."""
    return missing_part(name) is None


def installed_models() -> list[str]:
    """The bundled models present in this installation."""
    return [name for name in BUNDLED_MODELS if _installed(name)]


def model_for_language(
    language: str, family: str = AUTO_MODEL, installed: Collection[str] | None = None
) -> str:
    """The bundled model of ``family`` that suits ``language``.

    ``fast``: ``en-fast`` for English, else ``multi-fast``; ``accurate`` (and ``auto``):
    ``en-accurate`` for English, else ``multi-fast``. A model that is not installed falls back to
    the ``fast`` family's, and a missing multilingual model to ``en-fast`` (zero-shot).
    ``installed``: the installed models where the caller has checked them already (else each
    candidate is checked here).
    """
    for name in (family_member(language, family), family_member(language, FALLBACK_FAMILY)):
        if name in installed if installed is not None else _installed(name):
            return name
    return DEFAULT_MODEL


def family_member(language: str, family: str = AUTO_MODEL) -> str:
    """The model ``family`` has for ``language``, installed or not (see :func:`model_for_language`
    for the one used)."""
    if family != AUTO_MODEL and family not in FAMILY_MODELS:
        raise ModelLoadError(
            Errors.E041.format(
                path=family,
                reason=f"not a model family; families: {AUTO_MODEL}, {', '.join(FAMILY_MODELS)}",
            )
        )
    english, other = FAMILY_MODELS[DEFAULT_FAMILY if family == AUTO_MODEL else family]
    return english if language == "en" else other
