"""The Inspector under threads: many clients at once, waits from several threads, clears."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from inspector.http.record import CaptureRecord
from inspector.testing import CapturedRequest, Inspector
from inspector.testing.log import RequestLog

CLIENTS = 24
PER_CLIENT = 25


def client(port: int, number: int) -> list[int]:
    """One keep-alive connection sending PER_CLIENT requests; the statuses."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    statuses = []
    try:
        for sequence in range(PER_CLIENT):
            conn.request("POST", f"/c{number}/{sequence}", body=f"{number}:{sequence}".encode())
            answer = conn.getresponse()
            answer.read()
            statuses.append(answer.status)
    finally:
        conn.close()
    return statuses


def run_all(*jobs: Callable[[], object]) -> list[object]:
    """Run every job on its own thread at the same time; their results, or raise the first error."""
    start = threading.Barrier(len(jobs))

    def gated(job: Callable[[], object]) -> object:
        start.wait(timeout=30)
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(gated, job) for job in jobs]
        return [future.result(timeout=120) for future in futures]


def test_many_clients_at_once_every_request_recorded_once() -> None:
    with Inspector() as insp:
        results = run_all(*(lambda n=n: client(insp.port, n) for n in range(CLIENTS)))
        assert all(statuses == [200] * PER_CLIENT for statuses in results)  # type: ignore[comparison-overlap]
        records = insp.requests
    assert len(records) == CLIENTS * PER_CLIENT
    assert len({r.id for r in records}) == len(records)
    assert sorted(r.target for r in records) == sorted(
        f"/c{n}/{s}" for n in range(CLIENTS) for s in range(PER_CLIENT)
    )
    assert all(r.body == f"{r.target[2:].replace('/', ':')}".encode() for r in records)
    for number in range(CLIENTS):  # each connection's requests in the order it sent them
        mine = [r for r in records if r.target.startswith(f"/c{number}/")]
        assert [r.target for r in mine] == [f"/c{number}/{s}" for s in range(PER_CLIENT)]


def test_waits_from_several_threads_while_clients_send() -> None:
    with Inspector() as insp:

        def waiter(number: int) -> CapturedRequest:
            return insp.wait_for("POST", f"/c{number}/{PER_CLIENT - 1}", timeout=60)

        jobs: list[Callable[[], object]] = [lambda n=n: waiter(n) for n in range(CLIENTS)]
        jobs += [lambda n=n: client(insp.port, n) for n in range(CLIENTS)]
        results = run_all(*jobs)
    found = results[:CLIENTS]
    for number, record in enumerate(found):
        assert isinstance(record, CapturedRequest)
        assert record.target == f"/c{number}/{PER_CLIENT - 1}"


def test_snapshots_while_requests_pour_in_are_consistent() -> None:
    with Inspector() as insp:
        seen: list[list[int]] = []
        done = threading.Event()

        def reader() -> None:
            while not done.is_set():
                seen.append([r.id for r in insp.requests])

        def sender() -> None:
            try:
                client(insp.port, 0)
            finally:
                done.set()

        run_all(reader, sender)
    assert seen
    for ids in seen:  # each snapshot: ids in order, none missing, none twice
        assert ids == list(range(1, len(ids) + 1))
    assert [len(ids) for ids in seen] == sorted(len(ids) for ids in seen)


def test_a_clear_while_waiting_does_not_lose_later_requests() -> None:
    with Inspector() as insp:
        client(insp.port, 0)
        cleared = threading.Event()

        def wait_after_clear() -> CapturedRequest:
            cleared.wait(30)
            return insp.wait_for(path="/c1/0", timeout=60)

        def clear_then_send() -> None:
            insp.clear()
            cleared.set()
            client(insp.port, 1)

        found, _ = run_all(wait_after_clear, clear_then_send)
        assert isinstance(found, CapturedRequest)
        assert found.target == "/c1/0"
        assert {r.target.split("/")[1] for r in insp.requests} == {"c1"}


@pytest.mark.parametrize("timeout", [0.0, 0.2])
def test_concurrent_waits_that_time_out_each_raise(timeout: float) -> None:
    with Inspector() as insp:
        client(insp.port, 0)

        def waiter() -> str:
            try:
                insp.wait_for(path="/never", timeout=timeout)
            except AssertionError as failed:
                return str(failed)
            return "returned"

        messages = run_all(*([waiter] * 8))
    assert all(isinstance(m, str) and m.startswith("no request any method /never") for m in messages)


def test_max_records_must_be_1_or_more_and_1_keeps_the_newest(
    record_factory: Callable[..., CaptureRecord],
) -> None:
    with pytest.raises(ValueError) as refused:
        RequestLog(0)
    assert str(refused.value) == "max_records must be 1 or more"
    log = RequestLog(1)
    for number in (1, 2, 3):
        log.request_finished(record_factory(id=number))
    records, dropped = log.snapshot()
    assert ([r.id for r in records], dropped) == ([3], 2)


@pytest.mark.parametrize("max_records", [1, 3])
def test_the_log_keeps_at_most_twice_max_records_in_memory(
    record_factory: Callable[..., CaptureRecord], max_records: int
) -> None:
    log = RequestLog(max_records)
    for number in range(1, 2 * max_records):
        log.request_finished(record_factory(id=number))
    assert len(log._records) == 2 * max_records - 1  # not trimmed yet: appending stays O(1)
    log.request_finished(record_factory(id=2 * max_records))
    assert len(log._records) == max_records  # trimmed in one go, to the newest
    records, dropped = log.snapshot()
    assert [r.id for r in records] == list(range(max_records + 1, 2 * max_records + 1))
    assert dropped == max_records


def test_a_waiter_waits_until_its_deadline_however_close(
    record_factory: Callable[..., CaptureRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a clock that stands still half a second before the deadline: the waiter must keep
    # waiting (however long the record takes to come), and find the record
    waiting = threading.Event()

    def now() -> float:
        waiting.set()
        return 0.0

    monkeypatch.setattr("inspector.testing.log.time", SimpleNamespace(monotonic=now))
    log = RequestLog(10)

    def feed() -> None:
        assert waiting.wait(30)
        log.request_finished(record_factory(id=1))  # the lock is free once the waiter waits
        log.round_ended()

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        found = log.wait(lambda record: True, 0.5)
    finally:
        feeder.join(30)
    assert found is not None
    assert found.id == 1
