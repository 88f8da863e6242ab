"""A sans-IO TLS server session: socket bytes in, plaintext out, and back (RFC 8446).

Strategy. Like the HTTP parser, a :class:`TLSSession` never touches a socket
or a clock: the caller feeds the bytes it received (``b""`` at end of input)
and gets the plaintext they carried, passes plaintext to :meth:`send`, and
sends whatever :meth:`data_to_send` returns. Underneath, ``ssl.SSLObject`` on
two ``ssl.MemoryBIO`` s does the TLS work (docs/ARCHITECTURE.md, "The capture
path").

The ClientHello is read by our own parser first (:mod:`inspector.tls.hello`),
so the session knows what the client said (SNI, ALPN, JA4) even when the
handshake fails, and a malformed hello gets our reason rather than OpenSSL's.
``ssl`` is asked to do the handshake only once the hello is whole, on the
context of the name it asked for. With ``defer_new_names`` a session whose
name has no context yet stops there (:attr:`TLSSession.needed_name`) until
the caller has had it made (``ServerContexts.prepare``, off the server loop)
and calls :meth:`TLSSession.resume`. With ``defer_flight`` it stops again
before the server's first flight (key exchange, certificate, signature: the
costly step of a handshake; :attr:`TLSSession.flight_due`) until the caller
runs :meth:`TLSSession.flight`, on another thread if it likes, as long as no
other thread touches the session meanwhile.

A failed handshake leaves :attr:`failure` set to one line starting
``TLS handshake failed:``; the alert the client may need is in
:meth:`data_to_send`, and the session takes no more bytes.
"""

from __future__ import annotations

import enum
import hashlib
import ssl

from cryptography import x509

from inspector.http.record import ClientCert, TLSFacts
from inspector.tls.contexts import ServerContexts
from inspector.tls.hello import ClientHello, ClientHelloError, ClientHelloReader
from inspector.tls.ja4 import ja4
from inspector.tls.reasons import PREFIX, handshake_failure

#: Plaintext taken from ``ssl`` per read call; a record carries at most 16 KiB.
READ_SIZE = 16 * 1024


class State(enum.Enum):
    HANDSHAKE = "handshake"
    OPEN = "open"  # handshake done; application data flows
    CLOSED = "closed"  # the client sent close_notify or its end of input; we may still send
    FAILED = "failed"  # the handshake failed: see TLSSession.failure


__all__ = ["ClientCert", "State", "TLSFacts", "TLSSession"]


class TLSSession:
    """The server side of one TLS connection, without I/O."""

    def __init__(
        self,
        contexts: ServerContexts,
        *,
        local_address: str,
        defer_new_names: bool = False,
        defer_flight: bool = False,
    ) -> None:
        """Args:
        contexts: where leaves come from.
        local_address: the connection's local IP, named by the leaf of a client without SNI.
        defer_new_names: wait (:attr:`needed_name`) rather than make a missing context.
        defer_flight: wait (:attr:`flight_due`) rather than make the first flight.
        """
        self._contexts = contexts
        self._local_address = local_address
        self._defer = defer_new_names
        self._defer_flight = defer_flight
        self._flown = False  # the first flight was made (or is not deferred)
        #: the hello is whole and its context ready: :meth:`flight` makes the server's first flight
        self.flight_due = False
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._ssl: ssl.SSLObject | None = None
        #: the canonical name whose context must be made before the handshake goes on
        self.needed_name: str | None = None
        self._reader: ClientHelloReader | None = ClientHelloReader()
        self.state = State.HANDSHAKE
        self.hello: ClientHello | None = None
        self.hello_error: str | None = None
        self.failure: str | None = None
        self._facts: TLSFacts | None = None
        self._ja4: str | None = None  # the hello's fingerprint, once worked out
        self._close_sent = False

    # -- bytes from the socket -------------------------------------------------

    def receive_data(self, data: bytes) -> bytes:
        """Take bytes from the socket (``b""``: the client ended its side); return the plaintext.

        After the handshake fails or the client closes, further bytes are ignored.
        """
        if self.state in (State.FAILED, State.CLOSED):
            return b""
        if data:
            self._incoming.write(data)
        else:
            self._incoming.write_eof()
            if self.needed_name is not None or self.flight_due:
                self.flight_due = False
                self._fail(PREFIX + "the client closed the connection during the handshake")
                return b""
        if self.state is State.HANDSHAKE:
            if self._reader is not None and not self._read_hello(data):
                return b""
            return self.resume()
        return self._read_plaintext()

    def resume(self) -> bytes:
        """Go on with the handshake (after :attr:`needed_name`'s context was made); the plaintext."""
        if self.state is not State.HANDSHAKE or self._reader is not None:
            return b""
        if self._ssl is None and not self._start():
            return b""
        if self._defer_flight and not self._flown:
            self.flight_due = True
            return b""
        if not self._handshake():
            return b""
        return self._read_plaintext()

    def flight(self) -> None:
        """Make the server's first flight (after :attr:`flight_due`; any thread, one at a time).

        No plaintext can come with it: the client needs this flight before it can send any.
        Its bytes are in :meth:`data_to_send`; a failure sets :attr:`failure`.
        """
        self.flight_due = False
        self._flown = True
        self._fingerprint()  # here rather than on the caller's thread when the handshake ends
        if self.state is State.HANDSHAKE and self._ssl is not None:
            self._handshake()

    def _start(self) -> bool:
        """Wrap the BIOs on the context of the name the hello asked for; False if it must wait."""
        assert self.hello is not None
        sni = self.hello.server_name  # ASCII: _read_hello refused any other
        try:
            name = self._contexts.name_for(None if sni is None else sni.decode("ascii"), self._local_address)
        except ValueError as exc:
            self._fail(PREFIX + str(exc))
            return False
        if self._defer and not self._contexts.ready(name):
            self.needed_name = name
            return False
        self.needed_name = None
        self._ssl = self._contexts.wrap(self._incoming, self._outgoing, self._local_address, name)
        return True

    def _read_hello(self, data: bytes) -> bool:
        """Feed our ClientHello reader; False while it needs more or after it failed."""
        assert self._reader is not None
        try:
            self.hello = self._reader.feed(data)
        except ClientHelloError as exc:
            self.hello_error = exc.reason
            self._fail(f"TLS handshake failed: {exc.reason}")
            return False
        if self.hello is None:
            if not data:
                self._fail(
                    "TLS handshake failed: the client closed the connection before its ClientHello ended"
                )
            return False
        self._reader = None
        name = self.hello.server_name
        if name is not None and not name.isascii():
            # CPython would fail to decode it in the SNI callback, print a traceback
            # and end the handshake with internal_error: say what is wrong instead.
            self._fail(
                "TLS handshake failed: the server name the client sent (SNI) is not ASCII; "
                "TLS wants IDNA A-labels (xn--…)"
            )
            return False
        return True

    def _handshake(self) -> bool:
        assert self._ssl is not None
        try:
            self._ssl.do_handshake()
        except ssl.SSLWantReadError:
            return False
        except ssl.SSLError as exc:
            self._fail(handshake_failure(exc, self.hello))
            return False
        self.state = State.OPEN
        cipher = self._ssl.cipher()
        # Taken now: after a close_notify, SSLObject answers None for the version.
        self._facts = self._hello_facts(
            version=self._ssl.version(),
            cipher=cipher[0] if cipher else None,
            alpn=self._ssl.selected_alpn_protocol(),
            client_cert=_client_cert(self._ssl.getpeercert(binary_form=True)),
        )
        return True

    def _read_plaintext(self) -> bytes:
        assert self._ssl is not None
        chunks: list[bytes] = []
        while True:
            try:
                chunk = self._ssl.read(READ_SIZE)
            except ssl.SSLWantReadError:
                break
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                self.state = State.CLOSED  # close_notify, or end of input without one
                break
            except ssl.SSLError:
                self.state = State.CLOSED  # a bad record or an alert after the handshake
                break
            if not chunk:
                self.state = State.CLOSED
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def _fail(self, reason: str) -> None:
        self.state = State.FAILED
        self.failure = reason

    def fail(self, why: str) -> None:
        """End a handshake still going on for a reason found outside (a deadline, a size)."""
        if self.state is State.HANDSHAKE:
            self.needed_name = None
            self.flight_due = False
            self._fail(PREFIX + why)

    # -- bytes to the socket ---------------------------------------------------

    def send(self, plaintext: bytes) -> None:
        """Encrypt ``plaintext`` for the client, once the handshake is done.

        Also after the client closed its side (close_notify or end of input),
        as with a TCP half-close: its last requests still get their answers.

        Raises:
            RuntimeError: the handshake is not done, or :meth:`close` was called.
        """
        if not self.handshake_done or self._close_sent:
            raise RuntimeError(f"cannot send application data in state {self.state.value}")
        assert self._ssl is not None
        view = memoryview(plaintext)
        while view:
            written = self._ssl.write(view)
            view = view[written:]

    def close(self) -> None:
        """Queue a close_notify alert (once); the caller sends it and closes the socket."""
        if self._close_sent or self.state is State.FAILED:
            return
        self._close_sent = True
        if self.state is State.HANDSHAKE or self._ssl is None:
            return
        try:
            self._ssl.unwrap()
        except ssl.SSLError:
            pass  # SSLWantReadError: our close_notify is queued; we do not wait for the client's

    def data_to_send(self) -> bytes:
        """Bytes the socket should send now (handshake messages, records, alerts)."""
        return self._outgoing.read()

    # -- what the record gets --------------------------------------------------

    @property
    def handshake_done(self) -> bool:
        return self._facts is not None

    def facts(self) -> TLSFacts:
        """The record's ``tls`` value: the ClientHello's word and, after the handshake, its outcome."""
        return self._facts if self._facts is not None else self._hello_facts()

    def _fingerprint(self) -> str | None:
        """The JA4 fingerprint of the hello (None before it is whole), worked out once."""
        if self._ja4 is None and self.hello is not None:
            self._ja4 = ja4(self.hello)
        return self._ja4

    def _hello_facts(
        self,
        *,
        version: str | None = None,
        cipher: str | None = None,
        alpn: str | None = None,
        client_cert: ClientCert | None = None,
    ) -> TLSFacts:
        hello = self.hello
        return TLSFacts(
            version=version,
            cipher=cipher,
            sni=hello.sni if hello else None,
            alpn_offered=hello.alpn_offered if hello else (),
            alpn=alpn,
            ja4=self._fingerprint(),
            client_cert=client_cert,
        )


def _client_cert(der: bytes | None) -> ClientCert | None:
    if not der:
        return None
    try:
        subject = x509.load_der_x509_certificate(der).subject.rfc4514_string()
    except ValueError:
        subject = ""
    return ClientCert(subject=subject, sha256=hashlib.sha256(der).hexdigest())
