"""How a marked row looks: the colour of an error row's text and its icon, the
icon of a paused request, the lock of a request that came over HTTPS, the tint of a cell
that matched the filter.

Drawn here (with QPainter, so they exist without an icon theme) rather than in
the table model, which only says which rows are marked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap

from inspector.models.columns import Column, error_of, scheme_tip, tooltip_of
from inspector.models.history_source import RowData

_error_icon: QIcon | None = None
_pause_icon: QIcon | None = None
_lock_icon: QIcon | None = None


def error_color() -> QColor:
    """A mid red that reads on the current palette's base colour (light or dark)."""
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return QColor(0xFF, 0x6B, 0x6B) if base.lightness() < 128 else QColor(0xC6, 0x28, 0x28)


def error_brush() -> QBrush:
    """The foreground of an error row's cells."""
    return QBrush(error_color())


def _icon(paint: Callable[[QPainter], None]) -> QIcon:
    """A 16 px icon that ``paint`` draws, antialiased, on a transparent pixmap."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint(painter)
    painter.end()
    return QIcon(pixmap)


def _disc_icon(color: QColor, mark: Callable[[QPainter], None]) -> QIcon:
    """A 16 px disc of ``color`` with ``mark`` drawn over it."""

    def paint(painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(1, 1, 14, 14)
        mark(painter)

    return _icon(paint)


def _exclamation(painter: QPainter) -> None:
    painter.setPen(QColor(Qt.GlobalColor.white))
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(11)
    painter.setFont(font)
    painter.drawText(0, 0, 16, 16, Qt.AlignmentFlag.AlignCenter, "!")


def _bars(painter: QPainter) -> None:
    painter.setBrush(QColor(Qt.GlobalColor.white))
    painter.drawRect(5, 4, 2, 8)
    painter.drawRect(9, 4, 2, 8)


def error_icon() -> QIcon:
    """A small red disc with "!" (drawn once, then kept)."""
    global _error_icon
    if _error_icon is None:
        _error_icon = _disc_icon(QColor(0xD3, 0x2F, 0x2F), _exclamation)
    return _error_icon


def pause_icon() -> QIcon:
    """A small amber disc with two bars: a request paused for the user (drawn once)."""
    global _pause_icon
    if _pause_icon is None:
        _pause_icon = _disc_icon(QColor(0xE0, 0x8A, 0x00), _bars)
    return _pause_icon


def _padlock(painter: QPainter) -> None:
    painter.setPen(QPen(QColor(0x45, 0x5A, 0x64), 1.6))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(4.5, 1.5, 7, 8), 0, 180 * 16)  # the shackle
    painter.drawLine(QPointF(4.5, 5.5), QPointF(4.5, 7.5))
    painter.drawLine(QPointF(11.5, 5.5), QPointF(11.5, 7.5))
    painter.setBrush(QColor(0x90, 0xA4, 0xAE))
    painter.drawRoundedRect(QRectF(2.5, 7, 11, 8), 1.5, 1.5)  # the body


def lock_icon() -> QIcon:
    """A small padlock, the mark of a request that came over HTTPS (drawn once, then kept).

    Slate grey with a darker outline, so it reads on light and dark palettes alike.
    """
    global _lock_icon
    if _lock_icon is None:
        _lock_icon = _icon(_padlock)
    return _lock_icon


def match_brush() -> QBrush:
    """The tint of a cell that matched the filter: the highlight colour, light
    enough that text of either palette reads on it."""
    color = QColor(QGuiApplication.palette().color(QPalette.ColorRole.Highlight))
    color.setAlpha(70)
    return QBrush(color)


#: what the lock of an HTTPS row answers: its icon and its tooltip
LOCK_ROLES: Final = frozenset({int(Qt.ItemDataRole.DecorationRole), int(Qt.ItemDataRole.ToolTipRole)})


def cell_style(record: RowData, column: int, role: int, *, secure: bool, paused: bool) -> Any:
    """A cell's tooltip, colour or icon: the lock of an HTTPS row (``secure``: the
    row came over HTTPS and ``role`` is one of :data:`LOCK_ROLES` in the scheme
    column), an error row's colour and icon, a paused row's icon."""
    if secure:
        return lock_icon() if role == Qt.ItemDataRole.DecorationRole else scheme_tip(record)
    if role == Qt.ItemDataRole.ToolTipRole:
        return tooltip_of(record, column)
    if error_of(record):
        if role == Qt.ItemDataRole.ForegroundRole:
            return error_brush()
        if role == Qt.ItemDataRole.DecorationRole and column == Column.STATUS:
            return error_icon()  # beside the reason, so the # column keeps its number
    elif role == Qt.ItemDataRole.DecorationRole and column == Column.STATUS and paused:
        return pause_icon()
    return None
