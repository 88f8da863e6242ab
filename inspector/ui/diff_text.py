"""Text and hex diffs in a read-only plain-text view, coloured with extra selections.

The lines are plain text (never HTML): each request line goes through
:func:`inspector.text.visible` (CR shows as ``\\r``, so CRLF and LF differ
visibly) and is cut at :data:`LINE_LIMIT` characters. Removed lines are
tinted red, added ones green, hunk headers blue; in a hex diff the bytes that
differ are tinted more strongly, in the hex and in the ASCII column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from inspector.diff import HexDiff, TextDiff
from inspector.text import visible
from inspector.ui.body_render import hex_line

#: characters of one line shown (a minified 1 MiB line must not freeze the view)
LINE_LIMIT: Final = 2000
#: lines shown before the view scrolls (the compare view sizes it to its lines up to this)
MAX_VISIBLE_LINES: Final = 24
#: where byte i of a hex line starts, and its character (see body_render.hex_line), after "- "
_PREFIX: Final = 2

_LINE_TINTS: Final = {
    "-": QColor(229, 57, 53, 45),
    "+": QColor(67, 160, 71, 45),
    "@": QColor(30, 136, 229, 40),
}
_BYTE_TINTS: Final = {"-": QColor(229, 57, 53, 120), "+": QColor(67, 160, 71, 120)}


class Line(NamedTuple):
    """A shown line: ``tag`` is " ", "-", "+" or "@"; ``marks`` are (column, length)
    spans to emphasise."""

    tag: str
    text: str
    marks: tuple[tuple[int, int], ...] = ()


def text_lines(diff: TextDiff) -> list[Line]:
    """A unified diff as lines: hunk headers, then ``-``, ``+`` and context lines."""
    lines: list[Line] = []
    for hunk in diff.hunks:
        lines.append(Line("@", hunk.header))
        for line in hunk.lines:
            text = line.text[:-1] if line.text.endswith("\n") else line.text
            lines.append(Line(line.tag, f"{line.tag} {visible(text, LINE_LIMIT, keep_newlines=True)}"))
    return lines


def _byte_marks(mine: bytes, other: bytes) -> tuple[tuple[int, int], ...]:
    marks: list[tuple[int, int]] = []
    for i in range(len(mine)):
        if i >= len(other) or mine[i] != other[i]:
            marks.append((_PREFIX + 10 + 3 * i + (1 if i >= 8 else 0), 2))
            marks.append((_PREFIX + 62 + i, 1))
    return tuple(marks)


def hex_lines(diff: HexDiff) -> list[Line]:
    """Each differing 16-byte row twice: the left's (``-``) and the right's (``+``)."""
    lines: list[Line] = []
    for row in diff.rows:
        if row.left:
            lines.append(Line("-", f"- {hex_line(row.offset, row.left)}", _byte_marks(row.left, row.right)))
        if row.right:
            lines.append(Line("+", f"+ {hex_line(row.offset, row.right)}", _byte_marks(row.right, row.left)))
    return lines


class DiffTextView(QPlainTextEdit):
    """Read-only, monospaced, no wrapping; shows :class:`Line` lists."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._lines: list[Line] = []

    @property
    def lines(self) -> list[Line]:
        return self._lines

    def show_lines(self, lines: Sequence[Line]) -> None:
        self._lines = list(lines)
        self.setPlainText("\n".join(line.text for line in self._lines))
        selections: list[QTextEdit.ExtraSelection] = []
        block = self.document().begin()
        for line in self._lines:
            tint = _LINE_TINTS.get(line.tag)
            if tint is not None:
                selection = QTextEdit.ExtraSelection()
                selection.format.setBackground(tint)
                selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                selection.cursor = QTextCursor(block)
                selections.append(selection)
            for column, length in line.marks:
                selection = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(_BYTE_TINTS[line.tag])
                selection.format = fmt
                cursor = QTextCursor(block)
                cursor.setPosition(block.position() + column)
                cursor.setPosition(block.position() + column + length, QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selections.append(selection)
            block = block.next()
        self.setExtraSelections(selections)
        shown = max(2, min(len(self._lines), MAX_VISIBLE_LINES))
        frame = 2 * self.frameWidth() + int(self.document().documentMargin() * 2)
        scroll = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(shown * self.fontMetrics().lineSpacing() + frame + scroll)
