"""``--listen ADDR:PORT`` values, and how they go with ``--bind``/``--port``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT
from inspector.listen import ListenError, ListenSpec, parse_listen, resolve_listeners
from inspector.listen.spec import EXAMPLE, VALUE_LIMIT

#: the longest host name there can be: 253 characters (four labels, none over 63)
LONGEST_NAME = ".".join(["a" * 63] * 3 + ["b" * 61])

@pytest.mark.parametrize(
    ("value", "host", "port", "name"),
    [
        ("127.0.0.1:8090", "127.0.0.1", 8090, "127.0.0.1:8090"),
        ("[::1]:0", "::1", 0, "[::1]:0"),
        ("0.0.0.0:8091", "0.0.0.0", 8091, "0.0.0.0:8091"),
        ("[::]:8090", "::", 8090, "[::]:8090"),
        ("localhost:8090", "localhost", 8090, "localhost:8090"),
        ("LocalHost:8090", "localhost", 8090, "localhost:8090"),
        ("[fe80::1%eth0]:8090", "fe80::1%eth0", 8090, "[fe80::1%eth0]:8090"),
        ("[fe80::1%3]:8090", "fe80::1%3", 8090, "[fe80::1%3]:8090"),
        ("[::ffff:127.0.0.1]:65535", "::ffff:127.0.0.1", 65535, "[::ffff:127.0.0.1]:65535"),
        (" my-host.example.:80 ", "my-host.example.", 80, "my-host.example.:80"),
        ("10.1.2.3:08090", "10.1.2.3", 8090, "10.1.2.3:8090"),
        ("10.1.2.3:00080", "10.1.2.3", 80, "10.1.2.3:80"),
        # an address is kept as written: a zone is an interface's name, and those tell case apart
        ("[FE80::A%Eth0]:8090", "FE80::A%Eth0", 8090, "[FE80::A%Eth0]:8090"),
        (f"{LONGEST_NAME}:80", LONGEST_NAME, 80, f"{LONGEST_NAME}:80"),
        (f"{LONGEST_NAME.upper()}.:80", f"{LONGEST_NAME}.", 80, f"{LONGEST_NAME}.:80"),
    ],
)
def test_good_values(value: str, host: str, port: int, name: str) -> None:
    spec = parse_listen(value)
    assert spec == ListenSpec(host, port)
    assert spec.name == name


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("8090", "give an address and a port"),
        ("127.0.0.1", "give an address and a port"),
        (":8090", "no address before the port"),
        ("::1:8090", "an IPv6 address goes in brackets"),
        ("[::1]", "no :PORT after the address"),
        ("[::1]8090", "no :PORT after the address"),
        ("[::1:8090", "no ] after the IPv6 address"),
        ("[127.0.0.1]:8090", "brackets are for IPv6 addresses"),
        ("[::g]:8090", "not an IPv6 address"),
        ("[fe80::1%]:8090", "the zone after % must be an interface name or number"),
        ("[fe80::1%eth/0]:8090", "the zone after % must be an interface name or number"),
        ("127.1:8090", "not an IPv4 address"),
        ("256.0.0.1:8090", "not an IPv4 address"),
        ("under_score:8090", "not an address or host name"),
        ("-dash:8090", "not an address or host name"),
        ("127.0.0.1:", "the port must be a number from 0 to 65535"),
        ("127.0.0.1:65536", "the port must be a number from 0 to 65535"),
        ("127.0.0.1:-1", "the port must be a number from 0 to 65535"),
        ("127.0.0.1:\uff18\uff10", "the port must be a number from 0 to 65535"),
        ("127.0.0.1:http", "the port must be a number from 0 to 65535"),
        ("[::1]]:8090", "no :PORT after the address"),
        ("127.0.0.1:000080", "the port must be a number from 0 to 65535"),
        (LONGEST_NAME + "b:80", "not an address or host name"),
        ("x" * 400 + ":80", "too long"),
        ("x" * (VALUE_LIMIT + 1 - 3) + ":80", "too long"),
        ("x" * (VALUE_LIMIT - 3) + ":80", "not an address or host name"),
        ("", "give an address and a port"),
    ],
)
def test_bad_values_say_why_in_one_line_with_an_example(value: str, why: str) -> None:
    with pytest.raises(ListenError) as info:
        parse_listen(value)
    message = str(info.value)
    assert message.startswith("--listen ")
    assert f": {why}; {EXAMPLE}" in message
    assert "\n" not in message
    assert len(message) < 250


def test_a_bad_value_is_shown_safely() -> None:
    with pytest.raises(ListenError) as info:
        parse_listen("evil\x1b[2J:80")
    assert str(info.value).startswith("--listen evil\\x1b[2J:80: ")


def test_a_blank_value_is_shown_quoted() -> None:
    with pytest.raises(ListenError) as info:
        parse_listen(" \t ")
    assert str(info.value) == f"--listen ' \\t ': give an address and a port; {EXAMPLE}"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_fails_with_one_line(value: str) -> None:
    try:
        spec = parse_listen(value)
    except ListenError as exc:
        assert "\n" not in str(exc)
        return
    assert 0 <= spec.port <= 65535
    assert parse_listen(spec.name) == spec  # the name is itself a good value


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.ip_addresses().map(str), st.sampled_from(["localhost", "example.org"])),
    st.integers(0, 65535),
)
def test_every_address_and_port_round_trips(host: str, port: int) -> None:
    spec = ListenSpec(host, port)
    assert parse_listen(spec.name) == spec


def test_without_listen_the_old_options_or_their_defaults() -> None:
    assert resolve_listeners(None) == (ListenSpec(DEFAULT_HOST, DEFAULT_PORT),)
    assert resolve_listeners([], "[::1]", 0) == (ListenSpec("::1", 0),)
    assert resolve_listeners(None, None, 9000) == (ListenSpec(DEFAULT_HOST, 9000),)


def test_listen_values_in_order() -> None:
    specs = resolve_listeners(["127.0.0.1:0", "[::1]:0", "127.0.0.1:8090", "[::1]:8090"])
    assert [spec.name for spec in specs] == ["127.0.0.1:0", "[::1]:0", "127.0.0.1:8090", "[::1]:8090"]


@pytest.mark.parametrize(("bind", "port", "named"), [("127.0.0.1", None, "--bind"), (None, 8090, "--port")])
def test_listen_with_bind_or_port_is_an_error(bind: str | None, port: int | None, named: str) -> None:
    with pytest.raises(ListenError, match=f"^{named} cannot go with --listen, which replaces it; "):
        resolve_listeners(["127.0.0.1:8090"], bind, port)


@pytest.mark.parametrize(
    "values",
    [
        ["127.0.0.1:8090", "127.0.0.1:8090"],
        ["[::1]:8090", "[0:0::1]:8090"],
        ["LOCALHOST:8090", "localhost:8090"],
    ],
)
def test_the_same_listener_twice_is_an_error(values: list[str]) -> None:
    with pytest.raises(ListenError, match="is given twice"):
        resolve_listeners(values)


@pytest.mark.parametrize(
    "values",
    [
        ["127.0.0.1:0", "127.0.0.1:0"],  # two free ports
        ["[fe80::1%eth0]:8090", "[fe80::1%eth1]:8090"],  # two links
        ["127.0.0.1:8090", "[::1]:8090"],
    ],
)
def test_different_listeners_are_fine(values: list[str]) -> None:
    assert len(resolve_listeners(values)) == 2
