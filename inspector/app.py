"""Command line: the window by default, ``--headless`` for a terminal, ``--export``.

Headless mode lives in :mod:`inspector.headless`; this module never imports
Qt unless a window is wanted.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from inspector import __version__
from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT, format_hostport
from inspector.assets import PresetNotFound, preset_names, rules_argument
from inspector.formats import export_file
from inspector.headless import EXIT_USAGE, run_headless
from inspector.launch import run_window, split_qt_options
from inspector.limit_settings import add_limit_arguments, limit_values, limits_with
from inspector.listen import ListenError, resolve_listeners
from inspector.store import CaptureStore, StoreError
from inspector.store.db import DEFAULT_PATH
from inspector.tls.ca import CAError, load_or_create
from inspector.tls.trust import trust_text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="request-inspector",
        description="See every HTTP request sent to a port, and answer it from templates.",
        epilog="Qt's standard options (-style NAME, -platform NAME, -stylesheet FILE ...) go to the window.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--headless", action="store_true", help="run without a window")
    parser.add_argument(
        "--listen",
        action="append",
        metavar="ADDR:PORT",
        help=f"listen here (repeatable; IPv6 in brackets: [::1]:0; port 0 = any free port; "
        f"default {format_hostport(DEFAULT_HOST, DEFAULT_PORT)})",
    )
    parser.add_argument("--bind", metavar="ADDR", help="one listener's address (older form of --listen)")
    parser.add_argument("--port", type=int, metavar="N", help="one listener's port (older form of --listen)")
    parser.add_argument(
        "--jsonl", metavar="PATH", help="headless: append each request as one JSON line ('-' = stdout)"
    )
    parser.add_argument(
        "--rules",
        metavar="FILE",
        help="response rules file (the JSON the window's editor saves), or preset:NAME; "
        "without it both modes answer from the rules the window saved",
    )
    parser.add_argument(
        "--until",
        type=_positive,
        metavar="N",
        help="headless: exit 0 once N requests are recorded (for scripts and CI)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        metavar="S",
        help="headless: exit 1 after S seconds with a one-line summary of what arrived "
        "(with --until: if the N requests have not come by then)",
    )
    parser.add_argument(
        "--list-presets", action="store_true", help="print the names of the shipped rules presets and exit"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--db", metavar="PATH", help="history database file")
    group.add_argument("--no-db", action="store_true", help="keep history in memory only")
    parser.add_argument(
        "--history-limit",
        type=_positive,
        metavar="N",
        help="keep the newest N requests in the history (default 100,000)",
    )
    parser.add_argument(
        "--export", metavar="OUT", help="write the stored history to OUT.har or OUT.jsonl and exit"
    )
    add_limit_arguments(parser)
    parser.add_argument(
        "--tls",
        choices=("auto", "off"),
        default="auto",
        help="auto (default): every port answers HTTPS too, with certificates from the local CA; "
        "off: plain HTTP only",
    )
    parser.add_argument(
        "--ca", action="store_true", help="print the local CA certificate's path and how to trust it; exit"
    )
    parser.add_argument(
        "--ca-dir", metavar="DIR", help="the local CA's folder (default: ca/ in the app-data folder)"
    )
    return parser


def run_ca(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``--ca``: the CA certificate's path and each client's trust command (the CA is made if needed);
    ``out`` and ``err`` are sys.stdout and sys.stderr as they are when it runs, by default."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        ca = load_or_create(Path(args.ca_dir) if args.ca_dir else None)
    except CAError as exc:
        print(f"error: {exc}", file=err, flush=True)
        return EXIT_USAGE
    port = DEFAULT_PORT if args.port is None else args.port
    out.write(trust_text(ca.cert_path.resolve(), url=f"https://localhost:{port}/"))
    out.flush()
    return 0


def run_export(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """``--export OUT.har|OUT.jsonl``: write the whole stored history (``err``: sys.stderr as it
    is when it runs, by default)."""
    err = sys.stderr if err is None else err
    try:
        store = CaptureStore(args.db if args.db else DEFAULT_PATH)
    except StoreError as exc:
        print(f"error: {exc}", file=err, flush=True)
        return EXIT_USAGE
    with contextlib.closing(store):
        try:
            count = export_file(args.export, store.iter_records())
        except (ValueError, OSError) as exc:
            print(f"error: {exc}", file=err, flush=True)
            return EXIT_USAGE
    print(f"exported {count} requests to {args.export}", file=err, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    qt_args, unknown = split_qt_options(extras)
    window = not (args.headless or args.export or args.list_presets or args.ca)
    if unknown or (qt_args and not window):
        parser.error(f"unrecognized arguments: {' '.join(unknown or qt_args)}")
    if (args.until is not None or args.timeout is not None) and not args.headless:
        parser.error("--until and --timeout work with --headless only")
    try:
        limits_with(limit_values(args))  # each flag read; together they must fit too
    except ValueError as exc:
        parser.error(str(exc))
    if args.list_presets:
        try:
            print("\n".join(preset_names()) or "no presets installed", flush=True)
        except BrokenPipeError:  # `--list-presets | head -1`: the reader had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    if args.ca:
        return run_ca(args)
    if args.rules:
        try:
            args.rules = rules_argument(args.rules)
        except PresetNotFound as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return EXIT_USAGE
    if window and args.listen:  # headless mode reads them itself
        try:
            resolve_listeners(args.listen, args.bind, args.port)
        except ListenError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return EXIT_USAGE
    if args.headless:
        return run_headless(args)
    if args.export:
        return run_export(args)
    return run_window(args, qt_args)  # Qt is imported only there


if __name__ == "__main__":
    sys.exit(main())
