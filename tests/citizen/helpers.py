"""Driving the citizen pages with Flask's test client: CSRF tokens, test-identity login, forms."""

from __future__ import annotations

import re
from typing import Any

from tests.webapp.helpers import GIUSEPPINA, MARIO

__all__ = ["GIUSEPPINA", "LUCA", "MARIO", "PDF", "csrf", "login", "post_form"]

LUCA = "BNCLCU90C15F839M"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: Any, url: str = "/demo/accedi") -> str:
    """The session's CSRF token, read from a page that has a form."""
    page = client.get(url)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url} ({page.status_code})"
    return found.group(1)


def login(client: Any, fiscal_code: str = MARIO, method: str = "spid", next_url: str | None = None) -> Any:
    token = csrf(client, f"/demo/accedi/prova/{method}")
    data = {"csrf_token": token, "fiscal_code": fiscal_code}
    if next_url:
        data["next"] = next_url
    return client.post(f"/demo/accedi/prova/{method}", data=data)


def post_form(client: Any, url: str, data: dict[str, Any], token_from: str | None = None, **kwargs: Any) -> Any:
    """POST with the CSRF token of the page at `token_from` (default: the same URL)."""
    token = csrf(client, token_from or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def app_id_from(location: str) -> str:
    match = re.search(r"/pratiche/([0-9a-f-]{36})", location)
    assert match, location
    return match.group(1)


def multipart(client: Any, url: str, fields: dict[str, str], files: dict[str, tuple[bytes, str]],
              token_from: str | None = None) -> Any:
    """POST a multipart body built here: the test client would spool a big one to an unclosed temp file."""
    boundary = "----citizen-test-boundary"
    parts = []
    for name, value in {"csrf_token": csrf(client, token_from or url), **fields}.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (content, filename) in files.items():
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n")
        parts.append(head.encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
