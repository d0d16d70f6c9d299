"""Words and two-word phrases in free-text survey comments, in eight languages.

The "brand attributes" of KPI_CATALOGUE.md: which words and phrases customers use most. A
comment is lower-cased, cut at punctuation into clauses, and split into words (runs of
letters in any script, with inner apostrophes and hyphens: ``don't``, ``follow-up``,
``кто-то``). French elisions lose their article (``l'équipe`` -> ``équipe``). Stop words of
English, Russian, Polish, Romanian, Slovenian, German, French and Spanish are dropped; a
phrase is two neighbouring words of one clause, neither a stop word, except that the first
may be a negation ("not clean", "nie polecam", "nicht pünktlich"), because a negation
changes what a phrase means. One-letter words and numbers are dropped.

The lists are short and hand-written (no dependency). Words that are stop words in one
language but carry meaning in another (English "care", "car", "man"; Spanish "pan") are
deliberately left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import pandas as pd

__all__ = [
    "NEGATIONS",
    "STOP_WORDS",
    "normalise_text",
    "term_counts",
    "terms",
    "words",
]

_STOP_WORDS_TEXT = {
    "en": """
        a about above after again all also am an and any are as at be because been before
        being both but by can could did do does doing during each even ever every for from
        get got had has have having he her here hers him his how i i'd i'll i'm i've if in
        into is it it's its itself just me more most much my myself of off on once one only
        or other our ours out over own quite really same she should so some such than that
        that's the their theirs them then there there's these they they're this those
        through to too under until up us very was we we're were what when where which while
        who whom why will with would you you're your yours
    """,
    "ru": """
        а б без бы был была были было быть в вам вас ваш ваша ваше вами весь во вот все
        всего всех вы где да даже для до его ее ей ему если есть еще же за здесь и из или
        им их к как какая какой когда кто ли либо мне мной мы на над наш наша нас нам о об
        однако он она они оно от очень по под после при про раз с сам себе себя со так
        также там тем то тогда того тоже той только том ты у уже чем что чтобы эта эти это
        этого этой этом этот эту я
    """,
    "pl": """
        a aby albo ale ani był była było były być bardzo bo by czy dla do gdy gdzie go i ich
        ja jak jako jednak jego jej jest jestem już ma mają mam mi mnie moja moje mój my na
        nad nam nas nasz nasza o od oraz po pod przez przy są się ta tak także tam te tego
        tej ten też to tu tych tym tylko w we wam was więc wy z za ze że żeby które który
        która co on ona oni
    """,
    "ro": """
        a acea aceasta această acest acesta aceste acum ai al ale am ar are au avea ca că
        cu ce cea cei cel cele cine cum când cand da dar de deja din doar după dupa e ea ei
        el ele era este eu fi fie fost iar în in îi îl încă la le lor lui mai mea meu mi
        mă ma ne noi nostru noastră o pe pentru prin sa să se și si sunt tot toate tu un
        una unde unei unui voi într-o într-un dintr-o s-a m-am mi-a i-a l-am foarte
    """,
    "sl": """
        ali ampak bi bil bila bile bili bilo biti bo bodo da do ga iz in ja jaz je jih jim
        kaj kako kar kdaj kdo ker ki kje kot ko me mi moj moja mu na nam nas naš naša od
        on ona oni pa po pri se sem si smo so ste še ta tako te ter ti to tudi vas vaš vi
        vse za zato zelo že če
    """,
    "de": """
        als am an auch auf aus bei bin bist da dann das dass dem den der des dich die dies
        diese dieser dieses dir doch du durch ein eine einem einen einer er es euch für hat
        hatte haben hier ich ihr ihre im immer in ist ja mein meine mich mir mit nach noch
        nur oder schon sehr sein sich sie sind so über um und uns unser unter vom von vor
        war waren was wenn wer wie wir wird wo wurde zu zum zur
    """,
    "fr": """
        au aux avec avez avoir avons ce ces cet cette chez comme d dans de des donc du elle
        elles en est et été étaient était être il ils j je l la le les leur leurs lui m ma
        mais me mes moi mon nos notre nous on ont ou où par pour qu que qui sa se ses si
        son sont sur ta te tes toi ton tous tout toute toutes très trop tu un une vos votre
        vous y ça cela c
    """,
    "es": """
        a al algo como con cuando de del donde e el ella ellas ellos en era es esa ese eso
        esta está están este esto fue ha han hay he la las le les lo los me mi mis muy más
        mas nos nosotros o os para pero por porque que qué se ser si son su sus también te
        todo todos toda todas tu tú un una unas unos y ya yo él
    """,
}

_NEGATIONS_TEXT = {
    "en": """
        no not never nothing nobody none nor don't didn't doesn't isn't wasn't weren't
        aren't won't can't cannot couldn't wouldn't shouldn't haven't hasn't hadn't dont
        didnt doesnt isnt wasnt wont cant couldnt
    """,
    "ru": "не нет ни ничего никогда никто",
    "pl": "nie nic nigdy nikt żaden",
    "ro": "nu nici niciodată nimic n-a n-am",
    "sl": "ne ni nisem niso nismo nič nikoli nihče",
    "de": "nicht kein keine keinen keinem keiner nie niemals nichts",
    "fr": "ne n pas jamais rien aucun aucune ni",
    "es": "no nunca nada ni tampoco ningún ninguna",
}

_ELISIONS = frozenset({"l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu"})
_CLAUSE = re.compile(r"[.!?;:,()\[\]{}\"«»„“”…\n\r\t/|]+")
_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")


def normalise_text(text: str) -> str:
    """Lower-case, compose accents (NFC), unify apostrophes, Romanian ş/ţ and Russian ё.

    >>> normalise_text("L’ÉQUIPE Ещё ţară")
    "l'équipe еще țară"
    """
    s = unicodedata.normalize("NFC", str(text)).lower()
    return (
        s.replace("’", "'")
        .replace("`", "'")
        .replace("ʼ", "'")
        .replace("ş", "ș")
        .replace("ţ", "ț")
        .replace("ё", "е")
    )


def _word_set(text: str) -> frozenset[str]:
    return frozenset(normalise_text(w) for w in text.split())


STOP_WORDS: dict[str, frozenset[str]] = {k: _word_set(v) for k, v in _STOP_WORDS_TEXT.items()}
"""Stop words per language code (en, ru, pl, ro, sl, de, fr, es), negations excluded."""

NEGATIONS: dict[str, frozenset[str]] = {k: _word_set(v) for k, v in _NEGATIONS_TEXT.items()}
"""Negation words per language: never counted alone, allowed as the first word of a phrase."""

_ALL_STOP = frozenset().union(*STOP_WORDS.values())
_ALL_NEGATIONS = frozenset().union(*NEGATIONS.values())


def words(text: str) -> list[list[str]]:
    """The words of ``text``, lower-cased, one list per clause (clauses end at punctuation).

    >>> words("Fast, friendly staff. L'équipe était top!")
    [['fast'], ['friendly', 'staff'], ['équipe', 'était', 'top']]
    """
    clauses = []
    for clause in _CLAUSE.split(normalise_text(text)):
        found = []
        for w in _WORD.findall(clause):
            head, sep, tail = w.partition("'")
            if sep and head in _ELISIONS and tail:
                w = tail
            found.append(w)
        if found:
            clauses.append(found)
    return clauses


def terms(
    text: str,
    *,
    stop_words: Iterable[str] | None = None,
    negations: Iterable[str] | None = None,
) -> tuple[set[str], set[str]]:
    """Distinct words and two-word phrases of one comment: ``(words, phrases)``.

    Words: neither stop word, negation nor one letter. Phrases: two neighbouring words of a
    clause, the second a counted word, the first a counted word or a negation. Default lists:
    every language of :data:`STOP_WORDS` and :data:`NEGATIONS`.

    >>> sorted(terms("The cleaner was not on time, not friendly at all")[1])
    ['not friendly']
    >>> [sorted(found) for found in terms("Sehr gute Arbeit!")]
    [['arbeit', 'gute'], ['gute arbeit']]
    """
    stop = _ALL_STOP if stop_words is None else frozenset(normalise_text(w) for w in stop_words)
    neg = _ALL_NEGATIONS if negations is None else frozenset(normalise_text(w) for w in negations)
    found_words: set[str] = set()
    found_phrases: set[str] = set()
    for clause in words(text):
        keep = [len(w) > 1 and w not in stop and w not in neg for w in clause]
        found_words.update(w for w, k in zip(clause, keep, strict=True) if k)
        for i in range(len(clause) - 1):
            first_ok = keep[i] or clause[i] in neg
            if first_ok and keep[i + 1]:
                found_phrases.add(f"{clause[i]} {clause[i + 1]}")
    return found_words, found_phrases


def term_counts(
    comments: pd.Series,
    *,
    top: int = 10,
    min_count: int = 1,
    stop_words: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Most frequent words and phrases: count = comments mentioning the term.

        share_of_comments = comments mentioning the term / non-blank comments

    A comment counts once per term however often it repeats it, so one long complaint does
    not make a theme. Returns one row per term, the ``top`` words then the ``top`` phrases,
    each ranked by count (ties alphabetically); columns ``kind`` ("word" or "phrase"),
    ``term``, ``count`` (int), ``share_of_comments``; a RangeIndex. Terms found in fewer
    than ``min_count`` comments are left out. No non-blank comment: an empty frame.

    >>> term_counts(pd.Series(["Great team", "great team, on time", None]), top=1)
       kind       term  count  share_of_comments
    0    word      great      2                1.0
    1  phrase  great team      2                1.0
    """
    if top < 1:
        raise ValueError(f"top must be at least 1; got {top}")
    texts = comments.dropna().astype(str)
    texts = texts[texts.str.strip() != ""]
    word_counts: Counter[str] = Counter()
    phrase_counts: Counter[str] = Counter()
    for text in texts:
        w, p = terms(text, stop_words=stop_words)
        word_counts.update(w)
        phrase_counts.update(p)
    rows = []
    for kind, counts in (("word", word_counts), ("phrase", phrase_counts)):
        ranked = sorted(
            ((t, c) for t, c in counts.items() if c >= min_count), key=lambda tc: (-tc[1], tc[0])
        )
        rows.extend((kind, t, c) for t, c in ranked[:top])
    result = pd.DataFrame(rows, columns=["kind", "term", "count"])
    result["kind"] = result["kind"].astype("str")
    result["term"] = result["term"].astype("str")
    result["count"] = result["count"].astype("int64")
    result["share_of_comments"] = result["count"] / len(texts) if len(texts) else 0.0
    return result.astype({"share_of_comments": "float64"})
