"""Where the HTTP connector may go, and how much it may bring back.

Only ``http`` and ``https`` URLs. Hosts are checked against an optional denylist, then an optional allowlist,
on the first request and on every redirect. A pattern is a host name (``api.example.com``), a wildcard for
its subdomains (``*.example.com``), an IP address or network (``10.0.0.0/8``, matched against hosts written as
IP addresses), or ``*``. Names are not resolved: a denylist of networks does not stop a name that resolves
into one, so list names too, or use an allowlist.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import httpx

from cadenza.workers.errors import ConnectorInputError

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "HttpSettings", "check_url", "host_allowed", "valid_pattern"]

#: Well below the engine's bound on a variables document (4 MiB by default): the body becomes variables, and a
#: completion the gateway refused as too large would leave the job to time out and run again.
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")  # one label of a host name


@dataclass(frozen=True, slots=True)
class HttpSettings:
    #: Bound on a response body read into variables (after content decoding); larger ones fail the job.
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    allowed_hosts: tuple[str, ...] = ()
    denied_hosts: tuple[str, ...] = ()
    max_redirects: int = 5


def check_url(text: str, settings: HttpSettings) -> httpx.URL:
    """``text`` as a URL the connector may request; raises ConnectorInputError."""
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as error:
        raise ConnectorInputError(f"url: not a valid URL ({error})") from None
    if url.scheme not in ("http", "https"):
        shown = url.scheme or "no scheme"
        raise ConnectorInputError(f"url: only http and https URLs are allowed, not {shown}")
    if not url.host:
        raise ConnectorInputError("url: has no host")
    check_host(url.host, settings)
    return url


def check_host(host: str, settings: HttpSettings) -> None:
    if not host_allowed(host, settings):
        raise ConnectorInputError(
            f"url: requests to host '{host}' are not allowed by the worker's host rules"
        )


def host_allowed(host: str, settings: HttpSettings) -> bool:
    host = host.lower().rstrip(".")
    if any(_matches(host, pattern) for pattern in settings.denied_hosts):
        return False
    return not settings.allowed_hosts or any(_matches(host, pattern) for pattern in settings.allowed_hosts)


def _matches(host: str, pattern: str) -> bool:
    pattern = pattern.strip().lower().rstrip(".")
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    if "/" in pattern or _is_ip(pattern):
        return _in_network(host, pattern)
    return host == pattern


def valid_pattern(pattern: str) -> bool:
    """Whether ``pattern`` is one of the forms the module's docstring lists."""
    pattern = pattern.strip().lower()
    if pattern == "*":
        return True
    if "/" in pattern:
        try:
            ipaddress.ip_network(pattern, strict=False)
        except ValueError:
            return False
        return True
    name = pattern[2:] if pattern.startswith("*.") else pattern
    return _is_ip(name) or all(_LABEL.fullmatch(label) for label in name.rstrip(".").split("."))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _in_network(host: str, pattern: str) -> bool:
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return False
