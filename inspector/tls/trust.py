"""How to make each kind of client trust the local CA: the exact commands, never run by us.

``--ca`` prints :func:`trust_text`; the window's "HTTPS: trust the local CA…"
shows the same :func:`trust_steps`. Nothing here installs anything: trusting a
CA lets whoever holds its key impersonate any site to that client, so the user
runs each command themselves, for the clients they choose.

POSIX commands quote the path with ``shlex.quote``; Windows ones with double
quotes. Each step can also be undone, and says how.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

#: The name the certificate gets in stores that ask for one (NSS, Debian).
STORE_NAME = "Request Inspector local CA"
DEBIAN_FILE = "/usr/local/share/ca-certificates/request-inspector-ca.crt"
NSS_DB = "sql:$HOME/.pki/nssdb"


@dataclass(frozen=True, slots=True)
class TrustStep:
    """One client: the commands that make it trust the CA, a note, and how to undo it."""

    client: str
    commands: tuple[str, ...]
    note: str = ""
    undo: tuple[str, ...] = ()


def trust_steps(ca_pem: Path, *, url: str = "https://localhost:8090/") -> list[TrustStep]:
    """The steps for ``ca_pem`` (an absolute path is best: commands may run elsewhere)."""
    path = shlex.quote(str(ca_pem))
    win = f'"{ca_pem}"'
    return [
        TrustStep("curl", (f"curl --cacert {path} {shlex.quote(url)}",)),
        TrustStep(
            "Python (requests, httpx, urllib, ssl)",
            (
                f"export REQUESTS_CA_BUNDLE={path}  # requests",
                f"export SSL_CERT_FILE={path}  # httpx, urllib and ssl.create_default_context()",
                f"ssl.create_default_context(cafile={str(ca_pem)!r})  # in code",
            ),
            note="Each variable replaces the system's list for that process: it then trusts only this CA.",
        ),
        TrustStep(
            "Node.js",
            (f"export NODE_EXTRA_CA_CERTS={path}",),
            note="Added to Node's own list, for processes started after the export.",
        ),
        TrustStep(
            "Chromium and Chrome on Linux (NSS, certutil from libnss3-tools)",
            (f'certutil -d {NSS_DB} -A -t "C,," -n {shlex.quote(STORE_NAME)} -i {path}',),
            note="The database exists once the browser has run; restart the browser afterwards.",
            undo=(f"certutil -d {NSS_DB} -D -n {shlex.quote(STORE_NAME)}",),
        ),
        TrustStep(
            "Debian and Ubuntu (the whole system)",
            (f"sudo cp {path} {DEBIAN_FILE}", "sudo update-ca-certificates"),
            note="curl, Python's ssl, wget and most programs use this store.",
            undo=(f"sudo rm {DEBIAN_FILE}", "sudo update-ca-certificates --fresh"),
        ),
        TrustStep(
            "macOS (the whole system; Safari and Chrome use it)",
            (f"sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {path}",),
            undo=(f"sudo security remove-trusted-cert -d {path}",),
        ),
        TrustStep(
            "Windows (the current user; Edge and Chrome use it)",
            (f"certutil -addstore -user Root {win}",),
            note="Windows asks to confirm. Remove it in certmgr.msc, Trusted Root Certification Authorities.",
        ),
    ]


def trust_text(ca_pem: Path, *, url: str = "https://localhost:8090/") -> str:
    """Everything ``--ca`` prints: the certificate's path, then each client's commands."""
    lines = [
        f"The local CA's certificate: {ca_pem}",
        "Nothing is installed for you: run the commands for the clients you use.",
    ]
    for step in trust_steps(ca_pem, url=url):
        lines += ["", f"{step.client}:"]
        lines += [f"  {command}" for command in step.commands]
        if step.note:
            lines.append(f"  ({step.note})")
        if step.undo:
            lines.append("  To undo: " + " && ".join(step.undo))
    return "\n".join(lines) + "\n"
