"""Child process for test_kill: pours records into a store until it is killed.

Prints ``C <max_id>`` after each commit (from the writer thread, after COMMIT
returned) and ``A <id> <monotonic time>`` after each burst added, flushed at
once; after each burst it calls ``hold_back()`` as the recorder does once per
loop round. ``slow`` as the third argument makes the writer sleep a second
after each commit (a disk that cannot keep up).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time

from inspector.http.record import CaptureRecord, SentResponse
from inspector.store import BatchPolicy, CaptureStore

_out_lock = threading.Lock()


def say(line: str) -> None:
    with _out_lock:
        os.write(1, (line + "\n").encode())


class Slow:
    def history_committed(self, max_id: int, count: int) -> None:
        say(f"C {max_id}")
        time.sleep(1.0)

    def history_pruned(self, count: int) -> None:
        pass

    def problem(self, message: str) -> None:
        say(f"E {message}")


def main() -> None:
    path, cap = sys.argv[1], int(sys.argv[2])
    slow = sys.argv[3:] == ["slow"]
    policy = BatchPolicy(interval=0.02, max_wait=60.0 if slow else 1.0)
    store = CaptureStore(
        path,
        max_records=cap,
        policy=policy,
        on_commit=None if slow else lambda max_id, n: say(f"C {max_id}"),
        on_error=None if slow else lambda message: say(f"E {message}"),
    )
    if slow:
        store.add_observer(Slow())
    next_id = store.last_id + 1
    say(f"S {next_id} {policy.max_lag}")
    base = CaptureRecord(
        id=0, received_at=time.time(), client="127.0.0.1:1", server="127.0.0.1:2",
        method="POST", target="/k?x=1", path="/k", query=(("x", "1"),), http_version="1.1",
        headers=(("Host", "h"), ("X-A", "1")), body=b"\x00" * 64, body_size=64,
        raw_head=b"POST /k?x=1 HTTP/1.1\r\nHost: h\r\n\r\n",
        response=SentResponse(status=200, body=b"ok", duration_ms=0.5),
    )
    while True:
        for _ in range(200):
            store.add(dataclasses.replace(base, id=next_id, body=os.urandom(next_id % 300)))
            next_id += 1
        say(f"A {next_id - 1} {time.monotonic()}")
        store.hold_back()
        time.sleep(0.002)


if __name__ == "__main__":
    main()
