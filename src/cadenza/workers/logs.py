"""Keeping secrets out of log lines.

While a connector call runs, its :class:`~cadenza.workers.secrets.Redactor` is the context's active redactor;
:class:`RedactingFilter`, installed on the loggers a call may write to (httpx logs each request's URL, which
may carry an API key as a query parameter), masks the call's secrets in every record those loggers emit.
Context variables follow the call's task, so concurrent calls each mask their own secrets.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

from cadenza.workers.secrets import Redactor

__all__ = ["REDACTED_LOGGERS", "RedactingFilter", "install_redaction", "redacting"]

#: Loggers that may see a call's request: ours, httpx's request line, httpcore's connection traces.
REDACTED_LOGGERS = (
    "cadenza.workers",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)

_ACTIVE: ContextVar[Redactor | None] = ContextVar("cadenza_workers_redactor", default=None)


_FORMATTER = logging.Formatter()


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redactor = _ACTIVE.get()
        if redactor:
            record.msg = redactor.text(record.getMessage())
            record.args = None
            if record.exc_info:
                # handlers print exc_text when it is set; the traceback's messages may quote a secret too
                record.exc_text = redactor.text(_FORMATTER.formatException(record.exc_info))
                record.exc_info = None
        return True


_FILTER = RedactingFilter()


_installed = False


def install_redaction() -> None:
    """Adds the filter to :data:`REDACTED_LOGGERS` (once)."""
    global _installed
    _installed = True
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


@contextlib.contextmanager
def redacting(redactor: Redactor) -> Iterator[None]:
    """Makes ``redactor`` the active one for the block (and installs the filter, the first time)."""
    if not _installed:
        install_redaction()
    token = _ACTIVE.set(redactor)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
