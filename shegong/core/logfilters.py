"""Logging filters referenced from settings.LOGGING."""

from __future__ import annotations

import logging


class RefusalsOnOneLine(logging.Filter):
    """A 403 is an answer, not a fault: keep Django's one line ("Forbidden (Permission
    denied): /path") and drop the traceback it attaches, which buries real errors in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
