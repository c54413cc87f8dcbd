"""Fetching a feed over HTTP, carefully: the content is untrusted and so is the address.

Every hop of a redirect chain is resolved first and refused when it points into a loopback,
private or link-local network (unless configured otherwise); the connection then goes to the
address that was checked, so a second DNS answer cannot sneak past. Timeouts, a size cap on the
bytes received and on the bytes unpacked, conditional GET, and plain-words errors.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from fundtrack.i18n_markers import N_

CHUNK = 64 * 1024
ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"


class FetchError(Exception):
    """A fetch that failed, said in plain words (an English msgid and its parameters)."""

    def __init__(self, message: str, **params):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)

    def as_record(self) -> dict:
        return {"message": self.message, "params": self.params}


@dataclass
class Response:
    status: int  # 200, or 304 when the feed has not changed
    final_url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")


@dataclass(frozen=True)
class Limits:
    timeout_seconds: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    allow_private_networks: bool = False
    user_agent: str = "fundtrack feed reader"


def _checked_address(host: str, port: int, allow_private: bool) -> str:
    """The IP address to connect to; FetchError when the name is unknown or points somewhere not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise FetchError(N_("The address %(host)s could not be found."), host=host) from None
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not allow_private and (
            ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
        ):
            raise FetchError(
                N_("%(host)s points to a private or local network address (%(ip)s), which feeds may not use."),
                host=host,
                ip=str(ip),
            )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to next."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch(url: str, limits: Limits, *, etag: str = "", last_modified: str = "") -> Response:
    """GET a feed, following redirects; a 304 answer returns status 304 and no body."""
    started = time.monotonic()
    headers = {"User-Agent": limits.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _ in range(limits.max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(N_("Only http:// and https:// addresses can be fetched: %(url)s"), url=url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _checked_address(parts.hostname, port, limits.allow_private_networks)
        connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(parts.hostname, port, address, limits.timeout_seconds)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                response.read(CHUNK)
                continue
            if response.status == 304:
                return Response(304, url, headers=_lower(response.getheaders()))
            if response.status >= 400:
                raise FetchError(N_("The server answered %(status)d %(reason)s."), status=response.status, reason=response.reason)
            body = _read_capped(response, limits, started)
            return Response(response.status, url, body, _lower(response.getheaders()))
        except TimeoutError:
            raise FetchError(N_("Timed out after %(seconds)d s."), seconds=round(limits.timeout_seconds)) from None
        except ConnectionRefusedError:
            raise FetchError(N_("The server at %(host)s refused the connection."), host=parts.hostname) from None
        except ssl.SSLError as error:
            raise FetchError(N_("The secure connection failed: %(reason)s"), reason=error.reason or str(error)) from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(N_("The connection failed: %(reason)s"), reason=str(error) or type(error).__name__) from None
        finally:
            connection.close()
    raise FetchError(N_("Too many redirects (more than %(count)d)."), count=limits.max_redirects)


def _lower(pairs) -> dict[str, str]:
    return {name.lower(): value for name, value in pairs}


def _read_capped(response, limits: Limits, started: float) -> bytes:
    """The body, unpacked, refused as soon as it grows past the cap (packed or unpacked) or the time runs out."""
    too_large = FetchError(N_("The feed is larger than %(megabytes)s MB."), megabytes=f"{limits.max_bytes / 1_000_000:g}")
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise too_large
    encoding = (response.getheader("Content-Encoding") or "").lower()
    unpacker = None
    if encoding in ("gzip", "x-gzip"):
        unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        unpacker = zlib.decompressobj()
    received, parts, size = 0, [], 0
    while True:
        if time.monotonic() - started > limits.timeout_seconds * 2:
            raise FetchError(N_("Timed out after %(seconds)d s."), seconds=round(limits.timeout_seconds))
        chunk = response.read(CHUNK)
        if not chunk:
            break
        received += len(chunk)
        if received > limits.max_bytes:
            raise too_large
        if unpacker is None:
            parts.append(chunk)
            size += len(chunk)
            continue
        data = chunk
        while data:
            try:
                out = unpacker.decompress(data, limits.max_bytes - size + 1)
            except zlib.error:
                raise FetchError(N_("The feed's compressed data is damaged.")) from None
            parts.append(out)
            size += len(out)
            if size > limits.max_bytes:
                raise too_large
            data = unpacker.unconsumed_tail
    return b"".join(parts)
