"""Feeds the rules editor's live preview: when to render, rendering off the GUI thread, showing the latest.

Strategy. Typing changes only the form; :meth:`PreviewFeed.schedule` starts a
:data:`PREVIEW_DELAY_MS` single-shot timer whose ``due`` signal asks the editor
to write the form into its document and call :meth:`PreviewFeed.submit`, so a
burst of keystrokes costs one template compilation. The preview
(:func:`inspector.responses.preview.preview`) renders on a
:class:`PreviewWorker` (the GUI never waits; only the latest request's result
is shown). It reads the responder's answer state without advancing it, to tell
which answer the next request gets; while the editor is shown the feed looks
every :data:`STATE_POLL_MS` whether requests moved that state on and asks for a
fresh preview when they did.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from inspector.http.record import CaptureRecord
from inspector.responses import Responder, Rule
from inspector.responses.files import BodyFiles
from inspector.responses.preview import Preview, preview
from inspector.text import visible
from inspector.ui.preview_worker import PreviewWorker
from inspector.ui.rules_preview import LINE_LIMIT, RulePreview, sample_record

#: how long typing must pause before the preview renders
PREVIEW_DELAY_MS = 150
#: how often the shown preview looks whether requests moved the answer state on
STATE_POLL_MS = 500


@dataclass(frozen=True, slots=True)
class Shown:
    """A preview with what it was computed for."""

    result: Preview
    rules: tuple[Rule, ...]
    record: CaptureRecord
    row: int
    sample: bool


class PreviewFeed(QObject):
    """Renders previews of the edited rules into ``pane``.

    Signals:
        due(): the typing pause is over, or requests moved the answer state on:
            time to :meth:`submit` what the editor holds now.

    Attributes:
        worker: the :class:`PreviewWorker` (its ``ready`` carries :class:`Shown`).
        record: the preview request (the selected capture), None for the built-in sample.
    """

    due = Signal()

    def __init__(self, responder: Responder, pane: RulePreview, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._responder = responder
        self._pane = pane
        self._files = BodyFiles()  # body files the previews read, kept while unchanged
        self._asked_state = -1  # the answer state's version the last preview read
        self.record: CaptureRecord | None = None
        self.worker = PreviewWorker(self)
        self.worker.ready.connect(self._on_worker_ready)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(PREVIEW_DELAY_MS)
        self._delay.timeout.connect(self.due)
        self._poll = QTimer(self)
        self._poll.setInterval(STATE_POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)

    def schedule(self) -> None:
        """Ask for a preview once typing pauses."""
        self._delay.start()

    def watch_state(self, watching: bool) -> None:
        """Look for answer-state changes (while the editor is shown) or stop looking."""
        if watching:
            self._poll.start()
        else:
            self._poll.stop()

    def submit(
        self, rule: Rule | None, rules: tuple[Rule, ...], row: int, answer: int, folder: Path | None
    ) -> None:
        """Render the preview of ``rule`` (at ``row`` of ``rules``, its answer ``answer``
        selected) against the preview request, off the GUI thread."""
        self._delay.stop()
        record = self.record
        sample = record is None
        shown_record = record if record is not None else sample_record()
        state, files = self._responder.state, self._files
        self._asked_state = state.version

        def work() -> Shown:
            result = preview(
                rule, rules, shown_record, answer=answer, state=state, folder=folder, files=files
            )
            return Shown(result, rules, shown_record, row, sample)

        self.worker.submit(work)

    @Slot(object)
    def _on_worker_ready(self, shown: object) -> None:
        if isinstance(shown, Shown):
            pane, result = self._pane, shown.result
            pane.show_result(result, shown.rules, shown.record, row=shown.row, sample=shown.sample)
        elif isinstance(shown, Exception):  # a bug, not a rule's problem: say so instead of going stale
            self._pane.show_failure(visible(f"{type(shown).__name__}: {shown}", LINE_LIMIT))

    @Slot()
    def _on_poll_timeout(self) -> None:
        if self._responder.state.version != self._asked_state and not self._delay.isActive():
            self.due.emit()
