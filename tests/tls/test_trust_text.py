"""The trust text word for word: ``--ca`` prints it and users paste its commands, so every
client's name, command, note and undo line is checked exactly, for a path a shell must quote."""

from __future__ import annotations

from pathlib import Path

from inspector.tls.trust import TrustStep, trust_steps, trust_text

#: a path with a space and a quote: POSIX commands need shlex quoting, Windows ones double quotes
AWKWARD = Path("/home/a b/it's/ca.pem")
Q = "'/home/a b/it'\"'\"'s/ca.pem'"  # AWKWARD as shlex.quote gives it
D = "/usr/local/share/ca-certificates/request-inspector-ca.crt"

EXPECTED = f"""\
The local CA's certificate: /home/a b/it's/ca.pem
Nothing is installed for you: run the commands for the clients you use.

curl:
  curl --cacert {Q} 'https://h.test:8443/x?a=1'

Python (requests, httpx, urllib, ssl):
  export REQUESTS_CA_BUNDLE={Q}  # requests
  export SSL_CERT_FILE={Q}  # httpx, urllib and ssl.create_default_context()
  ssl.create_default_context(cafile="/home/a b/it's/ca.pem")  # in code
  (Each variable replaces the system's list for that process: it then trusts only this CA.)

Node.js:
  export NODE_EXTRA_CA_CERTS={Q}
  (Added to Node's own list, for processes started after the export.)

Chromium and Chrome on Linux (NSS, certutil from libnss3-tools):
  certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n 'Request Inspector local CA' -i {Q}
  (The database exists once the browser has run; restart the browser afterwards.)
  To undo: certutil -d sql:$HOME/.pki/nssdb -D -n 'Request Inspector local CA'

Debian and Ubuntu (the whole system):
  sudo cp {Q} {D}
  sudo update-ca-certificates
  (curl, Python's ssl, wget and most programs use this store.)
  To undo: sudo rm {D} && sudo update-ca-certificates --fresh

macOS (the whole system; Safari and Chrome use it):
  sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {Q}
  To undo: sudo security remove-trusted-cert -d {Q}

Windows (the current user; Edge and Chrome use it):
  certutil -addstore -user Root "/home/a b/it's/ca.pem"
  (Windows asks to confirm. Remove it in certmgr.msc, Trusted Root Certification Authorities.)
"""


def test_the_whole_text_word_for_word() -> None:
    assert trust_text(AWKWARD, url="https://h.test:8443/x?a=1") == EXPECTED


def test_the_default_url_is_the_default_listener() -> None:
    text = trust_text(Path("/ca.pem"))
    assert "\n  curl --cacert /ca.pem https://localhost:8090/\n" in text
    assert trust_steps(Path("/ca.pem"))[0].commands == ("curl --cacert /ca.pem https://localhost:8090/",)


def test_the_steps_the_window_shows() -> None:
    """The window lists the same steps: which clients have a note and which an undo."""
    steps = trust_steps(Path("/ca.pem"))
    assert all(isinstance(s, TrustStep) for s in steps)
    assert [(s.client.split(" ")[0], bool(s.note), len(s.undo)) for s in steps] == [
        ("curl", False, 0),
        ("Python", True, 0),
        ("Node.js", True, 0),
        ("Chromium", True, 1),
        ("Debian", True, 2),
        ("macOS", False, 1),
        ("Windows", True, 0),
    ]
    assert steps[4].undo == (
        "sudo rm /usr/local/share/ca-certificates/request-inspector-ca.crt",
        "sudo update-ca-certificates --fresh",
    )
