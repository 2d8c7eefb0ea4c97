"""Structured logs without personal data, and the request line every response gets.

Logs leave the process as JSON lines (time, level, logger, message, request id, tenant, path, status,
duration). Whatever a message or a traceback carries goes through `redact` first: codici fiscali, e-mail
addresses, partite IVA, bearer tokens and SQL parameters become placeholders, since a log is read by
more people, and kept longer, than the data it would leak.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import IO, Any

from flask import Flask, Response, g, has_request_context, request

REQUEST_LOGGER = "webapp.request"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Order matters: SQL parameters first (they may hold anything), then the recognisable shapes.
REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[parameters: [^\n]*"), "[parameters: <redacted>]"),
    (re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+"), "<token>"),  # a JWT
    (re.compile(r"(?i)\b(bearer|token|password|secret)(\s*[=:]\s*|\s+)\S+"), r"\1\2<redacted>"),
    (re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z][\w-]*"), "<email>"),  # not user:pw@host
    # A person's codice fiscale, omocodia letters included.
    (re.compile(r"(?i)\b[A-Z]{6}[0-9LMNP-V]{2}[ABCDEHLMPRST][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]\b"),
     "<codice-fiscale>"),
    (re.compile(r"(?<![\w-])\d{11}(?![\w-])"), "<codice-fiscale>"),  # numeric: a sole trader's too
    # Reset links' and other random tokens (not a UUID: ids are no personal data and find the row).
    (re.compile(r"(?<![\w-])(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-)[A-Za-z0-9_-]{32,}(?![\w-])"), "<token>"),
)


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalData(logging.Filter):
    """On the handler, so it covers every logger that reaches it (ours, Flask's, Celery's, gunicorn's)."""

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("request_id", "tenant", "method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        context = _request_context()
        for field in self.FIELDS:
            value = getattr(record, field, context.get(field))
            if value is not None:
                line[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def _request_context() -> dict[str, Any]:
    if not has_request_context():
        return {}
    tenant = g.get("tenant")
    return {"request_id": g.get("request_id"), "tenant": getattr(tenant, "slug", None)}


def json_handler(stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactPersonalData())
    return handler


def configure_logging(level: str | int = "INFO", stream: IO[str] | None = None) -> logging.Handler:
    """The process's one root handler: JSON lines, redacted (replaces handlers installed before)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = json_handler(stream)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def _start_request() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    # The route's pattern, not the address: ids, tokens and codes in the path stay out of the log.
    path = request.url_rule.rule if request.url_rule is not None else redact(request.path)
    logging.getLogger(REQUEST_LOGGER).info(
        "%s %s %s", request.method, path, response.status_code,
        extra={"method": request.method, "path": path, "status": response.status_code,
               "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None})
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


def init_request_logging(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_log_request)
