"""What each fault puts on the wire and what its record says (no sockets: inspector/http/faults.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.http.faults import TRICKLE_PIECES_PER_S, Ending, fault_wire, trickle_pace
from inspector.http.response import FAULTS, Response, serialise

BODY = b"0123456789" * 4
ANSWER = Response(status=201, headers=(("X-Kind", "test"),), body=BODY, rule="r", step=2, steps=3)


def with_fault(fault: str, **changes: object) -> Response:
    fields = {"status": 201, "headers": ANSWER.headers, "body": BODY, "rule": "r", "step": 2, "steps": 3}
    fields.update(changes)
    return Response(fault=fault, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("fault", ["close", "reset", "hang"])
def test_close_reset_and_hang_send_nothing_and_record_status_0(fault: str) -> None:
    plan = fault_wire(with_fault(fault), method="GET", keep_alive=True)
    assert plan.wire == b""
    shown = plan.shown
    assert (shown.status, shown.reason, shown.headers, shown.body) == (0, "", (), b"")
    assert (shown.fault, shown.rule, shown.step, shown.steps) == (fault, "r", 2, 3)
    expected = {"close": Ending.CLOSE, "reset": Ending.RESET, "hang": Ending.HOLD}[fault]
    assert plan.ending is expected


def test_malformed_sends_the_body_raw_with_no_status_line() -> None:
    plan = fault_wire(with_fault("malformed", body=b"\x00garbage\r\n"), method="GET", keep_alive=True)
    assert plan.wire == b"\x00garbage\r\n" and plan.ending is Ending.CLOSE
    assert (plan.shown.status, plan.shown.body, plan.shown.fault) == (0, b"\x00garbage\r\n", "malformed")


def test_trickle_sends_the_whole_answer_and_keeps_the_connection() -> None:
    plan = fault_wire(with_fault("trickle", bytes_per_s=10), method="GET", keep_alive=True)
    wire, status, reason, headers = serialise(with_fault("trickle"), method="GET", keep_alive=True)
    assert plan.wire == wire and plan.ending is Ending.KEEP
    assert (plan.shown.status, plan.shown.reason, plan.shown.headers, plan.shown.body) == (
        status, reason, headers, BODY,
    )  # fmt: skip
    head = fault_wire(with_fault("trickle"), method="HEAD", keep_alive=False)
    assert head.shown.body == b"" and head.wire.endswith(b"Connection: close\r\n\r\n")


@pytest.mark.parametrize("size", [0, 1, 2, 3, 40, 41])
def test_truncate_promises_more_than_it_sends(size: int) -> None:
    body = bytes(range(size))
    plan = fault_wire(with_fault("truncate", body=body), method="GET", keep_alive=True)
    head, _, sent = plan.wire.partition(b"\r\n\r\n")
    promised = int(dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])[b"Content-Length"])
    assert promised == max(1, size) and sent == body[: size // 2] and len(sent) < promised
    assert plan.ending is Ending.CLOSE
    assert (plan.shown.status, plan.shown.body, plan.shown.fault) == (201, sent, "truncate")
    assert ("Content-Length", str(promised)) in plan.shown.headers


@pytest.mark.parametrize(("status", "method"), [(200, "HEAD"), (204, "GET"), (304, "GET")])
def test_truncate_cuts_the_head_of_an_answer_without_a_body(status: int, method: str) -> None:
    response = with_fault("truncate", status=status)
    whole = serialise(response, method=method, keep_alive=True)[0]
    plan = fault_wire(response, method=method, keep_alive=True)
    assert b"\r\n\r\n" not in plan.wire and 0 < len(plan.wire) < len(whole)
    assert plan.shown.body == b""


def test_an_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="'explode' is not a fault"):
        fault_wire(with_fault("explode"), method="GET", keep_alive=True)
    with pytest.raises(ValueError):
        fault_wire(ANSWER, method="GET", keep_alive=True)


def test_every_fault_has_a_wire() -> None:
    for fault in FAULTS:
        assert fault_wire(with_fault(fault), method="GET", keep_alive=True).shown.fault == fault


PACES = [(1, 1, 1.0), (5, 1, 0.2), (10, 1, 0.1), (11, 2, 2 / 11), (100, 10, 0.1), (1024, 103, 103 / 1024)]
BELOW_1 = [(0, 1, 1.0), (-3, 1, 1.0)]  # 1 byte a second


@pytest.mark.parametrize(("rate", "piece", "interval"), [*PACES, *BELOW_1])
def test_trickle_pace(rate: int, piece: int, interval: float) -> None:
    assert trickle_pace(rate) == (piece, pytest.approx(interval))


@given(st.integers(min_value=1, max_value=10**9))
def test_trickle_pace_never_exceeds_the_rate_nor_the_piece_count(rate: int) -> None:
    piece, interval = trickle_pace(rate)
    assert piece >= 1
    assert piece / interval == pytest.approx(rate)  # the rate asked for, exactly
    assert 1 / interval <= TRICKLE_PIECES_PER_S + 1e-9  # never more pieces a second than that


@pytest.mark.parametrize("keep_alive", [True, False])
def test_truncate_sends_the_head_it_would_have_sent_and_says_so(keep_alive: bool) -> None:
    """Up to the cut, the bytes are those of the whole answer (``Connection: close`` only
    when the connection was not kept alive), and the record shows that head."""
    response = with_fault("truncate", error="template error")
    whole, status, reason, headers = serialise(with_fault("truncate"), method="GET", keep_alive=keep_alive)
    plan = fault_wire(response, method="GET", keep_alive=keep_alive)

    assert plan.wire == whole[: len(whole) - len(BODY) // 2]
    assert (b"Connection: close" in plan.wire) is not keep_alive
    shown = plan.shown
    assert (
        (shown.status, shown.reason, shown.headers) == (status, reason, headers) == (201, "Created", headers)
    )
    assert (shown.rule, shown.error, shown.step, shown.steps) == ("r", "template error", 2, 3)


@pytest.mark.parametrize("keep_alive", [True, False])
@pytest.mark.parametrize(("status", "method"), [(200, "HEAD"), (204, "GET")])
def test_truncate_without_a_body_sends_the_first_half_of_its_head(
    status: int, method: str, keep_alive: bool
) -> None:
    response = with_fault("truncate", status=status)
    whole, sent_status, reason, headers = serialise(response, method=method, keep_alive=keep_alive)
    plan = fault_wire(response, method=method, keep_alive=keep_alive)

    assert plan.wire == whole[: len(whole) // 2] and plan.ending is Ending.CLOSE
    assert (plan.shown.status, plan.shown.reason, plan.shown.headers) == (sent_status, reason, headers)
    assert plan.shown.status == status


@pytest.mark.parametrize("fault", ["close", "malformed", "trickle"])
def test_a_faulty_answer_keeps_the_rule_error_in_its_record(fault: str) -> None:
    plan = fault_wire(with_fault(fault, error="template error"), method="GET", keep_alive=True)

    assert plan.shown.error == "template error"
