"""Showing hostile text safely: visible escapes, elision, escaped tooltips.

Everything in a request is hostile (docs/SECURITY.md). Text from a request
reaches the screen (every table cell, tab, tooltip, label and text view, and
headless mode's stderr line) only through :func:`visible`, which turns
characters that are invisible, or that reorder or hide what is shown, into
backslash escapes. Which characters those are is derived from the Unicode
database (:mod:`unicodedata`), never listed by hand:

- controls (category Cc: C0, DEL, C1) and line/paragraph separators (Zl, Zp)
  that would break a cell's line;
- every format character (Cf): bidirectional embeddings, overrides, isolates
  and marks, zero-width characters, the soft hyphen, invisible operators
  (U+2061-2064), the Mongolian vowel separator, tag characters;
- everything in plane 14 (tags, the variation selectors supplement, and the
  code points reserved there as ignorable);
- the invisible letters and marks: variation selectors, fillers (Hangul and
  others, by name) and the combining grapheme joiner;
- surrogates: bytes that were not valid UTF-8 and were decoded with
  ``surrogateescape`` come back as ``\\xNN``, any other surrogate as ``\\udNNN``.

So "admin", "ad\\u00admin" (a soft hyphen) and "admin\\U000e0041" (a tag)
read differently. Escapes are ``\\xNN`` below U+0100, ``\\uNNNN`` in the BMP
and ``\\UNNNNNNNN`` beyond; ``\\t``, ``\\n``, ``\\r`` by name.

The escaping runs on every painted cell, so it is linear and cheap: ASCII text
(most cells) is one C-level regex scan that usually finds nothing; other text
is one ``str.translate`` over a table that classifies each code point on first
sight and remembers it (a full scan of the database at import would cost
~0.1 s of every start). Backslashes themselves are left alone (as mitmproxy
does), so ``\\x1b`` typed literally by a client and an escaped ESC look alike;
the Raw tab's hex view is the exact answer when it matters.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from typing import Final

#: the marker appended to elided text
ELLIPSIS: Final = "…"
#: how much of a value a table cell shows
CELL_LIMIT: Final = 300
#: how much of a value a tooltip shows
TOOLTIP_LIMIT: Final = 4000

_NAMED: Final = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
#: categories shown escaped whatever the character
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: plane 14, the "supplementary special-purpose plane": tags, variation
#: selectors and reserved default-ignorable code points only
_SPECIAL_PURPOSE_PLANE: Final = 14
#: code points remembered per table; beyond, they are classified each time
#: (text holding every code point must not grow a table without bound)
_MEMO_LIMIT: Final = 65_536


def is_hidden(char: str) -> bool:
    """Whether ``char`` is shown as an escape (see the module docstring)."""
    category = unicodedata.category(char)
    if category in _HIDDEN_CATEGORIES or ord(char) >> 16 == _SPECIAL_PURPOSE_PLANE:
        return True
    if category in ("Mn", "Lo"):  # letters and marks that draw nothing
        name = unicodedata.name(char, "")
        return (
            "VARIATION SELECTOR" in name
            or name.endswith(" FILLER")
            or name.endswith("GRAPHEME JOINER")
            or "VOWEL INHERENT" in name
        )
    return False


def escape(char: str) -> str:
    """The backslash escape of one character."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape maps byte 0xNN to U+DCNN
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


class _Shown(dict[int, str]):
    """``str.translate`` table: code point -> what to show, filled on first sight."""

    def __init__(self, keep: str) -> None:
        super().__init__()
        self._keep = keep

    def __missing__(self, code: int) -> str:
        char = chr(code)
        shown = escape(char) if char not in self._keep and is_hidden(char) else char
        if len(self) < _MEMO_LIMIT:
            self[code] = shown
        return shown


_ASCII_HIDDEN: Final = re.compile(
    "[" + re.escape("".join(c for c in map(chr, range(0x80)) if is_hidden(c))) + "]"
)
_ASCII_HIDDEN_MULTILINE: Final = re.compile(
    "[" + re.escape("".join(c for c in map(chr, range(0x80)) if is_hidden(c) and c not in "\n\t")) + "]"
)
_SHOWN: Final = _Shown(keep="")
_SHOWN_MULTILINE: Final = _Shown(keep="\n\t")


def visible(text: str, limit: int | None = CELL_LIMIT, *, keep_newlines: bool = False) -> str:
    """Make ``text`` safe and unambiguous to show in a widget.

    Args:
        text: text from a request (may contain anything, lone surrogates included).
        limit: keep at most this many characters of ``text`` and append "…";
            None keeps everything.
        keep_newlines: keep LF and TAB as they are (for multi-line text views);
            CR is still shown as ``\\r`` so CRLF and bare LF can be told apart.

    Returns:
        The text with every invisible or reordering character escaped.
    """
    elided = limit is not None and len(text) > limit
    if elided:
        text = text[:limit]
    # isascii() is O(1); for ASCII text (most cells) one C-level scan that
    # usually finds nothing decides whether translating is needed at all
    ascii_hidden = _ASCII_HIDDEN_MULTILINE if keep_newlines else _ASCII_HIDDEN
    if not text.isascii() or ascii_hidden.search(text) is not None:
        text = text.translate(_SHOWN_MULTILINE if keep_newlines else _SHOWN)
    return text + ELLIPSIS if elided else text


def visible_bytes(data: bytes, limit: int | None = CELL_LIMIT, *, keep_newlines: bool = False) -> str:
    """:func:`visible` for bytes: UTF-8 where valid, ``\\xNN`` for every other byte."""
    if limit is not None and len(data) > limit:
        return (
            visible(data[:limit].decode("utf-8", "surrogateescape"), None, keep_newlines=keep_newlines)
            + ELLIPSIS
        )
    return visible(data.decode("utf-8", "surrogateescape"), None, keep_newlines=keep_newlines)


def tooltip(text: str, limit: int | None = TOOLTIP_LIMIT) -> str:
    """A tooltip for request data: escaped and forced to rich text, so Qt never
    interprets the data itself as markup (tooltips auto-detect rich text)."""
    body = html.escape(visible(text, limit), quote=False)
    return f"<qt><p style='white-space:pre-wrap'>{body}</p></qt>"


def tooltip_lines(lines: Iterable[str], limit: int = TOOLTIP_LIMIT) -> str:
    """A tooltip of several lines of request data: each line escaped on its own
    (a newline inside a value stays ``\\n``), the lines joined by ``<br>``, at
    most ``limit`` characters of text in all."""
    shown: list[str] = []
    left = limit
    for line in lines:
        if left <= 0:
            shown.append(ELLIPSIS)
            break
        text = visible(line, left)
        left -= len(text)
        shown.append(html.escape(text, quote=False))
    return f"<qt><p style='white-space:pre-wrap'>{'<br>'.join(shown)}</p></qt>"


def human_size(size: int) -> str:
    """1023 -> "1023 B", 1536 -> "1.5 KiB"."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}"
    return f"{size} B"  # pragma: no cover
