"""The ``hold_port`` fixture: a process of our own that holds a port (helpers in porthold.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from porthold import HOLD_SCRIPT, HOLDER_NAME, Held


@pytest.fixture
def hold_port(tmp_path: Path) -> Iterator[Callable[..., Held]]:
    """Start a process named :data:`HOLDER_NAME` that listens on ``host`` (port 0 = any)."""
    exe = tmp_path / HOLDER_NAME
    exe.symlink_to(sys.executable)
    started: list[subprocess.Popen[str]] = []

    def hold(host: str, port: int = 0) -> Held:
        proc = subprocess.Popen(
            [str(exe), "-I", "-c", HOLD_SCRIPT, host, str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip().isdigit(), f"the holder did not start (exit {proc.poll()})"
        return Held(host, int(line), proc.pid)

    yield hold
    for proc in started:
        proc.communicate(timeout=10)  # closes its stdin: it exits
        assert proc.returncode == 0
