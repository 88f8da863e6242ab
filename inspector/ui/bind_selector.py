"""The bind-address selector: an editable combo of likely addresses.

Loopback first (the safe default), then the wildcards, then every address of
this host's interfaces, labelled with the interface name (as Qt's threaded
fortune server fills its list from QNetworkInterface). The edit field shows
only the address; the popup shows address and label side by side.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtNetwork import QAbstractSocket, QNetworkInterface
from PySide6.QtWidgets import QComboBox, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from inspector.addresses import DEFAULT_HOST, normalise_address

LABEL_ROLE = Qt.ItemDataRole.UserRole + 1

FIXED_CHOICES: tuple[tuple[str, str], ...] = (
    ("127.0.0.1", "loopback, this machine only"),
    ("::1", "IPv6 loopback, this machine only"),
    ("0.0.0.0", "all IPv4"),
    ("::", "all interfaces"),
)


def interface_choices() -> list[tuple[str, str]]:
    """(address, interface name) for each address of each interface that is up."""
    choices: list[tuple[str, str]] = []
    fixed = {address for address, _ in FIXED_CHOICES}
    for interface in QNetworkInterface.allInterfaces():
        if not interface.flags() & QNetworkInterface.InterfaceFlag.IsUp:
            continue
        for entry in interface.addressEntries():
            ip = entry.ip()
            if ip.protocol() not in (
                QAbstractSocket.NetworkLayerProtocol.IPv4Protocol,
                QAbstractSocket.NetworkLayerProtocol.IPv6Protocol,
            ):
                continue
            text = ip.toString()
            if text in fixed or any(text == a for a, _ in choices):
                continue
            choices.append((text, interface.humanReadableName() or interface.name()))
    return choices


class _LabelDelegate(QStyledItemDelegate):
    """Shows "address    label" in the popup."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        label = index.data(LABEL_ROLE)
        if label:
            option.text = f"{option.text}    ({label})"


class BindAddressCombo(QComboBox):
    """Editable address selector; :meth:`address` is the chosen address."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setItemDelegate(_LabelDelegate(self))
        self.setToolTip("Address to listen on. Loopback addresses are reachable from this machine only.")
        for address, label in (*FIXED_CHOICES, *interface_choices()):
            self.addItem(address)
            self.setItemData(self.count() - 1, label, LABEL_ROLE)
            self.setItemData(self.count() - 1, f"{address} ({label})", Qt.ItemDataRole.ToolTipRole)
        self.setMinimumContentsLength(11)  # 127.0.0.1; longer addresses scroll in the box
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # An editable combo's popup is only as wide as the combo (Fusion): make it
        # as wide as its longest "address    (label)" so no entry is elided.
        view = self.view()
        widest = max(view.sizeHintForColumn(0), 0)
        view.setMinimumWidth(
            widest + 2 * view.frameWidth() + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        )
        self.set_address(DEFAULT_HOST)

    def address(self) -> str:
        return normalise_address(self.currentText())

    def set_address(self, address: str) -> None:
        address = normalise_address(address)
        found = self.findText(address, Qt.MatchFlag.MatchExactly)
        if found >= 0:
            self.setCurrentIndex(found)
        else:
            self.setEditText(address)
