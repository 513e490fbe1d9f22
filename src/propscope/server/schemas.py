"""Request and response models of the web API; they also make the OpenAPI document.

The analysis response is the documented result object of :func:`propscope.results.result_dict`
(docs/output.md); :class:`AnalysisResult` describes it field by field.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

_EXAMPLE_TEXT = "Only fools trust these corrupt clowns.\nThe vote is on Monday."


class AnalyzeRequest(BaseModel):
    """An article to analyse: exactly one of ``text``, ``url`` or ``html``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": _EXAMPLE_TEXT}, {"url": "https://example.org/a"}]},
    )

    text: str | None = Field(None, description="The article as plain text (one paragraph a line).")
    url: str | None = Field(
        None,
        description="An http(s) URL to fetch; its main text is extracted. Private, loopback and "
        "link-local addresses are refused unless the server runs with --allow-private-urls.",
    )
    html: str | None = Field(
        None, description="An HTML page (e.g. a saved .html file); its main text is extracted."
    )
    lang: str = Field(
        "auto",
        description="'auto' (identify the language) or an ISO 639-1 code such as en, fr, de, it, "
        "pl, ru; SemEval-2023 codes (ge, po, gr) are accepted too.",
    )
    threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Replace every tuned threshold (spans, paragraph techniques, frames) by this.",
    )
    min_confidence: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Return the spans whose confidence (for a calibrated model: the expected "
        "share of the span that annotators would mark with its technique) is at least this. "
        "Default: the model's floor (model.min_confidence in the result); 0 returns every "
        "span. The page asks for 0 and hides spans under its slider, which starts at the "
        "model's floor.",
    )
    genre_prior: str | None = Field(
        None,
        description="The genres to expect: 'news' (the bundled models' default: mostly reports), "
        "'none' (the model's own probabilities) or weights such as "
        "'reporting=0.2,opinion=0.75,satire=0.05' (docs/output.md, Genre).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [name for name in ("text", "url", "html") if getattr(self, name) is not None]
        if len(given) != 1:
            what = "none" if not given else " and ".join(given)
            raise ValueError(f'give exactly one of "text", "url" or "html", got {what}')
        return self


class LabelOut(BaseModel):
    """A label with its confidence."""

    name: str = Field(description="Technique, frame or genre name.")
    score: float = Field(ge=0.0, le=1.0, description="Confidence in [0, 1].")


class ParagraphOut(BaseModel):
    """A non-empty line of the text and its techniques."""

    index: int = Field(ge=1, description="1-based line number (empty lines counted, not listed).")
    start: int = Field(ge=0, description="Character offset of the line start.")
    end: int = Field(ge=0, description="Character offset of the line end, without its line break.")
    techniques: list[LabelOut] = Field(description="Techniques found in the paragraph, best first.")


class SpanOut(BaseModel):
    """A fragment of the text that uses a persuasion technique."""

    start: int = Field(ge=0, description="Character offset (Unicode code points), inclusive.")
    end: int = Field(ge=1, description="Character offset, exclusive: text[start:end] == span text.")
    text: str = Field(description="The fragment itself.")
    technique: str | None = Field(description="One of the 23 SemEval-2023 technique names.")
    category: str | None = Field(description="The technique's category.")
    score: float = Field(ge=0.0, le=1.0, description="The model's confidence in [0, 1].")


class ModelInfo(BaseModel):
    """The model that made an analysis."""

    name: str
    version: str
    min_confidence: float = Field(
        0.0, description="The score a span needs to be shown when no min_confidence is given."
    )


class AnalysisResult(BaseModel):
    """One analysed article: the object of ``propscope analyze --format json``."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="Article id: 'input', or the URL it was fetched from.")
    language: str = Field(description="ISO 639-1 code of the article's language.")
    zero_shot: bool = Field(
        description="True when the model was not trained on this language (less reliable)."
    )
    text: str = Field(description="The analysed text exactly as decoded or extracted.")
    genre: LabelOut | None = Field(
        description="reporting, opinion or satire, or uncertain when the top genre's probability "
        "(after the genre prior) is under the model's cut; with that probability as its score."
    )
    frames: list[LabelOut] = Field(description="Frames above their thresholds, best first.")
    paragraphs: list[ParagraphOut] = Field(description="One entry per non-empty line.")
    spans: list[SpanOut] = Field(description="Technique spans, sorted by start; may overlap.")
    model: ModelInfo = Field(description="Name and version of the model.")


class TechniqueOut(BaseModel):
    """A technique of the SemEval-2023 taxonomy."""

    name: str
    category: str
    definition: str
    example: str
    label: str


class CategoryOut(BaseModel):
    """A technique category and the colour the page highlights it with."""

    name: str
    colour: str = Field(description="Background colour, #RRGGBB.")


class TechniquesResponse(BaseModel):
    """The taxonomy: 6 categories and 23 techniques."""

    categories: list[CategoryOut]
    techniques: list[TechniqueOut]
    fallback_colour: str = Field(
        description="Background colour, #RRGGBB, of a span without a known category."
    )


class HealthResponse(BaseModel):
    """The server is up and its model is loaded."""

    status: str = Field(description="'ok'.")
    model: ModelInfo = Field(description="The default model (used for English).")
    models: list[dict[str, object]] = Field(
        description="Every loaded model with the ISO codes of the languages it was trained on."
    )
    language: str
    components: list[str] = Field(description="The model's parts (tagger, paragraphs, ...).")
    propscope: str = Field(description="propscope version.")


class ErrorDetail(BaseModel):
    """What went wrong."""

    code: str = Field(description="Catalogue number, e.g. 'E004'.")
    type: str = Field(description="Error class, e.g. 'InputTooLargeError'.")
    message: str = Field(description="What was expected, what came and how to fix it.")


class ErrorResponse(BaseModel):
    """Every error answer of the API has this shape."""

    error: ErrorDetail


__all__ = [
    "AnalysisResult",
    "AnalyzeRequest",
    "CategoryOut",
    "ErrorDetail",
    "ErrorResponse",
    "HealthResponse",
    "LabelOut",
    "ModelInfo",
    "ParagraphOut",
    "SpanOut",
    "TechniqueOut",
    "TechniquesResponse",
]
