"""Server-side ``ssl.SSLContext`` objects, one per name a client asked for, cached (RFC 6066 §3).

Strategy. Python's ``ssl`` loads a certificate only into a context and only
from a file, so each name gets its own context: its leaf is issued
(:mod:`inspector.tls.leaves`), written with the leaf key to a private
temporary file (mode 0600), loaded and the file removed at once. A session
starts on the context of the connection's local address and its SNI callback
moves it to the context of the name the client sent.

Settings every context shares: TLS 1.2 and 1.3 only; ALPN offers ``http/1.1``
alone (a client offering only ``h2`` goes on without ALPN); no renegotiation
(a client could make the loop do a handshake's work again and again); and a
client certificate is asked for, never required. Python's ``ssl`` has no
verify callback, so a certificate the client does send must verify against
the trust we give it, or the handshake fails: we trust the local CA, so a
client may present a certificate issued by it and it is recorded; any other
one fails with a reason saying exactly this (see
:mod:`inspector.tls.session`). Clients only send one when the user set them
up to, and the alternative, asking for none, would make the record's
``client_cert`` always empty.

Making a context costs 2-9 ms (OpenSSL's context setup and loading the
chain dominate), paid once per name: the cache keeps the MAX_NAMES most
recently used, and replaces a leaf that nears its end. The server loop does
not pay it: a session may wait for a name's context (:meth:`ready`) while
another thread makes it (:meth:`prepare`; inspector/server/tls_link.py), so
the cache is shared under a lock.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import threading
import weakref
from collections import OrderedDict
from pathlib import Path

from inspector.tls.ca import CAError, LocalCA, load_or_create
from inspector.tls.leaves import RENEW_BEFORE, Leaf, LeafIssuer, leaf_name

#: Names whose context is kept. Each costs ~15 KiB; a client inventing a new
#: SNI name per connection costs ~2 ms each, and the least recently used go.
MAX_NAMES = 256
ALPN = ("http/1.1",)


class ServerContexts:
    """One server ``SSLContext`` per canonical name, issued on first use and cached (LRU)."""

    def __init__(
        self,
        ca: LocalCA,
        *,
        issuer: LeafIssuer | None = None,
        max_names: int = MAX_NAMES,
        request_client_cert: bool = True,
    ) -> None:
        self._ca_pem = ca.cert_pem.decode("ascii")
        #: the CA certificate clients must trust (``ca.pem``)
        self.ca_path = ca.cert_path
        self._issuer = issuer or LeafIssuer(ca)
        self._max_names = max_names
        self._request_client_cert = request_client_cert
        self._cache: OrderedDict[str, tuple[Leaf, ssl.SSLContext]] = OrderedDict()
        self._lock = threading.Lock()  # the cache: the loop reads it while a builder adds to it
        self._fallbacks: weakref.WeakKeyDictionary[ssl.SSLObject, str] = weakref.WeakKeyDictionary()
        self.issued = 0  # leaves issued so far (tests and benchmarks read it)

    def wrap(
        self, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO, fallback: str, name: str | None = None
    ) -> ssl.SSLObject:
        """A server-side ``SSLObject`` on the BIOs, starting on the context of ``name``
        (canonical, see :meth:`name_for`), else of ``fallback``.

        Raises:
            ValueError: ``fallback`` (the local address) cannot name a certificate.
        """
        context = self._context(name) if name else self.for_name(None, fallback)
        ssl_object = context.wrap_bio(incoming, outgoing, server_side=True)
        self._fallbacks[ssl_object] = fallback
        return ssl_object

    def name_for(self, name: str | None, fallback: str) -> str:
        """The canonical name whose leaf answers ``name`` (an SNI value or ``None``): its own,
        else ``fallback``'s (the connection's local address).

        Raises:
            ValueError: neither can name a certificate (see :func:`leaf_name`).
        """
        canonical = leaf_name(name) if name else None
        if canonical is None:
            canonical = leaf_name(fallback)
            if canonical is None:
                raise ValueError(f"cannot issue a certificate for {fallback!r}")
        return canonical

    def for_name(self, name: str | None, fallback: str) -> ssl.SSLContext:
        """The context for ``name`` (an SNI value or ``None``), else for ``fallback``,
        made now if it is not cached.

        Raises:
            ValueError: see :meth:`name_for`.
        """
        return self._context(self.name_for(name, fallback))

    def ready(self, name: str) -> bool:
        """Whether the context of the canonical ``name`` is cached and its leaf not near its end."""
        with self._lock:
            entry = self._cache.get(name)
        return entry is not None and self._fresh(entry[0])

    def prepare(self, name: str) -> None:
        """Make the context of the canonical ``name`` unless it is :meth:`ready` (any thread)."""
        if not self.ready(name):
            self._context(name)

    def leaf(self, name: str) -> Leaf | None:
        """The cached leaf for a canonical name, if any (for tests and the window)."""
        entry = self._cache.get(name)
        return entry[0] if entry else None

    def _fresh(self, leaf: Leaf) -> bool:
        return leaf.not_after - self._issuer.now() > RENEW_BEFORE

    def _context(self, name: str) -> ssl.SSLContext:
        with self._lock:
            entry = self._cache.get(name)
            if entry is not None and self._fresh(entry[0]):
                self._cache.move_to_end(name)
                return entry[1]
        leaf = self._issuer.issue(name)
        context = self._new_context(leaf)
        with self._lock:
            self.issued += 1
            self._cache[name] = (leaf, context)
            self._cache.move_to_end(name)
            while len(self._cache) > self._max_names:
                self._cache.popitem(last=False)
        return context

    def _new_context(self, leaf: Leaf) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.maximum_version = ssl.TLSVersion.TLSv1_3
        context.options |= ssl.OP_NO_RENEGOTIATION
        context.set_alpn_protocols(list(ALPN))
        if self._request_client_cert:
            context.verify_mode = ssl.CERT_OPTIONAL
            context.load_verify_locations(cadata=self._ca_pem)
        fd, path = tempfile.mkstemp(prefix="request-inspector-leaf-", suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(leaf.chain_pem)
            context.load_cert_chain(path)
        finally:
            os.unlink(path)
        context.sni_callback = self._on_sni
        return context

    def _on_sni(self, ssl_object: ssl.SSLObject, server_name: str | None, _context: ssl.SSLContext) -> None:
        """Move the session to the context of the name the client sent (or of the local address)."""
        fallback = self._fallbacks.get(ssl_object)
        if fallback is not None and server_name:
            ssl_object.context = self.for_name(server_name, fallback)


def from_command_line(tls: str, ca_dir: str | None) -> tuple[ServerContexts | None, str | None]:
    """The contexts ``--tls auto|off`` and ``--ca-dir`` ask for (the CA is made on first use),
    or None and a one-line problem: a CA that cannot be used leaves HTTPS off, not the app."""
    if tls == "off":
        return None, None
    try:
        return ServerContexts(load_or_create(Path(ca_dir) if ca_dir else None)), None
    except CAError as exc:
        return None, f"HTTPS is off: {exc}"
