"""Qt-free listening loop: accepts connections, parses, answers, reports records."""

from inspector.server.bind import BindError, bind_listener
from inspector.server.loop import Server
from inspector.server.sink import CallbackSink, CaptureSink

__all__ = [
    "BindError",
    "CallbackSink",
    "CaptureSink",
    "Server",
    "bind_listener",
]
