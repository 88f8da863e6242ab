"""``verify_tls`` as a CA file path: a relative path points into the rules file's folder
(as ``body_file`` does), whatever the working directory. The upstream's certificate is
issued by the app's own local CA (inspector/tls), the file the rule names is its ``ca.pem``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import UpstreamFactory
from fakeupstream import FakeUpstream, Reply, response

from inspector.responses import Responder, load_rules, loads
from inspector.tls.ca import load_or_create
from inspector.tls.contexts import ServerContexts
from inspector.upstream import parse_target
from tests.harness import ServerFactory

GET = b"GET /api/secure HTTP/1.1\r\nHost: front\r\n\r\n"


@pytest.fixture
def tls_upstream(tmp_path: Path, start_upstream: UpstreamFactory) -> Iterator[tuple[FakeUpstream, Path]]:
    ca = load_or_create(tmp_path / "ca")
    contexts = ServerContexts(ca, request_client_cert=False)
    upstream = start_upstream(
        lambda r: Reply([response(200, b"secret")]), tls=contexts.for_name("127.0.0.1", "127.0.0.1")
    )
    yield upstream, ca.cert_path


def rules_text(url: str, ca: str) -> str:
    return json.dumps(
        {
            "version": 2,
            "rules": [{"name": "to api", "path": "/api/**", "forward": {"url": url, "verify_tls": ca}}],
        }
    )


@pytest.fixture
def responders() -> Iterator[list[Responder]]:
    made: list[Responder] = []
    yield made
    for responder in made:
        responder.close()


@pytest.fixture
def elsewhere(tmp_path: Path) -> Iterator[Path]:
    """The working directory is another folder, with no CA file in it."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    before = Path.cwd()
    os.chdir(folder)
    yield folder
    os.chdir(before)


def test_a_relative_ca_file_is_found_beside_the_rules_file(
    tls_upstream: tuple[FakeUpstream, Path],
    tmp_path: Path,
    elsewhere: Path,
    start_server: ServerFactory,
    responders: list[Responder],
) -> None:
    upstream, ca_pem = tls_upstream
    rules_dir = tmp_path / "rules"
    (rules_dir / "certs").mkdir(parents=True)
    shutil.copy(ca_pem, rules_dir / "certs" / "local-ca.pem")
    rules_file = rules_dir / "rules.json"
    rules_file.write_text(rules_text(upstream.url(), "certs/local-ca.pem"))

    ruleset = load_rules(rules_file)
    # the rule keeps the path as written, so saving writes it back relative
    assert ruleset.rules[0].forward is not None
    assert ruleset.rules[0].forward.to_json()["verify_tls"] == "certs/local-ca.pem"  # type: ignore[index]
    responders.append(Responder(ruleset))
    served = start_server(responder=responders[-1])
    client = served.connect()
    client.send(GET)
    got = client.response()
    assert (got.status, got.body) == (200, b"secret")

    # the same rules read with no folder look in the working directory, and fail there
    responders.append(Responder(loads(rules_text(upstream.url(), "certs/local-ca.pem"))))
    served_without = start_server(responder=responders[-1])
    other = served_without.connect()
    other.send(GET)
    failed = other.response()
    assert failed.status == 502
    assert failed.body.decode().startswith(f"upstream {upstream.url()}: ")


def test_in_folder_resolves_only_relative_paths(tmp_path: Path) -> None:
    relative = parse_target({"url": "https://127.0.0.1:1/", "verify_tls": "ca.pem"})
    assert relative.in_folder(tmp_path).verify_tls == str(tmp_path / "ca.pem")
    assert relative.in_folder(None) is relative
    absolute = parse_target({"url": "https://127.0.0.1:1/", "verify_tls": str(tmp_path / "x.pem")})
    assert absolute.in_folder(Path("/elsewhere")) is absolute
    for flag in (True, False):
        checked = parse_target({"url": "https://127.0.0.1:1/", "verify_tls": flag})
        assert checked.in_folder(tmp_path) is checked


def test_record_is_a_forward_option_kept_by_the_rules_file() -> None:
    target = parse_target({"url": "http://127.0.0.1:1/", "record": True})
    assert target.record and target.to_json() == {
        "url": "http://127.0.0.1:1/",
        "timeout_ms": 30000,
        "keep_host": False,
        "verify_tls": True,
        "record": True,
    }
    assert parse_target("http://127.0.0.1:1/").to_json() == "http://127.0.0.1:1/"
    with pytest.raises(ValueError, match="record must be true or false"):
        parse_target({"url": "http://127.0.0.1:1/", "record": "yes"})
