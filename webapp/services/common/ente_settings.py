"""Reading an ente's settings (Tenant.settings, a JSON column): its rich texts made safe, its links, its
secrets decrypted, its mail server. Changing them is webapp.services.settings' job; this module is what
every layer may read.

Secrets (the SMTP password, App IO keys) are kept as Fernet tokens under a key derived from SECRET_KEY,
so a dump of the database alone does not reveal them; they are never given back to pages or the API.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any

import nh3
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from webapp.models import Tenant
from webapp.services.common import legal_drafts

# Rich text an administrator writes (privacy, legal notes, accessibility): structure and links only. No
# scripts, no event attributes, no styles, no images (an image is a request to a third party on every visit).
ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4",
                          "blockquote", "a", "abbr", "table", "thead", "tbody", "tr", "th", "td", "caption"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = frozenset({"https", "http", "mailto", "tel"})
RICH_TEXTS = ("privacy_text", "legal_notes_text", "accessibility_text")
_TAG = re.compile(r"<[a-zA-Z/!]")

# The footer's and the help box's links: an address outside, or one of the ente's own services.
LINKS = ("faq", "assistance", "report_inefficiency")
SMTP_SECURITY = ("starttls", "ssl", "none")


def sanitise_html(raw: str) -> str:
    """The allowed subset of `raw`; plain text (no tags) keeps its paragraphs (blank lines) and line breaks."""
    text = raw.strip()
    if text and not _TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return nh3.clean(text, tags=set(ALLOWED_TAGS), attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer", strip_comments=True)


def rich_text(tenant: Tenant, key: str) -> str | None:
    """The ente's text as safe HTML, cleaned again when shown (a value written before the cleaning existed,
    or straight into the database, is made safe all the same)."""
    raw = tenant.setting(key)
    return sanitise_html(raw) if isinstance(raw, str) and raw.strip() else None


@dataclass(frozen=True)
class LegalText:
    html: str | None
    draft: bool  # not yet published by an administrator: shown marked "testo in bozza"


def legal_text(tenant: Tenant, key: str) -> LegalText:
    """One of the ente's legal texts as the public sees it: its own, or (privacy notice, accessibility
    statement) the platform's draft filled in from its settings; either is a draft until published."""
    own = rich_text(tenant, key)
    if key not in legal_drafts.DRAFTED:
        return LegalText(own, draft=False)
    published = bool(tenant.setting(legal_drafts.published_key(key)))
    if own is None:
        return LegalText(sanitise_html(legal_drafts.draft(tenant, key)), draft=True)
    return LegalText(own, draft=not published)


# --- Secrets ---------------------------------------------------------------------------------------

def _fernet() -> Fernet:
    digest = hashlib.sha256(b"ente-settings-secrets:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt_secret(token: Any) -> str | None:
    """The secret, or None when unset or unreadable (SECRET_KEY changed: the administrator enters it again)."""
    if not isinstance(token, str) or not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        current_app.logger.warning("an ente secret cannot be decrypted (SECRET_KEY changed?)")
        return None


# --- Mail and App IO ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None = None


def smtp_settings(tenant: Tenant | None) -> SmtpSettings | None:
    """The ente's own mail server, when it set one (its password decrypted), else None."""
    smtp = tenant.setting("smtp") if tenant else None
    if not isinstance(smtp, dict) or not smtp.get("host"):
        return None
    return SmtpSettings(host=str(smtp["host"]), port=int(smtp.get("port") or 587),
                        security=str(smtp.get("security") or "starttls"), username=smtp.get("username") or None,
                        password=decrypt_secret(smtp.get("password")))


def email_sender(tenant: Tenant | None) -> tuple[str | None, str | None]:
    """(address, display name) the ente sends from; None where it keeps the platform's."""
    if tenant is None:
        return None, None
    return tenant.setting("email_sender") or None, tenant.setting("email_sender_name") or None


def app_io_key(tenant: Tenant | None, service_slug: str | None) -> str | None:
    """The App IO key of one of the ente's services (each service is its own sender on IO)."""
    keys = tenant.setting("app_io_keys") if tenant else None
    if not isinstance(keys, dict) or not service_slug:
        return None
    return decrypt_secret(keys.get(service_slug))


def link_target(tenant: Tenant | None, kind: str) -> tuple[str, str] | None:
    """Where the ente's "<kind>" link leads: ("url", address) or ("service", slug of its own service), or None
    when it set neither (the page then leaves the link out rather than send people to the home page)."""
    if tenant is None or kind not in LINKS:
        return None
    if url := tenant.setting(f"{kind}_url"):
        return "url", str(url)
    if slug := tenant.setting(f"{kind}_service"):
        return "service", str(slug)
    return None
