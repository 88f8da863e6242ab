"""to_curl's command as a person reads it: which words it writes, and how short it stays.

test_curl.py runs the commands with the real curl; here the text itself is pinned where
two spellings would send the same bytes but the user copies and reads the longer one.
"""

from __future__ import annotations

import shlex

from inspector.formats import to_curl
from inspector.formats.curl import _MAX_INLINE_BODY, tls_words
from tests.records import make_record

PREFIX = "curl --http1.1 --path-as-is --globoff"


def test_text_body_with_line_breaks_and_tabs_stays_readable() -> None:
    """Line breaks and tabs stay as they are inside single quotes, in a header and an inline body."""
    rec = make_record(method="POST", target="/t", raw_body=None, body=b"one\r\ntwo\n\tthree",
                      headers=(("Host", "h"), ("User-Agent", "ua"), ("Accept", "*/*"),
                               ("Content-Type", "text/plain"), ("Expect", "x"), ("X-Tab", "a\tb")))
    assert to_curl(rec) == (
        f"{PREFIX} -X POST http://h/t -H Host: -H 'Host: h' -H 'User-Agent: ua' -H 'Accept: */*' "
        "-H 'Content-Type: text/plain' -H 'Expect: x' -H 'X-Tab: a\tb' --data-binary 'one\r\ntwo\n\tthree'"
    )


def test_curl_own_headers_are_removed_only_when_the_request_lacks_them() -> None:
    """Names match whatever their case; Content-Type and Expect only matter with a body."""
    bare = make_record(method="GET", target="/", body=b"", raw_body=None, headers=(("host", "h"),))
    assert to_curl(bare) == f"{PREFIX} -X GET http://h/ -H Host: -H User-Agent: -H Accept: -H 'host: h'"
    mixed = make_record(method="GET", target="/", body=b"", raw_body=None,
                        headers=(("HOST", "h"), ("user-agent", "u"), ("ACCEPT", "a")))
    assert to_curl(mixed) == (
        f"{PREFIX} -X GET http://h/ -H Host: -H 'HOST: h' -H 'user-agent: u' -H 'ACCEPT: a'")
    posted = make_record(method="POST", target="/", body=b"x", raw_body=None,
                         headers=(("Host", "h"), ("content-type", "t")))
    assert to_curl(posted) == (
        f"{PREFIX} -X POST http://h/ -H Host: -H User-Agent: -H Accept: -H Expect: "
        "-H 'Host: h' -H 'content-type: t' --data-binary x")


def test_binary_body_printf_format_keeps_printable_ascii_as_is() -> None:
    """Space through ``~`` are written as themselves; DEL and other bytes as octal escapes."""
    rec = make_record(method="PUT", target="/", raw_body=None, headers=(("Host", "h"),),
                      body=b"a b~\x7f%\\\x00 \x1f!")
    cmd = to_curl(rec)
    assert cmd.startswith("printf 'a b~\\177%%\\\\\\000 \\037!' | curl ")
    assert cmd.endswith(" --data-binary @-")


def test_inline_body_up_to_64_kib() -> None:
    fits = make_record(method="POST", target="/", raw_body=None, headers=(("Host", "h"),),
                       body=b"a" * _MAX_INLINE_BODY)
    assert _MAX_INLINE_BODY == 64 * 1024
    assert to_curl(fits).endswith(" --data-binary " + "a" * _MAX_INLINE_BODY)
    over = make_record(method="POST", target="/", raw_body=None, headers=(("Host", "h"),),
                       body=b"a" * (_MAX_INLINE_BODY + 1))
    assert to_curl(over).startswith("printf " + "a" * (_MAX_INLINE_BODY + 1) + " | curl ")


def test_url_safe_target_stays_in_the_url() -> None:
    """Every printable ASCII character but ``#`` (and space) goes in the URL itself."""
    target = "/" + "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "#")
    rec = make_record(method="GET", target=target, body=b"", raw_body=None, headers=(("Host", "h"),))
    words = shlex.split(to_curl(rec))
    assert "--request-target" not in words
    assert words[6] == "http://h" + target


def test_cacert_only_for_https_sent_to_https() -> None:
    http = make_record(scheme="http", headers=(("Host", "h"),))
    https = make_record(scheme="https", headers=(("Host", "h"),))
    assert tls_words(https, "/ca.pem", "https://h") == ["--cacert", "/ca.pem"]
    assert tls_words(https, None, "https://h") == []
    assert tls_words(https, "", "https://h") == []
    assert tls_words(https, "/ca.pem", "http://h") == []
    assert tls_words(http, "/ca.pem", "https://h") == []
    assert tls_words(http, "/ca.pem", "http://h") == []
    assert "--cacert" not in to_curl(http, cacert="/ca.pem")
    assert "--cacert" not in to_curl(http, base_url="https://h", cacert="/ca.pem")
    assert "--cacert" not in to_curl(https, base_url="http://h", cacert="/ca.pem")
    assert "--cacert" not in to_curl(https)
    assert " -X POST --cacert /ca.pem 'https://h/submit/form?" in to_curl(https, cacert="/ca.pem")


def test_http_version_option_as_curl_documents_it() -> None:
    """curl 7.88 reads long options in any case, but its manual spells them lower-case, as copied here."""
    old = make_record(method="GET", target="/", body=b"", raw_body=None, headers=(("Host", "h"),),
                      http_version="1.0")
    assert to_curl(old) == "curl --http1.0 --path-as-is --globoff -X GET http://h/ -H Host: -H User-Agent: " \
        "-H Accept: -H 'Host: h'"
