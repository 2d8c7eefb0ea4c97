"""gunicorn's settings for `make serve` (the Procfile's web line), each from the environment."""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - behind a proxy
# Processes, not threads: the app's requests are CPU-bound Python, and threads of one process queue behind
# each other on the GIL: under load, 3 workers x 4 threads had about twice the p95 latency of 4 workers x
# 1 thread at the same throughput (benchmarks/http_submissions.py, README "Running at scale"). Two
# processes per core cover the moments a request waits on PostgreSQL. A one-thread worker is gunicorn's
# sync worker, meant to sit behind a buffering proxy (nginx), as production does.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("WEB_THREADS", "1"))
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
