"""Who holds a port on Linux: the socket tables and descriptor links of /proc, case by case.

Most cases are fake procfs trees in the kernel's own format (written as x86 prints
them). The time budget is driven by a stepped clock put in place of the module's
``time``: it reads exactly the deadline for a given number of looks (still in
budget) and past it afterwards, so where the search stops is exact.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import time
from pathlib import Path

import pytest
from porthold import fake_proc, linux_only, listen_line

import inspector.listen.holder as holder_module
from inspector.listen.holder import PortHolder, find_holder, holder_from_procfs, listening_inodes

LOOPBACK = ipaddress.ip_address("127.0.0.1")
little_endian = pytest.mark.skipif(sys.byteorder != "little", reason="table rows written as x86 prints them")

# the local addresses 127.0.0.1:8090, 127.0.0.1:8091, 0.0.0.0:8090 and [::1]:8090 in the tables' hex
V4_LOOPBACK, V4_NEXT_PORT, V4_ANY = "0100007F:1F9A", "0100007F:1F9B", "00000000:1F9A"
V6_LOOPBACK = "0" * 24 + "01000000:1F9A"

#: the deadline the stepped clock is measured against
DEADLINE = 5.0


class SteppedClock:
    """``monotonic()`` reads :data:`DEADLINE` for the first ``in_budget`` looks, then later."""

    def __init__(self, in_budget: int) -> None:
        self.in_budget = in_budget
        self.looks = 0

    def monotonic(self) -> float:
        self.looks += 1
        return DEADLINE if self.looks <= self.in_budget else DEADLINE + 5.0


def later(seconds: float = 30.0) -> float:
    return time.monotonic() + seconds


def step_clock(monkeypatch: pytest.MonkeyPatch, in_budget: int) -> SteppedClock:
    clock = SteppedClock(in_budget)
    monkeypatch.setattr(holder_module, "time", clock)
    return clock


def count_readlinks(monkeypatch: pytest.MonkeyPatch, fail_first: int = 0) -> list[str]:
    """Record every descriptor link read; the first ``fail_first`` reads fail as for a closed descriptor."""
    read: list[str] = []
    real = os.readlink

    def readlink(path: str) -> str:
        read.append(path)
        if len(read) <= fail_first:
            raise FileNotFoundError(path)
        return real(path)

    monkeypatch.setattr(os, "readlink", readlink)
    return read


# -- the real system, with the default /proc ---------------------------------------------------


@linux_only
def test_the_default_procfs_is_the_systems() -> None:
    with socket.create_server(("127.0.0.1", 0)) as ours:
        port = ours.getsockname()[1]
        inodes = listening_inodes(LOOPBACK, port, deadline=later())
        found = holder_from_procfs(LOOPBACK, port, deadline=later())
    assert list(inodes.values()) == [0]
    assert found is not None
    assert found.pid == os.getpid()


# -- the socket tables ----------------------------------------------------------------------------


@little_endian
def test_a_budget_spent_inside_a_table_keeps_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # three sockets share 127.0.0.1:8090 (SO_REUSEPORT) on table lines 100, 256 and 280 (0 is the
    # header); the clock is looked at on lines 0 and 256: in budget on line 0, past it on 256
    rows = [listen_line(V4_NEXT_PORT, 1000 + number) for number in range(1, 301)]
    for number in (100, 256, 280):
        rows[number - 1] = listen_line(V4_LOOPBACK, number)
    proc = fake_proc(tmp_path, tcp=rows, tcp6=[listen_line(V6_LOOPBACK, 7)])
    step_clock(monkeypatch, in_budget=1)
    assert listening_inodes(LOOPBACK, 8090, deadline=DEADLINE, proc=proc) == {100: 0}


@little_endian
def test_an_unreadable_table_does_not_hide_the_other(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, tcp=[listen_line(V4_LOOPBACK, 12)], tcp6=[listen_line(V6_LOOPBACK, 11)])
    (tmp_path / "net" / "tcp").unlink()
    ipv6_loopback = ipaddress.ip_address("::1")
    assert listening_inodes(ipv6_loopback, 8090, deadline=later(), proc=proc) == {11: 0}


@little_endian
def test_garbled_and_short_rows(tmp_path: Path) -> None:
    garbled_address = listen_line("0100007G:1F9A", 13)
    garbled_inode = listen_line(V4_LOOPBACK, 0).replace(" 0 1 0000", " 12x 1 0000")
    up_to_the_inode = " ".join(listen_line(V4_LOOPBACK, 11).split()[:10])  # the ten columns read
    up_to_the_uid = " ".join(listen_line(V4_LOOPBACK, 14).split()[:9])
    proc = fake_proc(
        tmp_path, tcp=[garbled_address, garbled_inode, up_to_the_uid, up_to_the_inode, garbled_address]
    )
    assert listening_inodes(LOOPBACK, 8090, deadline=later(), proc=proc) == {11: 0}


@little_endian
def test_a_table_is_ascii_and_other_bytes_are_no_digits(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, tcp=[])
    # a row whose inode is "11" in Arabic-Indic digits (int() would take them), then a real one
    foreign_digits = listen_line(V4_LOOPBACK, 99).replace(" 99 ", " \u0661\u0661 ").encode()
    real = listen_line(V4_NEXT_PORT, 12).encode()
    header = (tmp_path / "net" / "tcp").read_bytes()
    (tmp_path / "net" / "tcp").write_bytes(header + foreign_digits + b"\n\xff\xfe\n" + real + b"\n")
    assert listening_inodes(LOOPBACK, 8090, deadline=later(), proc=proc) == {}
    assert listening_inodes(LOOPBACK, 8091, deadline=later(), proc=proc) == {12: 0}


# -- the descriptors -----------------------------------------------------------------------------


def wildcard_beside_a_hidden_exact_match(
    root: Path, processes: dict[int, tuple[str, list[str] | None]]
) -> str:
    """Inode 11 listens on 127.0.0.1:8090 (its holder unseen); inode 12 on 0.0.0.0:8090."""
    return fake_proc(root, tcp=[listen_line(V4_LOOPBACK, 11), listen_line(V4_ANY, 12)], processes=processes)


@little_endian
def test_a_wildcard_holder_is_named_when_the_exact_one_is_hidden(tmp_path: Path) -> None:
    proc = wildcard_beside_a_hidden_exact_match(
        tmp_path, {9: ("theirs", None), 10: ("any4", ["/dev/null", "socket:[12]", "pipe:[40]"])}
    )
    assert holder_from_procfs(LOOPBACK, 8090, deadline=later(), proc=proc) == PortHolder(10, "any4")


@little_endian
def test_the_first_of_equally_good_holders_is_named(tmp_path: Path) -> None:
    proc = wildcard_beside_a_hidden_exact_match(
        tmp_path, {310: ("worker", ["socket:[12]"]), 31: ("master", ["socket:[12]"])}
    )
    assert holder_from_procfs(LOOPBACK, 8090, deadline=later(), proc=proc) == PortHolder(31, "master")


@little_endian
def test_other_sockets_and_pipes_do_not_make_a_holder(tmp_path: Path) -> None:
    # socket 99 does not listen; pipe 12345 ends in the digits of the listening socket 345
    proc = fake_proc(
        tmp_path,
        tcp=[listen_line(V4_LOOPBACK, 345)],
        processes={10: ("client", ["socket:[99]"]), 20: ("shell", ["pipe:[12345]", "socket:[345"])},
    )
    assert holder_from_procfs(LOOPBACK, 8090, deadline=later(), proc=proc) is None


@little_endian
def test_another_users_process_does_not_end_the_search(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path,
        tcp=[listen_line(V4_LOOPBACK, 11)],
        processes={5: ("theirs", None), 60: ("holder", ["socket:[11]"])},
    )
    assert holder_from_procfs(LOOPBACK, 8090, deadline=later(), proc=proc) == PortHolder(60, "holder")


@little_endian
def test_a_descriptor_closed_while_it_is_read_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = fake_proc(
        tmp_path, tcp=[listen_line(V4_LOOPBACK, 11)], processes={60: ("holder", ["socket:[11]"] * 2)}
    )
    read = count_readlinks(monkeypatch, fail_first=1)
    assert holder_from_procfs(LOOPBACK, 8090, deadline=later(), proc=proc) == PortHolder(60, "holder")
    assert len(read) == 2


@little_endian
def test_the_cap_names_the_best_holder_seen(tmp_path: Path) -> None:
    proc = wildcard_beside_a_hidden_exact_match(
        tmp_path,
        {10: ("any4", ["socket:[12]"]), 20: ("busy", ["pipe:[5]"] * 600), 30: ("exact", ["socket:[11]"])},
    )
    capped = holder_from_procfs(LOOPBACK, 8090, deadline=later(), max_fds=300, proc=proc)
    assert capped == PortHolder(10, "any4")
    assert find_holder("127.0.0.1", 8090, max_fds=300, proc=proc) == PortHolder(10, "any4")
    assert find_holder("127.0.0.1", 8090, proc=proc) == PortHolder(30, "exact")


# -- the time budget ------------------------------------------------------------------------------
# The clock is looked at on line 0 of each table (2 looks), before each process, and after every
# 256th descriptor.


@little_endian
def test_a_budget_spent_between_processes_names_the_best_so_far(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = wildcard_beside_a_hidden_exact_match(
        tmp_path, {10: ("any4", ["socket:[12]"]), 20: ("exact", ["socket:[11]"])}
    )
    assert holder_from_procfs(LOOPBACK, 8090, deadline=later(), proc=proc) == PortHolder(20, "exact")
    step_clock(monkeypatch, in_budget=3)  # both tables and process 10
    assert holder_from_procfs(LOOPBACK, 8090, deadline=DEADLINE, proc=proc) == PortHolder(10, "any4")


@little_endian
@pytest.mark.parametrize(("in_budget", "links_read"), [(3, 255), (4, 300)])
def test_a_budget_spent_inside_one_process_stops_its_descriptors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_budget: int, links_read: int
) -> None:
    # process 10 holds the wildcard socket on all of its 300 descriptors; the clock is looked at
    # before it (the third look) and at its 256th descriptor (the fourth)
    proc = wildcard_beside_a_hidden_exact_match(tmp_path, {10: ("any4", ["socket:[12]"] * 300)})
    read = count_readlinks(monkeypatch)
    step_clock(monkeypatch, in_budget=in_budget)
    assert holder_from_procfs(LOOPBACK, 8090, deadline=DEADLINE, proc=proc) == PortHolder(10, "any4")
    assert len(read) == links_read


# -- the process's name ----------------------------------------------------------------------------


def named(root: Path, comm: bytes | None, cmdline: bytes | None) -> PortHolder | None:
    """The holder of 127.0.0.1:8090 in a tree where process 60 has this comm and command line."""
    proc = fake_proc(root, tcp=[listen_line(V4_LOOPBACK, 11)], processes={60: ("", ["socket:[11]"])})
    comm_file = root / "60" / "comm"
    comm_file.unlink()
    if comm is not None:
        comm_file.write_bytes(comm)
    if cmdline is not None:
        (root / "60" / "cmdline").write_bytes(cmdline)
    return find_holder("127.0.0.1", 8090, proc=proc)


@little_endian
@pytest.mark.parametrize(
    ("comm", "cmdline", "name"),
    [
        (b"web worker \n", None, "web worker "),  # only the kernel's newline is cut
        (b"X\n", b"/usr/lib/xorg/Xorg\0:0\0", "X"),
        (b"caf\xe9\n", None, "caf\ufffd"),
        (None, b"/usr/bin/caf\xe9\0--serve\0", "caf\ufffd"),
        (None, None, ""),
        (None, b"/usr/bin/" + b"n" * 400 + b"\0", "n" * 64 + "\u2026"),
        # only the first 4096 bytes of the command line are read: here they end with a slash
        (None, b"/" + b"x" * 4094 + b"/node\0server.js\0", ""),
    ],
)
def test_the_name_comes_from_comm_then_the_command_line(
    tmp_path: Path, comm: bytes | None, cmdline: bytes | None, name: str
) -> None:
    assert named(tmp_path, comm, cmdline) == PortHolder(60, name)
