# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Which requests may reach the bridge's port: the ``Host`` and ``Origin`` rules.

Binding to loopback keeps other machines out, not web pages: a browser lets any site open
a WebSocket to 127.0.0.1 (it sends the site's ``Origin``), and a site whose name is rebound
to 127.0.0.1 (DNS rebinding) sends its own name as ``Host``. So:

* **Host.** Every request must name this bridge: a loopback name (``127.0.0.1`` and the
  rest of 127/8, ``localhost``, ``[::1]``), the bound address when it is not loopback (or,
  for a wildcard such as 0.0.0.0, the address the connection arrived on), or a name listed
  in ``allowed_hosts`` (``'*'``: any). An attacker's name is none of these.
* **Origin** (WebSocket upgrades only). By default a client that sends no ``Origin`` (not
  a browser) is accepted, and so is the bridge's own viewer: an origin whose host and port
  are those the request was sent to (the page came from this port), or a loopback name or
  the bound address with the bridge's port. A list in ``allowed_origins`` replaces that
  default (``'self'`` in it stands for the viewer's own origins); ``'*'`` accepts any.

Pure functions and one class, no I/O: FeedServer asks ``AccessPolicy`` about each request.
"""

import ipaddress
import re
import urllib.parse

ANY = '*'
SELF = 'self'
LOOPBACK_NAMES = ('127.0.0.1', 'localhost', '[::1]')
WILDCARD_ADDRESSES = ('0.0.0.0', '::', '')
DEFAULT_PORTS = {'http': 80, 'https': 443, 'ws': 80, 'wss': 443}
_ORIGIN = re.compile(r'^[a-z][a-z0-9+.-]*://[^/?#\s@]+$')
_HOST_NAME = re.compile(r'^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)$')


def is_loopback(host: str) -> bool:
    """Return whether ``host`` (a name or an address, IPv6 in brackets or not) is loopback."""
    host = host.lower().strip('[]')
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_host(value: str):
    """Return (host name, port or None) of a Host header or netloc; raise ValueError if bad."""
    if not value or any(c in value for c in '/?#@\\ \t'):
        raise ValueError(f'bad host {value!r}')
    parsed = urllib.parse.urlsplit('//' + value)
    name = parsed.hostname
    if not name:
        raise ValueError(f'bad host {value!r}')
    port = parsed.port  # raises ValueError when it is not a number in 0..65535
    return _canonical_name(name), port


def _canonical_name(name: str) -> str:
    """Return a host name lowercased, with an IPv6 address in brackets as in URLs."""
    name = name.lower().strip('[]').rstrip('.')
    return f'[{name}]' if ':' in name else name


def normalise_origin(value: str) -> str:
    """Return ``scheme://host[:port]`` lowercased, without a default port or trailing '/'."""
    value = value.strip().rstrip('/').lower()
    if not _ORIGIN.match(value):
        raise ValueError(value)
    scheme, _, netloc = value.partition('://')
    name, port = split_host(netloc)
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return f'{scheme}://{name}'
    return f'{scheme}://{name}:{port}'


class AccessPolicy:
    """The Host and Origin rules of one server; see the module docstring."""

    def __init__(self, bind_host: str, allowed_origins=(), allowed_hosts=()):
        """Check and keep the settings; raise ValueError naming a bad entry."""
        self.bind_loopback = is_loopback(bind_host)
        bind = bind_host.lower()
        self._bind_name = (None if bind in WILDCARD_ADDRESSES or self.bind_loopback
                           else _canonical_name(bind))
        self.any_origin = ANY in allowed_origins
        self.origin_list = None if not allowed_origins else self._origins(allowed_origins)
        self.any_host = ANY in allowed_hosts
        self.allowed_hosts = frozenset(self._hosts(allowed_hosts))

    @staticmethod
    def _origins(values):
        origins = set()
        for value in values:
            if value in (ANY, SELF):
                origins.add(value)
                continue
            try:
                origins.add(normalise_origin(value))
            except ValueError:
                raise ValueError(
                    f'allowed_origins: {value!r} is not an origin; give scheme://host[:port] '
                    "with no path (e.g. 'http://localhost:3000'), 'self' or '*'") from None
        return frozenset(origins)

    @staticmethod
    def _hosts(values):
        for value in values:
            if value == ANY:
                continue
            name = value.strip().lower()
            if ':' in name and not name.startswith('['):
                try:
                    ipaddress.IPv6Address(name)
                    name = f'[{name}]'
                except ValueError:
                    name = '/'  # a port or a scheme: refused below
            if not _HOST_NAME.match(name):
                raise ValueError(
                    f'allowed_hosts: {value!r} is not a host name; give names or addresses '
                    "without scheme or port (e.g. 'robot.local'), or '*'")
            yield _canonical_name(name)

    @property
    def origin_hint(self) -> str:
        """Return what to tell the operator when an origin is refused."""
        if self.origin_list is None:
            return ("by default only clients that send no Origin and this bridge's own viewer "
                    'are accepted; to let web pages on that origin read the feed, list it in '
                    'allowed_origins')
        return 'to let web pages on that origin read the feed, add it to allowed_origins'

    def host_refusal(self, host_header, local_address):
        """Return None when ``Host`` names this bridge, else the reason to refuse (403)."""
        if self.any_host:
            return None
        try:
            name, _ = split_host(host_header or '')
        except ValueError:
            return f'bad Host header {_shown(host_header)}'
        if self._names_this_bridge(name, local_address) or name in self.allowed_hosts:
            return None
        return (f'Host {_shown(host_header)} is not a name of this bridge '
                '(DNS rebinding?); if it is, add it to allowed_hosts')

    def origin_refusal(self, origin, host_header, local_address, port):
        """Return None when a WebSocket upgrade from ``origin`` may proceed, else why not."""
        if self.any_origin:
            return None
        if origin is None:
            if self.origin_list is None:
                return None  # not a browser: a browser always sends Origin on an upgrade
            return 'no Origin header, and allowed_origins is set'
        try:
            normalised = normalise_origin(origin)
        except ValueError:
            normalised = None  # 'null' (a sandboxed page or a file), or garbage
        if self.origin_list is not None and normalised in self.origin_list:
            return None
        if (self.origin_list is None or SELF in self.origin_list) and normalised and \
                self._is_own_origin(normalised, host_header, local_address, port):
            return None
        return f'origin {_shown(origin)} not allowed (see allowed_origins)'

    def _names_this_bridge(self, name, local_address):
        if is_loopback(name):
            return True
        if self.bind_loopback:
            return False
        if name == self._bind_name:
            return True
        return local_address is not None and _same_address(name, local_address)

    def _is_own_origin(self, origin, host_header, local_address, port):
        scheme, _, netloc = origin.partition('://')
        if scheme not in ('http', 'https'):
            return False
        name, origin_port = split_host(netloc)
        try:
            host_name, host_port = split_host(host_header or '')
        except ValueError:
            return False
        if host_port == DEFAULT_PORTS[scheme]:
            host_port = None
        if (name, origin_port) == (host_name, host_port):
            return True  # the page was loaded from the address this request was sent to
        return scheme == 'http' and origin_port == port and \
            self._names_this_bridge(name, local_address)


def _same_address(name, address) -> bool:
    """Return whether host ``name`` is the IP ``address`` (IPv4-mapped IPv6 included)."""
    try:
        ours = ipaddress.ip_address(str(address).split('%')[0])
        theirs = ipaddress.ip_address(name.strip('[]'))
    except ValueError:
        return False
    ours = getattr(ours, 'ipv4_mapped', None) or ours
    theirs = getattr(theirs, 'ipv4_mapped', None) or theirs
    return ours == theirs


def _shown(value, limit=100):
    """Return ``value`` quoted for a log line, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + '...'
