"""The response engine: pick the first enabled rule that matches, render its answer.

Strategy. A :class:`RuleSet` is an immutable snapshot; building one compiles
every rule once (path pattern, condition regexes, templates; template
compilation is also cached by source text, so a new snapshot after an edit
only compiles what changed). A :class:`Responder` holds the current snapshot
and swaps it with one attribute assignment (atomic in CPython), so the server
thread reads one consistent snapshot per request and no lock is held while
rendering. The responder also holds the answer state (request counters per
rule and per ``state_key`` value, :mod:`inspector.responses.state`), which
starts again whenever rules are put in use, and the body files it sends
(:mod:`inspector.responses.files`), read off the loop when rules are put in use.

A rule answers with one answer or picks one of a list (``responses``) by its
``mode`` (docs/ARCHITECTURE.md, "Answers"); each answer compiles on its own
(:mod:`inspector.responses.answers`), and its :class:`Response` carries the
step, the fault and the delay the listener acts on.

Nothing raises out of :meth:`Responder.__call__`: a rule that cannot be
compiled or rendered answers 500 with a plain-text reason, ``rule`` set to its
name and ``error`` set to ``"<rule>: <reason>"``.

CORS (a rule's ``cors`` flag): an ``OPTIONS`` request carrying
``Access-Control-Request-Method`` is a preflight (Fetch standard, "CORS
protocol"); a CORS rule answers it when its path matches and the requested
method is one of its methods (conditions are not checked: a preflight carries
none of the real request's headers or body). Normal answers of a CORS rule get
``Access-Control-Allow-Origin`` unless the template set it.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.http.deferred import Deferred
from inspector.http.record import CaptureRecord
from inspector.http.response import Response, clean_field
from inspector.responses.answers import (
    MAX_HEADER_VALUE,
    CompiledAnswer,
    Compiler,
    failure_response,
    render_field,
)
from inspector.responses.budget import Budget
from inspector.responses.context import RequestView
from inspector.responses.files import BodyFiles
from inspector.responses.forwarding import Forwarding, described
from inspector.responses.matching import Matcher, MatchResult
from inspector.responses.model import DEFAULT_RULE, DEFAULT_RULES, MODES, Problem, Rule
from inspector.responses.pausing import PauseHandler, hold
from inspector.responses.state import AnswerState, Pick, foresee, pick

#: seconds a browser may cache a preflight answer (Chrome caps at 7200)
CORS_MAX_AGE = "600"


def is_preflight(record: CaptureRecord) -> bool:
    """An OPTIONS request asking for CORS permission."""
    return (
        record.method.upper() == "OPTIONS"
        and record.header("access-control-request-method") is not None
    )


def _allow_origin(record: CaptureRecord) -> list[tuple[str, str]]:
    origin = record.header("origin")
    if not origin:
        return [("Access-Control-Allow-Origin", "*")]
    return [
        ("Access-Control-Allow-Origin", clean_field(origin)),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
    ]


class CompiledRule:
    """A rule with its pattern, answers and state key compiled; renders its answers.

    Attributes:
        problems: why the rule (or one of its answers) cannot answer as written;
            a rule-wide problem makes every answer a 500, an answer's only that answer.
        answers: the compiled answers, in order.
        weights: each answer's weight (``random`` mode).
    """

    __slots__ = ("_rule_problems", "_state_key", "answers", "matcher", "problems", "rule", "weights")

    def __init__(self, rule: Rule, folder: Path | None = None) -> None:
        self.rule = rule
        self.matcher = Matcher(rule)
        compiler = Compiler(None)
        if rule.mode not in MODES:
            compiler.problem("mode", f"{rule.mode!r} is not one of {', '.join(MODES)}")
        listed = rule.listed
        answers = rule.answers
        self.answers = tuple(
            CompiledAnswer(
                answer,
                rule=rule.name,
                step=index + 1 if listed else None,
                steps=len(answers) if listed else None,
                folder=folder,
            )
            for index, answer in enumerate(answers)
        )
        self.weights = tuple(max(0.0, float(answer.weight)) for answer in answers)
        if listed and rule.mode == "random" and not any(self.weights):
            compiler.problem("mode", "random mode needs an answer whose weight is above 0")
        self._state_key = compiler.template("state_key", rule.state_key) if rule.state_key else None
        self._rule_problems = tuple(compiler.problems)
        problems = [] if self.matcher.problem is None else [self.matcher.problem]
        problems.extend(self._rule_problems)
        for compiled in self.answers:
            problems.extend(compiled.problems)
        self.problems = tuple(problems)

    def preflight(self, record: CaptureRecord) -> Response:
        """The 204 answer to a CORS preflight."""
        requested = clean_field(record.header("access-control-request-method") or "")
        methods = ", ".join(self.rule.methods) if self.rule.methods else requested
        headers = [
            *_allow_origin(record),
            ("Access-Control-Allow-Methods", methods),
        ]
        asked = record.header("access-control-request-headers")
        if asked:
            headers.append(("Access-Control-Allow-Headers", clean_field(asked)))
        headers.append(("Access-Control-Max-Age", CORS_MAX_AGE))
        return Response(status=204, headers=tuple(headers), rule=self.rule.name)

    def state_value(self, record: CaptureRecord, params: dict[str, str]) -> str:
        """The ``state_key`` rendered for ``record`` ("" without one).

        Raises:
            Exception: the template failed (the caller answers 500).
        """
        if self._state_key is None:
            return ""
        with Budget():
            variables = {"request": RequestView(record, params), "counter": 0}
            return render_field(self._state_key, variables, MAX_HEADER_VALUE)

    def answer(
        self, record: CaptureRecord, params: dict[str, str], state: AnswerState, files: BodyFiles
    ) -> Response:
        """Count the request in ``state`` and send the answer it picks; never raises."""
        name = self.rule.name
        if self._rule_problems:
            return failure_response(name, str(self._rule_problems[0]))
        try:
            key = self.state_value(record, params)
        except Exception as exc:  # a template error must not reach the listener
            return failure_response(name, f"state_key: {type(exc).__name__}: {exc}")
        counter, index = state.advance(name, key, self.rule.mode, self.weights)
        return self.respond(record, params, counter, index, files)

    def respond(
        self, record: CaptureRecord, params: dict[str, str], counter: int, index: int, files: BodyFiles
    ) -> Response:
        """Render answer ``index`` (0-based) as request number ``counter``; never raises."""
        if self._rule_problems:
            return failure_response(self.rule.name, str(self._rule_problems[0]))
        compiled = self.answers[index]
        if compiled.static is not None and not self.rule.cors:
            return compiled.static
        variables = {"request": RequestView(record, params), "counter": counter}
        if not self.rule.cors:
            return compiled.respond(variables, files)

        def add_allow_origin(headers: list[tuple[str, str]]) -> None:
            if not any(h.lower() == "access-control-allow-origin" for h, _ in headers):
                headers.extend(_allow_origin(record))

        return compiled.respond(variables, files, add_allow_origin)

    def foresee(self, record: CaptureRecord, params: dict[str, str], state: AnswerState) -> Pick:
        """Which answer the next such request would get, and why (nothing is counted)."""
        try:
            key = self.state_value(record, params)
        except Exception as exc:
            return Pick(None, None, 1, "", f"state_key fails: {type(exc).__name__}: {exc}")
        counter = state.peek(self.rule.name, key)
        return foresee(self.rule.mode, counter, self.weights, key, keyed=self._state_key is not None)


_DEFAULT = CompiledRule(DEFAULT_RULE)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    """An immutable, compiled snapshot of the rules (first enabled match answers).

    Attributes:
        rules: in order.
        version: the rules-file format version it was read from (not compared:
            the same rules read from a version 1 and a version 2 file are equal).
        extra: top-level file keys this version does not know (kept for saving).
        folder: the rules file's folder, where relative ``body_file`` paths
            point (None: the working directory).
    """

    rules: tuple[Rule, ...] = ()
    version: int = field(default=1, compare=False)
    extra: tuple[tuple[str, Any], ...] = field(default=(), hash=False)
    folder: Path | None = field(default=None, compare=False)
    _compiled: tuple[CompiledRule, ...] = field(init=False, repr=False, compare=False, hash=False, default=())

    def __post_init__(self) -> None:
        compiled = tuple(CompiledRule(r, self.folder) for r in self.rules)
        object.__setattr__(self, "_compiled", compiled)

    def problems(self) -> list[Problem]:
        """Every problem of every rule, each with its rule's position set."""
        return [
            dataclasses.replace(problem, rule=position)
            for position, compiled in enumerate(self._compiled)
            for problem in compiled.problems
        ]

    def body_files(self) -> list[Path]:
        """The files the answers of enabled rules send, each once."""
        seen: dict[Path, None] = {}
        for compiled in self._compiled:
            if compiled.rule.enabled:
                seen.update((a.file, None) for a in compiled.answers if a.file is not None)
        return list(seen)

    def select(self, record: CaptureRecord) -> tuple[CompiledRule, dict[str, str], bool]:
        """(the answering rule, its path captures, whether this is a CORS preflight)."""
        preflight = is_preflight(record)
        for compiled in self._compiled:
            if (
                preflight
                and compiled.rule.cors
                and compiled.rule.enabled
                and _preflight_matches(compiled, record)
            ):
                return compiled, {}, True
            params = compiled.matcher.match(record)
            if params is not None:
                return compiled, params, False
        return _DEFAULT, {}, False


#: The rules of a new user (no rules file, no ``--rules``): the favicon 404 and ``hello world``.
DEFAULT_RULESET = RuleSet(rules=DEFAULT_RULES)


def _preflight_matches(compiled: CompiledRule, record: CaptureRecord) -> bool:
    if compiled.matcher.problem is not None or not compiled.matcher.listener_ok(record.server):
        return False
    requested = record.header("access-control-request-method") or ""
    if not (compiled.matcher.method_ok(requested) or compiled.matcher.method_ok("OPTIONS")):
        return False
    return compiled.matcher.match_path(record.path) is not None


class Responder:
    """What the server calls: ``responder(record) -> Response``.

    Thread-safe: ``set_rules`` and ``reset_state`` may be called from any
    thread while the server thread answers; each request reads the snapshot
    reference once. A forward rule's answer is a :class:`Deferred` that an
    upstream worker resolves; :meth:`close` stops those workers. A ``pause``
    rule's answer is held for the pause handler, when one is set
    (:meth:`set_pause_handler`; :mod:`inspector.responses.pausing`).

    Args:
        ruleset: the rules to answer with (default: :data:`DEFAULT_RULESET`).
        rng: the draws of ``random`` mode (seed one for repeatable tests).
    """

    def __init__(self, ruleset: RuleSet | None = None, *, rng: random.Random | None = None) -> None:
        self._ruleset = ruleset if ruleset is not None else DEFAULT_RULESET
        self._state = AnswerState(rng)
        self._files = BodyFiles()
        self._forwarding = Forwarding()
        self._pauses: PauseHandler | None = None
        self._warm(self._ruleset)

    @property
    def ruleset(self) -> RuleSet:
        return self._ruleset

    def set_rules(self, ruleset: RuleSet) -> None:
        """Swap in a new snapshot and start the answer state again (requests in
        flight finish with the old rules); its body files are read off this thread."""
        self._ruleset = ruleset
        self._state.reset()
        self._warm(ruleset)

    def set_pause_handler(self, handler: PauseHandler | None) -> None:
        """Hold the requests of ``pause`` rules for ``handler`` (None: they answer at once)."""
        self._pauses = handler

    def reset_state(self) -> None:
        """Every rule's counters back to the start (the next request is request 1)."""
        self._state.reset()

    def _warm(self, ruleset: RuleSet) -> None:
        paths = ruleset.body_files()
        if paths:
            threading.Thread(target=self._files.warm, args=(paths,), name="body files", daemon=True).start()

    def close(self) -> None:
        """Stop forwarding (calls in flight answer 503); a later forward starts again."""
        self._forwarding.close()

    def __call__(self, record: CaptureRecord) -> Response | Deferred:
        ruleset = self._ruleset
        try:
            compiled, params, preflight = ruleset.select(record)
            if preflight:
                return compiled.preflight(record)
            forward = compiled.rule.forward
            if forward is not None:
                return self._forwarding.forward(record, forward, compiled.rule.name, ruleset.folder)
            answer = compiled.answer(record, params, self._state, self._files)
            pauses = self._pauses
            if compiled.rule.pause and pauses is not None:
                return hold(record, answer, pauses)
            return answer
        except Exception as exc:  # never let a bug here stop the listener
            return failure_response("engine", f"{type(exc).__name__}: {exc}")

    def peek_counter(self, rule_name: str, state: str = "") -> int:
        """The ``counter`` the next request answered by ``rule_name`` with ``state_key``
        value ``state`` will see (for previews)."""
        return self._state.peek(rule_name, state)

    @property
    def state(self) -> AnswerState:
        """The answer state (read it for previews: :meth:`AnswerState.peek`, ``version``)."""
        return self._state


def explain(rule: Rule, record: CaptureRecord) -> MatchResult:
    """Whether ``rule`` matches ``record`` and, if not, which part failed."""
    compiled = CompiledRule(rule)
    if rule.cors and rule.enabled and is_preflight(record) and _preflight_matches(compiled, record):
        return MatchResult(True, message="matches (CORS preflight)")
    return compiled.matcher.explain(record)


def render(
    rule: Rule,
    record: CaptureRecord,
    *,
    counter: int = 1,
    answer: int | None = None,
    folder: Path | None = None,
    files: BodyFiles | None = None,
) -> Response:
    """Render ``rule``'s answer to ``record`` (for the live preview).

    The rule is rendered whether or not it matches; path captures are filled in
    when the path matches. No responder counter is advanced.

    Args:
        counter: the template's ``counter``; it also picks the answer of a
            ``sequence`` or ``cycle`` list when ``answer`` is None.
        answer: the 0-based answer to render (a ``random`` list renders its first by default).
        folder: where relative body files are.
        files: where body files are read (default: read afresh).
    """
    compiled = CompiledRule(rule, folder)
    try:
        if rule.cors and is_preflight(record) and _preflight_matches(compiled, record):
            return compiled.preflight(record)
        if rule.forward is not None:
            return dataclasses.replace(described(rule.forward), rule=rule.name)
        params = compiled.matcher.match_path(record.path) or {}
        if answer is None or not 0 <= answer < len(compiled.answers):
            random_mode = rule.mode == "random"
            answer = 0 if random_mode else pick(rule.mode, counter, compiled.weights, random.Random(0))
        return compiled.respond(record, params, counter, answer, files if files is not None else BodyFiles())
    except Exception as exc:
        return failure_response(rule.name, f"{type(exc).__name__}: {exc}")


def validate_rule(rule: Rule) -> list[Problem]:
    """Every problem that stops ``rule`` (or one of its answers) from answering,
    with template line numbers and the answer each belongs to."""
    return list(CompiledRule(rule).problems)
