"""The Dockerfile's command stays in step with the command line (no engine needed).

Its ENTRYPOINT and CMD must name a script the package installs and parse, with
today's flags, to headless mode on 0.0.0.0 at the EXPOSEd port, as a non-root user.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from inspector.app import build_parser
from inspector.listen import ListenSpec, resolve_listeners

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text("utf-8")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def instruction(name: str) -> str:
    """The argument of the last ``name`` instruction (the final stage's)."""
    found = re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, re.MULTILINE)
    assert found, name
    return str(found[-1])


def test_command_is_headless_on_all_interfaces_at_the_exposed_port() -> None:
    entrypoint = json.loads(instruction("ENTRYPOINT"))
    cmd = json.loads(instruction("CMD"))
    scripts = {**PROJECT["scripts"], **PROJECT["gui-scripts"]}
    assert entrypoint[0] in scripts
    args, extras = build_parser().parse_known_args([*entrypoint[1:], *cmd])
    assert extras == []
    assert args.headless
    listeners = resolve_listeners(args.listen, args.bind, args.port)
    assert listeners == (ListenSpec("0.0.0.0", int(instruction("EXPOSE"))),)


def test_runs_as_a_user_on_a_slim_python() -> None:
    assert instruction("USER") not in {"root", "0"}
    bases = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert bases and all(re.fullmatch(r"python:3\.1[1-9]-slim", base) for base in bases), bases
