"""gunicorn's settings for `make serve` (the Procfile's web line), each from the environment."""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - behind a proxy
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
# gunicorn's control socket (gunicornc) lives in the home folder, shared by every instance on the machine.
control_socket_disable = True
# No access log of gunicorn's: the app writes its own request line (the route's pattern, without the ids,
# tokens and query strings of the address) with the request id, tenant, status and duration.
accesslog = None
# gunicorn's own lines (start, stop, worker timeouts) as JSON through the same redaction as the app's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["json"]},
    "handlers": {"json": {"()": "webapp.observability.json_handler"}},
    "loggers": {
        "gunicorn.error": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["json"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
    "formatters": {},
}
