"""Language codes and identification (lingua, offline)."""

from __future__ import annotations

import pytest

from propscope.errors import UnknownLabelError
from propscope.language import (
    SEMEVAL_CODES,
    TRAINED_LANGUAGES,
    detect_language,
    normalise_language,
    resolve_language,
)

SAMPLES = {
    "en": "The corrupt elites have betrayed every honest worker in this country.",
    "fr": "Les élites corrompues ont trahi chaque travailleur honnête de ce pays.",
    "de": "Die korrupten Eliten haben jeden ehrlichen Arbeiter in diesem Land verraten.",
    "it": "Le élite corrotte hanno tradito ogni lavoratore onesto di questo paese.",
    "pl": "Skorumpowane elity zdradziły każdego uczciwego pracownika w tym kraju.",
    "ru": "Коррумпированные элиты предали каждого честного рабочего в этой стране.",
    "es": "Las élites corruptas han traicionado a cada trabajador honesto de este país.",
    "el": "Οι διεφθαρμένες ελίτ πρόδωσαν κάθε έντιμο εργάτη αυτής της χώρας.",
    "ka": "კორუმპირებულმა ელიტამ ამ ქვეყნის ყველა პატიოსანი მუშა უღალატა.",
}


@pytest.mark.parametrize(("code", "text"), SAMPLES.items())
def test_detects_the_semeval_languages(code: str, text: str) -> None:
    found = detect_language(text)
    assert found.code == code
    assert found.detected
    assert found.zero_shot == (code not in TRAINED_LANGUAGES)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Guten Morgen, liebe Leute!", "de"),
        ("Доброе утро, друзья!", "ru"),
        ("Dzień dobry, Polsko", "pl"),
    ],
)
def test_detects_short_texts(text: str, code: str) -> None:
    assert detect_language(text).code == code


def test_mixed_text_takes_the_dominant_language() -> None:
    text = (
        "Le gouvernement a encore menti aux citoyens, et personne ne s'en étonne plus. "
        'Comme le dit le slogan, "make France great again".'
    )
    assert detect_language(text).code == "fr"


def test_text_without_letters_falls_back() -> None:
    found = detect_language("12 345 — 678 !!!", fallback="en")
    assert (found.code, found.confidence) == ("en", 0.0)


@pytest.mark.parametrize(("given", "iso"), [*SEMEVAL_CODES.items(), ("DE", "de"), (" pl ", "pl")])
def test_normalise_accepts_iso_and_semeval_codes(given: str, iso: str) -> None:
    assert normalise_language(given) == iso


@pytest.mark.parametrize("bad", ["xx", "english", "", "zz-ZZ"])
def test_unknown_codes_are_rejected_cleanly(bad: str) -> None:
    with pytest.raises(UnknownLabelError, match=r"\[E022\]"):
        normalise_language(bad)


def test_resolve_uses_the_given_code_without_detecting() -> None:
    found = resolve_language(SAMPLES["fr"], "ge")
    assert (found.code, found.detected, found.zero_shot) == ("de", False, False)
    assert resolve_language(SAMPLES["ru"], "auto").code == "ru"
    assert resolve_language(SAMPLES["ka"], None).zero_shot


@pytest.mark.parametrize(("code", "text"), SAMPLES.items())
def test_detects_articles_with_the_fast_models(code: str, text: str) -> None:
    article = "\n".join([text] * 4)  # over SHORT_TEXT: lingua's low-accuracy mode
    assert detect_language(article).code == code
