"""Webhook signatures: one check for every callback from outside (HMAC with a shared secret)."""

from __future__ import annotations

from flask import current_app

import connectors
from webapp.services.common.errors import Unauthorized


def require_signature(body: bytes, signature: str | None, secret_key: str) -> None:
    """401 unless `signature` signs `body` with the secret configured under `secret_key` (none: refuse all)."""
    secret = current_app.config[secret_key]
    if not secret or not signature or not connectors.is_valid(body, signature, secret):
        raise Unauthorized("Firma della notifica non valida.")
