"""Configuration: one documented defaults table; required keys are checked at start-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

# key -> (default, meaning). A default of None marks a key every deployment must set.
DEFAULTS: dict[str, tuple[Any, str]] = {
    "SECRET_KEY": (None, "signs sessions, CSRF tokens and API JWTs"),
    "SQLALCHEMY_DATABASE_URI": (None, "PostgreSQL in tests and production; SQLite only for the demo"),
    "CELERY_BROKER_URL": ("redis://127.0.0.1:6379/0", "Redis broker for background work"),
    "CELERY_VISIBILITY_TIMEOUT": (300, "seconds after which Redis hands a task taken by a dead worker to another "
                                       "(longer than the 120 s task time limit)"),
    "DB_POOL_SIZE": (5, "database connections kept open per process (gunicorn worker or Celery worker); size it "
                        "to the process's threads"),
    "DB_MAX_OVERFLOW": (5, "connections opened beyond DB_POOL_SIZE under a burst, closed afterwards"),
    "DB_POOL_RECYCLE": (1800, "seconds after which a pooled connection is replaced (proxies and PgBouncer drop "
                              "idle ones)"),
    "DB_PREPARE_THRESHOLD": ("5", "psycopg prepares a statement after this many executions; 'none' never "
                                  "prepares, as PgBouncer's transaction pooling needs"),
    "CELERY_ALWAYS_EAGER": (False, "run background work in-process right after commit (demo)"),
    "STORAGE_BACKEND": ("local", "where uploaded and generated files live: local (STORAGE_DIR, one machine) or s3 "
                                 "(an S3-compatible bucket that every process on every machine shares)"),
    "STORAGE_DIR": (str(REPO_ROOT / "instance" / "files"), "STORAGE_BACKEND=local: the folder of the files"),
    "S3_ENDPOINT_URL": ("", "STORAGE_BACKEND=s3: the object store's address (empty: AWS itself)"),
    "S3_BUCKET": ("", "STORAGE_BACKEND=s3: the bucket (required then)"),
    "S3_PREFIX": ("", "STORAGE_BACKEND=s3: prepended to every key (e.g. servizi/) when the bucket is shared"),
    "S3_REGION": ("", "STORAGE_BACKEND=s3: the region (empty: boto3's default)"),
    "S3_ACCESS_KEY_ID": ("", "STORAGE_BACKEND=s3: access key (empty: boto3's own chain, e.g. an instance role)"),
    "S3_SECRET_ACCESS_KEY": ("", "STORAGE_BACKEND=s3: secret of S3_ACCESS_KEY_ID"),
    "WORKFLOWS_DIR": (str(REPO_ROOT / "workflows"), "service definitions published at seeding"),
    "MAX_CONTENT_LENGTH": (16 * 1024 * 1024, "largest request body in bytes (413 above)"),
    "MAX_ATTACHMENT_BYTES": (10 * 1024 * 1024, "largest single attachment in bytes"),
    "JWT_TTL_SECONDS": (3600, "lifetime of an API token"),
    "CITIZEN_PASSWORD_LOGIN": (False, "demo/test only: citizens get API tokens with a password"),
    "SEED_DEMO_DATA": (False, "demo/test only: seed the demo Comune with its accounts"),
    "DEMO_TENANT_SLUG": ("demo", "slug of the seeded demo Comune"),
    "API_PAGE_MAX": (100, "largest `limit` on list endpoints"),
    "SECURE_COOKIES": (True, "session cookies only over HTTPS (off in the demo and tests on plain http)"),
    "MAIL_BACKEND": ("smtp", "smtp: send through MAIL_SERVER; capture: keep sent mail readable on a demo page"),
    "MAIL_SERVER": ("127.0.0.1", "SMTP host"),
    "MAIL_PORT": (25, "SMTP port"),
    "MAIL_SENDER": ("noreply@servizi.example.it", "From address of notifications (an ente's own sender wins)"),
    "MAIL_SENDER_NAME": ("", "display name of MAIL_SENDER (empty: the address alone)"),
    "MAIL_USERNAME": ("", "SMTP login at MAIL_SERVER (empty: no login); an ente's own server is in its settings"),
    "MAIL_PASSWORD": ("", "SMTP password of MAIL_USERNAME"),
    "MAIL_SECURITY": ("none", "SMTP at MAIL_SERVER: none, starttls or ssl"),
    "PUBLIC_URL": ("http://127.0.0.1:5000", "base URL used in links inside e-mails"),
    "ALLOW_DEMO_CONNECTORS": (False, "demo/test only: the demo connectors (PAYMENT_CONNECTOR=demo...) may be built; "
                                     "they talk to the loopback simulators"),
    "PAYMENT_CONNECTOR": ("pagopa", "pagopa (GPD + Checkout), or demo (the loopback simulator at PAGOPA_GPD_URL)"),
    "PAGOPA_GPD_URL": ("https://api.platform.pagopa.it/gpd/debt-positions-service/v1", "GPD base URL"),
    "PAGOPA_CHECKOUT_URL": ("https://api.platform.pagopa.it/checkout/ec/v1", "Checkout base URL"),
    "PAGOPA_SUBSCRIPTION_KEY": ("", "pagoPA API key"),
    "PAGOPA_WEBHOOK_SECRET": ("", "shared secret that signs payment receipts sent to our webhook"),
    "PAGOPA_SEGREGATION_CODE": (1, "segregation code of our notice numbers (aux digit 3)"),
    "PAGOPA_IBAN": ("IT60X0542811101000000123456", "IBAN credited by the notices (per-tenant setting overrides)"),
    "PAGOPA_RT_KEY": ("", "key pagoPA's node (or the ente's gateway in front of us) sends with paSendRT receipts "
                          "in the Ocp-Apim-Subscription-Key header; empty: that endpoint refuses every receipt"),
    "PAGOPA_STATION_ID": ("", "our station's idStation; when set, paSendRT receipts for another station are refused"),
    "PAGOPA_RECONCILE_SECONDS": (300, "how often beat runs the reconciliation of notices still waiting for payment"),
    "PAGOPA_RECONCILE_AFTER": (600, "seconds a notice waits for its receipt before the reconciliation reads it"),
    "PAGOPA_RECONCILE_EVERY": (1800, "seconds between two reconciliation reads of the same notice"),
    "PAYMENT_EXPIRY": ("P30D", "how long a notice stays payable (ISO 8601 duration)"),
    "PROTOCOL_CONNECTOR": ("rest", "rest (an external register's API), or demo (the loopback simulator)"),
    "PROTOCOL_URL": ("", "base URL of the external protocol register"),
    "PROTOCOL_TOKEN": ("", "API token of the external protocol register"),
    "PROTOCOL_WEBHOOK_SECRET": ("", "shared secret that signs the protocol register's callbacks"),
    "APP_IO_CONNECTOR": ("app_io", "app_io, or demo_app_io (the loopback simulator)"),
    "APP_IO_URL": ("https://api.io.pagopa.it/api/v1", "App IO API base URL"),
    "APP_IO_KEY": ("", "App IO service API key (per service in a later version)"),
    "SWEEP_SECONDS": (30, "how often beat fires due timers and re-sends work that never reached a worker"),
    "TEST_IDENTITY_PROVIDER": (False, "demo/test only: citizens log in as test SPID/CIE identities"),
    # SPID and CIE through SAML2 (webapp/services/people/_saml/)
    "SAML_LOGIN": (False, "offer SPID and CIE login through SAML2, each ente signing with its own key pair "
                          "(made by create-tenant, rotated by `flask generate-saml-keys`)"),
    "SAML_KEY_FILE": ("", "tests/demo only: PEM private key signing for an ente without a pair of its own "
                          "(set, it also turns SAML login on)"),
    "SAML_CERT_FILE": ("", "tests/demo only: PEM certificate of SAML_KEY_FILE"),
    "SAML_KEY_VALIDITY_DAYS": (730, "validity of the certificate of an ente's new SAML key pair"),
    "SAML_KEY_OVERLAP_DAYS": (30, "after a key rotation, days the previous certificate stays in the metadata"),
    "SPID_IDP_METADATA": (str(REPO_ROOT / "webapp" / "saml" / "spid-idps.xml"),
                          "comma-separated metadata files of the trusted SPID identity providers (the AgID "
                          "registry; refresh with `flask refresh-spid-idps`)"),
    "CIE_IDP_METADATA": (str(REPO_ROOT / "webapp" / "saml" / "cie-idp.xml"),
                         "comma-separated metadata files of the trusted CIE identity provider (shipped: "
                         "production; webapp/saml/cie-idp-preproduzione.xml for the Ministry's collaudo)"),
    "SPID_LEVEL": (2, "SpidL level asked of SPID and CIE (1, 2 or 3)"),
    "SAML_CLOCK_SKEW_SECONDS": (60, "clock difference tolerated on SAML time windows"),
    "SAML_REQUEST_TTL_SECONDS": (900, "how long an AuthnRequest waits for its response"),
    "SAML_CONTACT_EMAIL": ("servizi@example.it", "contact e-mail in the SP metadata (tenant setting "
                                                 "saml_contact_email overrides)"),
    "SAML_CONTACT_PHONE": ("+390000000000", "contact phone (+39...) in the SP metadata (tenant setting "
                                             "saml_contact_phone overrides)"),
    "SAML_DEFAULT_IPA_CODE": ("", "IPA code in the metadata when the tenant has none"),
    "SAML_DEFAULT_MUNICIPALITY": ("H501", "CIE metadata: cadastral code of the municipality (tenant setting "
                                           "istat_code overrides)"),
    # Back office
    "SESSION_COOKIE_SAMESITE": ("Lax", "session cookie SameSite (Flask's own default is None)"),
    "LOGIN_SLOWDOWN_AFTER": (3, "password logins (form and API): failures per account or address before each "
                                "retry must wait"),
    "LOGIN_BACKOFF_SECONDS": (1, "password logins: the first wait after the slowdown; each failure doubles it"),
    "LOGIN_LOCK_AFTER": (10, "password logins: failures that lock the account or address for a while"),
    "LOGIN_LOCK_SECONDS": (900, "password logins: how long a lock lasts"),
    "PASSWORD_RESET_TTL_SECONDS": (3600, "lifetime of a back-office password-reset link"),
    "BACKOFFICE_PAGE_SIZE": (20, "rows per page of the back-office applications list"),
    # Production shape
    "LOG_FORMAT": ("json", "json: the production entry point (webapp.worker) logs JSON lines, personal data "
                           "redacted; text: leave logging as Python/Celery set it up"),
    "LOG_LEVEL": ("INFO", "level of the process's logs (the Celery command's --loglevel wins for workers)"),
    "COUNT_SQL_STATEMENTS": (False, "benchmark/test only: each response carries X-SQL-Statements, the number of SQL "
                                    "statements its request ran (benchmarks/http_submissions.py reads it)"),
    "TRUSTED_PROXIES": (0, "reverse proxies in front of the web app whose X-Forwarded-For/-Proto/-Host are "
                           "believed (0: none; 1: one nginx or load balancer)"),
}


class ConfigError(RuntimeError):
    pass


def build_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment variables of the same name, then explicit overrides."""
    config = {key: default for key, (default, _meaning) in DEFAULTS.items()}
    for key, (default, _meaning) in DEFAULTS.items():
        raw = os.environ.get(key)
        if raw is not None:
            config[key] = _coerce(raw, default)
    config.update(overrides or {})
    missing = [key for key, value in config.items() if value is None]
    if missing:
        raise ConfigError(f"missing required configuration: {', '.join(sorted(missing))}")
    return config


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def demo_config() -> dict[str, Any]:
    """Embedded SQLite, background work in-process, demo accounts seeded."""
    instance = REPO_ROOT / "instance"
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "demo-only-secret-key-not-for-production"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'demo.sqlite3'}"
        ),
        "CELERY_ALWAYS_EAGER": True,
        "CITIZEN_PASSWORD_LOGIN": True,
        "SEED_DEMO_DATA": True,
        "STORAGE_DIR": str(instance / "files"),
        "SECURE_COOKIES": False,
        "MAIL_BACKEND": "capture",
        "TEST_IDENTITY_PROVIDER": True,
        "ALLOW_DEMO_CONNECTORS": True,
        "PUBLIC_URL": f"http://127.0.0.1:{os.environ.get('PORT', '5000')}",
    }
