"""The upstream answer's JSON form at its edges: a body not read whole, times to the microsecond."""

from __future__ import annotations

from inspector.http.record import UpstreamExchange


def test_a_body_not_read_whole_keeps_how_far_it_got() -> None:
    """Past the body limit the stored body is empty and body_size says how many bytes came."""
    cut = UpstreamExchange(url="http://h/", status=200, reason="OK", body=b"", body_size=5_000_000)
    data = cut.to_json()
    assert data["body_size"] == 5_000_000
    assert UpstreamExchange.from_json(data).body_size == 5_000_000


def test_times_are_written_to_the_microsecond() -> None:
    timed = UpstreamExchange(url="http://h/", duration_ms=1.23456, connect_ms=0.98765, first_byte_ms=4.56789)
    data = timed.to_json()
    assert (data["duration_ms"], data["connect_ms"], data["first_byte_ms"]) == (1.235, 0.988, 4.568)
