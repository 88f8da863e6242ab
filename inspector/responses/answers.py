"""One answer of a rule, compiled: its status, headers and body templates, or its body file.

Strategy. Templates compile once per answer (and are cached by source text,
see :mod:`inspector.responses.sandbox`). An answer whose status, headers and
body hold no template is built once, when compiled: every request gets the
same :class:`Response`, whose bytes the serialiser then builds only once. An
answer with a ``body_file`` and no template is built once per version of the
file (:class:`inspector.responses.files.BodyFiles` hands out the same bytes
while it is unchanged).

Answers are checked as they are built: a status must be 200-999 (a 1xx is not a
final answer), a header value may hold no control character but HTAB (as Node
refuses them with ``ERR_INVALID_CHAR``); static values are refused when the
answer is compiled, rendered ones when they are rendered. A failure is never
raised: the answer becomes a 500 naming the rule and the place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.http.response import (
    FAULTS,
    FRAMING_HEADERS,
    Response,
    clean_field,
    field_value_problem,
    is_token,
)
from inspector.responses.budget import MAX_OUTPUT, Budget, RenderLimitError
from inspector.responses.files import BodyFileError, BodyFiles, content_type, resolve
from inspector.responses.model import MAX_STATUS, MIN_STATUS, Answer, Problem
from inspector.responses.sandbox import CompileError, compile_template, error_line
from inspector.responses.sandbox import render as render_template

#: a longer delay is clamped (a rule is a debugging aid, not a tarpit)
MAX_DELAY_MS = 10 * 60 * 1000
#: header values are rendered under a smaller cap than bodies
MAX_HEADER_VALUE = 64 * 1024
#: a trickle answer without ``bytes_per_s`` goes out at this rate
DEFAULT_TRICKLE_RATE = 1024
_MAX_REASON = 300

#: adds headers to a rendered answer (a CORS rule's Access-Control-Allow-Origin)
HeaderHook = Callable[[list[tuple[str, str]]], None]


def render_field(template: Any, variables: dict[str, Any], limit: int = MAX_OUTPUT) -> str:
    """A compiled template (or plain text) rendered under ``limit`` characters."""
    if isinstance(template, str):
        if len(template) > limit:
            raise RenderLimitError(f"output is larger than {limit} bytes")
        return template
    return render_template(template, variables, limit=limit)


def _one_line(text: str) -> str:
    line = " ".join(clean_field(text).split())
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 1] + "…"


def failure_response(rule_name: str, reason: str) -> Response:
    """The 500 that replaces the answer of a rule that failed."""
    reason = _one_line(reason)
    body = (
        f"Request Inspector: the response rule {rule_name!r} failed, so this 500 was sent "
        f"instead of its answer.\n\n{reason}\n"
    )
    return Response(
        status=500,
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body=body.encode("utf-8"),
        rule=rule_name,
        error=f"{rule_name}: {reason}",
    )


def status_problem(status: int) -> str | None:
    if MIN_STATUS <= status <= MAX_STATUS:
        return None
    if 100 <= status < MIN_STATUS:
        return f"{status} is informational (1xx), not a final answer: use {MIN_STATUS}-{MAX_STATUS}"
    return f"{status} is not a status code ({MIN_STATUS}-{MAX_STATUS})"


def is_template(source: str) -> bool:
    return any(mark in source for mark in ("{{", "{%", "{#"))


class Compiler:
    """Compiles template fields, collecting problems (``answer`` set on each)."""

    def __init__(self, answer: int | None) -> None:
        self.answer = answer
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str, index: int | None = None, line: int | None = None) -> None:
        self.problems.append(
            Problem(field=field, message=message, index=index, line=line, answer=self.answer)
        )

    def template(self, name: str, source: str, index: int | None = None) -> Any:
        """Plain text as it is, a template compiled; None when it does not compile."""
        if not is_template(source):
            return source
        compiled = compile_template(source)
        if isinstance(compiled, CompileError):
            self.problem(name, compiled.message, index, compiled.line)
            return None
        return compiled


class CompiledAnswer:
    """One answer with its templates compiled; renders it.

    Args:
        answer: what to compile.
        rule: the rule's name (for the record and failure messages).
        step: the 1-based position in the rule's list (None: the rule's one answer).
        steps: how many answers the list has (None with ``step``).
        folder: the rules file's folder (a relative ``body_file`` is inside it).
    """

    __slots__ = (
        "_body", "_extra", "_file_memo", "_headers", "_plain", "_status", "answer", "file",
        "problems", "rule", "static", "step", "steps",
    )  # fmt: skip

    def __init__(
        self,
        answer: Answer,
        *,
        rule: str,
        step: int | None = None,
        steps: int | None = None,
        folder: Path | None = None,
    ) -> None:
        self.answer = answer
        self.rule = rule
        self.step, self.steps = step, steps
        compiler = Compiler(None if step is None else step - 1)
        self._status = self._compile_status(answer.status, compiler)
        headers: list[tuple[str, Any]] = []
        for index, (name, value) in enumerate(answer.headers):
            if not is_token(name):
                compiler.problem("headers", f"{name!r} is not a header name", index)
            elif name.lower() in FRAMING_HEADERS:
                continue  # the listener computes framing itself
            elif not is_template(value) and (why := field_value_problem(value)) is not None:
                compiler.problem("headers", why, index)
            else:
                template = compiler.template("headers", value, index)
                if template is not None:
                    headers.append((name, template))
        self.file: Path | None = None
        if answer.body_file:
            self.file = resolve(answer.body_file, folder)
            if answer.body:
                compiler.problem("body_file", "an answer has a body or a body_file, not both")
            if not any(name.lower() == "content-type" for name, _ in headers):
                headers.append(("Content-Type", content_type(self.file)))
        self._headers = tuple(headers)
        self._body = compiler.template("body", answer.body)
        if answer.delay_ms < 0:
            compiler.problem("delay_ms", "delay_ms must not be negative")
        if answer.fault is not None and answer.fault not in FAULTS:
            compiler.problem("fault", f"{answer.fault!r} is not one of {', '.join(FAULTS)}")
        if answer.bytes_per_s < 0:
            compiler.problem("bytes_per_s", "bytes_per_s must not be negative")
        if answer.weight < 0:
            compiler.problem("weight", "weight must not be negative")
        self.problems = tuple(compiler.problems)
        self._extra: dict[str, Any] = {
            "rule": rule,
            "delay_ms": max(0, min(answer.delay_ms, MAX_DELAY_MS)),
            "fault": answer.fault,
            "bytes_per_s": (answer.bytes_per_s or DEFAULT_TRICKLE_RATE) if answer.fault == "trickle" else 0,
            "step": step,
            "steps": steps,
        }
        self._file_memo: tuple[bytes, Response] | None = None
        parts = (self._status, self._body, *(value for _, value in self._headers))
        self._plain = not self.problems and all(isinstance(p, (int, str)) for p in parts)
        #: the answer every request gets, for an answer without templates or file (else None)
        self.static = self._render_static()

    @staticmethod
    def _compile_status(status: int | str, compiler: Compiler) -> Any:
        if isinstance(status, str) and status.strip().isascii() and status.strip().isdigit():
            status = int(status.strip())
        if isinstance(status, int) and not isinstance(status, bool):
            why = status_problem(status)
            if why is None:
                return status
            compiler.problem("status", why)
            return None
        if isinstance(status, str) and is_template(status):
            return compiler.template("status", status)
        if isinstance(status, str):  # "two hundred": neither a number nor a template
            shown = repr(status[:40]) if status.strip() else "an empty status"
            why = f"{shown} is not a status code ({MIN_STATUS}-{MAX_STATUS}) or a template"
            compiler.problem("status", why)
            return None
        compiler.problem("status", "status must be a number")
        return None

    def _render_static(self) -> Response | None:
        """The one answer of an answer without templates or file (None otherwise)."""
        if not self._plain or self.file is not None:
            return None
        body = str(self._body).encode("utf-8", "replace")
        if len(body) > MAX_OUTPUT:
            return None  # respond() says why
        return self._response(int(self._status), [(n, str(v)) for n, v in self._headers], body)

    def _response(self, status: int, headers: list[tuple[str, str]], body: bytes) -> Response:
        return Response(status=status, headers=tuple(headers), body=body, **self._extra)

    def failure(self, reason: str) -> Response:
        """The 500 sent instead of this answer (it keeps its step, for the record)."""
        return dataclasses.replace(failure_response(self.rule, reason), step=self.step, steps=self.steps)

    def respond(
        self, variables: dict[str, Any], files: BodyFiles, add_headers: HeaderHook | None = None
    ) -> Response:
        """Render this answer; never raises (failures become a 500).

        Args:
            variables: the template variables (``request``, ``counter``).
            files: where body files are read.
            add_headers: called with the rendered headers (adds CORS headers);
                None lets an answer without templates be built once.
        """
        if self.static is not None and add_headers is None:
            return self.static
        if self.problems:
            return self.failure(str(self.problems[0]))
        body = b""
        if self.file is not None:
            try:
                body = files.read(self.file)
            except BodyFileError as exc:
                return self.failure(f"body_file {self.answer.body_file!r}: {exc}")
            memo = self._file_memo
            if memo is not None and memo[0] is body and add_headers is None:
                return memo[1]
        where = "body"
        try:
            with Budget():
                where = "status"
                status = self._render_status(variables)
                headers: list[tuple[str, str]] = []
                for index, (header, template) in enumerate(self._headers):
                    where = f"headers[{index}]"
                    value = render_field(template, variables, MAX_HEADER_VALUE)
                    why = field_value_problem(value)
                    if why is not None:
                        raise ValueError(f"{header}: {why}")
                    headers.append((header, value))
                if self.file is None:
                    where = "body"
                    body = render_field(self._body, variables).encode("utf-8", "replace")
                    if len(body) > MAX_OUTPUT:
                        raise RenderLimitError(f"output is larger than {MAX_OUTPUT} bytes")
        except RenderLimitError as exc:
            return self.failure(f"{self._where(where)}: {exc}")
        except Exception as exc:  # a template error must not reach the listener
            line = error_line(exc)
            at = self._where(where) if line is None else f"{self._where(where)} line {line}"
            return self.failure(f"{at}: {type(exc).__name__}: {exc}")
        if add_headers is not None:
            add_headers(headers)
        response = self._response(status, headers, body)
        if self.file is not None and add_headers is None and self._plain:
            self._file_memo = (body, response)
        return response

    def _where(self, where: str) -> str:
        return where if self.step is None else f"responses[{self.step - 1}].{where}"

    def _render_status(self, variables: dict[str, Any]) -> int:
        if isinstance(self._status, int):
            return self._status
        text = render_field(self._status, variables, 64).strip()
        try:
            status = int(text)
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not a status code") from None
        why = status_problem(status)
        if why is not None:
            raise ValueError(why)
        return status
