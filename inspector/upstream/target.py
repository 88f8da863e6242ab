"""Where a forward rule sends its requests: the upstream's URL and options.

A rule's ``forward`` value is either a URL string or an object
``{"url", "timeout_ms", "keep_host", "verify_tls", "record"}``; :func:`parse_target`
checks it once, when the rules are loaded, so a bad URL is an editor error and
never a surprise per request. ``verify_tls`` follows the convention of
``requests``' ``verify``: ``true`` checks the certificate against the system's
trust store, ``false`` checks nothing, and a string names a CA file (relative
to the rules file's folder, see :meth:`UpstreamTarget.in_folder`) that alone
is trusted. ``record`` asks the window to turn each new method + path + query
answered upstream into a rule before this one (``inspector.ui.recording``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlsplit

from inspector.addresses import format_host

#: Time for connecting, sending and the whole answer when a rule sets none:
#: 30 s, the listener's own body timeout; browsers wait longer, but a debugging
#: session wants a 504 it can see rather than a spinner.
DEFAULT_TIMEOUT_MS: Final = 30_000
#: The longest timeout a rule may set: 10 minutes, like the longest rule delay.
MAX_TIMEOUT_MS: Final = 10 * 60 * 1000
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
#: characters kept as they are when a forward URL's path or query is percent-encoded
_PATH_SAFE: Final = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE: Final = _PATH_SAFE + "?"


class TargetError(ValueError):
    """A forward value that cannot be used (one readable line)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UpstreamTarget:
    """A parsed forward destination.

    Attributes:
        url: the URL as configured (shown in records and error answers).
        scheme: ``"http"`` or ``"https"``.
        host: host name or IP address (IPv6 without brackets).
        port: the port, the scheme's default when the URL has none.
        base_path: the URL's path without a trailing slash, percent-encoded ASCII.
        base_query: the URL's query (without ``?``), sent before the request's own.
        timeout_ms: connect, send and the whole answer must fit in this.
        keep_host: send the client's ``Host`` instead of the upstream's.
        verify_tls: True (system trust store), False (no checks) or a CA file path.
        record: each new request's upstream answer becomes a rule (in the window).
    """

    url: str
    scheme: str
    host: str
    port: int
    base_path: str = ""
    base_query: str = ""
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    keep_host: bool = False
    verify_tls: bool | str = True
    record: bool = False

    @property
    def origin(self) -> str:
        """``scheme://host[:port]``: how error answers name the upstream."""
        return f"{self.scheme}://{self.authority}"

    @property
    def authority(self) -> str:
        """The ``Host`` value for this upstream (the default port left out)."""
        host = format_host(self.host)
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def connection_key(self) -> tuple[str, str, int, bool | str]:
        """Requests with equal keys may share connections."""
        return (self.scheme, self.host, self.port, self.verify_tls)

    def in_folder(self, folder: Path | None) -> UpstreamTarget:
        """This target with a relative CA file path made to point into ``folder``
        (the rules file's, as for ``body_file``); itself when nothing changes."""
        if isinstance(self.verify_tls, bool) or folder is None:
            return self
        path = Path(self.verify_tls)
        if path.is_absolute():
            return self
        return dataclasses.replace(self, verify_tls=str(folder / path))

    def to_json(self) -> str | dict[str, Any]:
        """The rules-file form: the URL alone when every option has its default."""
        options = (self.timeout_ms, self.keep_host, self.verify_tls, self.record)
        if options == (DEFAULT_TIMEOUT_MS, False, True, False):
            return self.url
        obj: dict[str, Any] = {
            "url": self.url,
            "timeout_ms": self.timeout_ms,
            "keep_host": self.keep_host,
            "verify_tls": self.verify_tls,
        }
        if self.record:
            obj["record"] = True
        return obj


def _timeout(value: Any) -> int:
    if value is None:
        return DEFAULT_TIMEOUT_MS
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TargetError(f"forward timeout_ms must be a number of milliseconds, not {value!r}")
    if value <= 0:
        raise TargetError("forward timeout_ms must be above 0")
    return min(math.ceil(value), MAX_TIMEOUT_MS)  # a fraction of a millisecond is 1, never 0


def _verify(value: Any, base_dir: Path | None) -> bool | str:
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        path = Path(value.strip()).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return str(path)
    raise TargetError("forward verify_tls must be true, false or the path of a CA file")


def parse_target(value: Any, *, base_dir: Path | None = None) -> UpstreamTarget:
    """Check a rule's ``forward`` value.

    Args:
        value: a URL string, or a dict with ``url`` and optional ``timeout_ms``,
            ``keep_host``, ``verify_tls`` and ``record``.
        base_dir: the rules file's folder, for a relative CA file path.

    Returns:
        The target.

    Raises:
        TargetError: not an http:// or https:// URL with a host, userinfo or a
            fragment in it, a bad port or a bad option.
    """
    options: dict[str, Any] = {"url": value} if isinstance(value, str) else value
    if not isinstance(options, dict) or not isinstance(options.get("url"), str):
        raise TargetError("forward must be a URL or an object with a url")
    url = options["url"].strip()
    if any(ch in url for ch in "\r\n\t\0 "):
        raise TargetError("the forward URL must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # Python checks a bracketed host itself
        raise TargetError(f"the forward URL has an invalid IPv6 address: {exc}"[:200]) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise TargetError(f"forward URL must start with http:// or https://, not {url[:100]!r}")
    if "@" in parts.netloc:
        raise TargetError("the forward URL must not hold user:password@; send credentials in a header")
    if parts.fragment or url.endswith("#"):
        raise TargetError("the forward URL must not have a #fragment")
    host = parts.hostname or ""
    if not host:
        raise TargetError(f"the forward URL has no host: {url[:100]!r}")
    if parts.netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise TargetError(f"the forward URL has an invalid IPv6 address: {host[:60]!r}") from None
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise TargetError("the forward URL has an invalid port")
    keep_host = options.get("keep_host", False)
    if not isinstance(keep_host, bool):
        raise TargetError("forward keep_host must be true or false")
    record = options.get("record", False)
    if not isinstance(record, bool):
        raise TargetError("forward record must be true or false")
    return UpstreamTarget(
        url=url,
        scheme=scheme,
        host=host,
        port=port or _DEFAULT_PORTS[scheme],
        base_path=quote(parts.path, safe=_PATH_SAFE).rstrip("/"),
        base_query=quote(parts.query, safe=_QUERY_SAFE),
        timeout_ms=_timeout(options.get("timeout_ms")),
        keep_host=keep_host,
        verify_tls=_verify(options.get("verify_tls"), base_dir),
        record=record,
    )
