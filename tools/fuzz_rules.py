"""Coverage-guided fuzzing of the rules engine's request-facing parts (atheris).

    .venv/bin/pip install atheris
    mkdir -p /tmp/fuzz-glob /tmp/fuzz-views
    .venv/bin/python tools/fuzz_rules.py glob -max_total_time=600 -timeout=10 /tmp/fuzz-glob
    .venv/bin/python tools/fuzz_rules.py views -max_total_time=600 -timeout=10 /tmp/fuzz-views

``glob``: the input is a glob pattern and a path. The compiled matcher must
agree with the plain ``re`` reading of the same expression (matched or not,
and the same captures) whenever the path is short enough for ``re`` to be safe
to run, and must finish on the path repeated to 8 KiB (``-timeout`` turns a
super-linear case into a crash). Bad patterns must fail with PatternError only.

``views``: the input is a request (content type, body, query, cookies). The
echo-JSON preset must answer 200 with valid JSON whatever the body, every view
must hold at most MAX_FIELDS pairs, and the multipart parser must return only
names and texts that are in the body.

A crash writes its input to ``crash-*``; keep it as a regression case in
``tests/data/fuzz-regressions-rules/<target>-*`` (tests/responses/test_fuzz_regressions.py
replays them).
"""

from __future__ import annotations

import json
import re
import sys

from inspector.http.record import CaptureRecord
from inspector.responses import list_presets, load_rules, render
from inspector.responses.context import MAX_FIELDS, RequestView
from inspector.responses.glob import compile_glob, to_regex, tokenize
from inspector.responses.multipart import parse_form_data
from inspector.responses.regex import PatternError

ECHO_JSON = load_rules(dict(list_presets())["echo json"]).rules[0]
#: paths the backtracking reference may be run on (it is exponential in general)
REFERENCE_PATH = 24
CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=XyZ",
    'multipart/form-data; boundary="a b"',
    "application/json",
    "text/plain",
)


def _split(data: bytes) -> tuple[str, str]:
    text = data.decode("utf-8", "replace")
    pattern, _, path = text.partition("\n")
    return pattern[:64], path


def check_glob(data: bytes) -> None:
    pattern, path = _split(data)
    try:
        matcher = compile_glob(pattern)
    except PatternError:
        return
    got = matcher.match(path)
    if len(path) <= REFERENCE_PATH and pattern.count("*") + pattern.count("{") <= 6:
        reference = re.compile(to_regex(tokenize(pattern)) + r"\Z", re.DOTALL).match(path)
        expected = None if reference is None else reference.groupdict()
        assert got == expected, (pattern, path, got, expected)
    long_path = (path or "/") * (8192 // max(1, len(path)) + 1)
    matcher.match(long_path[:8192])


def make_record(data: bytes) -> CaptureRecord:
    kind = CONTENT_TYPES[data[0] % len(CONTENT_TYPES)] if data else CONTENT_TYPES[0]
    rest = data[1:]
    cut = rest.find(b"\n")
    head, body = (rest[:cut], rest[cut + 1 :]) if cut >= 0 else (b"", rest)
    text = head.decode("utf-8", "replace")
    query = tuple((k, v) for k, _, v in (p.partition("=") for p in text.split("&")) if k)
    return CaptureRecord(
        id=1, received_at=0.0, client="127.0.0.1:1", server="127.0.0.1:2", method="POST",
        target="/", path="/", query=query, http_version="1.1",
        headers=(("Host", "x"), ("Content-Type", kind), ("Cookie", text)),
        body=body, body_size=len(body),
    )  # fmt: skip


def check_views(data: bytes) -> None:
    record = make_record(data)
    response = render(ECHO_JSON, record)
    assert response.status == 200, response.error
    json.loads(response.body)
    view = RequestView(record)
    for multi in (view.query, view.headers, view.cookies, view.form, view.files):
        assert len(multi) <= MAX_FIELDS
        multi.to_dict()
    content_type = record.header("content-type") or ""
    if content_type.startswith("multipart/"):
        parsed = parse_form_data(content_type, record.body)
        body_text = record.body.decode("utf-8", "replace")
        for name, value in (*parsed.fields, *parsed.files):
            assert value in body_text, (name, value)


TARGETS = {"glob": check_glob, "views": check_views}


def main() -> None:
    import atheris  # a tool dependency only: pip install atheris

    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [libFuzzer flags] CORPUS")
    target = TARGETS[sys.argv.pop(1)]
    atheris.instrument_all()
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
