"""The template sandbox: a Jinja2 sandbox with a time cap and size caps.

Strategy. Templates run in jinja2's ``ImmutableSandboxedEnvironment``
(attributes starting with ``_`` and internals are refused, lists and dicts
cannot be modified), autoescape off because responses are not necessarily
HTML. Request data only ever reaches a template as context values, never as
template source.

The caps (:mod:`inspector.responses.budget`) are enforced at checkpoints the
template cannot avoid:

- every ``{% for %}`` iterable is wrapped (an AST rewrite before compiling) in
  an iterator that counts items in a per-render budget, so nested loops of any
  shape reach a checkpoint at least every ``CHECK_EVERY`` iterations;
- every call (``environment.call``: methods, globals, macros, recursion), every
  filter, and the intercepted operators ``*``, ``**``, ``+`` and ``%`` count too;
- every piece of output, also output captured by ``{% set %}`` blocks and
  macros, is measured (``MAX_EMITTED``), and ``~`` concatenation is checked;
- operators, methods and filters that could build a huge value, or run long,
  in one call are bounded before they run (:mod:`inspector.responses.guards`);
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
import types
import uuid as _uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, update_wrapper
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import ChainableUndefined, Context
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from inspector.responses import guards
from inspector.responses.budget import (
    MAX_OUTPUT,
    MAX_VALUE,
    RenderLimitError,
    check_deadline,
    count_emitted,
    tick,
)
from inspector.responses.context import Address, MultiView, RequestView

# ------------------------------------------------------------ template hooks


def _guarded_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        tick()
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
    count_emitted(len(text))
    return text


@pass_context
def _rt_concat(context: Context, values: list[Any]) -> str:
    """Replaces ``~``: a concatenation with a size check."""
    return guards.bounded_join("", values)


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


#: chunks of JSON output between two clock reads in :func:`tojson`
_TOJSON_CHECK_EVERY = 256


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
            raise guards.too_big("tojson", total)
        parts.append(chunk)
        if len(parts) % _TOJSON_CHECK_EVERY == 0:  # chunks are tiny: a tick each costs more
            check_deadline()
    return "".join(parts)


def now() -> _dt.datetime:
    """The current time as an aware UTC datetime."""
    return _dt.datetime.now(tz=_dt.UTC)


def new_uuid() -> str:
    """A random UUID (version 4) as text."""
    return str(_uuid.uuid4())


def safe_range(*args: int) -> range:
    """``range`` limited to jinja's MAX_RANGE items, counted as a checkpoint."""
    tick()
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise RenderLimitError(f"range() of {len(rng)} items (limit {MAX_RANGE})")
    return rng


def _join_filter(value: Any, d: str = "", attribute: str | int | None = None) -> str:
    if attribute is None:
        return guards.bounded_join(str(d), value)
    return guards.bounded_join(str(d), value, lambda item: _ENV.getitem(item, attribute))


def _replace_filter(s: Any, old: Any, new: Any, count: int | None = None) -> str:
    return guards.bounded_replace(str(s), str(old), str(new), count)


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with checkpoints on calls and size-checked operators."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        tick()
        if operator == "*":
            seq, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(count, int) and isinstance(seq, (str, bytes, list, tuple)):
                size = guards.weight(seq) * max(count, 0)
                if size > MAX_VALUE:
                    raise guards.too_big("'*'", size)
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                bits = abs(left).bit_length() * right
                if bits > MAX_VALUE:
                    raise RenderLimitError(f"'**' would build a {bits}-bit number")
        elif operator == "+":
            if isinstance(left, (str, bytes, list, tuple)) and isinstance(
                right, (str, bytes, list, tuple)
            ):
                size = guards.weight(left) + guards.weight(right)
                if size > MAX_VALUE:
                    raise guards.too_big("'+'", size)
        elif operator == "%":
            if isinstance(left, str):
                return guards.bounded_percent(left, right)
            if isinstance(left, (bytes, bytearray)):
                raise RenderLimitError("'%' formatting of bytes is not allowed")
        return super().call_binop(context, operator, left, right)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuse unsafe attributes loudly (the default returns a silent Undefined)."""
        kind = type(obj).__name__
        raise SecurityError(f"access to attribute {attribute!r} of a {kind} is not allowed")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` / ``format_map`` through :class:`guards.BoundedFormatter`."""
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)):
            return None
        owner = getattr(value, "__self__", None)
        if value.__name__ not in ("format", "format_map") or not isinstance(owner, str):
            return None
        is_format_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs = args[0]
                args = ()
            return type(owner)(guards.BoundedFormatter(self).vformat(owner, args, kwargs))

        return update_wrapper(wrapper, value)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        tick()
        bounded = guards.check_method_call(__obj, args, kwargs)
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
    env.filters["join"] = _join_filter
    env.filters["replace"] = _replace_filter
    env.filters["format"] = guards.percent_filter
    for name, func in list(env.filters.items()):
        env.filters[name] = guards.guard_filter(name, func)
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
        tick()  # the clock (a system call) every CHECK_EVERY pieces, not every piece
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
