"""inspector.testing.lines: the short lines about what arrived."""

from __future__ import annotations

from inspector.http.record import SentResponse
from inspector.testing.lines import TARGET_LIMIT, Tally, arrivals, exchange, numbered_line, request_line
from tests.conftest import make_record


def test_one_line_per_request() -> None:
    record = make_record(id=7)
    assert exchange(record) == "GET /index.html?name=jack&age=18 -> 200"
    assert numbered_line(record) == "#7 GET /index.html?name=jack&age=18 -> 200"
    assert request_line(record) == "127.0.0.1:50000 GET /index.html?name=jack&age=18 -> 200"


def test_errors_and_failed_rules_are_named() -> None:
    rejected = make_record(
        method="", target="", error="400 no request line", response=SentResponse(status=400)
    )
    assert exchange(rejected) == "(no request line) -> 400 (400 no request line)"
    failed = make_record(response=SentResponse(status=500, error="greet: 'x' is undefined"))
    assert exchange(failed) == "GET /index.html?name=jack&age=18 -> 500 (greet: 'x' is undefined)"
    unanswered = make_record(response=None, error="the client closed the connection")
    assert exchange(unanswered).endswith("-> - (the client closed the connection)")


def test_faults_are_named_in_place_of_a_status() -> None:
    assert exchange(make_record(response=SentResponse(status=0, fault="reset"))).endswith("-> reset")
    trickled = make_record(response=SentResponse(status=200, fault="trickle"))
    assert exchange(trickled).endswith("-> 200 trickle")
    tally = Tally()
    tally.add(make_record(response=SentResponse(status=0, fault="close")))
    assert tally.summary() == "GET /index.html -> close"


def test_hostile_text_is_escaped_and_long_targets_elided() -> None:
    record = make_record(target="/\u202e\x1b[2J" + "a" * 500, method="G\u200bET", client="1.2.3.4:5\n")
    line = request_line(record)
    assert line.startswith("1.2.3.4:5\\n G\\u200bET /\\u202e\\x1b[2J")
    assert line.endswith("a… -> 200")
    assert len(line) < 260


def test_arrivals_newest_last_capped() -> None:
    records = [make_record(id=n, target=f"/n{n}") for n in range(1, 6)]
    assert arrivals(records, limit=2) == [
        "  (3 earlier not shown)",
        "  #4 GET /n4 -> 200",
        "  #5 GET /n5 -> 200",
    ]
    assert arrivals(records[:1], limit=2, earlier=10) == ["  (10 earlier not shown)", "  #1 GET /n1 -> 200"]
    assert arrivals(records, limit=0) == ["  (5 earlier not shown)"]


def test_tally_summary_counts_kinds_most_common_first() -> None:
    tally = Tally()
    assert tally.summary() == ""
    for path in ["/a", "/b", "/a", "/c", "/a", "/b"]:
        tally.add(make_record(path=path))
    assert tally.total == 6
    assert tally.summary() == "GET /a -> 200 (x3), GET /b -> 200 (x2), GET /c -> 200"


def test_tally_memory_is_bounded_and_nothing_goes_uncounted() -> None:
    tally = Tally(max_kinds=3)
    for number in range(1000):
        tally.add(make_record(path=f"/n{number}"))
    tally.add(make_record(path="/n0"))
    assert tally.total == 1001
    assert len(tally._kinds) == 3
    assert tally.summary() == "GET /n0 -> 200 (x2), GET /n1 -> 200, GET /n2 -> 200, and 997 more"


def test_every_field_of_a_line_is_elided_at_the_target_limit() -> None:
    long = "a" * (TARGET_LIMIT + 50)
    cut = "a" * TARGET_LIMIT + "…"
    record = make_record(method=long, target="/" + long, path="/" + long, client=long, error=long)
    assert exchange(record) == f"{cut} /{cut[:-2]}… -> 200 ({cut})"
    assert request_line(record) == f"{cut} {exchange(record)}"
    tally = Tally()
    tally.add(record)
    assert tally.summary() == f"{cut} /{cut[:-2]}… -> 200"


def test_an_unanswered_request_without_an_error() -> None:
    assert exchange(make_record(response=None, error=None)) == "GET /index.html?name=jack&age=18 -> -"


def test_the_summary_names_the_five_most_common_kinds() -> None:
    tally = Tally()
    for count, path in enumerate(["/a", "/b", "/c", "/d", "/e", "/f"], start=1):
        for _ in range(7 - count):
            tally.add(make_record(path=path))
    assert tally.summary() == (
        "GET /a -> 200 (x6), GET /b -> 200 (x5), GET /c -> 200 (x4), GET /d -> 200 (x3), "
        "GET /e -> 200 (x2), and 1 more"
    )


def test_arrivals_with_nothing_left_out_and_a_limit_of_one() -> None:
    records = [make_record(id=n, target=f"/n{n}") for n in (1, 2)]
    assert arrivals(records, limit=5) == ["  #1 GET /n1 -> 200", "  #2 GET /n2 -> 200"]
    assert arrivals(records, limit=1) == ["  (1 earlier not shown)", "  #2 GET /n2 -> 200"]


def test_a_tally_of_requests_without_a_request_line() -> None:
    tally = Tally()
    tally.add(make_record(method="", target="", path="", response=SentResponse(status=400)))
    assert tally.summary() == "(no request line) -> 400"
