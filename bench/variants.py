"""What each part of recording costs: the listener with parts of ``on_record`` changed.

Usage::

    .venv/bin/python bench/variants.py [--duration 5] [--only NAME ...]

Each variant runs the real ``inspector.server.Server`` (loop, parser,
responder) in its own process and is driven by wrk with keep-alive (50
connections, 2 threads); only the record callback and, for ``batched``, the
order of writes within one loop round differ. This does not change the
project's code: it measures what a change there would buy before it is made.

Variants:

- ``app``            what ``run_headless`` does: store.add, JSONL write+flush,
                     stderr line with flush, per record.
- ``no-stderr``      as app without the stderr line.
- ``no-jsonl``       as app without JSONL.
- ``no-store``       as app without the SQLite store.
- ``batched``        as app, but JSONL and stderr are written into buffers and
                     flushed once per loop round, *before* that round's
                     responses are sent (sends are deferred to the end of the
                     round), so a client that has its answer still finds its
                     record in the JSONL file.
- ``batched-fastjson``  batched, plus a cheaper JSONL encoding
                     (``separators=(",", ":")``, ``check_circular=False``,
                     a cached ``datetime`` prefix for ``received_at``).
- ``gil-1ms``        app with ``sys.setswitchinterval(0.001)``.
- ``bare``           nothing recorded (the loop and parser alone).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PYTHON = REPO / ".venv" / "bin" / "python"

VARIANTS = (
    "app",
    "no-stderr",
    "no-jsonl",
    "no-store",
    "batched",
    "batched-fastjson",
    "gil-1ms",
    "bare",
)


# -- child: one variant -----------------------------------------------------------------


class _FlushingSelector:
    """Wraps the server's selector: runs ``before_select`` at the top of each round."""

    def __init__(self, inner: Any, before_select: Any) -> None:
        self._inner = inner
        self._before = before_select

    def select(self, timeout: float | None = None) -> Any:
        self._before()
        return self._inner.select(timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def serve(variant: str, tmp: Path) -> None:
    sys.path.insert(0, str(REPO))
    import signal
    import threading

    from inspector.headless import request_line
    from inspector.http.record import CaptureRecord, iso_utc
    from inspector.server import CallbackSink, Server
    from inspector.server import loop as loop_module
    from inspector.store import CaptureStore

    err = sys.stderr
    store = None if variant in ("no-store", "bare") else CaptureStore(str(tmp / "h.sqlite3"))
    jsonl = None if variant in ("no-jsonl", "bare") else open(tmp / "r.jsonl", "a", encoding="utf-8")  # noqa: SIM115 (closed at the end of the run)
    batched = variant.startswith("batched")
    if variant == "gil-1ms":
        sys.setswitchinterval(0.001)
    dumps = json.dumps
    if variant == "batched-fastjson":
        encoder = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))
        dumps = lambda obj, **_: encoder.encode(obj)  # noqa: E731
        cache: dict[int, str] = {}
        real_iso = iso_utc

        def fast_iso(timestamp: float) -> str:
            whole = int(timestamp)
            prefix = cache.get(whole)
            if prefix is None:
                cache.clear()
                prefix = cache[whole] = real_iso(whole)[:-8]  # 'YYYY-MM-DDTHH:MM:SS.'
            return f"{prefix}{int((timestamp - whole) * 1e6):06d}Z"

        import inspector.http.record as record_module

        record_module.iso_utc = fast_iso
    out_jsonl = io.StringIO() if batched else jsonl
    out_err = io.StringIO() if batched else err

    def on_record(record: CaptureRecord) -> None:
        if variant == "bare":
            return
        if store is not None:
            store.add(record)
        if out_jsonl is not None:
            out_jsonl.write(dumps(record.to_json(), ensure_ascii=False) + "\n")
            if not batched:
                out_jsonl.flush()
        if variant != "no-stderr":
            print(request_line(record), file=out_err, flush=not batched)

    server = Server("127.0.0.1", 0, sink=CallbackSink(on_record))

    if batched:
        pending: dict[int, Any] = {}
        real_flush = loop_module.Server._flush

        def deferred_flush(conn: Any) -> None:
            pending[id(conn)] = conn

        def drain_sinks() -> None:
            for buffer, sink in ((out_jsonl, jsonl), (out_err, err)):
                if buffer is not None and sink is not None and buffer.tell():
                    sink.write(buffer.getvalue())
                    sink.flush()
                    buffer.seek(0)
                    buffer.truncate()

        def end_of_round() -> None:
            while pending:
                drain_sinks()  # records on disk before their responses leave
                conns = list(pending.values())
                pending.clear()
                for conn in conns:
                    if conn.sock.fileno() >= 0:
                        real_flush(server, conn)
            drain_sinks()

        server._flush = deferred_flush  # type: ignore[method-assign]
        server._sel = _FlushingSelector(server._sel, end_of_round)  # type: ignore[assignment]

    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    print(f"listening on {server.url}", file=err, flush=True)
    worker = threading.Thread(target=server.serve_forever, name="listener")
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
    if store is not None:
        store.close()
    if jsonl is not None:
        jsonl.close()


# -- parent -----------------------------------------------------------------------------


def measure(variant: str, python: Path, duration: float) -> tuple[float, float | None, int]:
    tmp = Path(tempfile.mkdtemp(prefix=f"variant-{variant}-"))
    log = tmp / "stderr.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(python), __file__, "--serve", variant, "--tmp", str(tmp)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        port = None
        deadline = time.monotonic() + 20
        while port is None and time.monotonic() < deadline and proc.poll() is None:
            match = re.search(r"listening on http://[^\s]+:(\d+)", log.read_text(errors="replace"))
            port = int(match.group(1)) if match else None
            time.sleep(0.05)
        if port is None:
            raise RuntimeError(log.read_text(errors="replace")[-2000:])
        url = f"http://127.0.0.1:{port}/"
        subprocess.run(["wrk", "-t2", "-c50", "-d1s", url], capture_output=True, timeout=60)
        done = subprocess.run(
            ["wrk", "-t2", "-c50", f"-d{duration:g}s", "--latency", url],
            capture_output=True, text=True, timeout=duration + 60,
        )  # fmt: skip
    finally:
        proc.terminate()
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    records = 0
    with contextlib.suppress(OSError), open(tmp / "r.jsonl", "rb") as lines:
        records = sum(1 for _ in lines)
    for path in tmp.iterdir():
        path.unlink()
    tmp.rmdir()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
    match = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", done.stdout, re.M)
    p99 = None
    if match:
        p99 = float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
    return rps, p99, records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--only", action="append", choices=VARIANTS)
    parser.add_argument(
        "--python", type=Path, default=DEFAULT_PYTHON if DEFAULT_PYTHON.exists() else Path(sys.executable)
    )
    parser.add_argument("--serve", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.tmp)
        return 0
    print(f"keep-alive, wrk -t2 -c50 -d{args.duration:g}s; {os.cpu_count()} CPUs")
    print(f"{'variant':<18} {'req/s':>9} {'vs app':>7} {'p99 ms':>8} {'JSONL lines':>12}")
    base = None
    for variant in args.only or VARIANTS:
        rps, p99, records = measure(variant, args.python, args.duration)
        base = base or (rps if variant == "app" else None)
        ratio = f"{rps / base:.2f}x" if base else ""
        p99_text = f"{p99:.2f}" if p99 is not None else "-"
        print(f"{variant:<18} {rps:>9,.0f} {ratio:>7} {p99_text:>8} {records:>12,}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
