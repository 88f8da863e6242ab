"""Bind failures become one readable line naming the address and the way out."""

from __future__ import annotations

import errno
import os
import socket

import pytest

from inspector.addresses import browse_host, format_hostport, is_loopback, url_for
from inspector.server import BindError, CallbackSink, Server, bind, bind_listener


def test_port_zero_picks_a_free_port() -> None:
    sock = bind_listener("127.0.0.1", 0)
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1"
        assert port > 0
        assert not sock.getblocking()
    finally:
        sock.close()


def test_address_in_use_names_its_holder_and_a_free_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BindError) as info:
            bind_listener("127.0.0.1", port)
    in_use = info.value.in_use
    assert in_use is not None and in_use.free_port is not None
    free = in_use.free_port
    assert free != port
    holder = f"this Request Inspector (pid {os.getpid()})" if os.path.exists("/proc/net/tcp") else None
    if holder is None:  # lsof/netstat may or may not be there
        assert str(info.value).startswith(f"port {port} on 127.0.0.1 is in use by ")
    else:
        assert str(info.value) == f"port {port} on 127.0.0.1 is in use by {holder}; try --port {free}"
    bind_listener("127.0.0.1", free).close()  # the suggestion was really free


def test_server_constructor_raises_bind_error_before_serving() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BindError, match="is in use by"):
            Server("127.0.0.1", port, sink=CallbackSink(lambda record: None))


def test_address_not_on_this_host() -> None:
    with pytest.raises(BindError) as info:
        bind_listener("192.0.2.1", 0)
    assert str(info.value) == "192.0.2.1:0: 192.0.2.1 is not an address of this machine"


@pytest.mark.parametrize("port", [-1, 65536])
def test_port_out_of_range(port: int) -> None:
    with pytest.raises(BindError, match="between 0 and 65535"):
        bind_listener("127.0.0.1", port)


def test_unresolvable_host() -> None:
    with pytest.raises(BindError, match="not an address of this machine"):
        bind_listener("no-such-host.invalid", 0)


def low_ports_are_privileged() -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 1))
        except PermissionError:
            return True
        except OSError:
            return False
    return False


@pytest.mark.skipif(not low_ports_are_privileged(), reason="this user may bind port 1 (root, or sysctl)")
def test_privileged_port_suggests_8090() -> None:
    with pytest.raises(BindError) as info:
        bind_listener("127.0.0.1", 1)
    assert "permission denied" in str(info.value)
    assert "8090" in str(info.value)


def test_error_messages_are_one_line() -> None:
    for host, port in (("192.0.2.1", 0), ("127.0.0.1", 70000)):
        with pytest.raises(BindError) as info:
            bind_listener(host, port)
        assert "\n" not in str(info.value)


def test_address_formatting() -> None:
    assert format_hostport("127.0.0.1", 8090) == "127.0.0.1:8090"
    assert format_hostport("::1", 8090) == "[::1]:8090"
    assert url_for("::1", 80) == "http://[::1]:80"
    assert browse_host("0.0.0.0") == "127.0.0.1"
    assert browse_host("::") == "::1"


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),  # as typed in a URL
        (" localhost ", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("fe80::1%eth0", False),
        ("not an address", False),
    ],
)
def test_is_loopback_is_one_definition_for_every_mode(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


_ADMIN = " (ports below 1024 need administrator rights; try 8090)"


@pytest.mark.parametrize(
    ("port", "error", "message"),
    [
        (80, errno.EACCES, "127.0.0.1:80: permission denied" + _ADMIN),
        (1023, errno.EPERM, "127.0.0.1:1023: permission denied" + _ADMIN),
        (1024, errno.EACCES, "127.0.0.1:1024: permission denied"),
    ],
)
def test_a_refused_bind_says_permission_denied(
    monkeypatch: pytest.MonkeyPatch, port: int, error: int, message: str
) -> None:
    """As an unprivileged user sees it (the kernel's refusal is simulated: the tests may run as root)."""

    def refused(family: int, sockaddr: tuple[object, ...]) -> socket.socket:
        raise PermissionError(error, os.strerror(error))

    monkeypatch.setattr(bind, "_open", refused)
    with pytest.raises(BindError) as info:
        bind_listener("127.0.0.1", port)
    assert str(info.value) == message
