"""Start a headless command in a subprocess and talk to it (shared by the command-line tests)."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)\n")


@contextmanager
def headless(command: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> Iterator[int]:
    """Run ``command`` (a headless listener on 127.0.0.1 port 0) and yield its port.

    On leaving, SIGTERM stops it and its exit status must be 0.
    """
    with subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            first = proc.stderr.readline()
            found = LISTENING.fullmatch(first)
            assert found, f"first line {first!r}"
            rules = proc.stderr.readline()
            assert rules.startswith("rules: "), f"second line {rules!r}"
            yield int(found[1])
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
