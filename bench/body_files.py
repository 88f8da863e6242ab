"""What a 10 MiB ``body_file`` costs the listener's one loop thread, per request.

    python bench/body_files.py [--size-mib 10] [--rounds 20]

Prints, as medians over ``--rounds``, the time the loop would spend on a
request answered from a body file in three cases, and beside them the plain
read and serialisation they are made of:

- kept: the file is unchanged since it was read (one ``stat``; the same
  ``Response`` object, so ``serialise`` reuses its bytes too);
- changed: the file changed since, so the loop reads it again;
- read afresh per request (what a responder without the cache would do).

Run ``uptime`` first and note the load: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.http.record import CaptureRecord
from inspector.http.response import serialise
from inspector.responses import Answer, Responder, Rule, RuleSet
from inspector.responses.files import BodyFiles

RECORD = CaptureRecord(
    id=1, received_at=0.0, client="127.0.0.1:1", server="127.0.0.1:2", method="GET",
    target="/file", path="/file", http_version="1.1", headers=(("Host", "x"),),
)  # fmt: skip


def median_ms(work: Callable[[], object], rounds: int, before: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(rounds):
        if before is not None:
            before()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    size = options.size_mib * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "payload.bin"
        path.write_bytes(os.urandom(size))
        rule = Rule(name="file").with_answers((Answer(body_file="payload.bin"),))
        responder = Responder(RuleSet(rules=(rule,), folder=folder))

        def answer_and_serialise() -> None:
            serialise(responder(RECORD), method="GET", keep_alive=True)

        answer_and_serialise()  # warm: the file is kept
        kept = median_ms(answer_and_serialise, options.rounds * 10)

        def touch() -> None:
            stamp = time.time_ns()
            os.utime(path, ns=(stamp, stamp))

        changed = median_ms(answer_and_serialise, options.rounds, touch)
        plain_read = median_ms(path.read_bytes, options.rounds)
        uncached = median_ms(lambda: BodyFiles().read(path), options.rounds)
        data = path.read_bytes()
        concat = median_ms(lambda: b"HTTP/1.1 200 OK\r\n\r\n" + data, options.rounds)
    mib = options.size_mib
    print(f"body file of {mib} MiB, medians of the loop thread's time per request:")
    print(f"  kept (unchanged file: stat, same Response, serialised bytes reused) {kept:8.3f} ms")
    print(f"  changed since last request (read again and serialised)              {changed:8.3f} ms")
    print(f"  read afresh per request (no cache)                                  {uncached:8.3f} ms")
    print(f"  of which: Path.read_bytes {plain_read:.3f} ms, head + body concatenation {concat:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
