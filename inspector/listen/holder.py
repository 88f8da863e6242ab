"""Who holds a port: the process listening where our bind failed, when the system lets us see it.

On Linux the kernel's socket tables say which socket listens on the port
(``/proc/net/tcp`` and ``tcp6``: local address, state ``0A`` = LISTEN, inode)
and each process's ``/proc/PID/fd`` links say whose it is (``socket:[inode]``).
Another user's process shows its socket but not its descriptors: the holder is
then unknown, and so it is in another PID namespace (a container). Elsewhere
``lsof`` (macOS, the BSDs) or ``netstat -ano`` and ``tasklist`` (Windows) say
the same when present.

Why not psutil: its ``net_connections()`` walks every descriptor of every
process with no way to stop early or in time, needs root on macOS (so lsof
is needed there anyway), and would add a compiled dependency for what is here
a hundred lines that stop at the first match.

The work is bounded: at most :data:`MAX_FDS` descriptor links are read and the
whole search gives up after :data:`TIME_BUDGET` seconds, so a machine with
50,000 open descriptors answers in time or says "unknown". Nothing here
raises: every failure is "unknown" (None).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from inspector.listen.overlap import IPAddress, as_ip, overlap
from inspector.text import visible

log = logging.getLogger(__name__)

#: how long the search may take in all (seconds)
TIME_BUDGET: Final = 1.0
#: the most descriptor links read (a busy server has tens of thousands)
MAX_FDS: Final = 200_000
#: how long a shown process name may be (Linux's own ``comm`` is 15 characters)
NAME_LIMIT: Final = 64
_LISTEN_STATE = "0A"  # TCP_LISTEN in /proc/net/tcp
_CHECK_EVERY = 256  # descriptors or table lines between looks at the clock

#: runs a command until a deadline; its standard output, or None
Runner = Callable[[list[str], float], str | None]


@dataclass(frozen=True, slots=True)
class PortHolder:
    """The process listening on a port; ``name`` is "" when only its pid is known."""

    pid: int
    name: str

    def describe(self) -> str:
        """``python3 (pid 4242)``; ``this Request Inspector (pid 4242)`` for our own process."""
        if self.pid == os.getpid():
            return f"this Request Inspector (pid {self.pid})"
        return f"{self.name} (pid {self.pid})" if self.name else f"pid {self.pid}"


def find_holder(
    host: str,
    port: int,
    *,
    budget: float = TIME_BUDGET,
    max_fds: int = MAX_FDS,
    proc: str = "/proc",
    run: Runner | None = None,
) -> PortHolder | None:
    """The process listening on ``port`` at an address that conflicts with ``host``.

    Args:
        host: the address our bind tried (an IP address; a host name is resolved).
        port: the port it tried.
        budget: seconds the search may take.
        max_fds: descriptor links read at most (Linux).
        proc: the procfs mount (tests give a fake tree).
        run: runs ``lsof``/``netstat``/``tasklist`` (tests give canned output).

    Returns:
        The holder, or None when it cannot be known (never raises).
    """
    deadline = time.monotonic() + budget
    try:
        ours = _resolve(host)
        if ours is None or not 0 < port < 65536:
            return None
        if os.path.exists(os.path.join(proc, "net", "tcp")):
            return holder_from_procfs(ours, port, deadline=deadline, max_fds=max_fds, proc=proc)
        run = run or _run
        if shutil.which("lsof"):
            return holder_from_lsof(ours, port, deadline=deadline, run=run)
        if shutil.which("netstat"):
            return holder_from_netstat(ours, port, deadline=deadline, run=run)
    except Exception:  # naming the holder is a courtesy: the bind error must still show
        log.debug("cannot tell who holds port %s", port, exc_info=True)
    return None


def _resolve(host: str) -> IPAddress | None:
    ip = as_ip(host)
    if ip is not None:
        return ip
    try:  # what bind itself resolved a moment ago
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError):
        return None
    return as_ip(str(infos[0][4][0])) if infos else None


def _number(text: str, default: int = 0) -> int:
    """A decimal number of ASCII digits (``str.isdigit`` also takes ``²``), else ``default``."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else default


# -- Linux: /proc ----------------------------------------------------------------


def _proc_address(hex_text: str) -> IPAddress:
    """An address as /proc/net/tcp{,6} prints it: 32-bit words in host byte order."""
    words = [int(hex_text[at : at + 8], 16) for at in range(0, len(hex_text), 8)]
    raw = struct.pack(f"={len(words)}I", *words)
    return ipaddress.ip_address(raw)


def listening_inodes(ours: IPAddress, port: int, *, deadline: float, proc: str = "/proc") -> dict[int, int]:
    """The inodes of sockets listening on ``port`` where they conflict with ``ours``, with their rank."""
    found: dict[int, int] = {}
    wanted = f":{port:04X}"
    for table in ("tcp", "tcp6"):
        try:
            handle = open(os.path.join(proc, "net", table), encoding="ascii", errors="replace")  # noqa: SIM115
        except OSError:
            continue
        with handle:
            for number, line in enumerate(handle):
                if number % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                    break
                fields = line.split()
                if len(fields) < 10 or fields[3] != _LISTEN_STATE or not fields[1].endswith(wanted):
                    continue
                try:
                    theirs = _proc_address(fields[1][: -len(wanted)])
                    inode = int(fields[9])
                except ValueError:
                    continue
                rank = overlap(ours, theirs)
                if rank is not None and inode and rank < found.get(inode, rank + 1):
                    found[inode] = rank
    return found


def holder_from_procfs(
    ours: IPAddress, port: int, *, deadline: float, max_fds: int = MAX_FDS, proc: str = "/proc"
) -> PortHolder | None:
    """Linux: the socket's inode from /proc/net, then the lowest pid with a descriptor on it."""
    inodes = listening_inodes(ours, port, deadline=deadline, proc=proc)
    if not inodes:
        return None
    best_possible = min(inodes.values())
    best: tuple[int, int] | None = None  # (rank, pid)
    looked = 0
    try:
        with os.scandir(proc) as listing:
            pids = sorted(filter(None, (_number(entry.name) for entry in listing)))
    except OSError:
        return None
    for pid in pids:  # ascending: a forked server's parent comes before its workers
        if time.monotonic() > deadline:
            break
        try:
            entries = os.scandir(os.path.join(proc, str(pid), "fd"))
        except OSError:  # gone, or another user's
            continue
        with entries:
            for entry in entries:
                looked += 1
                if looked > max_fds or (looked % _CHECK_EVERY == 0 and time.monotonic() > deadline):
                    return _holder(proc, best)
                try:
                    link = os.readlink(entry.path)
                except OSError:
                    continue
                if not link.startswith("socket:[") or not link.endswith("]"):
                    continue
                rank = inodes.get(_number(link[8:-1]))
                if rank is not None and (best is None or rank < best[0]):
                    best = (rank, pid)
                    if rank == best_possible:
                        return _holder(proc, best)
    return _holder(proc, best)


def _holder(proc: str, best: tuple[int, int] | None) -> PortHolder | None:
    if best is None:
        return None
    pid = best[1]
    return PortHolder(pid, _process_name(proc, pid))


def _process_name(proc: str, pid: int) -> str:
    """``comm`` (what ps shows), else the first word of the command line, else ""."""
    base = os.path.join(proc, str(pid))
    name = ""
    try:
        with open(os.path.join(base, "comm"), "rb") as handle:
            name = handle.read(NAME_LIMIT * 4).decode("utf-8", "replace").rstrip("\n")
    except OSError:
        pass
    if not name:
        try:
            with open(os.path.join(base, "cmdline"), "rb") as handle:
                first = handle.read(4096).split(b"\0", 1)[0]
            name = os.path.basename(first.decode("utf-8", "replace"))
        except OSError:
            pass
    return visible(name, NAME_LIMIT)


# -- elsewhere: lsof, netstat --------------------------------------------------------


def _run(argv: list[str], deadline: float) -> str | None:
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            timeout=max(0.05, deadline - time.monotonic()),
            check=False,
            env={**os.environ, "LC_ALL": "C"},
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace")


def _best(candidates: Iterable[tuple[int, int, str]]) -> PortHolder | None:
    """The candidate (rank, pid, name) of lowest rank, then lowest pid."""
    ranked = sorted(candidates)
    if not ranked:
        return None
    _, pid, name = ranked[0]
    return PortHolder(pid, visible(name, NAME_LIMIT))


def _split_hostport(text: str) -> tuple[IPAddress | None, int]:
    """``127.0.0.1:8090``, ``[::1]:8090``, ``:::8090`` (Linux netstat) -> (address, port)."""
    host, _, port = text.rpartition(":")
    return as_ip(host), _number(port, -1)


def parse_lsof(text: str, ours: IPAddress, port: int) -> list[tuple[int, int, str]]:
    """Candidates (rank, pid, name) in ``lsof -F ptcn`` output."""
    found: list[tuple[int, int, str]] = []
    pid, name, family = 0, "", ""
    for line in text.splitlines():
        field, value = line[:1], line[1:]
        if field == "p":
            pid, name, family = _number(value), "", ""
        elif field == "c":
            name = value
        elif field == "t":
            family = value
        elif field == "n" and pid:
            local = value.split("->", 1)[0]
            if local.startswith("*:"):
                local = ("[::]" if family == "IPv6" else "0.0.0.0") + local[1:]
            theirs, their_port = _split_hostport(local)
            rank = overlap(ours, theirs) if theirs is not None and their_port == port else None
            if rank is not None:
                found.append((rank, pid, name))
    return found


def holder_from_lsof(ours: IPAddress, port: int, *, deadline: float, run: Runner = _run) -> PortHolder | None:
    out = run(["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-Fptcn", "+c0"], deadline)
    return _best(parse_lsof(out, ours, port)) if out else None


def parse_netstat(text: str, ours: IPAddress, port: int) -> list[tuple[int, int, str]]:
    """Candidates (rank, pid, name) in ``netstat -tlnp`` (Linux) or ``netstat -ano`` (Windows) output."""
    found: list[tuple[int, int, str]] = []
    for line in text.splitlines():
        tokens = line.split()
        if len(tokens) == 7 and tokens[0] in ("tcp", "tcp6") and tokens[5] == "LISTEN":
            local, (pid_text, _, name) = tokens[3], tokens[6].partition("/")
        elif len(tokens) == 5 and tokens[0] == "TCP" and tokens[3] == "LISTENING":
            local, pid_text, name = tokens[1], tokens[4], ""
        else:
            continue
        theirs, their_port = _split_hostport(local)
        if theirs is None or their_port != port or not _number(pid_text):
            continue
        rank = overlap(ours, theirs)
        if rank is not None:
            found.append((rank, _number(pid_text), name))
    return found


def holder_from_netstat(
    ours: IPAddress,
    port: int,
    *,
    deadline: float,
    run: Runner = _run,
    windows: bool = sys.platform == "win32",
) -> PortHolder | None:
    """``netstat -tlnp`` (Linux: pid and name), ``netstat -ano`` then ``tasklist`` (Windows)."""
    out = run(["netstat", "-ano"] if windows else ["netstat", "-tlnp"], deadline)
    holder = _best(parse_netstat(out, ours, port)) if out else None
    if holder is not None and not holder.name and windows:
        listed = run(["tasklist", "/FI", f"PID eq {holder.pid}", "/FO", "CSV", "/NH"], deadline)
        name = parse_tasklist(listed or "")
        holder = PortHolder(holder.pid, visible(name, NAME_LIMIT)) if name else holder
    return holder


def parse_tasklist(text: str) -> str:
    """The image name in ``tasklist /FO CSV /NH`` output: ``"python.exe","4242",...``."""
    first = text.strip().split(",", 1)[0]
    return first[1:-1] if len(first) > 1 and first.startswith('"') and first.endswith('"') else ""
