"""Line breaking of German labels, hyphenated with pyphen's German dictionary.

BPMN names in this domain are long compounds ("Gefährdungseinschätzung", "Kindeswohlgefährdung")
in small boxes; breaking them anywhere ("Gefährdungsei-nschätzung") makes them hard to read, so
words are hyphenated where German hyphenation allows, from `pyphen.Pyphen(lang="de_DE")` — the
LibreOffice patterns, maintained upstream rather than by a word list here.

pyphen reads that dictionary's two levels (a compound word list, then syllable patterns behind
``NEXTLEVEL``) as one, which yields a few stray points such as "Rü-ck-mel-dung" or "Hil-fe-be-da-rf"
(Kozea/Pyphen issue 24). Two rules of German orthography filter them out: "ch", "ck" and "sch" are
never split, and every piece keeps a vowel. pyphen does not tell compound joints from syllables;
`_break_word` prefers the point nearest the middle of the word, which is usually the joint. Only
when no such point fits is a word cut anywhere, so that no label overflows its box.
"""

from __future__ import annotations

import functools
import re

import pyphen

from web.diagram.measure import text_width

_LETTERS = re.compile(r"[^\W\d_]+")
_VOWELS = frozenset("aeiouäöüy")


@functools.cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="de_DE")  # loaded on first use: ~70,000 patterns


def _splits_digraph(lower: str, p: int) -> bool:
    """A break at `p` would split "ch", "ck" or "sch", or start a piece with "ck"."""
    return lower[p - 1 : p + 1] in ("ch", "ck") or lower[p - 1 : p + 2] == "sch" or lower[p : p + 2] == "ck"


def _syllable_breaks(letters: str) -> list[int]:
    lower = letters.lower()
    points = [int(p) for p in _dictionary().positions(letters) if not _splits_digraph(lower, p)]
    bounds = [0, *points, len(lower)]
    voiced = [any(c in _VOWELS for c in lower[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    return [p for i, p in enumerate(points) if voiced[i] and voiced[i + 1]]


def hyphenation_points(word: str) -> list[int]:
    """Offsets in `word` where a hyphen may break it (German rules), e.g. 11 for "Gefährdungs|einschätzung"."""
    return [run.start() + p for run in _LETTERS.finditer(word) for p in _syllable_breaks(run.group())]


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Split a word that is wider than `width` into hyphenated pieces.

    After a "-" or "/" of the word itself is best, then a hyphenation point, anywhere only if neither
    fits. Among the points that fit, the one nearest the middle of what is left wins: pyphen does not
    tell compound joints from syllables, but compounds mostly join parts of similar length, so this
    gives "Statistik-meldung" and "Zusammen-wirken" rather than "Statistikmel-dung", "Zusammenwir-ken".
    """
    syllables = set(hyphenation_points(word))
    pieces: list[str] = []
    start = 0
    while text_width(word[start:], size, bold) > width and len(word) - start > 5:
        fitting = [p for p in range(start + 3, len(word) - 2) if text_width(word[start:p] + "-", size, bold) <= width]
        if not fitting:
            break
        middle = (start + len(word)) / 2
        best = max(
            fitting, key=lambda p: (2 if word[p - 1] in "-/" else 1 if p in syllables else 0, -abs(p - middle), p)
        )
        head = word[start:best]
        pieces.append(head if head[-1] in "-/" else head + "-")
        start = best
    pieces.append(word[start:])
    return pieces


def wrap(text: str, width: float, size: float, bold: bool = False) -> tuple[list[str], int]:
    """Lines of at most `width` (estimated); also the number of words that had to be hyphenated."""
    lines: list[str] = []
    broken = 0
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size, bold) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if text_width(word, size, bold) <= width:
                current = word
                continue
            pieces = _break_word(word, width, size, bold)
            broken += 1
            lines.extend(pieces[:-1])
            current = pieces[-1]
        if current:
            lines.append(current)
    return lines, broken


def fit(
    text: str,
    width: float,
    height: float,
    sizes: tuple[float, ...] = (12, 11, 10),
    bold: bool = False,
    fewer_lines: bool = False,
) -> tuple[float, list[str]]:
    """Font size and wrapped lines that fit the box, else the smallest size truncated with "…".

    The largest size that fits without hyphenation wins; with `fewer_lines`, among the two largest
    sizes the one with fewer lines (a slightly smaller font beats an orphaned "das" on a line of its
    own). Smaller sizes only when needed.
    """
    options = []
    for size in sizes:
        lines, broken = wrap(text, width, size, bold)
        if len(lines) * size * 1.2 <= height:
            options.append((broken, len(lines) if fewer_lines else 0, -size, lines))
    preferred = [o for o in options if -o[2] in sizes[:2]]
    if preferred or options:
        broken, _, negative_size, lines = min(preferred or options, key=lambda o: o[:3])
        return -negative_size, lines
    size = sizes[-1]
    lines, _ = wrap(text, width, size, bold)
    keep = max(1, int(height // (size * 1.2)))
    if len(lines) > keep:
        lines = lines[:keep]
        last = lines[-1]
        while last and text_width(last + "…", size, bold) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return size, lines
