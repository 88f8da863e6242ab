"""Who holds a port: a process we start holds it, and its pid and name must come back.

The real-socket tests bind only loopback addresses; a wildcard is asked about
(our side of the conflict), never bound. Wildcards on the holder's side, forks,
caps and unreadable descriptors are covered with fake procfs trees in the
kernel's own format.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from porthold import HOLDER_NAME, Held, fake_proc, linux_only, listen_line

from inspector.listen.holder import (
    PortHolder,
    find_holder,
    holder_from_lsof,
    holder_from_netstat,
    holder_from_procfs,
    listening_inodes,
    parse_lsof,
    parse_netstat,
    parse_tasklist,
)
from tests.network import needs_ipv6

LOOPBACK = ipaddress.ip_address("127.0.0.1")
little_endian = pytest.mark.skipif(sys.byteorder != "little", reason="table rows written as x86 prints them")

# 127.0.0.1:8090, 0.0.0.0:8090, [::1]:8090, [::]:8090, [::ffff:127.0.0.1]:8090 as /proc/net/tcp{,6} show them
V4_LOOPBACK = "0100007F:1F9A"
V4_ANY = "00000000:1F9A"
V6_LOOPBACK = "00000000000000000000000001000000:1F9A"
V6_ANY = "00000000000000000000000000000000:1F9A"
V6_MAPPED = "0000000000000000FFFF00000100007F:1F9A"


def later(seconds: float = 30.0) -> float:
    return time.monotonic() + seconds


# -- the real system -------------------------------------------------------------------


@linux_only
def test_names_the_process_holding_an_ipv4_port(hold_port) -> None:  # type: ignore[no-untyped-def]
    held: Held = hold_port("127.0.0.1")
    assert held.pid != os.getpid()
    assert find_holder("127.0.0.1", held.port) == PortHolder(held.pid, HOLDER_NAME)


@linux_only
@needs_ipv6
def test_names_the_process_holding_an_ipv6_port(hold_port) -> None:  # type: ignore[no-untyped-def]
    held: Held = hold_port("::1")
    assert find_holder("::1", held.port) == PortHolder(held.pid, HOLDER_NAME)
    assert find_holder("[::1]", held.port) == PortHolder(held.pid, HOLDER_NAME)


@linux_only
@pytest.mark.parametrize(
    ("held_on", "asked"),
    [
        ("127.0.0.1", "0.0.0.0"),  # our wildcard covers their address
        ("127.0.0.1", "::"),  # our dual-stack wildcard covers IPv4 too
        ("127.0.0.1", "::ffff:127.0.0.1"),  # an IPv4-mapped address is the IPv4 one
        pytest.param("::1", "::", marks=needs_ipv6),
    ],
)
def test_names_the_holder_when_a_wildcard_is_ours(hold_port, held_on: str, asked: str) -> None:  # type: ignore[no-untyped-def]
    held: Held = hold_port(held_on)
    assert find_holder(asked, held.port) == PortHolder(held.pid, HOLDER_NAME)


@linux_only
@needs_ipv6
def test_a_listener_that_does_not_conflict_is_not_named(hold_port) -> None:  # type: ignore[no-untyped-def]
    held: Held = hold_port("127.0.0.1")
    assert find_holder("::1", held.port) is None
    assert find_holder("127.0.0.2", held.port) is None


def test_a_free_port_has_no_holder() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert find_holder("127.0.0.1", port) is None


@linux_only
def test_our_own_listener_is_named_as_this_program() -> None:
    with socket.create_server(("127.0.0.1", 0)) as ours:
        holder = find_holder("127.0.0.1", ours.getsockname()[1])
    assert holder is not None
    assert holder.pid == os.getpid()
    assert holder.describe() == f"this Request Inspector (pid {os.getpid()})"


@pytest.mark.parametrize("host", ["", "not an address", "no-such-host.invalid", "[::1"])
def test_unusable_hosts_give_none(host: str) -> None:
    assert find_holder(host, 8090) is None


@pytest.mark.skipif(shutil.which("lsof") is None, reason="no lsof here")
@pytest.mark.parametrize(
    ("held_on", "asked"),
    [("127.0.0.1", "127.0.0.1"), ("127.0.0.1", "0.0.0.0"), pytest.param("::1", "::1", marks=needs_ipv6)],
)
def test_lsof_names_the_holder(hold_port, held_on: str, asked: str) -> None:  # type: ignore[no-untyped-def]
    held: Held = hold_port(held_on)
    found = holder_from_lsof(ipaddress.ip_address(asked), held.port, deadline=later())
    assert found == PortHolder(held.pid, HOLDER_NAME)


@pytest.mark.skipif(shutil.which("netstat") is None or sys.platform == "win32", reason="no netstat -p here")
@pytest.mark.parametrize(
    ("held_on", "asked"), [("127.0.0.1", "127.0.0.1"), pytest.param("::1", "::", marks=needs_ipv6)]
)
def test_netstat_names_the_holder(hold_port, held_on: str, asked: str) -> None:  # type: ignore[no-untyped-def]
    held: Held = hold_port(held_on)
    found = holder_from_netstat(ipaddress.ip_address(asked), held.port, deadline=later())
    assert found == PortHolder(held.pid, HOLDER_NAME)


# -- other systems' tools, from their output ---------------------------------------------------

MACOS_LSOF = """p611
cnode
f23
tIPv6
n*:8090
p980
cControlCenter
f9
tIPv4
n*:7000
"""


@pytest.mark.parametrize(
    ("asked", "found"),
    [("127.0.0.1", [(2, 611, "node")]), ("::1", [(1, 611, "node")]), ("::", [(0, 611, "node")])],
)
def test_lsof_wildcards_take_their_family_from_the_type(
    asked: str, found: list[tuple[int, int, str]]
) -> None:
    assert parse_lsof(MACOS_LSOF, ipaddress.ip_address(asked), 8090) == found


WINDOWS_NETSTAT = """
Active Connections

  Proto  Local Address          Foreign Address        State           PID
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1052
  TCP    127.0.0.1:8090         0.0.0.0:0              LISTENING       4242
  TCP    127.0.0.1:8090         127.0.0.1:50123        ESTABLISHED     4242
  TCP    [::]:8090              [::]:0                 LISTENING       5151
  TCP    [fe80::1%4]:8090       [::]:0                 LISTENING       6161
  UDP    0.0.0.0:8090           *:*                                    7171
"""


def test_windows_netstat_and_tasklist_name_the_holder() -> None:
    calls: list[list[str]] = []

    def run(argv: list[str], deadline: float) -> str:
        calls.append(argv)
        if argv[0] == "netstat":
            return WINDOWS_NETSTAT
        assert argv[:3] == ["tasklist", "/FI", "PID eq 4242"]
        return '"python.exe","4242","Console","1","12,345 K"\r\n'

    assert parse_netstat(WINDOWS_NETSTAT, LOOPBACK, 8090) == [(0, 4242, ""), (2, 5151, "")]
    assert parse_netstat(WINDOWS_NETSTAT, ipaddress.ip_address("fe80::1"), 8090) == [
        (1, 5151, ""),
        (0, 6161, ""),
    ]
    found = holder_from_netstat(LOOPBACK, 8090, deadline=later(), run=run, windows=True)
    assert found == PortHolder(4242, "python.exe")
    assert calls[0] == ["netstat", "-ano"]
    assert [argv[0] for argv in calls] == ["netstat", "tasklist"]


def test_tasklist_without_a_match() -> None:
    assert parse_tasklist("INFO: No tasks are running which match the specified criteria.\r\n") == ""
    assert parse_tasklist('"a b.exe","1"') == "a b.exe"


def test_linux_netstat_output() -> None:
    text = (
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n"
        "tcp        0      0 127.0.0.1:8090          0.0.0.0:*               LISTEN      4242/python3\n"
        "tcp6       0      0 :::8090                 :::*                    LISTEN      -\n"
        "tcp        0      0 0.0.0.0:2024            0.0.0.0:*               LISTEN      -\n"
    )
    assert parse_netstat(text, LOOPBACK, 8090) == [(0, 4242, "python3")]


# -- Linux, from fake procfs trees ---------------------------------------------------------------


@little_endian
def test_the_same_address_beats_a_wildcard(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path,
        tcp=[listen_line(V4_LOOPBACK, 12)],
        tcp6=[listen_line(V6_ANY, 11)],
        processes={10: ("dual", ["socket:[11]"]), 20: ("exact", ["/dev/null", "socket:[12]"])},
    )
    assert find_holder("127.0.0.1", 8090, proc=proc) == PortHolder(20, "exact")
    assert find_holder("::1", 8090, proc=proc) == PortHolder(10, "dual")


@little_endian
def test_a_wildcard_holder_is_named_for_any_address_of_its_family(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, tcp=[listen_line(V4_ANY, 11)], processes={10: ("any4", ["socket:[11]"])})
    assert find_holder("127.0.0.1", 8090, proc=proc) == PortHolder(10, "any4")
    assert find_holder("192.0.2.7", 8090, proc=proc) == PortHolder(10, "any4")
    assert find_holder("::1", 8090, proc=proc) is None
    assert find_holder("127.0.0.1", 8091, proc=proc) is None


@little_endian
def test_an_ipv4_mapped_listener_holds_the_ipv4_address(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path, tcp=[], tcp6=[listen_line(V6_MAPPED, 11)], processes={7: ("mapped", ["socket:[11]"])}
    )
    assert find_holder("127.0.0.1", 8090, proc=proc) == PortHolder(7, "mapped")
    assert find_holder("::1", 8090, proc=proc) is None


@little_endian
def test_a_forked_server_is_named_by_its_lowest_pid(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path,
        tcp6=[listen_line(V6_LOOPBACK, 11)],
        tcp=[],
        processes={310: ("worker", ["socket:[11]"]), 31: ("master", ["socket:[11]"]), 3: ("other", [])},
    )
    assert find_holder("::1", 8090, proc=proc) == PortHolder(31, "master")


@little_endian
def test_another_users_process_is_unknown(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, tcp=[listen_line(V4_LOOPBACK, 11)], processes={99: ("theirs", None)})
    assert listening_inodes(LOOPBACK, 8090, deadline=later(), proc=proc) == {11: 0}
    assert find_holder("127.0.0.1", 8090, proc=proc) is None


@little_endian
def test_only_listening_sockets_count(tmp_path: Path) -> None:
    established = listen_line(V4_LOOPBACK, 13).replace(" 0A ", " 01 ")
    proc = fake_proc(
        tmp_path,
        tcp=[established, listen_line("0100007F:1F9B", 14), listen_line(V4_LOOPBACK, 0)],
        processes={40: ("client", ["socket:[13]"]), 41: ("next door", ["socket:[14]"])},
    )
    assert find_holder("127.0.0.1", 8090, proc=proc) is None


@little_endian
def test_descriptors_read_are_capped(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path,
        tcp=[listen_line(V4_LOOPBACK, 11)],
        processes={50: ("busy", ["pipe:[5]"] * 1000), 60: ("holder", ["socket:[11]"])},
    )
    ours = ipaddress.ip_address("127.0.0.1")
    assert holder_from_procfs(ours, 8090, deadline=later(), max_fds=500, proc=proc) is None
    assert holder_from_procfs(ours, 8090, deadline=later(), max_fds=1001, proc=proc) == PortHolder(
        60, "holder"
    )


@little_endian
def test_a_spent_budget_gives_up(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path, tcp=[listen_line(V4_LOOPBACK, 11)], processes={60: ("holder", ["socket:[11]"])}
    )
    assert find_holder("127.0.0.1", 8090, proc=proc) == PortHolder(60, "holder")
    assert find_holder("127.0.0.1", 8090, proc=proc, budget=-1) is None


@little_endian
def test_the_name_falls_back_to_the_command_line_and_is_shown_safely(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path,
        tcp=[listen_line(V4_LOOPBACK, 11), listen_line("0100007F:1F9B", 12)],
        processes={60: ("", ["socket:[11]"]), 61: ("evil\x1b[2J\u202e", ["socket:[12]"])},
    )
    (tmp_path / "60" / "cmdline").write_bytes(b"/usr/local/bin/node\0server.js\0")
    assert find_holder("127.0.0.1", 8090, proc=proc) == PortHolder(60, "node")
    assert find_holder("127.0.0.1", 8091, proc=proc) == PortHolder(61, "evil\\x1b[2J\\u202e")


def test_describe() -> None:
    assert PortHolder(4242, "python3").describe() == "python3 (pid 4242)"
    assert PortHolder(4242, "").describe() == "pid 4242"


# -- hostile tables and tool output never raise ---------------------------------------------------

_ROW_TEXT = st.text(alphabet=st.sampled_from("0123456789ABCDEFabcdef:[]*.->% \n\tpcntfIPv46²x"), max_size=300)


@settings(max_examples=300, deadline=None)
@given(_ROW_TEXT)
def test_tool_output_never_raises(text: str) -> None:
    for asked in (LOOPBACK, ipaddress.ip_address("::")):
        parse_lsof(text, asked, 8090)
        parse_netstat(text, asked, 8090)
    parse_tasklist(text)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(_ROW_TEXT, max_size=5), fd=st.text(max_size=30).filter(lambda s: "\0" not in s and s))
def test_odd_tables_and_links_never_raise(
    tmp_path_factory: pytest.TempPathFactory, rows: list[str], fd: str
) -> None:
    root = tmp_path_factory.mktemp("proc")
    proc = fake_proc(root, tcp=[*rows, listen_line(V4_LOOPBACK, 11)], tcp6=rows, processes={5: ("x", [fd])})
    assert find_holder("127.0.0.1", 8090, proc=proc) in (None, PortHolder(5, "x"))
