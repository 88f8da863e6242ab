"""bench/adversarial.py, section "rules": matching, request views, multipart, template caps.

Everything goes through the public rules API (``Responder``, ``render``), the
way the server and the editor's preview call it, so the figures hold for any
version of the engine behind it.
"""

from __future__ import annotations

import json
from typing import Any

from adversarial import Case

from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.responses import Condition, Responder, Rule, RuleSet, list_presets, load_rules, render

ECHO_JSON = load_rules(dict(list_presets())["echo json"])


def record(path: str = "/", *, body: bytes = b"", headers: tuple[tuple[str, str], ...] = (),
           query: tuple[tuple[str, str], ...] = ()) -> CaptureRecord:  # fmt: skip
    return CaptureRecord(
        id=1, received_at=0.0, client="127.0.0.1:1", server="127.0.0.1:2", method="POST",
        target=path, path=path, query=query, http_version="1.1",
        headers=(("Host", "x"), *headers), body=body, body_size=len(body),
    )  # fmt: skip


def _answer(rules: RuleSet) -> Any:
    return Responder(rules)


def _glob(pattern: str, shapes: dict[str, Any]) -> Case:
    rules = RuleSet(rules=(Rule(name="g", path=pattern, body="matched"),))
    return Case(f"glob {pattern}", _answer(rules), shapes)


def _fill(unit: str, size: int, prefix: str = "/", suffix: str = "") -> str:
    return prefix + unit * max(1, (size - len(prefix) - len(suffix)) // len(unit)) + suffix


GLOBS = [
    _glob("/*-*-*-*.png", {
        "dashes": lambda n: record(_fill("-", n)),
        "dashes.pnx": lambda n: record(_fill("-", n, suffix=".pnx")),
        "a-": lambda n: record(_fill("a-", n)),
    }),
    _glob("/**/**/**/x", {
        "slashes": lambda n: record(_fill("/", n)),
        "a/": lambda n: record(_fill("a/", n)),
        "a/ then y": lambda n: record(_fill("a/", n, suffix="y")),
    }),
    _glob("/{a}-{b}-{c}.png", {
        "dashes": lambda n: record(_fill("-", n)),
        "x-": lambda n: record(_fill("x-", n)),
    }),
    _glob("/**/a*b*c*d/**", {
        "ab": lambda n: record(_fill("ab", n)),
        "a/b": lambda n: record(_fill("a/b", n)),
    }),
    _glob("/users/{id}/posts/*", {
        "long id": lambda n: record(_fill("1", n, prefix="/users/", suffix="/posts/x")),
        "slashes": lambda n: record(_fill("/", n, prefix="/users/")),
    }),
]  # fmt: skip


def _regex_path(pattern: str) -> Case:
    rules = RuleSet(rules=(Rule(name="r", path=pattern, body="matched"),))
    return Case(f"^regex {pattern}", _answer(rules), {
        "a then !": lambda n: record(_fill("a", n, suffix="!")),
        "ab": lambda n: record(_fill("ab", n)),
    })  # fmt: skip


def _regex_body(pattern: str) -> Case:
    condition = Condition(source="body", op="regex", value=pattern)
    rules = RuleSet(rules=(Rule(name="c", conditions=(condition,), body="matched"),))
    return Case(f"regex condition {pattern}", _answer(rules), {
        "x then !": lambda n: record(body=b"x" * n + b"!"),
        "spaces": lambda n: record(body=b" " * n),
    })  # fmt: skip


REGEXES = [_regex_path("^/(a+)+$"), _regex_path("^/(a|ab)*c"), _regex_body("(x+x+)+y"),
           _regex_body(r"^(\s*,?)*$")]  # fmt: skip

FORM = (("Content-Type", "application/x-www-form-urlencoded"),)


def _form(n: int, unit: str) -> CaptureRecord:
    count = max(1, n // len(unit.format(i=99999)))
    return record(body="&".join(unit.format(i=i) for i in range(count)).encode(), headers=FORM)


def _echo(rec: CaptureRecord) -> Response:
    return render(ECHO_JSON.rules[0], rec)


def _echo_ok(_data: Any, response: Response) -> None:
    assert response.status == 200, response.error
    json.loads(response.body)


VIEWS = [
    Case("echo-json preset", _echo, {
        "distinct form names": lambda n: _form(n, "f{i}=1"),
        "one form name": lambda n: _form(n, "f=1"),
        "empty segments": lambda n: record(body=b"&" * n, headers=FORM),
        "distinct query names": lambda n: record(query=tuple((f"q{i}", "") for i in range(n // 8))),
        "cookies": lambda n: record(headers=(("Cookie", "; ".join(f"c{i}=v" for i in range(n // 9))),)),
        "deep JSON": lambda n: record(body=b"[" * (n // 2) + b"]" * (n // 2)),
        "wide JSON": lambda n: record(body=json.dumps({f"k{i}": i for i in range(n // 12)}).encode()),
    }, _echo_ok),
]  # fmt: skip


def _multipart(parts: list[bytes], boundary: bytes = b"XyZ", close: bool = True) -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return body + (b"--" + boundary + b"--\r\n" if close else b"")


MULTIPART_TYPE = (("Content-Type", "multipart/form-data; boundary=XyZ"),)
FIELD = b'Content-Disposition: form-data; name="f"\r\n\r\nv'


def _parts(n: int, part: bytes, close: bool = True) -> CaptureRecord:
    body = _multipart([part] * max(1, n // (len(part) + 9)), close=close)
    return record(body=body, headers=MULTIPART_TYPE)


FORM_TEMPLATE = Rule(name="m", body="{{ request.form | length }} {{ request.files | length }}")
MULTIPART = [
    Case("multipart form", lambda rec: render(FORM_TEMPLATE, rec), {
        "many small parts": lambda n: _parts(n, FIELD),
        "no close delimiter": lambda n: _parts(n, FIELD, close=False),
        "one part of CRLFs": lambda n: record(
            body=_multipart([FIELD + b"\r\n" * (n // 2)]), headers=MULTIPART_TYPE),
        "boundary-like content": lambda n: record(
            body=_multipart([FIELD + b"--XyZ" * (n // 5)]), headers=MULTIPART_TYPE),
        "params everywhere": lambda n: _parts(
            n, b"Content-Disposition: form-data" + b'; a="\\";' * 500 + b"\r\n\r\nv"),
        "header soup": lambda n: _parts(n, b"X: y\r\n" * 1000 + FIELD),
    }),
]  # fmt: skip


def _template(source: str) -> Any:
    rule = Rule(name="t", body=source)
    return lambda rec: render(rule, rec)


def _body(unit: str) -> Any:
    return lambda n: record(body=(unit * max(1, n // len(unit))).encode())


def _refused(_data: Any, response: Response) -> None:
    assert response.status == 500, response.body[:200]


TEMPLATES = [
    Case("printf mapping width", _template("{{ '%(a)3999999999s' % {'a': 1} }}"),
         {"fixed": lambda n: record()}, _refused),
    Case("printf body as format", _template("{{ request.body % {'a': 'x' * 60000} }}"),
         {"%(a)s": _body("%(a)s"), "%(a)60000s": _body("%(a)60000s")}, _refused),
    Case("str.format body", _template("{{ request.body.format('x' * 60000) }}"),
         {"{0}": _body("{0}"), "{0:60000}": _body("{0:60000}"), "{::::": _body("{::::")}),
    Case("slow text filters", _template("{{ request.body | urlize | wordcount }}"),
         {"words": _body("a "), "urls": _body("http://a.b ")}),
    Case("translate", _template("{{ request.body.translate({120: 'y' * 1000}) }}"),
         {"x": _body("x")}, _refused),
    Case("sort body", _template("{{ request.body | list | sort | length }}"),
         {"chars": _body("zyx")}),
]  # fmt: skip

CASES = [*GLOBS, *REGEXES, *VIEWS, *MULTIPART, *TEMPLATES]
