"""The ente's settings for its administrators: identity, contacts, legal texts, links, mail, App IO, logo."""

from ._logo import LOGO_TYPES, MAX_LOGO_BYTES, read_logo, remove_logo, set_logo
from ._mail import preview, send_test_email
from ._values import PLAIN, public_view, require_admin, update_settings

__all__ = ["LOGO_TYPES", "MAX_LOGO_BYTES", "PLAIN", "preview", "public_view", "read_logo", "remove_logo",
           "require_admin", "send_test_email", "set_logo", "update_settings"]
