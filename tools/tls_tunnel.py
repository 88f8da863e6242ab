#!/usr/bin/env python3
"""A TLS tunnel for tests and CI: plain TCP in on 127.0.0.1, TLS out to a listener.

    python tools/tls_tunnel.py --to 127.0.0.1:8090 --cafile CA_DIR/ca.pem [--port 0]

prints ``tunnel on 127.0.0.1:PORT`` once it listens, then serves until SIGINT or
SIGTERM. Each accepted connection gets its own TLS connection to ``--to``
(verified with ``--cafile``, SNI ``--server-name``, ALPN http/1.1) and its
bytes are carried both ways as they come, so a tool that speaks plain TCP
(the HTTP conformance corpus) can test the listener's HTTPS side unchanged.

Half-closes cross the tunnel: a client that ends its sending side makes the
tunnel send close_notify and end its TLS sending side; a listener that ends
its side (close_notify or EOF) half-closes the client's, after every byte it
sent. Only loopback addresses are accepted, on both ends. One thread per
connection: this is a test tool, not a server.
"""

from __future__ import annotations

import argparse
import ipaddress
import selectors
import signal
import socket
import ssl
import sys
import threading
import time
from types import FrameType

#: How long a client may go on sending after the listener ended its side.
DRAIN_SECONDS = 1.0
_CHUNK = 65536


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


class Link:
    """One client connection and its TLS connection to the listener."""

    def __init__(self, plain: socket.socket, raw: socket.socket, context: ssl.SSLContext, name: str) -> None:
        self.plain = plain
        self.raw = raw
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname=name)

    def run(self) -> None:
        try:
            if self._handshake():
                self._carry()
        except OSError:
            pass
        finally:
            self.plain.close()
            self.raw.close()

    def _flush(self) -> None:
        data = self.outgoing.read()
        if data:
            self.raw.sendall(data)

    def _handshake(self) -> bool:
        while True:
            try:
                self.tls.do_handshake()
                self._flush()
                return True
            except ssl.SSLWantReadError:
                self._flush()
                data = self.raw.recv(_CHUNK)
                if not data:
                    return False
                self.incoming.write(data)
            except ssl.SSLError as exc:
                print(f"tunnel: handshake failed: {exc}", file=sys.stderr, flush=True)
                return False

    def _carry(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.plain, selectors.EVENT_READ)
        selector.register(self.raw, selectors.EVENT_READ)
        drain_until: float | None = None
        while selector.get_map():
            timeout = None if drain_until is None else max(0.0, drain_until - time.monotonic())
            ready = selector.select(timeout)
            if not ready:
                return  # the client went on sending after the listener's end
            for key, _ in ready:
                if key.fileobj is self.plain:
                    data = self.plain.recv(_CHUNK)
                    if data and drain_until is None:
                        self.tls.write(data)
                    elif not data:
                        selector.unregister(self.plain)
                        if drain_until is None:
                            self._end_sending()
                        else:
                            return
                    self._flush()
                elif not self._from_listener(selector):
                    drain_until = time.monotonic() + DRAIN_SECONDS

    def _end_sending(self) -> None:
        """The client ended its side: close_notify, then end ours towards the listener."""
        try:
            self.tls.unwrap()
        except ssl.SSLError:
            pass  # SSLWantReadError: ours is sent; the listener's comes later or never
        self._flush()
        self.raw.shutdown(socket.SHUT_WR)

    def _from_listener(self, selector: selectors.BaseSelector) -> bool:
        """Carry what the listener sent; False once it ended its side."""
        data = self.raw.recv(_CHUNK)
        if data:
            self.incoming.write(data)
        else:
            self.incoming.write_eof()
        ended = not data
        while True:
            try:
                chunk = self.tls.read(_CHUNK)
            except ssl.SSLWantReadError:
                break
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                ended = True
                break
            if not chunk:
                ended = True
                break
            self.plain.sendall(chunk)
        self._flush()
        if ended:
            selector.unregister(self.raw)
            try:
                self.plain.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        return not ended


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--to", required=True, metavar="HOST:PORT", help="the listener (loopback)")
    parser.add_argument("--cafile", required=True, help="the CA certificate that verifies the listener")
    parser.add_argument("--server-name", default="localhost", help="SNI and the name verified (localhost)")
    parser.add_argument("--port", type=int, default=0, help="port to accept plain TCP on (0: any free)")
    args = parser.parse_args(argv)
    host, _, port = args.to.rpartition(":")
    host = host.strip("[]")
    if not _loopback(host):
        parser.error("--to must be a loopback address")
    context = ssl.create_default_context(cafile=args.cafile)
    context.set_alpn_protocols(["http/1.1"])
    listening = socket.create_server(("127.0.0.1", args.port))
    print(f"tunnel on 127.0.0.1:{listening.getsockname()[1]}", flush=True)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        listening.close()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        try:
            plain, _ = listening.accept()
        except OSError:
            return 0
        try:
            raw = socket.create_connection((host, int(port)), timeout=10)
        except OSError as exc:
            print(f"tunnel: cannot reach {args.to}: {exc}", file=sys.stderr, flush=True)
            plain.close()
            continue
        raw.settimeout(None)
        for sock in (plain, raw):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        link = Link(plain, raw, context, args.server_name)
        threading.Thread(target=link.run, name="tunnel", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
