"""Several listening sockets on one loop: each record names its listener; one stops, the rest serve."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from inspector.server import BindError, Server
from inspector.server.loop import STOPPED
from tests.harness import WAIT, RawClient, Records, ServerFactory, get
from tests.network import needs_ipv6

_OPENED: list[RawClient] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPENED:
        _OPENED.pop().close()


def _client(host: str, port: int) -> RawClient:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    _OPENED.append(RawClient(sock))
    sock.settimeout(WAIT)
    sock.connect((host, port))
    return _OPENED[-1]


def _refused(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.settimeout(WAIT)
        try:
            probe.connect((host, port))
        except ConnectionRefusedError:
            return True
    return False


def test_three_listeners_on_one_loop_each_record_names_its_own(start_server: ServerFactory) -> None:
    running = start_server()
    second = running.server.listen("127.0.0.1", 0)
    third = running.server.listen("localhost", 0)
    assert third.host == "127.0.0.1"
    names = [listening.name for listening in running.server.listening]
    assert names == [f"127.0.0.1:{running.port}", second.name, third.name]
    assert len(set(names)) == 3
    for listening in running.server.listening:
        client = _client(listening.host, listening.port)
        client.send(get(f"/to-{listening.port}"))
        assert client.response().status == 200
    records = running.sink.wait(3)
    expected = {(f"/to-{x.port}", x.name) for x in running.server.listening}
    assert {(r.path, r.server) for r in records} == expected
    assert running.server.host == "127.0.0.1"  # the first listener's, as before
    running.stop()
    for listening in (second, third):
        assert _refused(listening.host, listening.port)


@needs_ipv6
def test_ipv4_and_ipv6_listeners_side_by_side(start_server: ServerFactory) -> None:
    running = start_server()
    six = running.server.listen("[::1]", 0)
    assert six.name == f"[::1]:{six.port}"
    for host, port in (("127.0.0.1", running.port), ("::1", six.port)):
        client = _client(host, port)
        client.send(get("/", host=b"x"))
        assert client.response().status == 200
    servers = {record.server for record in running.sink.wait(2)}
    assert servers == {f"127.0.0.1:{running.port}", f"[::1]:{six.port}"}


@needs_ipv6
def test_a_dual_stack_wildcard_names_itself_for_an_ipv4_client(start_server: ServerFactory) -> None:
    """A record's server is the listener that took it, not the address the client dialled."""
    running = start_server()
    try:
        wildcard = running.server.listen("::", 0)
    except BindError:
        pytest.skip("no dual-stack :: here")
    client = _client("127.0.0.1", wildcard.port)
    client.send(get())
    assert client.response().status == 200
    assert running.sink.wait(1)[0].server == f"[::]:{wildcard.port}"


def test_stopping_one_listener_ends_its_connections_not_the_others(start_server: ServerFactory) -> None:
    running = start_server()
    other = running.server.listen("127.0.0.1", 0)
    stays = _client("127.0.0.1", running.port)
    stays.send(get("/before"))
    assert stays.response().status == 200
    goes = _client("127.0.0.1", other.port)
    goes.send(b"GET /half HTTP/1.1\r\nHost: t\r\n")  # a request still arriving
    running.sink.wait(1)
    running.wait_connections(2)

    done = running.server.unlisten(other.name)
    assert done is not None and done.wait(WAIT)
    assert running.server.unlisten(other.name) is None  # already gone
    assert [x.name for x in running.server.listening] == [f"127.0.0.1:{running.port}"]
    goes.wait_closed()
    half = running.sink.wait_for(lambda record: record.server == other.name)
    assert half.error == f"{STOPPED} (request head incomplete)"
    assert _refused("127.0.0.1", other.port)

    stays.send(get("/after"))  # the same keep-alive connection, still served
    assert stays.response().status == 200
    assert running.sink.wait_for(lambda record: record.path == "/after").server == f"127.0.0.1:{running.port}"

    again = running.server.listen("127.0.0.1", other.port)  # the port is free again at once
    client = _client("127.0.0.1", again.port)
    client.send(get("/again"))
    assert client.response().status == 200
    assert running.sink.wait_for(lambda record: record.path == "/again").server == other.name


def test_a_server_without_listeners_takes_one_from_another_thread() -> None:
    records = Records()
    server = Server(None, sink=records)
    assert (server.host, server.port, server.listening) == ("", 0, ())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        listening = server.listen("127.0.0.1", 0)
        client = _client("127.0.0.1", listening.port)
        client.send(get("/late"))
        assert client.response().status == 200
        assert records.wait(1)[0].server == listening.name
        assert server.port == listening.port
    finally:
        server.stop()
        thread.join(WAIT)
    assert not thread.is_alive()
    assert _refused("127.0.0.1", listening.port)
    with pytest.raises(BindError, match="the server has stopped"):
        server.listen("127.0.0.1", 0)


def test_a_failed_bind_leaves_the_running_listeners_alone(start_server: ServerFactory) -> None:
    running = start_server()
    with pytest.raises(BindError, match=f"port {running.port} on 127.0.0.1 is in use by "):
        running.server.listen("127.0.0.1", running.port)
    assert [x.port for x in running.server.listening] == [running.port]
    client = running.connect()
    client.send(get())
    assert client.response().status == 200
