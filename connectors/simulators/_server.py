"""A tiny HTTP framework for the simulators: routes, JSON/HTML answers, fault injection,
idempotency keys and signed webhook delivery, on `http.server.ThreadingHTTPServer`.

Control endpoints every simulator has (not counted, never failed):
    POST /_control/fail   {"count": N, "status": 503}  or  {"count": N, "delay": seconds}
    GET  /_control/stats
    POST /_control/reset
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

from connectors.webhooks import SIGNATURE_HEADER, sign

log = logging.getLogger("connectors.simulators")
DEMO_SECRET = "demo-webhook-secret"  # noqa: S105 (the simulators' default, for the demo only)


class HttpProblem(Exception):
    def __init__(self, status: int, title: str, detail: str | None = None) -> None:
        super().__init__(title)
        self.status, self.title, self.detail = status, title, detail


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    base_url: str = ""

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise HttpProblem(400, "Bad Request", "body is not JSON") from None

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise HttpProblem(400, "Bad Request", "body must be a JSON object")
        return data

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace")))

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), "application/json", dict(headers or {}))


def problem(status: int, title: str, detail: str | None = None) -> Response:
    data = {"status": status, "title": title, **({"detail": detail} if detail else {})}
    return Response(status, json.dumps(data).encode(), "application/problem+json")


def html_response(status: int, page: str) -> Response:
    return Response(status, page.encode(), "text/html; charset=utf-8")


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", "text/plain", {"Location": location})


Handler = Callable[[Request], Response]


class SimulatorApp:
    """Routes plus the shared behaviours. Subclasses add routes in `__init__`."""

    name = "simulator"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.calls = 0
        self._fail_count = 0
        self._fail_status = 503
        self._fail_delay = 0.0
        self._idem: dict[str, tuple[str, Response]] = {}
        self.route("POST", "/_control/fail", self._control_fail)
        self.route("GET", "/_control/stats", lambda r: json_response(200, self.stats()))
        self.route("POST", "/_control/reset", self._control_reset)

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self.routes.append((method, re.compile(f"^{regex}$"), handler))

    def stats(self) -> dict[str, Any]:
        return {"calls": self.calls}

    def reset(self) -> None:
        with self.lock:
            self.calls = 0
            self._fail_count = 0
            self._idem.clear()

    def fail_next(self, count: int, *, status: int = 503, delay: float = 0.0) -> None:
        """The next `count` calls answer `status` (or are delayed by `delay` s, then served)."""
        with self.lock:
            self._fail_count, self._fail_status, self._fail_delay = count, status, delay

    def _control_fail(self, req: Request) -> Response:
        data = req.json_object()
        self.fail_next(int(data.get("count", 1)), status=int(data.get("status", 503)),
                       delay=float(data.get("delay", 0)))
        return json_response(200, {"ok": True})

    def _control_reset(self, req: Request) -> Response:
        self.reset()
        return json_response(200, {"ok": True})

    def _injected_fault(self) -> Response | None:
        with self.lock:
            if self._fail_count <= 0:
                return None
            self._fail_count -= 1
            delay, status = self._fail_delay, self._fail_status
        if delay:
            time.sleep(delay)
            return None
        return problem(status, "Service Unavailable" if status == 503 else "Injected failure",
                       "failure injected by the simulator")

    def handle(self, req: Request) -> Response:
        for method, regex, handler in self.routes:
            m = regex.match(req.path)
            if m and method == req.method:
                req.params = m.groupdict()
                if not req.path.startswith("/_control/"):
                    with self.lock:
                        self.calls += 1
                    fault = self._injected_fault()
                    if fault is not None:
                        return fault
                return self._run(handler, req)
        return problem(404, "Not Found", f"no route for {req.method} {req.path}")

    def _run(self, handler: Handler, req: Request) -> Response:
        try:
            return handler(req)
        except HttpProblem as exc:
            return problem(exc.status, exc.title, exc.detail)
        except Exception:
            log.exception("simulator %s failed", self.name)
            return problem(500, "Internal Server Error")

    def idempotent(self, req: Request, handler: Handler, *, required: bool = False) -> Response:
        """Replay the stored answer for a repeated Idempotency-Key; 422 if the body differs."""
        key = req.header("Idempotency-Key")
        if not key:
            if required:
                raise HttpProblem(400, "Bad Request", "Idempotency-Key header is required")
            return handler(req)
        scope = f"{req.method} {req.path} {key}"
        digest = hashlib.sha256(req.body).hexdigest()
        with self.lock:
            if scope in self._idem:
                seen_digest, seen = self._idem[scope]
                if seen_digest != digest:
                    raise HttpProblem(422, "Unprocessable Entity", "Idempotency-Key reused with another body")
                return Response(seen.status, seen.body, seen.content_type,
                                {**seen.headers, "Idempotent-Replayed": "true"})
            response = handler(req)
            if response.status < 500:
                self._idem[scope] = (digest, response)
            return response


def deliver_signed(url: str, payload: dict[str, Any], secret: str, *, attempts: int = 3,
                   timeout: float = 5.0) -> list[int | str]:
    """POST a signed JSON event; retry a few times; return the outcome of each attempt."""
    body = json.dumps(payload).encode()
    return deliver(url, body, lambda: {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)},
                   attempts=attempts, timeout=timeout)


def deliver(url: str, body: bytes, headers: Callable[[], dict[str, str]], *, attempts: int = 3,
            timeout: float = 5.0) -> list[int | str]:
    """POST `body` (headers made afresh for each attempt); retry a few times on 5xx or network errors."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("webhooks are http or https")
    outcomes: list[int | str] = []
    for attempt in range(attempts):
        req = urllib.request.Request(url, data=body, headers=headers(), method="POST")  # noqa: S310 (checked)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured URL)
                outcomes.append(resp.status)
                return outcomes
        except OSError as exc:
            status = getattr(exc, "code", None)
            if hasattr(exc, "close"):
                exc.close()
            outcomes.append(status if isinstance(status, int) else type(exc).__name__)
            if isinstance(status, int) and 400 <= status < 500:
                return outcomes
        time.sleep(0.2 * (attempt + 1))
    return outcomes


def _make_handler(app: SimulatorApp, base_url: Callable[[], str]) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        server_version = f"{app.name}-simulator/1.0"

        def _dispatch(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Request(self.command, parts.path, dict(urllib.parse.parse_qsl(parts.query)),
                          self.headers, body, base_url=self._base_url())
            resp = app.handle(req)
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            for name, value in resp.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(resp.body)

        def _base_url(self) -> str:
            host = self.headers.get("Host")
            return f"http://{host}" if host else base_url()

        do_GET = do_POST = do_PUT = do_DELETE = _dispatch

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines can hold fiscal codes: not logged

    return _Handler


AppT = TypeVar("AppT", bound=SimulatorApp)


class RunningSimulator(Generic[AppT]):
    """A simulator serving on a loopback port in a daemon thread; `.app` is its state."""

    def __init__(self, app: AppT, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = ThreadingHTTPServer((host, port), _make_handler(app, lambda: self.url))
        self._server.daemon_threads = True
        self.host, self.port = str(self._server.server_address[0]), int(self._server.server_address[1])
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{app.name}-simulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSimulator[AppT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
