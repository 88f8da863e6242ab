"""Who holds a port where /proc has no socket table: lsof, netstat and tasklist, and how they are run.

The tools' output is canned (captured from Linux, macOS and Windows); which tools
exist is faked by putting a stand-in for ``shutil`` in the module, and ``_run``
itself is tried on real child processes.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import time
from pathlib import Path

import pytest
from porthold import fake_proc, linux_only, listen_line

import inspector.listen.holder as holder_module
from inspector.listen.holder import (
    PortHolder,
    _run,
    find_holder,
    holder_from_lsof,
    holder_from_netstat,
    parse_lsof,
    parse_netstat,
    parse_tasklist,
)

LOOPBACK = ipaddress.ip_address("127.0.0.1")
LSOF_ARGV = ["lsof", "-nP", "-iTCP:8090", "-sTCP:LISTEN", "-Fptcn", "+c0"]

# lsof -nP -iTCP:8090 -sTCP:LISTEN -Fptcn +c0, as lsof 4.95 prints it on Linux
LINUX_LSOF = "p27631\ncpython3\ntIPv4\nn127.0.0.1:8090\n"
LINUX_NETSTAT = """Active Internet connections (only servers)
Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name
tcp        0      0 0.0.0.0:2024            0.0.0.0:*               LISTEN      -
tcp        0      0 127.0.0.1:8090          0.0.0.0:*               LISTEN      27631/python
"""
WINDOWS_NETSTAT = """
Active Connections

  Proto  Local Address          Foreign Address        State           PID
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1052
  TCP    127.0.0.1:8090         0.0.0.0:0              LISTENING       4242
"""


def later(seconds: float = 30.0) -> float:
    return time.monotonic() + seconds


class Tools:
    """Stands in for ``shutil`` (which tools are installed) and for ``_run`` (their output)."""

    def __init__(self, installed: tuple[str, ...], outputs: dict[str, str | None]) -> None:
        self.installed = installed
        self.outputs = outputs
        self.calls: list[list[str]] = []

    def which(self, name: str) -> str | None:
        return f"/usr/bin/{name}" if name in self.installed else None

    def run(self, argv: list[str], deadline: float) -> str | None:
        self.calls.append(argv)
        assert deadline - time.monotonic() > 0  # a real deadline, in the future
        return self.outputs.get(argv[0])


def with_tools(monkeypatch: pytest.MonkeyPatch, *installed: str, **outputs: str | None) -> Tools:
    tools = Tools(installed, outputs)
    monkeypatch.setattr(holder_module, "shutil", tools)
    return tools


# -- find_holder picks the source ------------------------------------------------------------------


def test_without_a_socket_table_lsof_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "net").mkdir()  # a /proc without Linux's tcp table
    tools = with_tools(monkeypatch, "lsof", "netstat", lsof=LINUX_LSOF, netstat=LINUX_NETSTAT)
    assert find_holder("127.0.0.1", 8090, proc=str(tmp_path), run=tools.run) == PortHolder(27631, "python3")
    assert tools.calls == [LSOF_ARGV]


@pytest.mark.skipif(sys.platform == "win32", reason="netstat -tlnp is the Linux form")
def test_without_lsof_netstat_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = with_tools(monkeypatch, "netstat", lsof=LINUX_LSOF, netstat=LINUX_NETSTAT)
    assert find_holder("127.0.0.1", 8090, proc=str(tmp_path), run=tools.run) == PortHolder(27631, "python")
    assert tools.calls == [["netstat", "-tlnp"]]


def test_without_tools_nothing_is_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = with_tools(monkeypatch, lsof=LINUX_LSOF, netstat=LINUX_NETSTAT)
    assert find_holder("127.0.0.1", 8090, proc=str(tmp_path), run=tools.run) is None
    assert tools.calls == []


@linux_only
def test_on_linux_procfs_needs_no_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    with_tools(monkeypatch)
    with socket.create_server(("127.0.0.1", 0)) as ours:
        found = find_holder("127.0.0.1", ours.getsockname()[1])
    assert found is not None
    assert found.pid == os.getpid()


@pytest.mark.parametrize("port", [1, 65535])
def test_the_lowest_and_highest_ports_are_asked_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, port: int
) -> None:
    tools = with_tools(monkeypatch, "lsof", lsof=f"p42\ncinetd\ntIPv4\nn127.0.0.1:{port}\n")
    assert find_holder("127.0.0.1", port, proc=str(tmp_path), run=tools.run) == PortHolder(42, "inetd")


@pytest.mark.parametrize("port", [-1, 0, 65536, 70000])
def test_a_port_out_of_range_runs_no_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    tools = with_tools(monkeypatch, "lsof", "netstat", lsof=f"p42\ncinetd\ntIPv4\nn127.0.0.1:{port}\n")
    assert find_holder("127.0.0.1", port, proc=str(tmp_path), run=tools.run) is None
    assert tools.calls == []


@pytest.mark.skipif(sys.byteorder != "little", reason="table rows written as x86 prints them")
def test_a_host_name_is_resolved_as_bind_resolves_it(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path, tcp=[listen_line("0100007F:1F9A", 11)], processes={60: ("holder", ["socket:[11]"])}
    )
    assert find_holder("127.1", 8090, proc=proc) == PortHolder(60, "holder")  # inet_aton's short form


def test_a_failing_tool_is_logged_and_gives_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with_tools(monkeypatch, "lsof")

    def crash(argv: list[str], deadline: float) -> str | None:
        raise RuntimeError("lsof crashed")

    with caplog.at_level(logging.DEBUG, logger=holder_module.__name__):
        assert find_holder("127.0.0.1", 8090, proc=str(tmp_path), run=crash) is None
    [record] = [r for r in caplog.records if r.name == holder_module.__name__]
    assert record.levelno == logging.DEBUG
    assert record.getMessage() == "cannot tell who holds port 8090"
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError


# -- lsof ---------------------------------------------------------------------------------------------


def test_lsof_that_gives_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    tools = with_tools(monkeypatch, lsof=None)
    assert holder_from_lsof(LOOPBACK, 8090, deadline=later(), run=tools.run) is None
    tools.outputs["lsof"] = ""
    assert holder_from_lsof(LOOPBACK, 8090, deadline=later(), run=tools.run) is None


def test_a_long_name_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    tools = with_tools(monkeypatch, lsof="p42\nc" + "n" * 400 + "\ntIPv4\nn127.0.0.1:8090\n")
    found = holder_from_lsof(LOOPBACK, 8090, deadline=later(), run=tools.run)
    assert found == PortHolder(42, "n" * 64 + "\u2026")


def test_lsof_records() -> None:
    text = (
        "n127.0.0.1:8090\n"  # before any process: nobody's
        "pabc\nn127.0.0.1:8090\n"  # not a pid
        "p12\ntIPv4\nn127.0.0.1:8090->127.0.0.1:51000\n"  # no command name; a connection's local end
        "p13\ncnode\ntIPv4\nn*:8090\n"  # an IPv4 wildcard
        "p4000000000\ncbig\ntIPv4\nn127.0.0.1:8090\n"  # ten digits
        "p12345678901\nctoo big\ntIPv4\nn127.0.0.1:8090\n"
    )
    assert parse_lsof(text, LOOPBACK, 8090) == [(0, 12, ""), (1, 13, "node"), (0, 4000000000, "big")]


# -- netstat and tasklist ---------------------------------------------------------------------------


def test_a_port_shown_by_its_service_name_is_not_a_number() -> None:
    text = "tcp        0      0 127.0.0.1:tcpmux          0.0.0.0:*               LISTEN      42/inetd\n"
    assert parse_netstat(text, LOOPBACK, 1) == []


def test_windows_pids_have_up_to_ten_digits() -> None:
    text = (
        "  TCP    127.0.0.1:8090         0.0.0.0:0              LISTENING       4000000000\n"
        "  TCP    127.0.0.1:8090         0.0.0.0:0              LISTENING       12345678901\n"
    )
    assert parse_netstat(text, LOOPBACK, 8090) == [(0, 4000000000, "")]


def test_netstat_that_gives_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    tools = with_tools(monkeypatch, netstat=None)
    assert holder_from_netstat(LOOPBACK, 8090, deadline=later(), run=tools.run, windows=False) is None
    assert holder_from_netstat(LOOPBACK, 8090, deadline=later(), run=tools.run, windows=True) is None
    tools.outputs["netstat"] = WINDOWS_NETSTAT
    assert holder_from_netstat(LOOPBACK, 8091, deadline=later(), run=tools.run, windows=True) is None
    assert tools.calls == [["netstat", "-tlnp"], ["netstat", "-ano"], ["netstat", "-ano"]]


def test_linux_netstat_names_the_holder_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    tools = with_tools(monkeypatch, netstat=LINUX_NETSTAT, tasklist='"other.exe","27631"')
    found = holder_from_netstat(LOOPBACK, 8090, deadline=later(), run=tools.run, windows=False)
    assert found == PortHolder(27631, "python")
    assert tools.calls == [["netstat", "-tlnp"]]


@pytest.mark.parametrize(
    ("listed", "name"),
    [
        ('"python.exe","4242","Console","1","12,345 K"\r\n', "python.exe"),
        ('"' + "n" * 400 + '.exe","4242","Console","1","12,345 K"\r\n', "n" * 64 + "\u2026"),
        ("INFO: No tasks are running which match the specified criteria.\r\n", ""),
        (None, ""),
    ],
)
def test_windows_netstat_then_tasklist(
    monkeypatch: pytest.MonkeyPatch, listed: str | None, name: str
) -> None:
    tools = with_tools(monkeypatch, netstat=WINDOWS_NETSTAT, tasklist=listed)
    found = holder_from_netstat(LOOPBACK, 8090, deadline=later(), run=tools.run, windows=True)
    assert found == PortHolder(4242, name)
    assert tools.calls == [["netstat", "-ano"], ["tasklist", "/FI", "PID eq 4242", "/FO", "CSV", "/NH"]]


def test_tasklist_names_are_quoted() -> None:
    assert parse_tasklist('python.exe"') == ""
    assert parse_tasklist('"python.exe') == ""


# -- running a tool ----------------------------------------------------------------------------------


def python(script: str) -> list[str]:
    return [sys.executable, "-I", "-c", script]


def test_a_tool_runs_in_the_c_locale_and_its_output_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_HOLDER_PROBE", "kept")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    script = (
        "import os, sys\n"
        "shown = os.environ['LC_ALL'] + ' ' + os.environ['INSPECTOR_HOLDER_PROBE'] + ' '\n"
        "sys.stdout.buffer.write(shown.encode())\n"
        "sys.stdout.buffer.write(b'caf\\xe9')\n"
        "sys.exit(1)\n"  # lsof exits 1 when it finds nothing: the output still counts
    )
    assert _run(python(script), later()) == "C kept caf\ufffd"


def test_a_tool_does_not_read_our_input() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"typed")
    os.close(write_end)
    saved = os.dup(0)
    try:
        os.dup2(read_end, 0)
        out = _run(python("import sys; print(repr(sys.stdin.read()))"), later())
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(read_end)
    assert out == "''\n"


def test_a_tool_past_the_deadline_gets_a_moment_only() -> None:
    assert _run(python("import time; time.sleep(0.5); print('late')"), time.monotonic() - 10) is None


def test_a_missing_tool_gives_none(tmp_path: Path) -> None:
    assert _run([str(tmp_path / "no-such-tool")], later()) is None
