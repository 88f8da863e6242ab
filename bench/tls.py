"""What TLS costs the server loop: leaf issue time, handshake CPU, memory per idle connection.

    .venv/bin/python bench/tls.py [--handshakes 300] [--idle 500]

* Leaf issue: CPU time of ``LeafIssuer.issue`` alone, and of a new name end
  to end (``ServerContexts.for_name``: issue, write, new ``SSLContext``, load).
  CPU time, not wall time: the machine is shared, and the loop pays CPU.
* Handshake CPU: the server side only (``thread_time`` around the session's
  calls; the in-memory client's work is not counted), TLS 1.3 and 1.2, for a
  name whose leaf is cached and, for comparison, a new name each time.
* Memory per idle TLS connection: this process serves ``--idle`` real loopback
  connections that a child process opens and keeps open after the handshake;
  the growth of this process's resident memory divided by the count, beside
  the same for plain TCP connections held the same way, measured in the same run.

Prints one line per figure. Run ``uptime`` first: the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import os
import selectors
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inspector.tls.ca import load_or_create  # noqa: E402
from inspector.tls.contexts import ServerContexts  # noqa: E402
from inspector.tls.leaves import LeafIssuer  # noqa: E402
from inspector.tls.session import State, TLSSession  # noqa: E402

CLIENTS = """
import socket, ssl, sys, time
port, count, cafile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
context = ssl.create_default_context(cafile=cafile) if cafile else None
held = []
for _ in range(count):
    raw = socket.create_connection(("127.0.0.1", port))
    held.append(context.wrap_socket(raw, server_hostname="localhost") if context else raw)
print("ready", flush=True)
sys.stdin.readline()
"""


def rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"median {statistics.median(ordered) * 1000:.3f} ms, "
        f"p90 {ordered[int(len(ordered) * 0.9)] * 1000:.3f} ms (n={len(ordered)})"
    )


def leaf_figures(contexts: ServerContexts, issuer: LeafIssuer, count: int) -> None:
    issue = []
    for i in range(count):
        start = time.thread_time()
        issuer.issue(f"issue-{i}.example")
        issue.append(time.thread_time() - start)
    print(f"leaf issue CPU (LeafIssuer.issue):                 {ms(issue)}")
    new_name = []
    for i in range(count):
        start = time.thread_time()
        contexts.for_name(f"name-{i}.example", "127.0.0.1")
        new_name.append(time.thread_time() - start)
    print(f"new name CPU (issue + SSLContext + load):          {ms(new_name)}")


def server_handshake_cpu(contexts: ServerContexts, client: ssl.SSLContext, name: str) -> float:
    session = TLSSession(contexts, local_address="127.0.0.1")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    peer = client.wrap_bio(incoming, outgoing, server_hostname=name)
    spent = 0.0
    for _ in range(6):
        try:
            peer.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            done = False
        data = outgoing.read()
        if data:  # b"" would tell the session the client closed
            start = time.thread_time()
            session.receive_data(data)
            reply = session.data_to_send()
            spent += time.thread_time() - start
            incoming.write(reply)
        if done:
            break
    assert session.state is State.OPEN, session.failure
    return spent


def handshake_figures(contexts: ServerContexts, cafile: str, count: int) -> None:
    for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
        client = ssl.create_default_context(cafile=cafile)
        client.minimum_version = client.maximum_version = version
        server_handshake_cpu(contexts, client, "localhost")  # warm: the leaf is issued
        cached = [server_handshake_cpu(contexts, client, "localhost") for _ in range(count)]
        fresh = [
            server_handshake_cpu(contexts, client, f"h{i}-{version.name}.example") for i in range(count // 3)
        ]
        print(f"handshake CPU, server side, {version.name}, cached leaf: {ms(cached)}")
        print(f"handshake CPU, server side, {version.name}, new name:    {ms(fresh)}")


def idle_memory(contexts: ServerContexts, cafile: str | None, count: int) -> float:
    """Bytes of this process's memory per idle connection (TLS when ``cafile``, else plain TCP)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=count)
    listener.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    gc.collect()
    before = rss()
    child = subprocess.Popen(
        [sys.executable, "-c", CLIENTS, str(listener.getsockname()[1]), str(count), cafile or ""],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    held: dict[socket.socket, TLSSession | None] = {}
    opened = 0
    while opened < count or any(s is not None and s.state is State.HANDSHAKE for s in held.values()):
        for key, _ in selector.select(timeout=5):
            if key.fileobj is listener:
                while True:
                    try:
                        sock, _ = listener.accept()
                    except BlockingIOError:
                        break
                    sock.setblocking(False)
                    held[sock] = TLSSession(contexts, local_address="127.0.0.1") if cafile else None
                    opened += 1
                    if cafile:
                        selector.register(sock, selectors.EVENT_READ)
            else:
                sock = key.fileobj  # type: ignore[assignment]
                session = held[sock]  # type: ignore[index]
                assert session is not None
                session.receive_data(sock.recv(65536))  # type: ignore[union-attr]
                sock.sendall(session.data_to_send())  # type: ignore[union-attr]
                if session.state is not State.HANDSHAKE:
                    selector.unregister(sock)
    assert child.stdout.readline().strip() == "ready"
    gc.collect()
    grown = rss() - before
    child.stdin.write("done\n")
    child.stdin.flush()
    child.wait(30)
    for sock in held:
        sock.close()
    selector.close()
    listener.close()
    return grown / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--handshakes", type=int, default=300)
    parser.add_argument("--idle", type=int, default=500)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {ssl.OPENSSL_VERSION}, load {os.getloadavg()[0]:.2f}")
    ca = load_or_create(Path(tempfile.mkdtemp()) / "ca")
    cafile = str(ca.cert_path)
    contexts = ServerContexts(ca, max_names=100_000)
    leaf_figures(contexts, LeafIssuer(ca), args.handshakes)
    handshake_figures(contexts, cafile, args.handshakes)
    plain = idle_memory(contexts, None, args.idle)
    tls = idle_memory(contexts, cafile, args.idle)
    print(f"memory per idle connection, plain TCP socket:      {plain / 1024:.1f} KiB (n={args.idle})")
    print(f"memory per idle connection, TLS session + socket:  {tls / 1024:.1f} KiB (n={args.idle})")


if __name__ == "__main__":
    main()
