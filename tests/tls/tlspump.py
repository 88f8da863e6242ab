"""An in-memory TLS client (ssl.SSLObject on BIOs) talking to a TLSSession, with the bytes
between them cut into pieces the test chooses."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from inspector.tls.session import State, TLSSession

Cutter = Callable[[bytes], list[bytes]]


def whole(data: bytes) -> list[bytes]:
    return [data] if data else []


@dataclass
class Exchange:
    session: TLSSession
    client: ssl.SSLObject
    incoming: ssl.MemoryBIO
    outgoing: ssl.MemoryBIO
    client_error: ssl.SSLError | None = None
    plaintext: bytearray = field(default_factory=bytearray)  # what the session got
    client_wire: bytearray = field(default_factory=bytearray)  # every byte the client sent

    def to_server(self, cut: Cutter = whole) -> None:
        data = self.outgoing.read()
        self.client_wire += data
        for piece in cut(data):
            self.plaintext += self.session.receive_data(piece)

    def to_client(self) -> None:
        data = self.session.data_to_send()
        if data:
            self.incoming.write(data)

    def handshake(self, cut: Cutter = whole, rounds: int = 6) -> bool:
        for _ in range(rounds):
            try:
                self.client.do_handshake()
                self.to_server(cut)
                self.to_client()
                return True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as exc:
                self.client_error = exc
                self.to_server(cut)
                return False
            self.to_server(cut)
            self.to_client()
            if self.session.state is State.FAILED:
                try:
                    self.client.do_handshake()
                except ssl.SSLError as exc:
                    self.client_error = exc
                return False
        return False

    def send(self, data: bytes, cut: Cutter = whole) -> None:
        self.client.write(data)
        self.to_server(cut)

    def replies(self) -> Iterator[bytes]:
        self.to_client()
        while True:
            try:
                chunk = self.client.read(65536)
            except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                return
            if not chunk:
                return
            yield chunk


def connect(
    session: TLSSession,
    context: ssl.SSLContext,
    server_hostname: str | None = "localhost",
) -> Exchange:
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname=server_hostname)
    return Exchange(session, client, incoming, outgoing)


def client_context(
    cafile: str | None,
    *,
    alpn: list[str] | None = None,
    version: ssl.TLSVersion | None = None,
    certchain: tuple[str, str] | None = None,
) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()
    if alpn is not None:
        context.set_alpn_protocols(alpn)
    if version is not None:
        context.minimum_version = context.maximum_version = version
    if certchain is not None:
        context.load_cert_chain(*certchain)
    return context
