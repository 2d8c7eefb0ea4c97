"""`python -m webapp demo`: migrate the embedded database, seed the demo Comune, serve."""

from __future__ import annotations

import os
import sys

from webapp.app import create_app
from webapp.cli import upgrade_database
from webapp.config import demo_config
from webapp.demo import seed_demo, seed_demo_applications, start_simulators, start_sweeper


def main(argv: list[str]) -> int:
    if argv[:1] != ["demo"]:
        print("usage: python -m webapp demo", file=sys.stderr)
        return 2
    port = int(os.environ.get("PORT", "5000"))
    config = demo_config()
    simulated, _running = start_simulators(port, "demo")
    app = create_app({**config, **simulated})
    with app.app_context():
        upgrade_database()
        tenant = seed_demo(app.config["DEMO_TENANT_SLUG"])
        seed_demo_applications(tenant)  # the demo's only: the tests' seeded database has no applications
        slug = tenant.slug
    start_sweeper(app)
    print(f"Demo: http://127.0.0.1:{port}/{slug}/  (API: /{slug}/api/openapi.json; "
          f"mail: /{slug}/posta-demo; pagoPA simulator: {simulated['PAGOPA_GPD_URL']})", flush=True)
    app.run(host="127.0.0.1", port=port, threaded=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
