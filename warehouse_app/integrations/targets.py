"""Where a webhook may go: public http(s) hosts only.

Refused when an endpoint is added (an internal address written any way: 127.0.0.1, localhost,
169.254.169.254, 2130706433, 0x7f000001, 0177.0.0.1, [::1], ::ffff:127.0.0.1...) and again
when the delivery resolves the host (a public-looking name whose DNS answers an internal
address). The connection goes to the address that was checked, so a second DNS answer cannot
swap it; redirects are never followed (a 3xx is a failed attempt). WEBHOOK_ALLOWED_HOSTS names
the internal hosts an admin allows (comma-separated host names or addresses).
"""
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from flask import current_app

from warehouse_app.errors import DomainError

INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class Refused(Exception):
    """A target that is not a public http(s) host."""


def allowed_hosts() -> frozenset[str]:
    raw = current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or ""
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    return frozenset(name.strip().lower().strip("[]") for name in names if name.strip())


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as a number means, in any of the forms a resolver takes
    (dotted, decimal, hex, octal, short), or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # inet_aton reads 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 as the C library does
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def public(address) -> bool:
    """Whether an address is on the public internet (not loopback, private, link-local,
    multicast, reserved or unspecified; an IPv4-mapped IPv6 judged by its IPv4)."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> str:
    """The URL if it may be added: http(s), a host, not an internal one; else DomainError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise DomainError("The URL must be http:// or https:// with a host.", field="url")
    try:
        parts.port  # noqa: B018  (a port that is not a number raises here)
        _check_host(parts.hostname)
    except Refused as err:
        raise DomainError(str(err), field="url") from None
    except ValueError:
        raise DomainError("The URL's port is not a number.", field="url") from None
    return url


def _check_host(host: str) -> None:
    host = host.lower().rstrip(".")
    if host in allowed_hosts():
        return
    address = literal_address(host)
    if address is not None:
        if not public(address):
            raise Refused(f"{host} is not a public address; webhooks go to public hosts only.")
        return
    if host == "localhost" or host.endswith(INTERNAL_SUFFIXES) or "." not in host:
        raise Refused(f"{host} is an internal name; webhooks go to public hosts only.")


def resolve(host: str, port: int) -> str:
    """The address to connect to: every address the name resolves to must be public."""
    host = host.lower().rstrip(".")
    _check_host(host)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise Refused(f"{host} does not resolve: {err}") from None
    addresses = [info[4][0] for info in found]
    if not addresses:
        raise Refused(f"{host} does not resolve.")
    if host not in allowed_hosts():
        for text in addresses:
            if not public(ipaddress.ip_address(text.split("%")[0])):
                raise Refused(f"{host} resolves to {text}, not a public address.")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand (the Host header keeps the name)."""

    def __init__(self, host: str, address: str, **kwargs):
        super().__init__(host, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is checked against the host name."""

    def __init__(self, host: str, address: str, **kwargs):
        self.tls = ssl.create_default_context()
        super().__init__(host, context=self.tls, **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST to a checked public address; the status (a redirect is not followed)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname or "", port)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, address, port=port, timeout=timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
