"""Fixtures for real-socket tests (helpers live in rawhttp.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from rawhttp import WAIT, RecordSink, Running, ServerFactory

from inspector.http.limits import Limits
from inspector.http.response import Responder, default_responder
from inspector.server import CallbackSink, Server


@pytest.fixture
def start_server() -> Iterator[ServerFactory]:
    started: list[Running] = []

    def start(
        *, limits: Limits | None = None, responder: Responder = default_responder, host: str = "127.0.0.1"
    ) -> Running:
        sink = RecordSink()
        server = Server(host, 0, sink=CallbackSink(sink), responder=responder, limits=limits)
        thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
        thread.start()
        running = Running(server, thread, sink)
        started.append(running)
        return running

    yield start
    for running in started:
        for client in running.clients:
            client.close()
        if running.thread.is_alive():
            running.stop()
        assert not running.thread.is_alive()
        assert running.server.connection_count == 0
        # The listening socket is closed too: nobody accepts on the port any more.
        with socket.socket(socket.AF_INET6 if ":" in running.server.host else socket.AF_INET) as probe:
            probe.settimeout(WAIT)
            with pytest.raises(ConnectionRefusedError):
                probe.connect(running.address)


@pytest.fixture
def running(start_server: ServerFactory) -> Running:
    return start_server()
