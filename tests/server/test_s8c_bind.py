"""The socket options a listener is opened with (inspector/server/bind.py ``_open``), on
each platform: on Windows exclusive use of the address (another program cannot bind the
port over it), elsewhere SO_REUSEADDR (bound again at once after a stop); and on the
IPv6 wildcard ``::`` IPv6-only cleared, so IPv4 clients reach it too where the system
makes IPv6 sockets IPv6-only by default.

The sockets are fakes that note every call: nothing is bound, and the platform is the
test's to choose.
"""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from inspector.server import bind

WINDOWS_EXCLUSIVE = -5  # Windows's SO_EXCLUSIVEADDRUSE (~SO_REUSEADDR); Linux has none
Call = tuple[object, ...]


class FakeSocket:
    """A listening socket that notes each call made on it in ``made``."""

    made: list[Call]

    def __init__(self, family: int, kind: int = socket.SOCK_STREAM) -> None:
        self.made = [("socket", family, kind)]

    def setsockopt(self, level: int, option: int, value: int) -> None:
        self.made.append(("setsockopt", level, option, value))

    def bind(self, address: tuple[object, ...]) -> None:
        self.made.append(("bind", address[:2]))

    def listen(self, backlog: int) -> None:
        self.made.append(("listen",))

    def setblocking(self, flag: bool) -> None:
        self.made.append(("setblocking", flag))

    def close(self) -> None:
        self.made.append(("close",))


class SocketModule:
    """``socket`` as bind.py sees it: the real module, with fake sockets and Windows's constant."""

    socket = FakeSocket
    SO_EXCLUSIVEADDRUSE = WINDOWS_EXCLUSIVE

    def __getattr__(self, name: str) -> object:
        return getattr(socket, name)


REUSE = ("setsockopt", socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
EXCLUSIVE = ("setsockopt", socket.SOL_SOCKET, WINDOWS_EXCLUSIVE, 1)
DUAL_STACK = ("setsockopt", socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)


@pytest.mark.parametrize(
    ("platform", "host", "options"),
    [
        ("linux", "127.0.0.1", [REUSE]),
        ("linux", "::1", [REUSE]),
        ("linux", "::", [REUSE, DUAL_STACK]),
        ("darwin", "::", [REUSE, DUAL_STACK]),
        ("win32", "127.0.0.1", [EXCLUSIVE]),
        ("win32", "::1", [EXCLUSIVE]),
        ("win32", "::", [EXCLUSIVE, DUAL_STACK]),
    ],
)
def test_a_listener_is_opened_with_the_options_of_its_platform_and_address(
    monkeypatch: pytest.MonkeyPatch, platform: str, host: str, options: list[Call]
) -> None:
    monkeypatch.setattr(bind, "socket", SocketModule())
    monkeypatch.setattr(bind, "sys", SimpleNamespace(platform=platform))
    opened = bind.bind_listener(host, 8090)
    assert isinstance(opened, FakeSocket)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    assert opened.made == [
        ("socket", family, socket.SOCK_STREAM),
        *options,
        ("bind", (host, 8090)),
        ("listen",),
        ("setblocking", False),
    ]
