"""A request as a URL and as a curl command line (Qt-free, pure functions).

Every argument goes through :func:`shlex.quote`. A text body is passed with
``--data-binary``; a body that is not printable text (NUL bytes, invalid
UTF-8) is piped in from ``printf`` with octal escapes, because a shell
argument cannot carry NUL. Content-Length and Transfer-Encoding are left to
curl (it frames the body itself), and Host goes into the URL.
"""

from __future__ import annotations

import shlex

from inspector.http.record import CaptureRecord

_SKIP_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})
_GLOB_CHARS = frozenset("[]{}")


def request_url(record: CaptureRecord) -> str:
    """The URL the client asked for: absolute-form targets as they are, else
    ``http://`` + Host (or the listener's address) + target."""
    target = record.target
    if target.lower().startswith(("http://", "https://")):
        return target
    host = record.header("Host") or record.server
    if not target.startswith("/"):
        target = "/" + target if target != "*" else "/"
    return f"http://{host}{target}"


def _printf_format(data: bytes) -> str:
    out = []
    for byte in data:
        if byte == 0x5C:
            out.append("\\\\")
        elif byte == 0x25:
            out.append("%%")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


def _is_plain_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def curl_command(record: CaptureRecord) -> str:
    """A shell command that sends the same request with curl."""
    url = request_url(record)
    args = ["curl"]
    if record.http_version == "1.0":
        args.append("--http1.0")
    if any(ch in _GLOB_CHARS for ch in url):
        args.append("--globoff")
    if "/./" in record.path or "/../" in record.path or record.path.endswith(("/.", "/..")):
        args.append("--path-as-is")
    method = record.method or "GET"
    if method == "HEAD" and not record.body:
        args.append("--head")
    elif method != "GET" or record.body:
        args += ["-X", method]
    for name, value in record.headers:
        if name.lower() in _SKIP_HEADERS:
            continue
        # "Name;" sends an empty header; "Name:" would remove it
        args += ["-H", f"{name}: {value}" if value else f"{name};"]
    prefix = ""
    if record.body:
        # a leading "@" would make curl read a file: pipe such bodies in too
        if _is_plain_text(record.body) and not record.body.startswith(b"@"):
            args += ["--data-binary", record.body.decode("utf-8")]
        else:
            prefix = f"printf {shlex.quote(_printf_format(record.body))} | "
            args += ["--data-binary", "@-"]
    args.append(url)
    return prefix + " ".join(shlex.quote(arg) for arg in args)
