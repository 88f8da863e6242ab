"""The capture path after the server: the recorder and its JSONL output. Qt-free.

Imports :mod:`inspector.http`, :mod:`inspector.formats` and :mod:`inspector.store`
(docs/ARCHITECTURE.md, "Layers" and "The capture path").
"""

from inspector.capture.jsonl_output import JsonlOutput
from inspector.capture.recorder import Losses, Recorder, RecorderObserver

__all__ = ["JsonlOutput", "Losses", "Recorder", "RecorderObserver"]
