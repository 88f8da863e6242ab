"""Sending a request again (Qt-free): a raw HTTP/1.1 client over one socket.

A raw socket rather than ``http.client.HTTPConnection.request`` so that header
fields go out in the order, case and number given (duplicates included) and
nothing is added but what HTTP framing needs:

- ``Host`` from the URL when the headers have none (first, as clients do);
- ``Content-Length`` set to the real body length (an edited body changes it),
  in its captured place or appended; ``Transfer-Encoding`` is dropped, because the captured body is already
  de-chunked and is sent in one piece.

A replay to this listener is marked with one header the user sees and can
untick, :data:`REPLAY_HEADER` (``X-Request-Inspector-Replay-Of: 12``): so the
capture of the replay says what it is, in the table, the store, the JSONL and
every export, without the listener having to guess from a client port that the
system may hand to another connection a moment later. The header is the only
addition, it is named for what it is, and the record shows it among the
headers: what the replay sent is what the capture shows.

The response is read with :class:`http.client.HTTPResponse` (Content-Length,
chunked, or until close), its body capped at :data:`MAX_RESPONSE_BODY`.
``http://`` and ``https://`` URLs: HTTPS verifies the server against the
system's trust store plus, when given, the local CA (``cafile``), so a replay
to this listener's HTTPS side is verified like any other.

A replay never hangs anything (docs/ARCHITECTURE.md, "Limits and deadlines"):
every socket call waits at most :data:`_SLICE` at a time, so :meth:`ReplayCall.cancel`
from another thread ends it within that; :data:`DEFAULT_TIMEOUT` without a byte
ends it; and the whole exchange (connect, send, read the answer) ends at
:data:`EXCHANGE_DEADLINE` even when a server trickles its answer forever.
"""

from __future__ import annotations

import errno
import http.client
import io
import os
import selectors
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Final, cast
from urllib.parse import urlsplit

from inspector.addresses import format_host
from inspector.http.record import Pairs

#: response bytes kept for display; the rest is read and dropped
MAX_RESPONSE_BODY: Final = 10 * 1024 * 1024
#: seconds without a byte (connecting, sending or reading) before giving up
DEFAULT_TIMEOUT: Final = 15.0
#: seconds the whole exchange may take, however the server paces its bytes
EXCHANGE_DEADLINE: Final = 60.0
#: the longest one socket call blocks before looking at cancel() and the clocks
_SLICE: Final = 0.1
_FRAMING = frozenset({"content-length", "transfer-encoding"})
#: the header that marks a request as a replay of the captured request #N
REPLAY_HEADER: Final = "X-Request-Inspector-Replay-Of"
#: the most digits read from a replay header (a client may send anything)
_MAX_ID_DIGITS: Final = 15


class ReplayError(Exception):
    """The request could not be sent or no response came back (one readable line)."""


class ReplayCancelled(ReplayError):
    """:meth:`ReplayCall.cancel` was called."""


class _IdleTimeout(Exception):
    """No byte within the idle timeout (kept apart from OSError on purpose)."""


class _DeadlinePassed(Exception):
    """The exchange deadline passed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayRequest:
    method: str
    url: str
    headers: Pairs = ()
    body: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayResponse:
    status: int
    reason: str
    http_version: str
    headers: Pairs = ()
    body: bytes = b""
    body_truncated: bool = False
    elapsed_ms: float = 0.0
    sent: bytes = field(default=b"", repr=False)


def _encode(text: str) -> bytes:
    """Request text back to bytes: Latin-1 when it fits (how the parser decoded
    targets and names), else UTF-8 keeping escaped bytes."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def replay_of(headers: Pairs) -> int | None:
    """The id in the first :data:`REPLAY_HEADER` of ``headers``, or None when there
    is none or its value is not a plain number (any client can send the header:
    it is shown as what the request says about itself)."""
    wanted = REPLAY_HEADER.lower()
    for name, value in headers:
        if name.lower() == wanted:
            text = value.strip()
            if text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS:
                return int(text)
            return None
    return None


def mark_replay(headers: Pairs, record_id: int) -> Pairs:
    """``headers`` with one :data:`REPLAY_HEADER` naming ``record_id``, last (a
    replay of a replay names the request it was made from, not the first one)."""
    wanted = REPLAY_HEADER.lower()
    kept = tuple((name, value) for name, value in headers if name.lower() != wanted)
    return (*kept, (REPLAY_HEADER, str(record_id)))


_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def split_url(url: str) -> tuple[str, int, str]:
    """``(host, port, request-target)`` of an ``http://`` or ``https://`` URL.

    Raises:
        ReplayError: not an http(s):// URL, or no host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ReplayError(f"not an http:// or https:// URL: {url.strip()[:200]!r}")
    if not parts.hostname:
        raise ReplayError("the URL has no host")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise ReplayError("the URL has an invalid port") from None
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.hostname, port, target


def build_request(request: ReplayRequest) -> bytes:
    """The bytes that :meth:`ReplayCall.run` writes."""
    host, port, target = split_url(request.url)
    method = request.method.strip() or "GET"
    if any(ch in method for ch in " \r\n\t") or any(ch in target for ch in " \r\n"):
        raise ReplayError("the method and URL must not contain spaces or line breaks")
    lines = [f"{method} {target} HTTP/1.1".encode("latin-1", "replace")]
    names = {name.lower() for name, _ in request.headers}
    if "host" not in names:
        authority = format_host(host)
        default = _DEFAULT_PORTS[urlsplit(request.url.strip()).scheme.lower()]
        lines.append(b"Host: " + _encode(authority if port == default else f"{authority}:{port}"))
    length = str(len(request.body)).encode("ascii")
    length_sent = False
    for name, value in request.headers:
        if any(ch in name + value for ch in "\r\n") or not name.strip():
            raise ReplayError(f"header {name[:60]!r} is not a valid header line")
        lowered = name.lower()
        if lowered in _FRAMING:
            if lowered == "content-length" and not length_sent:  # in place, corrected
                lines.append(_encode(name) + b": " + length)
                length_sent = True
            continue
        lines.append(_encode(name) + b": " + _encode(value))
    if not length_sent and (request.body or method.upper() in ("POST", "PUT", "PATCH")):
        lines.append(b"Content-Length: " + length)
    return b"\r\n".join(lines) + b"\r\n\r\n" + request.body


class ReplayCall:
    """One replay, cancellable from any thread.

    Args:
        request: what to send.
        timeout: seconds without progress before giving up.
        deadline: seconds the whole exchange may take.
        cafile: a CA certificate trusted for ``https://`` besides the system's
            (the local CA's ``ca.pem``, for this listener).
    """

    def __init__(
        self,
        request: ReplayRequest,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        deadline: float = EXCHANGE_DEADLINE,
        cafile: str | None = None,
    ) -> None:
        self.request = request
        self.timeout = timeout
        self.deadline = deadline
        self.cafile = cafile
        self._cancelled = threading.Event()
        self._ends = 0.0

    def cancel(self) -> None:
        """End the exchange within :data:`_SLICE` seconds (thread-safe)."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def run(self) -> ReplayResponse:
        """Connect, send and read the response (blocking).

        Raises:
            ReplayCancelled: :meth:`cancel` was called.
            ReplayError: bad URL, connection refused, timeout, deadline, or no
                valid response (one readable line).
        """
        request = self.request
        host, port, _target = split_url(request.url)
        data = build_request(request)
        where = f"{host}:{port}"
        started = time.perf_counter()
        self._ends = time.monotonic() + self.deadline
        try:
            with self._connect(host, port) as plain, self._secure(plain, host) as sock:
                self._send_all(sock, data)
                # HTTPResponse only calls makefile("rb") on what it is given
                readable = cast(socket.socket, _Readable(self, sock))
                response = http.client.HTTPResponse(readable, method=request.method.strip().upper() or "GET")
                try:
                    response.begin()
                    body = response.read(MAX_RESPONSE_BODY)
                    truncated = bool(response.read(1)) if not response.isclosed() else False
                finally:
                    response.close()
        except ReplayCancelled:
            raise
        except _DeadlinePassed:
            raise ReplayError(
                f"the exchange with {where} did not end within {self.deadline:g} s and was cut off"
            ) from None
        except _IdleTimeout:
            raise ReplayError(f"no response from {where} within {self.timeout:g} s") from None
        except http.client.HTTPException as exc:
            raise ReplayError(f"invalid response from {where}: {type(exc).__name__} {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            raise ReplayError(f"the certificate of {where} is not trusted: {exc.verify_message}") from None
        except ssl.SSLError as exc:
            raise ReplayError(f"TLS with {where} failed: {exc.reason or exc}") from None
        except OSError as exc:
            raise ReplayError(f"cannot reach {where}: {exc.strerror or exc}") from None
        elapsed = (time.perf_counter() - started) * 1000
        headers = tuple((str(name), str(value)) for name, value in response.getheaders())
        version = {10: "1.0", 11: "1.1"}.get(response.version, str(response.version))
        return ReplayResponse(
            status=response.status,
            reason=response.reason,
            http_version=version,
            headers=headers,
            body=body,
            body_truncated=truncated,
            elapsed_ms=elapsed,
            sent=data,
        )

    def idle_ends(self) -> float:
        """When the next wait for progress times out."""
        return time.monotonic() + self.timeout

    def wait_slice(self, idle_ends: float) -> float:
        """How long the next socket call may block; raises when cancelled, past
        the deadline or idle for too long."""
        if self._cancelled.is_set():
            raise ReplayCancelled("replay cancelled")
        now = time.monotonic()
        if now >= self._ends:
            raise _DeadlinePassed
        if now >= idle_ends:
            raise _IdleTimeout
        return max(0.001, min(_SLICE, self._ends - now, idle_ends - now))

    def _connect(self, host: str, port: int) -> socket.socket:
        # the resolver is not cancellable; for the loopback and numeric hosts
        # replay is meant for, it answers at once
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        error: OSError = OSError(f"no address for {host}")
        for family, kind, proto, _name, address in infos:
            sock = socket.socket(family, kind, proto)
            try:
                self._connect_one(sock, address)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            except BaseException:
                sock.close()
                raise
            return sock
        raise error

    def _secure(self, sock: socket.socket, host: str) -> socket.socket:
        """``sock`` itself for ``http://``; for ``https://`` a TLS socket whose handshake is done."""
        if urlsplit(self.request.url.strip()).scheme.lower() != "https":
            return sock
        context = ssl.create_default_context()
        if self.cafile:
            context.load_verify_locations(self.cafile)
        context.set_alpn_protocols(["http/1.1"])
        secure = context.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
        idle_ends = self.idle_ends()
        try:
            while True:
                secure.settimeout(self.wait_slice(idle_ends))
                try:
                    secure.do_handshake()
                    return secure
                except TimeoutError:
                    continue
        except BaseException:
            secure.close()
            raise

    def _connect_one(
        self, sock: socket.socket, address: tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]
    ) -> None:
        sock.setblocking(False)
        code = sock.connect_ex(address)
        if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
            raise OSError(code, os.strerror(code))
        idle_ends = self.idle_ends()
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_WRITE)
            while code != 0:
                if not selector.select(self.wait_slice(idle_ends)):
                    continue
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, os.strerror(code))

    def _send_all(self, sock: socket.socket, data: bytes) -> None:
        view = memoryview(data)
        idle_ends = self.idle_ends()
        while view:
            sock.settimeout(self.wait_slice(idle_ends))
            try:
                sent = sock.send(view)
            except TimeoutError:
                continue
            view = view[sent:]
            idle_ends = self.idle_ends()


class _Readable:
    """What :class:`http.client.HTTPResponse` reads from: ``makefile("rb")`` gives
    a buffered reader whose every ``recv`` waits in slices (see :class:`ReplayCall`)."""

    def __init__(self, call: ReplayCall, sock: socket.socket) -> None:
        self._call = call
        self._sock = sock

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_SlicedReader(self._call, self._sock))


class _SlicedReader(io.RawIOBase):
    def __init__(self, call: ReplayCall, sock: socket.socket) -> None:
        super().__init__()
        self._call = call
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        idle_ends = self._call.idle_ends()
        while True:
            self._sock.settimeout(self._call.wait_slice(idle_ends))
            try:
                return self._sock.recv_into(buffer)
            except TimeoutError:
                continue
