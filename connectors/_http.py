"""A small JSON-over-HTTP client on the standard library, with error mapping and idempotency keys.

Nothing personal is logged: only method, host, status and duration.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import PermanentError, TransientError, error_for_status

log = logging.getLogger("connectors.http")

IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes = field(repr=False)

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise PermanentError(f"invalid JSON in a {self.status} answer", status=self.status) from exc

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _problem_text(status: int, body: bytes) -> tuple[str, str | None]:
    """The `detail`/`title` and a code from a ProblemJson-like body, else a generic text."""
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    text = data.get("detail") or data.get("title") or data.get("message") or f"HTTP {status}"
    code = data.get("code") or data.get("faultCode")
    return str(text), (str(code) if code is not None else None)


class HttpClient:
    """JSON client bound to one base URL. Every call may carry an idempotency key."""

    def __init__(self, base_url: str, *, headers: Mapping[str, str] | None = None,
                 timeout: float = 10.0) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("connectors speak http or https only")
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("connectors speak http or https only")
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.timeout = timeout

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{query}"

    def request(self, method: str, path: str, *, json_body: Any = None,
                params: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
                ok: tuple[int, ...] = (200, 201, 202, 204)) -> HttpResponse:
        """Send one request. Statuses in `ok` are returned; others raise a `ConnectorError`."""
        headers = {"Accept": "application/json", **self.headers}
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        req = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url(path, params), data=data, method=method, headers=headers)
        started = time.monotonic()
        response = self._send(req)
        log.info("%s %s -> %s in %.0f ms", method, urllib.parse.urlsplit(self.base_url).netloc,
                 response.status, (time.monotonic() - started) * 1000)
        if response.status in ok:
            return response
        text, code = _problem_text(response.status, response.body)
        raise error_for_status(response.status, f"{method} {path}: {text}", code=code,
                               retry_after=_retry_after(response.headers))

    def _send(self, req: urllib.request.Request) -> HttpResponse:
        try:
            with _OPENER.open(req, timeout=self.timeout) as resp:
                return HttpResponse(resp.status, dict(resp.headers.items()), resp.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return HttpResponse(exc.code, dict(exc.headers.items()), exc.read())
        except TimeoutError as exc:
            raise TransientError(f"timeout calling {req.host}") from exc
        except urllib.error.URLError as exc:
            raise TransientError(f"cannot reach {req.host}: {type(exc.reason).__name__}") from exc
        except OSError as exc:
            raise TransientError(f"connection to {req.host} failed: {type(exc).__name__}") from exc
