# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
What a feed client asks for beyond the version-1 feed, read from its upgrade URL.

``ws://host:port/?schema=1&video=1&diagnostics=1`` (each optional, in any order, next to
``token``). A client that asks for nothing gets exactly the version-1 feed: ``hello``, then
``persons``. The options are fixed for the life of the connection (reconnect to change
them), so the server knows them before it accepts, encodes each frame once per variant in
use, and never reads anything the client sends afterwards.

* ``schema=N``: the newest feed schema the client can read; the server answers with the
  newest it has that is not newer, and says which in ``hello``. Default 1.
* ``video=1``: JPEG pictures as binary messages, and a ``video`` message saying whether
  the bridge offers them.
* ``diagnostics=1``: ``diagnostics`` messages relayed from pose_node's /diagnostics.

Unknown parameters are ignored, so newer clients still talk to older bridges; a bad value
or a repeated option is refused with 400 and says why.
"""

from dataclasses import dataclass
import urllib.parse

MAX_FIELDS = 16
MAX_SCHEMA = 1000
_TRUE = ('1', 'true', 'yes', 'on')
_FALSE = ('0', 'false', 'no', 'off')


class FeedOptionsError(ValueError):
    """An upgrade URL with an option the server cannot honour; the text says which."""


@dataclass(frozen=True)
class FeedOptions:
    """What one client receives besides ``hello`` and ``persons``."""

    schema: int = 1
    video: bool = False
    diagnostics: bool = False

    @property
    def extras(self) -> frozenset:
        """Return the names of the optional message kinds this client asked for."""
        return frozenset(name for name in ('video', 'diagnostics') if getattr(self, name))


def parse_feed_options(query: str, schemas=(1,)) -> FeedOptions:
    """Return the options in an upgrade URL's query; ``schemas`` are those the server has."""
    try:
        fields = urllib.parse.parse_qs(query, keep_blank_values=True,
                                       max_num_fields=MAX_FIELDS, errors='replace')
    except (ValueError, UnicodeDecodeError):
        raise FeedOptionsError(f'bad query string (at most {MAX_FIELDS} fields)') from None
    values = {}
    for name in ('schema', 'video', 'diagnostics'):
        given = fields.get(name, [])
        if len(given) > 1:
            raise FeedOptionsError(f'{name} given {len(given)} times')
        if given:
            values[name] = given[0]
    options = {}
    if 'schema' in values:
        options['schema'] = _schema(values['schema'], schemas)
    for name in ('video', 'diagnostics'):
        if name in values:
            options[name] = _flag(name, values[name])
    return FeedOptions(**options)


def _schema(text, schemas):
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or \
            not 1 <= int(text) <= MAX_SCHEMA:
        raise FeedOptionsError(f'schema must be a whole number from 1 to {MAX_SCHEMA}, got '
                               f'{text[:20]!r}')
    readable = [schema for schema in schemas if schema <= int(text)]
    if not readable:
        raise FeedOptionsError(f'schema {int(text)} is older than any this bridge serves '
                               f'({", ".join(map(str, sorted(schemas)))})')
    return max(readable)


def _flag(name, text):
    if text.lower() in _TRUE or text == '':
        return True
    if text.lower() in _FALSE:
        return False
    raise FeedOptionsError(f'{name} must be 1 or 0, got {text[:20]!r}')
