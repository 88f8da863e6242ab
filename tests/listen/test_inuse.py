"""A port in use, in the contract's one line, with a suggested port that really binds."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from netns import add_ipv6, in_new_netns, set_up
from porthold import HOLDER_NAME, Held, linux_only

from inspector.listen import PortHolder, PortInUse, explain_port_in_use, suggest_free_port
from tests.network import needs_ipv6


def held_run(host: str, count: int) -> tuple[ExitStack, int]:
    """``count`` consecutive ports listened on at ``host`` by this process; the first port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        stack = ExitStack()
        with socket.socket(family) as first:
            first.bind((host, 0))
            start = first.getsockname()[1]
        if start + count > 65535:
            continue
        try:
            for port in range(start, start + count):
                stack.enter_context(socket.create_server((host, port), family=family))
        except OSError:
            stack.close()
            continue
        return stack, start
    raise AssertionError("no run of free ports found")


def binds(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.create_server((host, port), family=family).close()
    except OSError:
        return False
    return True


@pytest.fixture
def three_held() -> Iterator[int]:
    stack, start = held_run("127.0.0.1", 3)
    with stack:
        yield start


def test_the_suggestion_skips_ports_in_use(three_held: int) -> None:
    free = suggest_free_port("127.0.0.1", three_held)
    assert free is not None
    assert free >= three_held + 3
    assert binds("127.0.0.1", free)


def test_the_suggestion_skips_ports_to_avoid(three_held: int) -> None:
    plain = suggest_free_port("127.0.0.1", three_held)
    assert plain is not None
    avoided = suggest_free_port("127.0.0.1", three_held, avoid={plain})
    assert avoided is not None
    assert avoided > plain


def test_no_suggestion_when_every_tried_port_is_taken(three_held: int) -> None:
    assert suggest_free_port("127.0.0.1", three_held, tries=2) is None
    assert suggest_free_port("no-such-host.invalid", three_held) is None
    assert suggest_free_port("127.0.0.1", 65535) is None


@needs_ipv6
def test_the_suggestion_on_ipv6() -> None:
    stack, start = held_run("::1", 2)
    with stack:
        free = suggest_free_port("[::1]", start)
    assert free is not None
    assert free >= start + 2


@linux_only
def test_the_line_names_the_holder_and_a_free_port(hold_port) -> None:  # type: ignore[no-untyped-def]
    held: Held = hold_port("127.0.0.1")
    explained = explain_port_in_use("127.0.0.1", held.port)
    assert explained.holder == PortHolder(held.pid, HOLDER_NAME)
    assert explained.free_port is not None
    assert binds("127.0.0.1", explained.free_port)
    assert str(explained) == (
        f"port {held.port} on 127.0.0.1 is in use by {HOLDER_NAME} (pid {held.pid}); "
        f"try --port {explained.free_port}"
    )


@linux_only
@needs_ipv6
def test_the_line_for_ipv6(hold_port) -> None:  # type: ignore[no-untyped-def]
    held: Held = hold_port("::1")
    explained = explain_port_in_use("[::1]", held.port)
    assert explained.message() == (
        f"port {held.port} on ::1 is in use by {HOLDER_NAME} (pid {held.pid}); "
        f"try --port {explained.free_port}"
    )


@pytest.mark.parametrize(
    ("explained", "line"),
    [
        (
            PortInUse("127.0.0.1", 8090, PortHolder(4242, "python3"), 8091),
            "port 8090 on 127.0.0.1 is in use by python3 (pid 4242); try --port 8091",
        ),
        (
            PortInUse("127.0.0.1", 8090, None, 8091),
            "port 8090 on 127.0.0.1 is in use by another program; try --port 8091",
        ),
        (
            PortInUse("::", 8090, PortHolder(7, ""), None),
            "port 8090 on :: is in use by pid 7; try --port 0 for any free port",
        ),
    ],
)
def test_the_contract_wording(explained: PortInUse, line: str) -> None:
    assert explained.message() == line
    assert str(explained) == line


def test_the_suggestion_honours_ports_to_avoid_when_explaining(three_held: int) -> None:
    plain = suggest_free_port("127.0.0.1", three_held)
    assert plain is not None
    explained = explain_port_in_use("127.0.0.1", three_held, avoid={plain})
    assert explained.free_port is not None
    assert explained.free_port > plain
    assert binds("127.0.0.1", explained.free_port)


# In a network namespace of the test's own every port is free but the ones the test takes,
# so the suggestion is known exactly; and "::" there reaches nothing but its loopback.


def test_the_very_next_port_in_a_quiet_namespace() -> None:
    def work() -> tuple[int | None, ...]:
        set_up()
        return (
            suggest_free_port("127.0.0.1", 8090),
            suggest_free_port("127.0.0.1", 8090, tries=1),
            suggest_free_port("[::1]", 8090, tries=1),
            suggest_free_port("127.0.0.1", 65534),
        )

    assert in_new_netns(work) == (8091, 8091, 8091, 65535)


def test_the_last_port_tried() -> None:
    """``tries`` ports after the one that failed are tried, the last of them too."""

    def work() -> int | None:
        set_up()
        with ExitStack() as stack:
            for port in range(8091, 8093):
                stack.enter_context(socket.create_server(("127.0.0.1", port)))
            return suggest_free_port("127.0.0.1", 8090, tries=3)

    assert in_new_netns(work) == 8093


def test_a_dual_stack_wildcard_skips_a_port_taken_on_ipv4_only() -> None:
    """Our listener on ``::`` takes IPv4 too, so 127.0.0.1:8091 in use rules 8091 out for it."""

    def work() -> tuple[int | None, int | None, int | None]:
        set_up()
        if not socket.has_dualstack_ipv6():
            pytest.skip("no dual-stack sockets here")
        with socket.create_server(("127.0.0.1", 8091)):
            return (
                suggest_free_port("::", 8090),
                suggest_free_port("[::]", 8090),
                suggest_free_port("::1", 8090),  # ::1 does not take IPv4
            )

    assert in_new_netns(work) == (8092, 8092, 8091)


def test_a_link_local_address_keeps_its_zone() -> None:
    def work() -> int | None:
        set_up()
        add_ipv6("lo", "fe80::1")
        return suggest_free_port("fe80::1%lo", 8090)

    assert in_new_netns(work) == 8091


def test_an_ipv4_mapped_address_gets_a_port_free_on_ipv4() -> None:
    """``[::ffff:127.0.0.1]`` is 127.0.0.1 to the kernel: our listener binds it (the system's default
    lets IPv6 sockets take IPv4), and the suggestion is a port free there, not none at all."""

    def work() -> tuple[int | None, int | None]:
        set_up()
        if not socket.has_dualstack_ipv6():
            pytest.skip("no dual-stack sockets here")
        with socket.create_server(("127.0.0.1", 8091)):
            return suggest_free_port("::ffff:127.0.0.1", 8090), suggest_free_port("[::ffff:127.0.0.1]", 8091)

    assert in_new_netns(work) == (8092, 8092)


def test_without_dual_stack_sockets_ipv6_is_probed_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where sockets cannot take both families (OpenBSD), ``::`` listens on IPv6 only: a port
    taken on IPv4 is no obstacle, and an IPv6 address is probed without asking for both."""
    monkeypatch.setattr(socket, "has_dualstack_ipv6", lambda: False)

    def work() -> tuple[int | None, int | None, int | None]:
        set_up()
        with socket.create_server(("127.0.0.1", 8091)):
            return (
                suggest_free_port("::", 8090),
                suggest_free_port("::1", 8090),
                suggest_free_port("127.0.0.1", 8090),
            )

    assert in_new_netns(work) == (8091, 8091, 8092)
