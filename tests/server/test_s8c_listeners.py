"""The listening sockets of one loop (inspector/server/listeners.py), without a loop: how an
opened listener is named, that every listener opened is watched at the loop's next round,
and that closing all of them closes sockets not yet watched and refuses later opens.
"""

from __future__ import annotations

import selectors
import socket
from collections.abc import Collection, Iterator

import pytest

from inspector.server import listeners as listeners_module
from inspector.server.bind import BindError, bind_listener
from inspector.server.listeners import Listeners, Listening


class Woken:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def selector() -> Iterator[selectors.BaseSelector]:
    with selectors.DefaultSelector() as made:
        yield made


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def test_before_any_listener_there_is_no_host_and_no_port(selector: selectors.BaseSelector) -> None:
    listeners = Listeners(selector, Woken())
    assert listeners.first == Listening("", 0)
    assert listeners.listening == ()
    assert listeners.paused_until is None


def test_localhost_and_the_empty_host_are_named_after_the_address_bound(
    selector: selectors.BaseSelector, monkeypatch: pytest.MonkeyPatch
) -> None:
    listeners = Listeners(selector, Woken())
    try:
        local = listeners.open(" localhost ", 0)
        assert local.host in ("127.0.0.1", "::1")
        assert local.name == Listening(local.host, local.port).name
        # "" would be every interface; the test binds loopback in its place.
        asked: list[str] = []

        def loopback(host: str, port: int, *, avoid: Collection[int] = ()) -> socket.socket:
            asked.append(host)
            return bind_listener("127.0.0.1", port, avoid=avoid)

        monkeypatch.setattr(listeners_module, "bind_listener", loopback)
        empty = listeners.open(" ", 0)
        assert asked == [""]
        assert (empty.host, empty.name) == ("127.0.0.1", f"127.0.0.1:{empty.port}")
        named = listeners.open("[127.0.0.1]", 0)
        assert named.host == "127.0.0.1"
        assert listeners.first == local  # the first opened stays the first
        assert listeners.listening == (local, empty, named)
    finally:
        listeners.close_all()


def test_every_listener_opened_since_the_last_round_is_watched_at_the_next(
    selector: selectors.BaseSelector,
) -> None:
    woken = Woken()
    listeners = Listeners(selector, woken)
    try:
        opened = [listeners.open("127.0.0.1", 0) for _ in range(3)]
        assert woken.count == 3
        assert listeners.by_fd == {}  # the loop thread watches them, at its next round
        assert list(listeners.apply()) == []
        assert sorted(a.name for a in listeners.by_fd.values()) == sorted(x.name for x in opened)
        assert all(selector.get_key(fd).events == selectors.EVENT_READ for fd in listeners.by_fd)
    finally:
        listeners.close_all()


def test_closing_all_closes_listeners_not_yet_watched_and_ends_pending_closes(
    selector: selectors.BaseSelector,
) -> None:
    woken = Woken()
    listeners = Listeners(selector, woken)
    watched = listeners.open("127.0.0.1", 0)
    list(listeners.apply())
    first, second = listeners.open("127.0.0.1", 0), listeners.open("127.0.0.1", 0)
    done = listeners.close(first.name)  # asked, not yet carried out by the loop
    assert done is not None and not done.is_set()
    assert [x.name for x in listeners.listening] == [watched.name, second.name]
    listeners.close_all()
    assert done.is_set()
    assert listeners.by_fd == {} and selector.get_map() == {}
    assert all(_refused(x.port) for x in (watched, first, second))
    assert listeners.listening == ()
    assert listeners.close(second.name) is None
    calls = woken.count
    with pytest.raises(BindError) as stopped:
        listeners.open("127.0.0.1", 0)
    assert str(stopped.value).startswith("127.0.0.1:")
    assert str(stopped.value).endswith(": the server has stopped")
    assert woken.count == calls  # nothing new for the loop
