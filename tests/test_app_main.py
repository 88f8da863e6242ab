"""The command line in this process: ``inspector.app.main([...])`` and its helpers.

tests/test_cli.py runs ``main.py`` in subprocesses (what a user types); these call
:func:`inspector.app.main`, :func:`~inspector.app.build_parser`, :func:`~inspector.app.run_ca`
and :func:`~inspector.app.run_export` directly, so every argparse line, every flag and the
choice between window, headless mode, ``--export``, ``--ca`` and ``--list-presets`` is
pinned where a mutation run sees it. The window and headless mode are replaced by
recorders: no window opens and no server starts.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import inspector.app
from inspector import __version__
from inspector.app import build_parser, main, run_ca, run_export
from inspector.assets import preset_names, preset_path
from inspector.formats import export_file
from inspector.headless import EXIT_USAGE
from inspector.limit_settings import LIMIT_FIELDS
from inspector.store import CaptureStore
from inspector.tls.ca import CERT_FILE
from inspector.tls.trust import trust_text
from tests.records import make_record

ERROR = "request-inspector: error: "
EXAMPLE = "e.g. --listen 127.0.0.1:8090 or --listen [::1]:8090"
HEADLESS_ONLY = "--until and --timeout work with --headless only"


class Flushed(io.StringIO):
    """A stream that counts the characters written since its last flush."""

    def __init__(self) -> None:
        super().__init__()
        self.unflushed = 0

    def write(self, text: str) -> int:
        self.unflushed += len(text)
        return super().write(text)

    def flush(self) -> None:
        self.unflushed = 0
        super().flush()


class Launches:
    """What main() handed to the window and to headless mode (recorders replace both)."""

    def __init__(self) -> None:
        self.window: list[tuple[argparse.Namespace, list[str]]] = []
        self.headless: list[argparse.Namespace] = []

    def run_window(self, args: argparse.Namespace, qt_args: Sequence[str]) -> int:
        self.window.append((args, list(qt_args)))
        return 5

    def run_headless(self, args: argparse.Namespace) -> int:
        self.headless.append(args)
        return 7


@pytest.fixture(autouse=True)
def launches(monkeypatch: pytest.MonkeyPatch) -> Launches:
    """No test opens a window or starts headless mode, even where main() should refuse."""
    recorded = Launches()
    monkeypatch.setattr(inspector.app, "run_window", recorded.run_window)
    monkeypatch.setattr(inspector.app, "run_headless", recorded.run_headless)
    return recorded


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """main(argv) exits 2 with argparse's usage and one error line; that line."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0].startswith("usage: request-inspector [-h] [--version] [--headless]"), lines
    assert len([line for line in lines if line.startswith(ERROR)]) == 1, lines
    return lines[-1]


def stored(path: Path | None, count: int) -> None:
    """``count`` records in the history at ``path`` (None: the app-data folder's)."""
    store = CaptureStore(path) if path is not None else CaptureStore()
    with store:
        store.add_many([make_record() for _ in range(count)])


# -- parsing -----------------------------------------------------------------------------------


def test_version_is_the_program_and_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr() == (f"request-inspector {__version__}\n", "")


def test_the_defaults() -> None:
    args = build_parser().parse_args([])
    expected = {
        "headless": False,
        "listen": None,
        "bind": None,
        "port": None,
        "jsonl": None,
        "rules": None,
        "until": None,
        "timeout": None,
        "list_presets": False,
        "db": None,
        "no_db": False,
        "history_limit": None,
        "export": None,
        "tls": "auto",
        "ca": False,
        "ca_dir": None,
    }
    expected.update({f"limit_{field.name}": None for field in LIMIT_FIELDS})
    assert vars(args) == expected


def test_every_flag_is_read() -> None:
    args = build_parser().parse_args(
        [
            "--headless", "--listen", "127.0.0.1:0", "--listen", "[::1]:0", "--bind", "::1",
            "--port", "8091", "--jsonl", "-", "--rules", "rules.json", "--until", "3",
            "--timeout", "2.5", "--list-presets", "--db", "h.sqlite3", "--history-limit", "10",
            "--export", "out.har", "--tls", "off", "--ca", "--ca-dir", "ca-folder",
            "--max-body", "1KiB",
        ]
    )  # fmt: skip
    assert vars(args) | {"limit_max_body": None} == {
        "headless": True,
        "listen": ["127.0.0.1:0", "[::1]:0"],
        "bind": "::1",
        "port": 8091,
        "jsonl": "-",
        "rules": "rules.json",
        "until": 3,
        "timeout": 2.5,
        "list_presets": True,
        "db": "h.sqlite3",
        "no_db": False,
        "history_limit": 10,
        "export": "out.har",
        "tls": "off",
        "ca": True,
        "ca_dir": "ca-folder",
        **{f"limit_{field.name}": None for field in LIMIT_FIELDS},
    }
    assert args.limit_max_body == 1024
    assert isinstance(args.until, int) and isinstance(args.history_limit, int)
    assert isinstance(args.timeout, float)
    assert build_parser().parse_args(["--no-db"]).no_db is True
    assert build_parser().parse_args(["--tls", "auto"]).tls == "auto"


def test_whole_numbers_from_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["--until", "1", "--history-limit", "1"]).until == 1
    assert build_parser().parse_args(["--history-limit", " 12 "]).history_limit == 12
    assert refused(capsys, ["--headless", "--until", "0"]) == f"{ERROR}argument --until: must be 1 or more"
    assert refused(capsys, ["--history-limit", "-3"]) == f"{ERROR}argument --history-limit: must be 1 or more"
    assert (
        refused(capsys, ["--headless", "--until", "1.5"])
        == f"{ERROR}argument --until: not a whole number: '1.5'"
    )
    assert (
        refused(capsys, ["--history-limit", "ten"])
        == f"{ERROR}argument --history-limit: not a whole number: 'ten'"
    )


def test_seconds_more_than_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["--timeout", "0.001"]).timeout == 0.001
    assert build_parser().parse_args(["--timeout", "1e-9"]).timeout == 1e-9
    assert build_parser().parse_args(["--timeout", "3"]).timeout == 3.0
    for text in ("0", "-1", "nan", "inf", "-inf", "-0.5"):
        assert (
            refused(capsys, ["--headless", f"--timeout={text}"])
            == f"{ERROR}argument --timeout: must be more than 0 seconds"
        ), text
    assert (
        refused(capsys, ["--headless", "--timeout", "5 s"])
        == f"{ERROR}argument --timeout: not a number of seconds: '5 s'"
    )


def test_argparse_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, ["--port", "http"]) == f"{ERROR}argument --port: invalid int value: 'http'"
    line = refused(capsys, ["--tls", "on"])  # Python 3.12.8 dropped the quotes around the choices
    assert (
        line.replace("'auto', 'off'", "auto, off")
        == f"{ERROR}argument --tls: invalid choice: 'on' (choose from auto, off)"
    )
    assert (
        refused(capsys, ["--db", "h.sqlite3", "--no-db"])
        == f"{ERROR}argument --no-db: not allowed with argument --db"
    )
    # no abbreviations: --list-pre is not --list-presets (nor --head --headless)
    assert refused(capsys, ["--list-pre"]) == f"{ERROR}unrecognized arguments: --list-pre"
    assert refused(capsys, ["--headl"]) == f"{ERROR}unrecognized arguments: --headl"


def test_the_help(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    lines = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert lines[0].startswith(
        "usage: request-inspector [-h] [--version] [--headless] [--listen ADDR:PORT] [--bind ADDR] "
        "[--port N] [--jsonl PATH] [--rules FILE] [--until N] [--timeout S] [--list-presets] "
        "[--db PATH | --no-db] [--history-limit N] [--export OUT] [--max-body SIZE]"
    ), lines[0]
    assert lines[1].endswith("[--tls {auto,off}] [--ca] [--ca-dir DIR]"), lines[1]
    for line in [
        "See every HTTP request sent to a port, and answer it from templates.",
        "  --version             show program's version number and exit",
        "  --headless            run without a window",
        "  --listen ADDR:PORT    listen here (repeatable; IPv6 in brackets: [::1]:0; port 0 = any free port; "
        "default 127.0.0.1:8090)",
        "  --bind ADDR           one listener's address (older form of --listen)",
        "  --port N              one listener's port (older form of --listen)",
        "  --jsonl PATH          headless: append each request as one JSON line ('-' = stdout)",
        "  --rules FILE          response rules file (the JSON the window's editor saves), or preset:NAME; "
        "without it both modes answer from the rules the window saved",
        "  --until N             headless: exit 0 once N requests are recorded (for scripts and CI)",
        "  --timeout S           headless: exit 1 after S seconds with a one-line summary of what arrived "
        "(with --until: if the N requests have not come by then)",
        "  --list-presets        print the names of the shipped rules presets and exit",
        "  --db PATH             history database file",
        "  --no-db               keep history in memory only",
        "  --history-limit N     keep the newest N requests in the history (default 100,000)",
        "  --export OUT          write the stored history to OUT.har or OUT.jsonl and exit",
        "  --tls {auto,off}      auto (default): every port answers HTTPS too, with certificates from the "
        "local CA; off: plain HTTP only",
        "  --ca                  print the local CA certificate's path and how to trust it; exit",
        "  --ca-dir DIR          the local CA's folder (default: ca/ in the app-data folder)",
        "listener limits:",
    ]:
        assert line in lines, line
    assert (
        lines[-1]
        == "Qt's standard options (-style NAME, -platform NAME, -stylesheet FILE ...) go to the window."
    )


# -- window, headless, and options that are not for either ------------------------------------


def test_no_options_open_the_window(launches: Launches) -> None:
    assert main([]) == 5
    assert launches.headless == []
    [(args, qt_args)] = launches.window
    assert qt_args == []
    assert (args.port, args.listen, args.rules, args.tls) == (None, None, None, "auto")


def test_qt_options_go_to_the_window(launches: Launches) -> None:
    assert main(["--no-db", "-style", "fusion", "--port", "8093", "-reverse"]) == 5
    [(args, qt_args)] = launches.window
    assert qt_args == ["-style", "fusion", "-reverse"]
    assert (args.no_db, args.port) == (True, 8093)


def test_headless_mode_gets_the_arguments(launches: Launches) -> None:
    assert main(["--headless", "--port", "0", "--until", "2", "--timeout", "1.5", "--max-body", "1MiB"]) == 7
    assert launches.window == []
    [args] = launches.headless
    assert (args.port, args.until, args.timeout, args.limit_max_body) == (0, 2, 1.5, 1024 * 1024)


def test_headless_mode_comes_before_export(launches: Launches, tmp_path: Path) -> None:
    assert main(["--headless", "--export", str(tmp_path / "out.har")]) == 7
    assert len(launches.headless) == 1 and launches.window == []
    assert not (tmp_path / "out.har").exists()


def test_qt_options_are_refused_without_a_window(
    launches: Launches, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for argv in (
        ["--headless", "-style", "fusion"],
        ["--export", str(tmp_path / "out.har"), "-style", "fusion"],
        ["--list-presets", "-style", "fusion"],
        ["--ca", "--ca-dir", str(tmp_path / "ca"), "-style", "fusion"],
    ):
        assert refused(capsys, argv) == f"{ERROR}unrecognized arguments: -style fusion", argv
    assert refused(capsys, ["--headless", "-reverse"]) == f"{ERROR}unrecognized arguments: -reverse"
    assert launches.window == [] and launches.headless == []
    assert not (tmp_path / "out.har").exists() and not (tmp_path / "ca").exists()


def test_unknown_options_are_refused(launches: Launches, capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, ["--prot", "8090"]) == f"{ERROR}unrecognized arguments: --prot 8090"
    # only the unknown ones are named, with or without a window
    assert refused(capsys, ["-style", "fusion", "--x"]) == f"{ERROR}unrecognized arguments: --x"
    assert (
        refused(capsys, ["--headless", "--prot", "1", "-style", "fusion"])
        == f"{ERROR}unrecognized arguments: --prot 1"
    )
    assert refused(capsys, ["fusion"]) == f"{ERROR}unrecognized arguments: fusion"
    assert launches.window == [] and launches.headless == []


def test_until_and_timeout_need_headless_mode(
    launches: Launches, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert refused(capsys, ["--until", "1"]) == f"{ERROR}{HEADLESS_ONLY}"
    assert refused(capsys, ["--timeout", "1"]) == f"{ERROR}{HEADLESS_ONLY}"
    assert refused(capsys, ["--until", "1", "--timeout", "9"]) == f"{ERROR}{HEADLESS_ONLY}"
    assert refused(capsys, ["--export", str(tmp_path / "o.har"), "--until", "1"]) == f"{ERROR}{HEADLESS_ONLY}"
    assert launches.window == [] and launches.headless == []
    assert main(["--headless", "--until", "1"]) == 7
    assert main(["--headless", "--timeout", "1"]) == 7
    assert len(launches.headless) == 2


def test_limits_that_do_not_fit_together(launches: Launches, capsys: pytest.CaptureFixture[str]) -> None:
    budget = "the memory budget must be at least twice the body limit"
    line = refused(capsys, ["--max-body", "200MiB"])
    assert line.startswith(f"{ERROR}{budget}"), line
    assert refused(capsys, ["--list-presets", "--max-body", "200MiB"]) == line  # checked before anything runs
    assert refused(capsys, ["--headless", "--max-head", "2KiB", "--max-request-line", "4KiB"]).startswith(
        ERROR
    )
    assert launches.window == [] and launches.headless == []
    assert main(["--max-body", "200MiB", "--memory-budget", "1GiB"]) == 5
    [(args, _)] = launches.window
    assert (args.limit_max_body, args.limit_memory_budget) == (200 * 1024 * 1024, 1024 * 1024 * 1024)


# -- --list-presets ----------------------------------------------------------------------------


def test_list_presets(launches: Launches, capsys: pytest.CaptureFixture[str]) -> None:
    names = preset_names()
    assert "echo-json" in names
    assert main(["--list-presets", "--headless", "--rules", "preset:nope"]) == 0
    assert capsys.readouterr() == ("\n".join(names) + "\n", "")
    assert launches.window == [] and launches.headless == []


def test_list_presets_with_none_installed(
    launches: Launches, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inspector.app, "preset_names", list)
    assert main(["--list-presets"]) == 0
    assert capsys.readouterr() == ("no presets installed\n", "")


def test_list_presets_are_flushed(monkeypatch: pytest.MonkeyPatch) -> None:
    out = Flushed()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["--list-presets"]) == 0
    assert out.getvalue() == "\n".join(preset_names()) + "\n"
    assert out.unflushed == 0


def test_list_presets_into_a_closed_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--list-presets | head -0`: no error, and stdout is /dev/null from then on (no error at exit)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    out = open(write_end, "w", encoding="utf-8")  # noqa: SIM115  (closed below, after the check)
    monkeypatch.setattr(sys, "stdout", out)
    try:
        assert main(["--list-presets"]) == 0
        assert os.path.samestat(os.fstat(write_end), os.stat(os.devnull))
    finally:
        with contextlib.suppress(BrokenPipeError):
            out.close()


# -- --ca ----------------------------------------------------------------------------------------


def test_ca_prints_the_trust_text(tmp_path: Path) -> None:
    folder = tmp_path / "ca"
    out, err = Flushed(), Flushed()
    assert run_ca(build_parser().parse_args(["--ca", "--ca-dir", str(folder)]), out, err) == 0
    cert = (folder / CERT_FILE).resolve()
    assert cert.is_file()
    assert out.getvalue() == trust_text(cert, url="https://localhost:8090/")
    assert out.unflushed == 0
    assert err.getvalue() == ""


def test_ca_names_the_port_in_the_url(tmp_path: Path) -> None:
    folder = tmp_path / "ca"
    out = io.StringIO()
    assert run_ca(build_parser().parse_args(["--ca", "--ca-dir", str(folder), "--port", "9443"]), out) == 0
    assert out.getvalue() == trust_text((folder / CERT_FILE).resolve(), url="https://localhost:9443/")


def test_ca_in_the_app_data_folder(app_home: Path) -> None:
    out = io.StringIO()
    assert run_ca(build_parser().parse_args(["--ca"]), out, io.StringIO()) == 0
    cert = (app_home / "ca" / CERT_FILE).resolve()
    assert cert.is_file()
    assert out.getvalue() == trust_text(cert, url="https://localhost:8090/")


def test_a_ca_folder_that_cannot_be_used(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", "utf-8")
    out, err = Flushed(), Flushed()
    assert run_ca(build_parser().parse_args(["--ca", "--ca-dir", str(taken)]), out, err) == EXIT_USAGE == 2
    assert out.getvalue() == ""
    assert err.getvalue() == f"error: cannot create the CA folder {taken}: File exists\n"
    assert err.unflushed == 0


def test_main_ca(launches: Launches, tmp_path: Path) -> None:
    """--ca comes before headless mode and --export, and a folder it cannot use is exit 2."""
    folder = tmp_path / "ca"
    assert (
        main(["--ca", "--headless", "--ca-dir", str(folder), "--rules", "preset:nope", "--export", "o.har"])
        == 0
    )
    assert (folder / CERT_FILE).is_file()
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", "utf-8")
    assert main(["--ca", "--ca-dir", str(taken)]) == 2
    assert launches.window == [] and launches.headless == []


def test_main_writes_errors_of_ca_and_export_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through main, run_ca and run_export use the streams of the moment: the trust text on
    stdout, each error line on stderr."""
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", "utf-8")
    capsys.readouterr()
    assert main(["--ca", "--ca-dir", str(taken)]) == 2
    assert capsys.readouterr() == ("", f"error: cannot create the CA folder {taken}: File exists\n")
    db = tmp_path / "h.sqlite3"
    stored(db, 1)
    assert main(["--export", str(tmp_path / "out.txt"), "--db", str(db)]) == 2
    assert capsys.readouterr() == ("", "error: cannot export to out.txt: use a .har or .jsonl file name\n")


# -- --rules and --listen ------------------------------------------------------------------------


def test_rules_from_a_preset_or_a_file(launches: Launches) -> None:
    assert main(["--headless", "--rules", "preset:echo-json"]) == 7
    assert launches.headless[0].rules == str(preset_path("echo-json"))
    assert main(["--rules", "my-rules.json"]) == 5
    assert launches.window[0][0].rules == "my-rules.json"


def test_an_unknown_preset_is_one_line_and_exit_2(
    launches: Launches, monkeypatch: pytest.MonkeyPatch
) -> None:
    err = Flushed()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["--headless", "--rules", "preset:nope"]) == 2
    assert err.getvalue() == f"error: no preset named 'nope' (presets: {', '.join(preset_names())})\n"
    assert err.unflushed == 0
    assert launches.window == [] and launches.headless == []


def test_the_window_refuses_a_bad_listen_value(launches: Launches, monkeypatch: pytest.MonkeyPatch) -> None:
    err = Flushed()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["--listen", "nonsense"]) == 2
    assert err.getvalue() == f"error: --listen nonsense: give an address and a port; {EXAMPLE}\n"
    assert err.unflushed == 0
    assert launches.window == []


@pytest.mark.parametrize(
    ("argv", "given"),
    [
        (["--listen", "127.0.0.1:0", "--port", "8091"], "--port"),
        (["--listen", "127.0.0.1:0", "--bind", "127.0.0.1"], "--bind"),
    ],
)
def test_the_window_refuses_listen_with_bind_or_port(
    argv: list[str], given: str, launches: Launches, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr() == (
        "",
        f"error: {given} cannot go with --listen, which replaces it; {EXAMPLE}\n",
    )
    assert launches.window == []


def test_listeners_the_window_takes(launches: Launches, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--listen", "127.0.0.1:0", "--listen", "[::1]:0"]) == 5
    assert main(["--bind", "127.0.0.1", "--port", "0"]) == 5
    assert [args.listen for args, _ in launches.window] == [["127.0.0.1:0", "[::1]:0"], None]
    # headless mode reads --listen itself (its own tests pin its lines)
    assert main(["--headless", "--listen", "nonsense", "--port", "1"]) == 7
    assert launches.headless[0].listen == ["nonsense"]
    assert capsys.readouterr() == ("", "")


# -- --export ------------------------------------------------------------------------------------


def test_export_jsonl(tmp_path: Path) -> None:
    db, out = tmp_path / "h.sqlite3", tmp_path / "out.jsonl"
    stored(db, 3)
    err = Flushed()
    assert run_export(build_parser().parse_args(["--export", str(out), "--db", str(db)]), err) == 0
    assert err.getvalue() == f"exported 3 requests to {out}\n"
    assert err.unflushed == 0
    with CaptureStore(db) as store:  # closed by the export: it opens again in this process
        export_file(tmp_path / "same.jsonl", store.iter_records())
    assert out.read_bytes() == (tmp_path / "same.jsonl").read_bytes()
    assert len(out.read_bytes().splitlines()) == 3


def test_export_har_through_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, out = tmp_path / "h.sqlite3", tmp_path / "out.har"
    stored(db, 2)
    assert main(["--export", str(out), "--db", str(db)]) == 0
    assert len(json.loads(out.read_text("utf-8"))["log"]["entries"]) == 2


def test_export_from_the_app_data_history(app_home: Path, tmp_path: Path) -> None:
    stored(None, 4)
    out = tmp_path / "out.jsonl"
    err = io.StringIO()
    assert run_export(build_parser().parse_args(["--export", str(out)]), err) == 0
    assert err.getvalue() == f"exported 4 requests to {out}\n"
    assert len(out.read_bytes().splitlines()) == 4


def test_export_to_a_file_name_of_no_known_kind(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    stored(db, 1)
    err = Flushed()
    args = build_parser().parse_args(["--export", str(tmp_path / "out.txt"), "--db", str(db)])
    assert run_export(args, err) == 2
    assert err.getvalue() == "error: cannot export to out.txt: use a .har or .jsonl file name\n"
    assert err.unflushed == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["h.sqlite3"]
    assert main(["--export", str(tmp_path / "out.txt"), "--db", str(db)]) == 2


def test_export_into_a_missing_folder(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    stored(db, 1)
    err = io.StringIO()
    args = build_parser().parse_args(["--export", str(tmp_path / "missing" / "out.har"), "--db", str(db)])
    assert run_export(args, err) == 2
    temporary = tmp_path / "missing" / ".out.har.tmp"  # written first, then renamed
    assert err.getvalue() == f"error: [Errno 2] No such file or directory: '{temporary}'\n"
    with CaptureStore(db):  # closed after a failed export too
        pass


def test_export_from_a_history_that_cannot_be_opened(tmp_path: Path) -> None:
    err = Flushed()
    args = build_parser().parse_args(["--export", str(tmp_path / "out.har"), "--db", str(tmp_path)])
    assert run_export(args, err) == 2
    assert err.getvalue() == f"error: cannot open history file {tmp_path}: Is a directory\n"
    assert err.unflushed == 0
    assert not (tmp_path / "out.har").exists()
