"""Guessing the text encoding of a spreadsheet export.

UTF-8 (with or without a byte-order mark) and UTF-16 are recognised exactly. Anything else is
one of the Windows code pages European small-business tools still write: 1251 (Cyrillic),
1250 (Central European: Polish, Czech, Slovenian, Romanian) or 1252 (Western: German, French,
Spanish). The bytes are decoded with each and the text that reads most like words in those
languages wins: letters that belong to the languages score, symbols glued to words and
Cyrillic glued to Latin cost. General-purpose detectors confuse 1250 and 1252 on the short
cells of a spreadsheet (``Peña`` read as ``Peńa``); this scorer is tuned for exactly that.
"""

from __future__ import annotations

import unicodedata

LEGACY = ("cp1251", "cp1250", "cp1252")

# How usual each accented letter is in the languages the app reads (0.25 rare ... 1 common).
_COMMON = set("éáíóúüöäßñèàçêčšžłąęśżćăşţțșřěýůâîôÉÁÍÓÚÜÖÄŁŚŻŠŽČ")
_USUAL = set("ëïûùòìźőűťďňľãõœæøåńĆŹŃĄĘŘĚŮÝŞŢȘȚÈÀÇÑÊÂÎÔŒÆØÅŐŰŤĎŇĽĂÕ")
_RARE = set("ŕĺŔĹÞþÐðÿŸªºµ")
# Letters that Western code pages have and Central European ones lack, and the reverse.
_WESTERN_ONLY = set("èàñçêëïûùòìÿãõœæøåÈÀÑÇÊËÏÛÙÒÌŸÃÕŒÆØÅ")
_CENTRAL_ONLY = set("čćřěůńłąęśżźőűťďňľăşţŕĺČĆŘĚŮŃŁĄĘŚŻŹŐŰŤĎŇĽĂŞŢŔĹ")
_SLAVIC_HINT = set("šžŠŽ")


def _script(ch: str) -> str:
    if ch.isascii():
        return "ascii-letter" if ch.isalpha() else "other"
    if not ch.isalpha():
        return "symbol"
    name = unicodedata.name(ch, "")
    return "cyrillic" if name.startswith("CYRILLIC") else "latin"


def plausibility(text: str) -> float:
    """Score how much ``text`` reads like words of the app's eight languages (higher is better).

    >>> plausibility("Peña Muñoz") > plausibility("Peńa Muńoz")
    True
    """
    score = 0.0
    slavic = any(ch in _SLAVIC_HINT for ch in text)
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        kind = _script(ch)
        prev = _script(text[i - 1]) if i > 0 else "other"
        nxt = _script(text[i + 1]) if i + 1 < len(text) else "other"
        near = {prev, nxt}
        if kind == "symbol":
            if near & {"ascii-letter", "latin", "cyrillic"}:
                score -= 2.0
            continue
        if kind == "cyrillic":
            score += -3.0 if near & {"ascii-letter", "latin"} else 1.0
            continue
        if "cyrillic" in near:
            score -= 3.0
            continue
        if ch in _COMMON:
            score += 1.0
        elif ch in _USUAL:
            score += 0.5
        elif ch in _RARE:
            score -= 0.5
        if prev == "latin" and nxt == "latin":
            score -= 1.0  # three accented letters in a row: Cyrillic read as Latin
        if slavic and ch in _CENTRAL_ONLY:
            score += 0.5
        elif slavic and ch in _WESTERN_ONLY:
            score -= 0.5
    return score


def _legacy_sample(data: bytes, limit: int = 65536) -> bytes:
    """The lines with bytes above 127, up to ``limit`` bytes: only they tell encodings apart."""
    picked: list[bytes] = []
    size = 0
    for line in data.splitlines():
        if any(b > 127 for b in line):
            picked.append(line)
            size += len(line)
            if size >= limit:
                break
    return b"\n".join(picked)


def detect_encoding(data: bytes) -> str:
    """Name the Python codec that decodes ``data``.

    >>> detect_encoding("Kwota;Wiązka".encode("cp1250")), detect_encoding("Сумма".encode("cp1251"))
    ('cp1250', 'cp1251')
    >>> detect_encoding("\\ufeffa;b".encode("utf-8")), detect_encoding("a,b".encode("utf-16"))
    ('utf-8-sig', 'utf-16')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if head and head.count(0) > len(head) // 4:
        # UTF-16 without a mark: the zero bytes of ASCII characters sit on one side.
        odd_zeros = head[1::2].count(0)
        even_zeros = head[0::2].count(0)
        return "utf-16-le" if odd_zeros >= even_zeros else "utf-16-be"
    if data.isascii():  # quicker than decoding a large file to find it is valid UTF-8
        return "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = _legacy_sample(data)
    best, best_score = "cp1252", float("-inf")
    for enc in LEGACY:
        text = sample.decode(enc, errors="replace")
        score = plausibility(text) - 5.0 * text.count("\ufffd")
        if score > best_score:
            best, best_score = enc, score
    return best
