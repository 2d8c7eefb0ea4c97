"""People: citizens' login (SPID, CIE), staff login and password reset, login throttling and
sessions, operators and offices."""

from webapp.models import CITIZEN, User

from . import _saml as saml
from ._citizens import (
    METHOD_LABELS,
    METHODS,
    TEST_CITIZENS,
    Identity,
    TestIdentityProvider,
    identity_locked_fields,
    login_identity,
    provider_for,
    providers,
)
from ._credentials import hash_password, issue_token, user_from_token
from ._login_guard import LoginThrottled, authenticate
from ._operators import (
    assignable,
    create_operator,
    delete_operator,
    get_operator,
    list_offices,
    list_operators,
    list_services,
    notify_operators,
    on_application_status_changed,
    require_manager,
    set_manager,
    update_operator,
)
from ._sessions import SESSION_KEY, close_session, open_session, user_of_session
from ._staff import check_reset_token, login, request_password_reset, reset_password

__all__ = [
    "CITIZEN", "METHODS", "METHOD_LABELS", "SESSION_KEY", "TEST_CITIZENS", "Identity", "LoginThrottled",
    "TestIdentityProvider", "User", "assignable", "authenticate", "check_reset_token", "close_session",
    "create_operator", "delete_operator", "get_operator", "hash_password", "identity_locked_fields",
    "issue_token", "list_offices", "list_operators", "list_services", "login", "login_identity",
    "notify_operators", "on_application_status_changed", "open_session", "provider_for", "providers",
    "request_password_reset", "require_manager", "reset_password", "saml", "set_manager", "update_operator",
    "user_from_token", "user_of_session",
]
