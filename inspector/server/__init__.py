"""Qt-free listening loop: accepts connections, parses, answers, reports records."""

from inspector.server.bind import BindError, bind_listener
from inspector.server.listeners import Listening
from inspector.server.loop import Server
from inspector.server.sink import CallbackSink, CaptureSink

__all__ = [
    "BindError",
    "CallbackSink",
    "CaptureSink",
    "Listening",
    "Server",
    "bind_listener",
]
