"""The URLs offered for a listener: never a wildcard, loopback first, zones in URL form."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from inspector.addresses import url_for
from inspector.listen import InterfaceAddress, Reach, ReachableURL, interface_addresses, reachable_urls
from inspector.server import CallbackSink, Server
from tests.network import needs_ipv6

LAPTOP = [
    InterfaceAddress("wlan0", "fe80::aa:bbff:fecc:1"),
    InterfaceAddress("wlan0", "192.168.1.20"),
    InterfaceAddress("lo", "::1"),
    InterfaceAddress("docker0", "172.17.0.1"),
    InterfaceAddress("wlan0", "2001:db8::20"),
    InterfaceAddress("lo", "127.0.0.1"),
    InterfaceAddress("wlan0", "192.168.1.20"),  # listed twice (an alias): shown once
    InterfaceAddress("eth9", "169.254.3.4"),
    InterfaceAddress("", "fe80::99"),  # link-local without its zone cannot be used
]


def urls(found: list[ReachableURL]) -> list[str]:
    return [item.url for item in found]


def test_every_ipv4_address_of_a_wildcard_listener_loopback_first() -> None:
    found = reachable_urls("0.0.0.0", 8090, interfaces=LAPTOP)
    assert urls(found) == [
        "http://127.0.0.1:8090",
        "http://192.168.1.20:8090",
        "http://172.17.0.1:8090",
        "http://169.254.3.4:8090",
    ]
    assert [item.reach for item in found] == [Reach.LOOPBACK, Reach.NETWORK, Reach.NETWORK, Reach.LINK_LOCAL]
    assert [item.interface for item in found] == ["lo", "wlan0", "docker0", "eth9"]


def test_a_dual_stack_wildcard_lists_both_families_and_zones_in_url_form() -> None:
    assert urls(reachable_urls("[::]", 8090, interfaces=LAPTOP)) == [
        "http://127.0.0.1:8090",
        "http://[::1]:8090",
        "http://192.168.1.20:8090",
        "http://172.17.0.1:8090",
        "http://[2001:db8::20]:8090",
        "http://169.254.3.4:8090",
        "http://[fe80::aa:bbff:fecc:1%25wlan0]:8090",
    ]


def test_an_ipv6_only_wildcard() -> None:
    assert urls(reachable_urls("::", 8090, interfaces=LAPTOP, dual_stack=False)) == [
        "http://[::1]:8090",
        "http://[2001:db8::20]:8090",
        "http://[fe80::aa:bbff:fecc:1%25wlan0]:8090",
    ]


def test_both_schemes_with_https_on() -> None:
    assert urls(reachable_urls("0.0.0.0", 8443, interfaces=LAPTOP[:2], schemes=("http", "https"))) == [
        "http://192.168.1.20:8443",
        "https://192.168.1.20:8443",
    ]


@pytest.mark.parametrize(
    ("host", "dual_stack", "expected"),
    [
        ("0.0.0.0", True, ["http://127.0.0.1:8090"]),
        ("::", True, ["http://127.0.0.1:8090", "http://[::1]:8090"]),
        ("::", False, ["http://[::1]:8090"]),
    ],
)
def test_never_a_wildcard_url_even_with_no_interfaces(
    host: str, dual_stack: bool, expected: list[str]
) -> None:
    assert urls(reachable_urls(host, 8090, interfaces=[], dual_stack=dual_stack)) == expected


@pytest.mark.parametrize(
    ("host", "url", "reach"),
    [
        ("127.0.0.1", "http://127.0.0.1:8090", Reach.LOOPBACK),
        ("[::1]", "http://[::1]:8090", Reach.LOOPBACK),
        ("localhost", "http://localhost:8090", Reach.LOOPBACK),
        ("192.168.1.20", "http://192.168.1.20:8090", Reach.NETWORK),
        ("fe80::1%eth0", "http://[fe80::1%25eth0]:8090", Reach.LINK_LOCAL),
        ("desk.example", "http://desk.example:8090", Reach.NETWORK),
    ],
)
def test_a_listener_on_one_address_is_reached_there(host: str, url: str, reach: Reach) -> None:
    assert reachable_urls(host, 8090, interfaces=LAPTOP) == [ReachableURL(url, "", reach)]


def test_https_for_a_listener_on_one_address_too() -> None:
    assert urls(reachable_urls("127.0.0.1", 8443, schemes=("http", "https"))) == [
        "http://127.0.0.1:8443",
        "https://127.0.0.1:8443",
    ]
    assert urls(reachable_urls("::1", 8443, schemes=("https",))) == ["https://[::1]:8443"]


@pytest.mark.parametrize(
    ("host", "reach"),
    [
        ("169.254.3.4%eth9", Reach.LINK_LOCAL),
        ("fe80::1%eth0%1", Reach.LINK_LOCAL),
        ("fe80::1%%eth0", Reach.LINK_LOCAL),
        ("127.0.0.1%lo", Reach.LOOPBACK),
    ],
)
def test_the_reach_is_the_addresss_whatever_follows_the_percent(host: str, reach: Reach) -> None:
    """The address before the first ``%`` says who can reach it, even where Python would refuse the zone."""
    [found] = reachable_urls(host, 8090)
    assert found.reach is reach


def test_what_is_not_a_usable_interface_address_is_passed_over() -> None:
    """A malformed entry, a wildcard, a multicast group or a link-local address without its zone
    is no place to reach: each is skipped, and the entries after it still count."""
    listed = [
        InterfaceAddress("eth0", "not an address"),
        InterfaceAddress("eth0", "0.0.0.0"),
        InterfaceAddress("eth0", "::"),
        InterfaceAddress("eth0", "224.0.0.251"),
        InterfaceAddress("eth0", "ff02::fb"),
        InterfaceAddress("", "fe80::99"),
        InterfaceAddress("eth0", "192.168.1.20"),
        InterfaceAddress("eth0", "fe80::20"),
    ]
    assert reachable_urls("::", 8090, interfaces=listed) == [
        ReachableURL("http://192.168.1.20:8090", "eth0", Reach.NETWORK),
        ReachableURL("http://[fe80::20%25eth0]:8090", "eth0", Reach.LINK_LOCAL),
    ]


def test_the_loopback_stand_ins_name_no_interface() -> None:
    assert reachable_urls("::", 8090, interfaces=[InterfaceAddress("eth0", "0.0.0.0")]) == [
        ReachableURL("http://127.0.0.1:8090", "", Reach.LOOPBACK),
        ReachableURL("http://[::1]:8090", "", Reach.LOOPBACK),
    ]


def test_this_machines_interfaces() -> None:
    found = reachable_urls("::", 8090)
    assert found[0].url == "http://127.0.0.1:8090"
    addresses = {item.address for item in interface_addresses()}
    for item in found:
        host = item.url.split("//", 1)[1].rsplit(":", 1)[0].strip("[]").split("%25", 1)[0]
        assert host in addresses
        assert host not in ("0.0.0.0", "::")
    assert [item.reach for item in found] == sorted(item.reach for item in found)


@pytest.fixture
def same_port_on_both_loopbacks() -> Iterator[int]:
    """Listeners on 127.0.0.1 and ::1 with one port, reached as a dual-stack ``::`` listener would be."""
    for _ in range(20):
        first = Server("127.0.0.1", 0, sink=CallbackSink(lambda record: None))
        try:
            second = Server("::1", first.port, sink=CallbackSink(lambda record: None))
        except OSError:
            first.close()
            continue
        break
    else:
        raise AssertionError("no port free on both loopbacks")
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in (first, second)]
    for thread in threads:
        thread.start()
    yield first.port
    for server in (first, second):
        server.stop()
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()


@needs_ipv6
def test_the_loopback_urls_answer(same_port_on_both_loopbacks: int) -> None:
    port = same_port_on_both_loopbacks
    loopback = [item.url for item in reachable_urls("::", port) if item.reach is Reach.LOOPBACK]
    assert loopback == [f"http://127.0.0.1:{port}", f"http://[::1]:{port}"]
    for url in loopback:
        with urllib.request.urlopen(url + "/index.html", timeout=10) as answer:
            assert answer.read() == b"hello world"


@pytest.mark.parametrize(
    ("host", "scheme", "url"),
    [
        ("127.0.0.1", "http", "http://127.0.0.1:8090"),
        ("::1", "https", "https://[::1]:8090"),
        ("fe80::1%eth0", "http", "http://[fe80::1%25eth0]:8090"),
        ("fe80::1%3", "https", "https://[fe80::1%253]:8090"),
    ],
)
def test_url_for_writes_the_scheme_and_a_zone_in_url_form(host: str, scheme: str, url: str) -> None:
    assert url_for(host, 8090, scheme) == url
    assert urllib.parse.urlsplit(url).port == 8090
