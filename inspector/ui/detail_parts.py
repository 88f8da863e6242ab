"""Pieces the detail pane's tabs are built from: plain-text labels in a form, pair tables."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea, QWidget

from inspector.http.record import TLSFacts
from inspector.models.pairs_table import PairsTableModel
from inspector.ui.table_view import CopyableTableView

#: characters of a value a detail label shows
LABEL_LIMIT = 500
#: the Overview's rows about the TLS handshake, shown for HTTPS requests only
TLS_FIELDS = ("TLS", "SNI", "ALPN", "JA4", "Client certificate")


def tls_overview(tls: TLSFacts) -> dict[str, str]:
    """The text of each of :data:`TLS_FIELDS` (not escaped: the labels do that)."""
    if tls.version is None:
        outcome = "the handshake was not done (what the ClientHello said is below)"
    else:
        outcome = " · ".join(part for part in (tls.version, tls.cipher) if part)
    offered = ", ".join(tls.alpn_offered) or "none"
    if tls.version is None:
        alpn = f"offered: {offered}"
    else:
        alpn = f"{tls.alpn or 'none chosen'} (offered: {offered})"
    cert = tls.client_cert
    return {
        "TLS": outcome,
        "SNI": tls.sni if tls.sni is not None else "none sent",
        "ALPN": alpn,
        "JA4": tls.ja4 or "(no ClientHello)",
        "Client certificate": "none presented" if cert is None else f"{cert.subject} (SHA-256 {cert.sha256})",
    }


def plain_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def form(parent: QWidget, names: tuple[str, ...]) -> tuple[QScrollArea, QFormLayout, dict[str, QLabel]]:
    """A scrolling form with one plain-text label per name (keyed by name)."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    inner = QWidget(area)
    layout = QFormLayout(inner)
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    labels: dict[str, QLabel] = {}
    for name in names:
        labels[name] = plain_label(inner)
        layout.addRow(f"{name}:", labels[name])
    area.setWidget(inner)
    return area, layout, labels


def pairs_table(parent: QWidget, model: PairsTableModel) -> CopyableTableView:
    """A copyable table of ``model``'s (name, value) rows."""
    view = CopyableTableView(parent)
    view.setModel(model)
    view.horizontalHeader().resizeSection(0, 220)
    return view
