"""Showing hostile text safely: visible escapes, elision, escaped tooltips.

Everything in a request is hostile (docs/SECURITY.md). Text from a
request reaches the screen only through :func:`visible`, which turns characters
that are invisible or that reorder what is shown into backslash escapes:

- C0 controls (U+0000-U+001F), DEL (U+007F) and C1 controls (U+0080-U+009F);
- bidirectional embeddings, overrides and isolates (U+202A-U+202E,
  U+2066-U+2069), the directional marks (U+200E, U+200F, U+061C) and the
  line/paragraph separators (U+2028, U+2029) that would break a cell's line;
- zero-width characters (U+200B-U+200D, U+2060, U+FEFF);
- lone surrogates: bytes that were not valid UTF-8 and were decoded with
  ``surrogateescape`` come back as ``\\xNN``, any other surrogate as ``\\udNNN``.

Backslashes themselves are left alone (as mitmproxy does), so ``\\x1b`` typed
literally by a client and an escaped ESC look alike; the Raw tab's hex view is
the exact answer when it matters.
"""

from __future__ import annotations

import html

#: the marker appended to elided text
ELLIPSIS = "…"
#: how much of a value a table cell shows
CELL_LIMIT = 300
#: how much of a value a tooltip shows
TOOLTIP_LIMIT = 4000

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _build_table(keep_newlines: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)):
        char = chr(code)
        table[code] = _NAMED.get(char, f"\\x{code:02x}")
    for code in (
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200E,
        0x200F,
        0x061C,
        0x2028,
        0x2029,
        *range(0x200B, 0x200E),
        0x2060,
        0xFEFF,
    ):
        table[code] = f"\\u{code:04x}"
    for code in range(0xD800, 0xE000):
        # surrogateescape maps byte 0xNN to U+DCNN (0x80 <= NN <= 0xFF)
        table[code] = f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
    if keep_newlines:
        del table[ord("\n")]
        del table[ord("\t")]
    return table


_TABLE = _build_table(keep_newlines=False)
_TABLE_MULTILINE = _build_table(keep_newlines=True)


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
    text = text.translate(_TABLE_MULTILINE if keep_newlines else _TABLE)
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
