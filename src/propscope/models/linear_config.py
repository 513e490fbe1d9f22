"""Settings of the linear text classifier (:mod:`propscope.models.linear`), each with why it
exists; a saved model stores them as ``config.json``, and a training config's ``[genre]``,
``[frames]`` and ``[paragraphs]`` sections set them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LinearConfig:
    """Settings of :class:`~propscope.models.linear.LinearTextClassifier`."""

    labels: list[str] = field(default_factory=list)
    multi_label: bool = True
    ngram_max: int = 2
    min_df: int = 2
    # Features are hashed n-grams (see HashedTfidf): 2**hash_bits buckets, no vocabulary saved.
    hash_bits: int = 18
    char_ngrams: bool = False
    # Replace every word that is not a function word of the text's language (the stop-words
    # package, plus reporting verbs and pronouns; models.style) with "X" (capitalised) or "x",
    # digits with "0", before the n-grams are taken: what is left is how the text is written,
    # not what it is about.
    # A genre model on the words themselves learns topics (English train's 10 satire articles
    # are about Brexit and the Mueller inquiry, and so are many dev news reports).
    mask_content_words: bool = False
    use_embeddings: bool = False
    embedding_weight: float = 1.0
    # Sentence embeddings from this packaged encoder (models.encoders.ENCODERS), each text
    # prefixed with ``embedding_prefix`` (e5 expects "query: ").
    embedding_encoder: str = "minilm-l6"
    embedding_prefix: str = ""
    # Article-level models: embed each non-empty line (paragraph) and average, so the whole
    # article counts (one embedding of a long text would see only its first 128 tokens).
    embedding_by_paragraph: bool = False
    # With embedding_by_paragraph: 0 embeds each line; N > 0 embeds runs of whole sentences of at
    # least N words instead, across line breaks, so the article's embedding does not depend on
    # how its source broke it into lines (English SemEval-2023 train has a median of 38 words per
    # line, dev 22).
    embedding_chunk_words: int = 0
    # One indicator column per language listed here (ISO codes), so a multilingual model learns
    # each language's base rates; texts in other languages get none (zero-shot).
    language_features: list[str] = field(default_factory=list)
    language_weight: float = 1.0
    # A second, small logistic regression on cheap writing-style statistics (see
    # :func:`propscope.models.style.style_features`); its logits are mixed with the text
    # model's as ``(1 - style_weight) * text + style_weight * style``.
    style_features: bool = False
    style_weight: float = 0.5
    style_C: float = 1.0
    # Style statistics left out, by name (models.style.STYLE_FEATURE_NAMES). The genre models
    # leave out "log_words": train's satire is short (German 224 words, Russian 180, median),
    # so an article's length was learned as a sign of satire, and an excerpt or a short
    # opinion piece came out satire (docs/benchmarks.md, "Genre on articles unlike train's").
    style_exclude: list[str] = field(default_factory=list)
    # Single-label: add one offset per class to the log-probabilities, tuned on out-of-fold
    # predictions to maximise macro-F1 (the genre task's measure; balanced class weights alone
    # still leave a rare class such as satire mostly unpredicted).
    class_offsets: bool = False
    C: float = 4.0
    # "balanced" weighs each class inversely to its frequency; "balanced_by_language"
    # (single-label, with languages) does so within each language, so that no language's genre
    # mix is learned as a sign of the genre (English train is 88% opinion, French 66%).
    class_weight: str | None = "balanced"
    # "per_label": one threshold per label (labels with little support fall back to the global
    # one); "global": one threshold for all labels (best for micro-F1 on few examples);
    # "per_language": one threshold for all labels per language (a multilingual model whose
    # languages differ in how many labels a text carries; texts in a language with fewer than
    # ``min_support_per_label`` positives, or never seen, get the global one).
    thresholds: str = "per_label"
    min_support_per_label: int = 15
    tuning_folds: int = 4
    seed: int = 13
