"""Painting the timeline strip's bars, and the words that go with them.

One stacked bar per bucket, a colour per :class:`~inspector.timeline.Kind`
(successes at the bottom, then the rarer and worse kinds on top), pending
requests hatched, and a tick above every bucket that holds a server error or
a malformed request, so a single one stays visible among thousands. Bars
are scaled to the tallest bucket in view, or, when a few spikes would flatten
everything else, to :func:`bar_ceiling`; a bucket with anything in it shows
at least a pixel. Everything is painted once per refresh into a pixmap
(:class:`BarPainter`); the strip only blits it.
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPixmap, QTransform

from inspector.timeline import BucketCounts, Buckets, Kind
from inspector.timeline.view import TimelineView

#: the strip's height in pixels
STRIP_HEIGHT: Final = 36
#: the width of the panel at the right that shows the rate and the span
PANEL_WIDTH: Final = 84
#: pixels at the top kept for error ticks
TICK_HEIGHT: Final = 3

#: how each kind is named in hover text
KIND_NAMES: Final[dict[Kind, str]] = {
    Kind.PENDING: "pending",
    Kind.INFORMATIONAL: "1xx",
    Kind.SUCCESS: "2xx",
    Kind.REDIRECT: "3xx",
    Kind.CLIENT_ERROR: "4xx",
    Kind.SERVER_ERROR: "5xx",
    Kind.ERROR: "malformed",
    Kind.NO_ANSWER: "no answer",
}
#: bottom to top
STACK: Final = (
    Kind.SUCCESS,
    Kind.INFORMATIONAL,
    Kind.REDIRECT,
    Kind.CLIENT_ERROR,
    Kind.SERVER_ERROR,
    Kind.ERROR,
    Kind.NO_ANSWER,
    Kind.PENDING,
)
COLOURS: Final[dict[Kind, str]] = {
    Kind.SUCCESS: "#43a047",
    Kind.INFORMATIONAL: "#80cbc4",
    Kind.REDIRECT: "#1e88e5",
    Kind.CLIENT_ERROR: "#fb8c00",
    Kind.SERVER_ERROR: "#e53935",
    Kind.ERROR: "#8e24aa",
    Kind.NO_ANSWER: "#9e9e9e",
    Kind.PENDING: "#616161",
}
#: kinds marked with a tick above their bucket
TICKED: Final = (Kind.SERVER_ERROR, Kind.ERROR)


def _pixel(colour: str) -> bytes:
    """One opaque pixel in QImage.Format_ARGB32's byte order (B, G, R, A on little-endian
    machines; A, R, G, B on big-endian ones, where the 32-bit value is stored as is)."""
    value = QColor(colour).rgba()
    return value.to_bytes(4, sys.byteorder)


_CLEAR: Final = bytes(4)
#: the solid kinds' pixels in stacking order (pending, last, is hatched)
_SOLID: Final = tuple(_pixel(COLOURS[kind]) for kind in STACK[:-1])
_HATCH: Final = _pixel(COLOURS[Kind.PENDING]) + _CLEAR
_TICKED_AT: Final = tuple(STACK.index(kind) for kind in TICKED)
_TICK: Final = _pixel(COLOURS[Kind.SERVER_ERROR])


def bar_ceiling(totals: Sequence[int]) -> int:
    """The bucket total drawn at full height: the tallest bucket, unless a few
    spikes dwarf the rest: then twice the 95th percentile of the non-empty
    buckets, so ordinary traffic stays readable (the spikes fill the height;
    hovering tells their counts)."""
    filled = sorted(total for total in totals if total)
    if not filled:
        return 1
    return min(filled[-1], max(1, 2 * filled[(len(filled) - 1) * 95 // 100]))


def _bar(column: tuple[int, ...], height: int, scale: float) -> bytes:
    """One bucket's pixels from the bottom up: its kinds (pending hatched, on
    top), then clear, then the error tick when it has one."""
    parts = [_CLEAR]  # the bottom pixel row stays clear (the strip's edge)
    below = drawn = 0
    for pixel, number in zip(_SOLID, column, strict=False):
        if number:
            below += number
            top = int(below * scale + 0.5) or 1  # anything at all shows a pixel
            if top > drawn:
                parts.append(pixel * (top - drawn))
                drawn = top
    if column[-1]:
        top = int((below + column[-1]) * scale + 0.5) or 1
        if top > drawn:
            parts.append((_HATCH * ((top - drawn) // 2 + 1))[: 4 * (top - drawn)])
            drawn = top
    ticked = any(column[at] for at in _TICKED_AT)
    parts.append(_CLEAR * (height - 1 - drawn - (TICK_HEIGHT - 1 if ticked else 0)))
    if ticked:
        parts.append(_TICK * (TICK_HEIGHT - 1))
    return b"".join(parts)


class BarPainter:
    """Paints the bars of buckets, ``bar_px`` wide each, ``height`` tall, clear elsewhere.

    Strategy: each bucket is one run of bytes (:func:`_bar`), built with C-speed
    bytes operations and kept by its counts while the scale stays, so a strip
    that slid or got one more arrival rebuilds only the buckets that changed;
    the runs are the rows of an image ``height`` wide, turned upright and
    widened to ``bar_px`` per bucket by Qt. A Python call per rectangle would
    cost ~5 µs each, ~12 ms for a strip of 600 busy buckets; this costs ~3 ms
    from nothing and well under 1 ms from the last paint.
    """

    def __init__(self) -> None:
        self._rows: dict[tuple[int, ...], bytes] = {}
        self._scale: tuple[int, int] = (0, 0)  # (ceiling, height) the rows were built for

    def paint(self, buckets: Buckets, bar_px: int, height: int, ratio: float = 1.0) -> QPixmap:
        count = max(1, buckets.count)
        ceiling = bar_ceiling(buckets.totals)
        rows = self._rows
        if (ceiling, height) != self._scale or len(rows) > 4 * count:
            rows.clear()
            self._scale = (ceiling, height)
        area = height - TICK_HEIGHT - 1
        empty = _CLEAR * height
        shown: list[bytes] = []
        columns = zip(*(buckets.counts[kind] for kind in STACK), strict=True)
        for total, column in zip(buckets.totals, columns, strict=True):
            if not total:
                shown.append(empty)
                continue
            bar = rows.get(column)
            if bar is None:
                # a bucket above the ceiling fills the height, its kinds in proportion
                bar = rows[column] = _bar(column, height, area / max(total, ceiling))
            shown.append(bar)
        shown.extend([empty] * (count - len(shown)))
        data = b"".join(shown)
        lying = QImage(data, height, count, 4 * height, QImage.Format.Format_ARGB32)
        upright = lying.transformed(QTransform().rotate(-90))  # copies, so ``data`` may go
        size = (max(1, round(count * bar_px * ratio)), max(1, round(height * ratio)))
        pixmap = QPixmap.fromImage(
            upright.scaled(
                *size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
            )
        )
        pixmap.setDevicePixelRatio(ratio)
        return pixmap


def paint_labels(
    painter: QPainter, palette: QPalette, rect: QRect, bars_width: int, texts: tuple[str, str, str]
) -> None:
    """The strip's words: the time at its left edge (small, on a veil over the
    bars), and in the panel right of the bars the rate (bold) over the span."""
    start, rate, span = texts
    font = QFont(painter.font())
    font.setPointSizeF(font.pointSizeF() * 0.85)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    box = QRect(
        0, rect.height() - metrics.height() - 1, metrics.horizontalAdvance(start) + 6, metrics.height()
    )
    veil = QColor(palette.base().color())
    veil.setAlpha(190)
    painter.fillRect(box, veil)
    painter.setPen(palette.placeholderText().color())
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, start)
    height = rect.height()
    panel = QRect(bars_width, 0, rect.width() - bars_width, height)
    painter.fillRect(panel, palette.window())
    flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    font.setPointSizeF(font.pointSizeF() / 0.85)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(palette.text().color())
    painter.drawText(panel.adjusted(4, 1, -4, -height // 2), flags, rate)
    font.setBold(False)
    painter.setFont(font)
    painter.setPen(palette.placeholderText().color())
    painter.drawText(panel.adjusted(4, height // 2, -4, -1), flags, span)


def time_text(moment: float, width: float) -> str:
    """A local time as precise as buckets of ``width`` seconds need."""
    local = _dt.datetime.fromtimestamp(moment)
    if width >= 86400:
        return local.strftime("%Y-%m-%d")
    if width >= 60:
        return local.strftime("%Y-%m-%d %H:%M")
    if width >= 1:
        return local.strftime("%H:%M:%S")
    return local.strftime("%H:%M:%S.") + f"{local.microsecond // 1000:03d}"


def kinds_text(by_kind: tuple[int, ...]) -> str:
    """``"3 2xx · 1 5xx"``: the kinds that have arrivals, in stacking order."""
    return " · ".join(f"{by_kind[kind]:,} {KIND_NAMES[kind]}" for kind in STACK if by_kind[kind])


def bucket_tooltip(bucket: BucketCounts, width: float) -> str:
    """What hovering a bucket says (no request data: times and counts only)."""
    span = f"{time_text(bucket.start, width)} to {time_text(bucket.end, width)}"
    if not bucket.total:
        return f"{span}: no requests"
    noun = "request" if bucket.total == 1 else "requests"
    return f"{span}: {bucket.total:,} {noun} ({kinds_text(bucket.by_kind)})"


def duration_text(seconds: float) -> str:
    """``0.5 s``, ``20 s``, ``5 min``, ``3 h``, ``2 d``."""
    if seconds < 1:
        return f"{seconds:.2g} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def span_text(view: TimelineView) -> str:
    """The panel's second line: how much time the strip shows."""
    span = duration_text(view.count * view.width)
    return f"last {span}" if view.following else span
