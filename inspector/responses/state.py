"""Answer state: request counters per rule and per ``state_key`` value, and which answer they pick.

Strategy (docs/ARCHITECTURE.md, "Answers"). A counter counts the requests a
rule answered since the state was last reset, separately for each value of
the rule's ``state_key`` (a client id header, say). Its value is the
template's ``counter`` and picks the answer of a list: ``sequence`` answers
1, 2, … n, n, n …; ``cycle`` answers 1 … n, 1 … n; ``random`` draws by weight
from a seeded generator (tests pass their own). Counters are kept for at most
:data:`MAX_STATES` (rule, value) pairs, the least recently used dropped first
(its next request starts again at 1), so a client sending a new key with
every request costs bounded memory; long values are kept as a digest.
"""

from __future__ import annotations

import collections
import hashlib
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass

#: (rule, state value) pairs counted at once
MAX_STATES = 10_000
#: characters of a state value kept as they are (longer ones are kept as a digest)
MAX_STATE_TEXT = 200


def _state_id(value: str) -> str:
    if len(value) <= MAX_STATE_TEXT:
        return value
    return "#" + hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def pick(mode: str, counter: int, weights: Sequence[float], rng: random.Random) -> int:
    """The 0-based answer that request number ``counter`` (1-based) gets.

    ``random`` draws from ``rng`` (the caller holds whatever lock guards it).
    """
    count = len(weights)
    if count <= 1:
        return 0
    if mode == "cycle":
        return (counter - 1) % count
    if mode == "random":
        return rng.choices(range(count), weights=weights)[0]
    return min(counter, count) - 1


@dataclass(frozen=True, slots=True)
class Pick:
    """Which answer a request gets, and why, in words (for the editor's preview).

    Attributes:
        step: the 1-based answer (None for a rule with one answer, or a random
            draw not made yet).
        steps: how many answers (None for a rule with one answer).
        counter: the request's number within its state.
        state: the ``state_key`` value ("" without one).
        why: one line: ``sequence: request 2 since the state was reset``.
    """

    step: int | None
    steps: int | None
    counter: int
    state: str
    why: str


def foresee(
    mode: str, counter: int, weights: Sequence[float], state: str, *, keyed: bool
) -> Pick:
    """What the next request, number ``counter`` of its state, would get (no draw is made)."""
    count = len(weights)
    which = f" for state key value {state!r}" if keyed else ""
    if count <= 1:
        why = f"one answer; request {counter} since the state was reset{which}"
        return Pick(None, None, counter, state, why)
    if mode == "random":
        total = sum(weights)
        chances = ", ".join(
            f"{index + 1}: {100 * weight / total:.0f}%" if total else f"{index + 1}: -"
            for index, weight in enumerate(weights)
        )
        return Pick(None, count, counter, state, f"random: each request draws by weight ({chances})")
    step = pick(mode, counter, weights, random.Random(0)) + 1
    if mode == "cycle":
        why = f"cycle: request {counter} since the state was reset{which}, round {(counter - 1) // count + 1}"
    elif counter > count:
        why = f"sequence: request {counter} since the state was reset{which}; the last answer repeats"
    else:
        why = f"sequence: request {counter} since the state was reset{which}"
    return Pick(step, count, counter, state, why)


class AnswerState:
    """Request counters per (rule name, state value), and the random generator. Thread-safe.

    Args:
        rng: draws of ``random`` mode (seed one for repeatable tests).
    """

    def __init__(self, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: collections.OrderedDict[tuple[str, str], int] = collections.OrderedDict()
        self._rng = rng if rng is not None else random.Random()
        self._version = 0

    def advance(self, rule: str, state: str, mode: str, weights: Sequence[float]) -> tuple[int, int]:
        """Count one request; returns (its counter, the 0-based answer it gets)."""
        key = (rule, _state_id(state))
        with self._lock:
            counter = self._counts.pop(key, 0) + 1
            self._counts[key] = counter
            if len(self._counts) > MAX_STATES:
                self._counts.popitem(last=False)
            self._version += 1
            return counter, pick(mode, counter, weights, self._rng)

    def peek(self, rule: str, state: str = "") -> int:
        """The counter the next request of ``rule`` with ``state`` would get."""
        with self._lock:
            return self._counts.get((rule, _state_id(state)), 0) + 1

    def reset(self) -> None:
        """Every counter back to the start."""
        with self._lock:
            self._counts.clear()
            self._version += 1

    @property
    def version(self) -> int:
        """Changes whenever a counter does (the editor refreshes its preview on a change)."""
        return self._version
