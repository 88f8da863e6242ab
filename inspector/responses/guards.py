"""Size guards: no operator, method or filter in a template builds a huge value in one call.

Strategy. The render budget's checkpoints (:mod:`inspector.responses.budget`)
run between calls, so a single C-level call must be bounded before it starts:

- ``"x" * n``, ``2 ** n`` and ``+`` of long sequences are refused when the
  result would pass :data:`MAX_VALUE`;
- printf-style ``%`` (the operator and the ``format`` filter) runs one
  conversion at a time (:func:`bounded_percent`): widths and precisions over
  :data:`MAX_WIDTH` and ``*`` are refused and the output is counted piece by
  piece, so neither ``'%(a)3999999999s'`` nor ten thousand ``%(a)60000s``
  escape the cap; ``str.format`` does the same per field
  (:class:`BoundedFormatter`);
- ``join``, ``replace``, ``translate``, the padding methods and the padding
  filters (``center``, ``indent``, ``wordwrap`` …) are checked or rebuilt;
- filters that work in Python per character (``urlize``, ``wordwrap``,
  ``title`` …) take at most :data:`MAX_SLOW_TEXT` characters, and filters that
  work per item (``sort``, ``list``, ``unique`` …) at most :data:`MAX_ITEMS`
  items, so each single call stays well under the time cap.

None of these scans is super-linear: format strings are read left to right
with ``str.find``, never by a backtracking regular expression.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sized
from functools import wraps
from typing import Any, AnyStr

from jinja2 import Environment
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedFormatter

from inspector.responses.budget import MAX_VALUE, MAX_WIDTH, RenderLimitError, tick

#: characters a per-character Python filter (urlize, wordwrap, title, …) may be given
#: (urlize: ~0.2 s for 32 KiB of short words)
MAX_SLOW_TEXT = 32 * 1024
#: items a per-item filter (sort, list, unique, …) may be given (sort: ~0.1 s for 20,000)
MAX_ITEMS = 20_000
_SLOW_TEXT_FILTERS = frozenset(
    {"urlize", "wordwrap", "title", "pprint", "wordcount", "indent", "striptags", "xmlattr"}
)
_PER_ITEM_FILTERS = frozenset(
    {"list", "sort", "unique", "dictsort", "groupby", "sum", "min", "max", "batch", "slice",
     "random", "items", "map", "select", "reject", "selectattr", "rejectattr"}
)  # fmt: skip
_WIDTH_FILTERS = frozenset({"center", "indent", "batch", "slice", "wordwrap", "truncate"})
_PAD_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})
_DIGITS = frozenset("0123456789")
#: the conversions of printf-style ``%`` (after flags, width, precision and one of ``hlL``)
_CONVERSIONS = frozenset("diouxXeEfFgGcrsa")


def weight(value: Any, depth: int = 0) -> int:
    """Rough size of a value in characters/items (for operator guards)."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, (list, tuple)):
        if depth >= 2:
            return len(value)
        return len(value) + sum(weight(item, depth + 1) for item in value)
    return 1


def too_big(what: str, size: int) -> RenderLimitError:
    return RenderLimitError(f"{what} would build a value of {size} items (limit {MAX_VALUE})")


def _check_width(what: str, digits: str) -> None:
    if len(digits) > 7 or (digits and int(digits) > MAX_WIDTH):
        raise RenderLimitError(f"{what} with a nested or huge width ({digits[:12]}; limit {MAX_WIDTH})")


def check_width_args(name: str, args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_WIDTH:
            raise RenderLimitError(f"{name}() with a width of {arg} (limit {MAX_WIDTH})")


class _Output:
    """Pieces of a value being built, with a running size check."""

    __slots__ = ("parts", "size", "what")

    def __init__(self, what: str) -> None:
        self.what = what
        self.parts: list[str] = []
        self.size = 0

    def grow(self, size: int) -> None:
        """Count ``size`` more items of the value, refused past MAX_VALUE."""
        self.size += size
        if self.size > MAX_VALUE:
            raise too_big(self.what, self.size)
        tick()

    def add(self, text: str) -> None:
        self.grow(len(text))
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


def bounded_join(sep: str, items: Iterable[Any], convert: Callable[[Any], Any] = str) -> str:
    out = _Output("join")
    for index, item in enumerate(items):
        if index:
            out.add(sep)
        out.add(str(convert(item)))
    return out.text()


def bounded_replace(s: AnyStr, old: AnyStr, new: AnyStr, count: int | None = None) -> AnyStr:
    hits = s.count(old) if old else len(s) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    size = len(s) + hits * (len(new) - len(old))
    if size > MAX_VALUE:
        raise too_big("replace", size)
    return s.replace(old, new, -1 if count is None else count)


# ------------------------------------------------------------ printf-style %


def _scan_digits(fmt: str, at: int, what: str) -> tuple[str, int]:
    """The digits at ``at`` (refusing ``*``) and the index after them."""
    if fmt.startswith("*", at):
        raise RenderLimitError(f"{what} with a '*' (nested) width or precision is not allowed")
    end = at
    while end < len(fmt) and fmt[end] in _DIGITS:
        end += 1
    _check_width(what, fmt[at:end])
    return fmt[at:end], end


def _mapping_key(fmt: str, at: int) -> tuple[str, int]:
    """The ``(key)`` at ``at`` (parentheses nest, as CPython reads them)."""
    depth, end = 1, at + 1
    while depth:
        close = fmt.find(")", end)
        if close < 0:
            raise ValueError("incomplete format key")
        depth += fmt.count("(", end, close) - 1
        end = close + 1
    return fmt[at + 1 : end - 1], end


def _check_conversion(fmt: str, at: int) -> None:
    """CPython's error for an unknown conversion, with its index in the whole format."""
    char = fmt[at]
    if char not in _CONVERSIONS:
        shown = char if 31 <= ord(char) <= 126 else "?"
        raise ValueError(f"unsupported format character '{shown}' (0x{ord(char):x}) at index {at}")


def bounded_percent(fmt: str, args: Any) -> str:
    """``fmt % args`` with the output counted conversion by conversion.

    Raises:
        RenderLimitError: a ``*`` or a width/precision over MAX_WIDTH, or more
            than MAX_VALUE characters in all.
        TypeError, ValueError, KeyError: as ``%`` raises them.
    """
    positional = args if isinstance(args, tuple) else (args,)
    # as CPython decides: anything subscriptable but a tuple or a string
    mapping = args if hasattr(args, "__getitem__") and not isinstance(args, (tuple, str)) else None
    out = _Output("'%' format")
    used = 0
    pos = 0
    while (percent := fmt.find("%", pos)) >= 0:
        if percent > pos:
            out.add(fmt[pos:percent])
        at = percent + 1
        key = None
        keyed: Any = None
        if fmt.startswith("(", at):
            if mapping is None:
                raise TypeError("format requires a mapping")
            key, at = _mapping_key(fmt, at)
            keyed = mapping[key]  # CPython looks the key up before reading the rest
        spec_start = at
        while at < len(fmt) and fmt[at] in "-+ #0":
            at += 1
        _, at = _scan_digits(fmt, at, "'%' format")
        if fmt.startswith(".", at):
            _, at = _scan_digits(fmt, at + 1, "'%' format")
        if at < len(fmt) and fmt[at] in "hlL":  # CPython skips one length modifier, not more
            at += 1
        if at >= len(fmt):
            raise ValueError("incomplete format")
        spec = "%" + fmt[spec_start : at + 1]
        if fmt[at] == "%" and at == percent + 1:
            out.add("%")
        elif fmt[at] == "%":
            # CPython takes the argument first (too few), then refuses the '%'
            if key is None and used >= len(positional):
                raise TypeError("not enough arguments for format string")
            raise ValueError(f"unsupported format character '%' (0x25) at index {at}")
        elif key is not None:
            _check_conversion(fmt, at)
            out.add(spec % (keyed,))
            used = len(positional)  # CPython: no positional argument is left after a keyed one
        else:
            if used >= len(positional):
                raise TypeError("not enough arguments for format string")
            _check_conversion(fmt, at)
            out.add(spec % (positional[used],))
            used += 1
        pos = at + 1
    out.add(fmt[pos:])
    if mapping is None and used < len(positional):
        raise TypeError("not all arguments converted during string formatting")
    return out.text()


# ---------------------------------------------------------------- str.format


def _check_format_spec(spec: str) -> None:
    run = ""
    for ch in spec:
        if ch in _DIGITS:
            run += ch
            continue
        _check_width("format()", run)
        run = ""
    _check_width("format()", run)


class BoundedFormatter(SandboxedFormatter):
    """The sandbox's ``str.format``, with each field's width checked and the output counted."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self._out = _Output("format()")

    def format_field(self, value: Any, format_spec: str) -> Any:
        if len(format_spec) > 64:
            raise RenderLimitError("format() with a format spec longer than 64 characters")
        _check_format_spec(format_spec)
        text = super().format_field(value, format_spec)
        self._out.add(text)
        return text


# ------------------------------------------------------------ methods and filters


def _translate_size(s: str, table: Any) -> int:
    # str.translate looks characters up in anything subscriptable: a list or tuple maps
    # ordinals to its items as a dict maps keys to values
    values: Iterable[Any] = ()
    if isinstance(table, Mapping):
        values = table.values()
    elif isinstance(table, (list, tuple)):
        values = table
    longest = max((len(v) for v in values if isinstance(v, str)), default=1)
    return len(s) * max(longest, 1)


def check_method_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Guard str/bytes methods that can build a huge value; maybe return a bounded stand-in."""
    owner = getattr(func, "__self__", None)
    if not isinstance(owner, (str, bytes)):
        return None
    name = getattr(func, "__name__", "")
    if name in _PAD_METHODS:
        check_width_args(name, (*args, *kwargs.values()))
    elif name == "expandtabs":
        tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
        check_width_args(name, (*args, *kwargs.values()))
        tabsize = args[0] if args else kwargs.get("tabsize", 8)
        size = tabs * (tabsize if isinstance(tabsize, int) else 8)
        if size > MAX_VALUE:
            raise too_big("expandtabs", size)
    elif name == "translate" and isinstance(owner, str) and len(args) == 1:
        size = _translate_size(owner, args[0])
        if size > MAX_VALUE:
            raise too_big("translate", size)
    elif name == "join" and len(args) == 1 and not kwargs:
        if isinstance(owner, str):
            return lambda: bounded_join(owner, args[0])
        return lambda: _bounded_bytes_join(owner, args[0])
    elif name == "replace" and (
        (len(args) == 3 and not kwargs) or (len(args) == 2 and set(kwargs) <= {"count"})
    ):
        # count may be a keyword (Python 3.13 takes it so): either way the call stays bounded
        count = args[2] if len(args) == 3 else kwargs.get("count")
        if isinstance(owner, str):
            old, new = str(args[0]), str(args[1])
            return lambda: bounded_replace(owner, old, new, count)
        if isinstance(args[0], (bytes, bytearray)) and isinstance(args[1], (bytes, bytearray)):
            old_b, new_b = bytes(args[0]), bytes(args[1])
            return lambda: bounded_replace(owner, old_b, new_b, count)
    return None


def _bounded_bytes_join(sep: bytes, items: Iterable[Any]) -> bytes:
    """``sep.join(items)``, refused as soon as the result would pass MAX_VALUE."""
    out = _Output("join")
    pieces: list[Any] = []
    for piece in items:
        out.grow((len(sep) if pieces else 0) + (len(piece) if isinstance(piece, (bytes, bytearray)) else 0))
        pieces.append(piece)
    return sep.join(pieces)  # raises TypeError as Python does for an item that is not bytes


def _check_filter_input(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    value = args[0] if args else None
    if name in _SLOW_TEXT_FILTERS and isinstance(value, str) and len(value) > MAX_SLOW_TEXT:
        raise RenderLimitError(f"{name} of {len(value)} characters (limit {MAX_SLOW_TEXT})")
    if name in _PER_ITEM_FILTERS and isinstance(value, Sized) and len(value) > MAX_ITEMS:
        raise RenderLimitError(f"{name} of {len(value)} items (limit {MAX_ITEMS})")
    if name in _WIDTH_FILTERS:
        check_width_args(name, (*args[1:], *kwargs.values()))
    if name == "indent":
        width = args[1] if len(args) > 1 else kwargs.get("width")
        if isinstance(width, str) and isinstance(value, str):
            size = len(value) + (value.count("\n") + 1) * len(width)
            if size > MAX_VALUE:
                raise too_big("indent", size)
    if name == "wordwrap":
        wrap = args[3] if len(args) > 3 else kwargs.get("wrapstring")
        width = args[1] if len(args) > 1 else kwargs.get("width", 79)
        if isinstance(wrap, str) and isinstance(value, str) and isinstance(width, int) and width > 0:
            size = len(value) + (len(value) // width + 1) * len(wrap)
            if size > MAX_VALUE:
                raise too_big("wordwrap", size)


def guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a jinja2 filter) with a checkpoint and its input checked first."""

    @wraps(func)  # keeps jinja2's pass_environment / pass_eval_context marker
    def guarded(*args: Any, **kwargs: Any) -> Any:
        tick()
        own = args[1:] if args and isinstance(args[0], (Environment, EvalContext, Context)) else args
        _check_filter_input(name, own, kwargs)
        return func(*args, **kwargs)

    return guarded


def percent_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    """The ``format`` filter (``"%s, %s" | format(a, b)``), bounded like ``%``."""
    if args and kwargs:
        raise TypeError("can't handle positional and keyword arguments at the same time")
    return bounded_percent(str(value), kwargs or args)
