"""Width estimates of label text, so that labels can be wrapped on the server without a font engine.

The SVG is rendered by the reader's browser with whichever font of `FONT_FAMILY` it has, so exact
metrics are unknowable here. The estimate errs on the wide side (DejaVu Sans rather than Arial):
a label that wraps one word early still fits its box, one that wraps late would overflow it.
"""

from __future__ import annotations

FONT_FAMILY = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif"

_NARROW = set("iljtfrI.,:;!|'()[]/-·")
_WIDE = set("mwMWÄÖÜ@%—–")


def _char_width(ch: str) -> float:
    """Rough advance widths in em, on the wide side (DejaVu Sans rather than Arial)."""
    if ch == " ":
        return 0.32
    if ch in _NARROW:
        return 0.32
    if ch in _WIDE:
        return 0.86
    if ch.isupper():
        return 0.72
    if ch.isdigit():
        return 0.64
    return 0.6


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width of `text` at font size `size` (user units), bold ≈ 12 % wider."""
    return sum(_char_width(c) for c in text) * size * (1.12 if bold else 1.0)
