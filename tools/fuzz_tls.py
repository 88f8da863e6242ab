"""Coverage-guided fuzzing of the ClientHello reader, JA4 and the TLS session (atheris).

    .venv/bin/pip install atheris
    mkdir -p /tmp/fuzz-tls-corpus && cp tests/data/tls-hellos/*.bin /tmp/fuzz-tls-corpus/
    PYTHONPATH=. .venv/bin/python tools/fuzz_tls.py -max_total_time=600 /tmp/fuzz-tls-corpus

Each input is the first bytes of one connection whose first byte is replaced
by 0x16 (so a captured ClientHello is a seed as it is), cut at two points
taken from that first byte. The target checks what the tests
promise for any input:

* the reader answers None, a ClientHello or ClientHelloError, never another
  exception, and the same whether fed whole or in the fuzzer's pieces;
* a ClientHello used no more bytes than it was given, and its JA4 has the
  specification's shape (``t`` + 9 characters, two 12-digit hex hashes);
* a TLSSession fed the same pieces raises nothing, lets no exception out of
  ssl's callbacks (CPython would print it as "Exception ignored"), and a
  failed handshake's reason starts ``TLS handshake failed:``.

A crash writes its input to ``crash-*``: keep it in
``tests/data/tls-fuzz-regressions/`` (tests/tls/test_fuzz_tls_regressions.py
replays those and the seeds through :func:`check`).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

from inspector.tls.ca import load_or_create
from inspector.tls.contexts import ServerContexts
from inspector.tls.hello import ClientHello, ClientHelloError, ClientHelloReader
from inspector.tls.ja4 import ja4
from inspector.tls.session import State, TLSSession

HEX = frozenset("0123456789abcdef")
_CONTEXTS: list[ServerContexts] = []
_UNRAISABLE: list[BaseException | None] = []


def _contexts() -> ServerContexts:
    if not _CONTEXTS:
        _CONTEXTS.append(ServerContexts(load_or_create(Path(tempfile.mkdtemp()) / "ca")))
    return _CONTEXTS[0]


def outcome(pieces: list[bytes]) -> ClientHello | str | None:
    """The reader's answer to ``pieces``: None, the ClientHello, or its error's reason."""
    reader = ClientHelloReader()
    result: ClientHello | None = None
    try:
        for piece in pieces:
            result = reader.feed(piece)
    except ClientHelloError as exc:
        return exc.reason
    return result


def check(data: bytes) -> None:
    """The properties above, for one input."""
    if len(data) < 2:
        return
    stream = b"\x16" + data[1:]
    cuts = sorted({data[0] % len(stream) + 1, data[0] * 37 % len(stream) + 1})
    bounds = [0, *[c for c in cuts if c < len(stream)], len(stream)]
    pieces = [stream[i:j] for i, j in itertools.pairwise(bounds)]
    whole = outcome([stream])
    if outcome(pieces) != whole:
        raise AssertionError(f"split changed the answer: {whole!r} vs {outcome(pieces)!r}")
    if isinstance(whole, ClientHello):
        if whole.wire_length > len(stream):
            raise AssertionError("the hello used more bytes than it was given")
        a, b, c = ja4(whole).split("_")
        if len(a) != 10 or a[0] != "t" or len(b) != 12 or len(c) != 12 or not HEX.issuperset(b + c):
            raise AssertionError(f"JA4 of the wrong shape: {ja4(whole)}")
    session = TLSSession(_contexts(), local_address="127.0.0.1")
    for piece in [*pieces, b""]:
        session.receive_data(piece)
        session.data_to_send()
    if _UNRAISABLE:
        raise AssertionError(f"an exception escaped into ssl: {_UNRAISABLE.pop()!r}")
    if session.state is State.FAILED and not (session.failure or "").startswith("TLS handshake failed: "):
        raise AssertionError(f"a failure without the prefix: {session.failure!r}")
    session.facts()


def main() -> None:
    import atheris  # only the fuzzer needs it

    _contexts()
    sys.unraisablehook = lambda hook_args: _UNRAISABLE.append(hook_args.exc_value)
    atheris.instrument_all()
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
