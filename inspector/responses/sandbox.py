"""The template sandbox: a Jinja2 sandbox with a time cap and size caps.

Strategy. Templates run in jinja2's ``ImmutableSandboxedEnvironment``
(attributes starting with ``_`` and internals are refused, lists and dicts
cannot be modified), autoescape off because responses are not necessarily
HTML. Request data only ever reaches a template as context values, never as
template source.

Python cannot stop a running function from outside, so the caps are enforced
cooperatively, at checkpoints the template cannot avoid:

- every ``{% for %}`` iterable is wrapped (an AST rewrite before compiling) in
  an iterator that counts items in a per-render budget, so nested loops of any
  shape reach a checkpoint at least every :data:`CHECK_EVERY` iterations;
- every call (``environment.call``: methods, globals, macros, recursion), every
  filter, and the intercepted operators ``*``, ``**``, ``+`` and ``%`` count too;
- every piece of output, also output captured by ``{% set %}`` blocks and
  macros, is measured (:data:`MAX_EMITTED`), and ``~`` concatenation is checked;
- operators and string methods that can build a huge value in one C call are
  refused before they run: ``"x" * n``, ``2 ** n``, ``+`` of long sequences,
  ``%``/``format`` widths, ``center``/``ljust``/``zfill``/``join``/``replace``
  and the ``center``/``indent``/``batch``/``slice``/``join``/``replace`` filters;
- the body is rendered with ``generate()`` and the output counted chunk by chunk
  (:data:`MAX_OUTPUT`).

At a checkpoint past the deadline, :class:`RenderLimitError` is raised inside
the template and unwinds it. What is not covered: a single C-level step on data
already within the caps (sorting 100,000 items, ``str()`` of a list holding
many references to one large string) runs to its end before the next
checkpoint. The template author is the local user, not the remote client, so
the caps guard against mistakes and against request data inflating work, not
against a hostile author.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import threading
import time
import uuid as _uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import ChainableUndefined, Context
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from inspector.responses.context import Address, MultiView, RequestView

#: the largest rendered body (and header value, and status); 1 MiB
MAX_OUTPUT = 1024 * 1024
#: the longest a response may take to render (status, headers and body together)
MAX_RENDER_SECONDS = 1.0
#: all text produced while rendering, also into {% set %} blocks and macros
MAX_EMITTED = 4 * MAX_OUTPUT
#: the largest string or sequence one operator or method may build
MAX_VALUE = 4 * MAX_OUTPUT
#: the largest width/count argument of padding-like methods and filters
MAX_WIDTH = 64 * 1024
#: how many checkpoints pass between two clock reads
CHECK_EVERY = 64


class RenderLimitError(Exception):
    """A template exceeded a cap (time, output or value size). One-line message."""


class _Budget:
    __slots__ = ("deadline", "emitted", "ticks")

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.emitted = 0
        self.ticks = 0


_state = threading.local()


def _budget() -> _Budget | None:
    budget: _Budget | None = getattr(_state, "budget", None)
    return budget


def _tick() -> None:
    budget = _budget()
    if budget is None:
        return
    budget.ticks += 1
    if budget.ticks % CHECK_EVERY == 0 and time.monotonic() > budget.deadline:
        raise RenderLimitError(f"rendering took longer than {MAX_RENDER_SECONDS:g} s")


def _check_deadline() -> None:
    budget = _budget()
    if budget is not None and time.monotonic() > budget.deadline:
        raise RenderLimitError(f"rendering took longer than {MAX_RENDER_SECONDS:g} s")


class Budget:
    """Context manager: one response's render budget, for the current thread."""

    def __init__(self, seconds: float | None = None) -> None:
        self._seconds = MAX_RENDER_SECONDS if seconds is None else seconds
        self._saved: _Budget | None = None

    def __enter__(self) -> Budget:
        self._saved = _budget()
        _state.budget = _Budget(self._seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        _state.budget = self._saved


# ---------------------------------------------------------------- size guards


def _weight(value: Any, depth: int = 0) -> int:
    """Rough size of a value in characters/items (for operator guards)."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, (list, tuple)):
        if depth >= 2:
            return len(value)
        return len(value) + sum(_weight(item, depth + 1) for item in value)
    return 1


def _too_big(what: str, size: int) -> RenderLimitError:
    return RenderLimitError(f"{what} would build a value of {size} items (limit {MAX_VALUE})")


_PERCENT_WIDTH = re.compile(r"%[^a-zA-Z%]*?(\*|\d{6,})")
_FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}]*(\{|\d{6,})")


def _check_percent_format(text: Any) -> None:
    if isinstance(text, str) and _PERCENT_WIDTH.search(text):
        raise RenderLimitError("'%' format with a '*' or huge width is not allowed")


def _check_format_string(text: str) -> None:
    if _FORMAT_WIDTH.search(text):
        raise RenderLimitError("format() with a nested or huge width is not allowed")


def _check_width_args(name: str, args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_WIDTH:
            raise RenderLimitError(f"{name}() with a width of {arg} (limit {MAX_WIDTH})")


def _bounded_join(sep: str, items: Iterable[Any], convert: Callable[[Any], Any] = str) -> str:
    parts: list[str] = []
    total = 0
    for item in items:
        _tick()
        text = str(convert(item))
        total += len(text) + len(sep)
        if total > MAX_VALUE:
            raise _too_big("join", total)
        parts.append(text)
    return sep.join(parts)


def _bounded_replace(s: str, old: str, new: str, count: int | None = None) -> str:
    hits = s.count(old) if old else len(s) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    size = len(s) + hits * (len(new) - len(old))
    if size > MAX_VALUE:
        raise _too_big("replace", size)
    return s.replace(old, new, -1 if count is None else count)


_PAD_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})


def _check_method_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Guard str/bytes methods that can build a huge value; maybe return a bounded stand-in."""
    func = getattr(func, "__wrapped__", func)  # the sandbox wraps str.format
    owner = getattr(func, "__self__", None)
    if not isinstance(owner, (str, bytes)):
        return None
    name = getattr(func, "__name__", "")
    if name in _PAD_METHODS:
        _check_width_args(name, (*args, *kwargs.values()))
    elif name == "expandtabs":
        size = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
        _check_width_args(name, (*args, *kwargs.values()))
        tab = args[0] if args and isinstance(args[0], int) else 8
        if size * tab > MAX_VALUE:
            raise _too_big("expandtabs", size * tab)
    elif name in ("format", "format_map") and isinstance(owner, str):
        _check_format_string(owner)
    elif name == "join" and isinstance(owner, str) and len(args) == 1 and not kwargs:
        return lambda: _bounded_join(owner, args[0])
    elif name == "replace" and isinstance(owner, str) and 2 <= len(args) <= 3:
        old, new = str(args[0]), str(args[1])
        count = args[2] if len(args) == 3 else None
        return lambda: _bounded_replace(owner, old, new, count)
    return None


# ------------------------------------------------------------ template hooks


def _guarded_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _tick()
        yield item


@pass_context
def _rt_loop(context: Context, iterable: Any) -> Any:
    """Wraps every {% for %} iterable (see _Guard)."""
    if isinstance(iterable, Undefined):
        return iterable
    return _guarded_iter(iterable)


@pass_context
def _rt_out(context: Context, value: Any) -> str:
    """Wraps every output expression: counts what is emitted."""
    text = "" if value is None else str(value)
    budget = _budget()
    if budget is not None:
        budget.emitted += len(text)
        if budget.emitted > MAX_EMITTED:
            raise RenderLimitError(f"the template produced more than {MAX_EMITTED} characters")
        _tick()
    return text


@pass_context
def _rt_concat(context: Context, values: list[Any]) -> str:
    """Replaces ``~``: a concatenation with a size check."""
    return _bounded_join("", values)


class _Guard(NodeTransformer):
    """Rewrites a parsed template so loops, output and ``~`` pass the checkpoints."""

    def _filter(self, node: nodes.Node, name: str) -> nodes.Filter:
        return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = self._filter(node.iter, "_rt_loop")
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        wrapped: list[nodes.Expr] = []
        for child in node.nodes:
            expr = (
                nodes.Const(child.data, lineno=child.lineno)
                if isinstance(child, nodes.TemplateData)
                else child
            )
            wrapped.append(self._filter(expr, "_rt_out"))
        node.nodes = wrapped
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return self._filter(nodes.List(node.nodes, lineno=node.lineno), "_rt_concat")


# ------------------------------------------------------------------- helpers


def _json_default(value: Any) -> Any:
    if isinstance(value, (RequestView, MultiView, Address)):
        return value.to_dict()
    if isinstance(value, Undefined):
        return None
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def tojson(value: Any, indent: int | None = None) -> str:
    """JSON text of ``value`` (request views become plain objects), size-checked."""
    if isinstance(value, Undefined):
        value = None
    if indent is not None:
        indent = max(0, min(int(indent), 16))
    encoder = json.JSONEncoder(ensure_ascii=False, default=_json_default, indent=indent)
    parts: list[str] = []
    total = 0
    for chunk in encoder.iterencode(value):
        total += len(chunk)
        if total > MAX_VALUE:
            raise _too_big("tojson", total)
        parts.append(chunk)
        _tick()
    return "".join(parts)


def now() -> _dt.datetime:
    """The current time as an aware UTC datetime."""
    return _dt.datetime.now(tz=_dt.UTC)


def new_uuid() -> str:
    """A random UUID (version 4) as text."""
    return str(_uuid.uuid4())


def safe_range(*args: int) -> range:
    """``range`` limited to jinja's MAX_RANGE items, counted as a checkpoint."""
    _tick()
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise RenderLimitError(f"range() of {len(rng)} items (limit {MAX_RANGE})")
    return rng


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    checks_width = name in ("center", "indent", "batch", "slice", "wordwrap", "truncate")

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _tick()
        if checks_width:
            _check_width_args(name, (*args[1:], *kwargs.values()))
        if name == "format" and args:
            _check_percent_format(args[0])
        return func(*args, **kwargs)

    return wrapper


def _join_filter(value: Any, d: str = "", attribute: str | int | None = None) -> str:
    if attribute is None:
        return _bounded_join(str(d), value)
    return _bounded_join(str(d), value, lambda item: _ENV.getitem(item, attribute))


def _replace_filter(s: Any, old: Any, new: Any, count: int | None = None) -> str:
    return _bounded_replace(str(s), str(old), str(new), count)


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with checkpoints on calls and size-checked operators."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "*":
            seq, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(count, int) and isinstance(seq, (str, bytes, list, tuple)):
                size = _weight(seq) * max(count, 0)
                if size > MAX_VALUE:
                    raise _too_big("'*'", size)
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                bits = abs(left).bit_length() * right
                if bits > MAX_VALUE:
                    raise RenderLimitError(f"'**' would build a {bits}-bit number")
        elif operator == "+":
            if isinstance(left, (str, bytes, list, tuple)) and isinstance(
                right, (str, bytes, list, tuple)
            ):
                size = _weight(left) + _weight(right)
                if size > MAX_VALUE:
                    raise _too_big("'+'", size)
        elif operator == "%":
            _check_percent_format(left)
        return super().call_binop(context, operator, left, right)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuse unsafe attributes loudly (the default returns a silent Undefined)."""
        kind = type(obj).__name__
        raise SecurityError(f"access to attribute {attribute!r} of a {kind} is not allowed")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        bounded = _check_method_call(__obj, args, kwargs)
        if bounded is not None:
            return bounded()
        return super().call(__context, __obj, *args, **kwargs)


def _make_environment() -> TemplateEnvironment:
    env = TemplateEnvironment(
        autoescape=False,
        undefined=ChainableUndefined,
        keep_trailing_newline=True,
        finalize=lambda value: "" if value is None else value,
        cache_size=0,
        auto_reload=False,
    )
    for name, func in list(env.filters.items()):
        env.filters[name] = _guard_filter(name, func)
    env.filters["join"] = _guard_filter("join", _join_filter)
    env.filters["replace"] = _guard_filter("replace", _replace_filter)
    env.filters["tojson"] = tojson
    env.filters["_rt_loop"] = _rt_loop
    env.filters["_rt_out"] = _rt_out
    env.filters["_rt_concat"] = _rt_concat
    env.globals.pop("lipsum", None)  # an unbounded loop in one call
    env.globals.update(range=safe_range, now=now, uuid=new_uuid)
    return env


_ENV = _make_environment()


@dataclass(frozen=True, slots=True)
class CompileError:
    """A template that does not compile: 1-based line (None if unknown) and message."""

    line: int | None
    message: str


@lru_cache(maxsize=1024)
def compile_template(source: str) -> Any:
    """Compile template source once (cached by text).

    Returns:
        a jinja2 ``Template``, or a :class:`CompileError`.
    """
    try:
        tree = _ENV.parse(source)
        tree = _Guard().visit(tree)
        return _ENV.from_string(tree)
    except TemplateSyntaxError as exc:
        return CompileError(exc.lineno, exc.message or "syntax error")
    except RecursionError:
        return CompileError(None, "template is nested too deeply")


def render(template: Any, variables: dict[str, Any], *, limit: int = MAX_OUTPUT) -> str:
    """Render under the current :class:`Budget`, stopping at ``limit`` characters.

    Raises:
        RenderLimitError: a cap was exceeded.
        Exception: whatever the template raised (jinja2 errors, TypeError, ...).
    """
    parts: list[str] = []
    size = 0
    for chunk in template.generate(variables):
        size += len(chunk)
        if size > limit:
            raise RenderLimitError(f"output is larger than {limit} bytes")
        parts.append(chunk)
        _check_deadline()
    return "".join(parts)


def error_line(exc: BaseException) -> int | None:
    """The template line a render error happened on, when jinja2 recorded it."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
