"""Tests for kpi.text: tokenizing comments, stop words of eight languages, term counts."""

from __future__ import annotations

import pandas as pd
import pandas.testing as tm
import pytest

from kpi.text import NEGATIONS, STOP_WORDS, normalise_text, term_counts, terms, words

LANGUAGES = ("en", "ru", "pl", "ro", "sl", "de", "fr", "es")


def test_every_language_has_stop_words_and_negations():
    assert set(STOP_WORDS) == set(LANGUAGES)
    assert set(NEGATIONS) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert len(STOP_WORDS[lang]) >= 50, lang
        assert NEGATIONS[lang], lang
        # A negation must not also be a plain stop word, or "not clean" could never be a phrase.
        assert not (STOP_WORDS[lang] & NEGATIONS[lang]), lang


@pytest.mark.parametrize(
    ("lang", "word"),
    [
        ("en", "the"),
        ("ru", "это"),
        ("pl", "się"),
        ("ro", "și"),
        ("sl", "zelo"),
        ("de", "und"),
        ("fr", "très"),
        ("es", "muy"),
    ],
)
def test_stop_words_by_language(lang, word):
    assert word in STOP_WORDS[lang]


def test_words_meaningful_in_another_language_are_not_stop_words():
    # English "care" is Romanian "which", "car" French "because", "man" German "one",
    # "pan" Polish "Mr" and Spanish "bread": a union of lists must keep them.
    every = frozenset().union(*STOP_WORDS.values())
    for word in ("care", "car", "man", "pan", "good", "bad", "хорошо", "dobrze", "gut", "bien"):
        assert word not in every, word


def test_normalise_text_folds_variants():
    # Decomposed é (e + U+0301) composes to é; cedilla ş/ţ become comma-below ș/ț; ё -> е.
    result = normalise_text("E\u0301quipe ŞI ţară Ёлка It’s")
    assert result == "équipe și țară елка it's"


def test_words_unicode_clauses_elisions_and_digits():
    result = words("Отличный сервис! Pani Łucja: 10/10, l'équipe d'accueil; follow-up ok. Straße")
    expected = [
        ["отличный", "сервис"],
        ["pani", "łucja"],
        ["équipe", "accueil"],
        ["follow-up", "ok"],
        ["straße"],
    ]
    assert result == expected


def test_terms_drop_stop_words_and_keep_negated_phrases():
    result_words, result_phrases = terms("The team was not on time and did not clean the oven.")
    # "not on": "on" is a stop word, so no phrase; "not clean" keeps its negation.
    assert result_words == {"team", "time", "clean", "oven"}
    assert result_phrases == {"not clean"}


def test_terms_phrases_do_not_cross_punctuation():
    _, result = terms("Fast, friendly staff. Great price")
    assert result == {"friendly staff", "great price"}


@pytest.mark.parametrize(
    ("text", "expected_words", "expected_phrases"),
    [
        ("Очень вежливый мастер", {"вежливый", "мастер"}, {"вежливый мастер"}),
        ("Nie polecam tej firmy", {"polecam", "firmy"}, {"nie polecam"}),
        ("Echipa a fost foarte punctuală", {"echipa", "punctuală"}, set()),
        ("Zelo prijazna ekipa", {"prijazna", "ekipa"}, {"prijazna ekipa"}),
        ("Nicht pünktlich und sehr teuer", {"pünktlich", "teuer"}, {"nicht pünktlich"}),
        ("Très bon service, équipe rapide", {"bon", "service", "équipe", "rapide"},
         {"bon service", "équipe rapide"}),
        ("El técnico no llegó a tiempo", {"técnico", "llegó", "tiempo"}, {"no llegó"}),
    ],
)  # fmt: skip
def test_terms_in_each_language(text, expected_words, expected_phrases):
    result_words, result_phrases = terms(text)
    assert result_words == expected_words
    assert result_phrases == expected_phrases


def test_terms_with_own_stop_words():
    result_words, _ = terms("great team great price", stop_words=["great"], negations=[])
    assert result_words == {"team", "price"}


def test_term_counts_counts_comments_not_occurrences():
    comments = pd.Series(
        [
            "late late late, late again",  # one comment, counted once for "late"
            "Late and rude",
            "rude driver",
            None,  # blank: not a comment
            "   ",
            "on time",
        ]
    )
    result = term_counts(comments, top=2)
    # 4 non-blank comments. late: comments 1 and 2 (2/4); rude: comments 2 and 3 (2/4);
    # "driver", "time" once each ("again", "and", "on" are stop words). Phrases, once each:
    # "late late", "rude driver" ("late again" has a stop word); ties go alphabetically.
    expected = pd.DataFrame(
        {
            "kind": ["word", "word", "phrase", "phrase"],
            "term": ["late", "rude", "late late", "rude driver"],
            "count": [2, 2, 1, 1],
            "share_of_comments": [0.5, 0.5, 0.25, 0.25],
        }
    ).astype({"kind": "str", "term": "str"})
    tm.assert_frame_equal(result, expected)


def test_term_counts_min_count_and_empty():
    comments = pd.Series(["rude driver", "rude staff", "kind staff"])
    result = term_counts(comments, top=5, min_count=2)
    assert result["term"].tolist() == ["rude", "staff"]
    assert result["count"].tolist() == [2, 2]
    empty = term_counts(pd.Series([None, ""], dtype="object"))
    assert empty.empty
    assert list(empty.columns) == ["kind", "term", "count", "share_of_comments"]


def test_term_counts_rejects_top_zero():
    with pytest.raises(ValueError, match="top must be at least 1"):
        term_counts(pd.Series(["x"]), top=0)
