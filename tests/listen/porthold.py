"""Helpers for the listener tests: a process of our own that holds a port, fake procfs trees."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

#: the name the holding process runs under (its ``comm``): the symlink we start it through
HOLDER_NAME = "portholder"

HOLD_SCRIPT = """
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
sock.bind((host, port))
sock.listen()
print(sock.getsockname()[1], flush=True)
sys.stdin.read()
"""


linux_only = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="needs Linux's procfs")


@dataclass(frozen=True)
class Held:
    """A port held by a process we started: its pid differs from the test's own."""

    host: str
    port: int
    pid: int


def listen_line(local: str, inode: int) -> str:
    """A LISTEN row as /proc/net/tcp{,6} prints it (``local`` in the kernel's hex form)."""
    remote = "0" * (len(local) - 5) + ":0000"
    return (
        f"   0: {local} {remote} 0A 00000000:00000000 00:00000000 00000000  1000        0 {inode} 1 "
        "0000000000000000 100 0 0 10 0"
    )


def fake_proc(
    root: Path,
    tcp: Sequence[str],
    tcp6: Sequence[str] = (),
    processes: Mapping[int, tuple[str, Sequence[str] | None]] | None = None,
) -> str:
    """A procfs tree: the two tables and, per pid, ``(comm, fd link targets)``.

    Links None: no ``fd`` folder can be read, as for another user's process.
    """
    net = root / "net"
    net.mkdir(parents=True)
    header = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
    )
    header += "\n"
    (net / "tcp").write_text(header + "".join(line + "\n" for line in tcp))
    (net / "tcp6").write_text(header + "".join(line + "\n" for line in tcp6))
    for pid, (comm, links) in (processes or {}).items():
        base = root / str(pid)
        base.mkdir()
        (base / "comm").write_text(comm + "\n")
        if links is None:
            continue
        (base / "fd").mkdir()
        for number, target in enumerate(links):
            os.symlink(target, base / "fd" / str(number))
    return str(root)
