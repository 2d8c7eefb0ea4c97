"""``python -m connectors.simulators NAME --port N`` (NAME: pagopa, protocol, appio, smtp, all).

With ``all`` the simulators take ports N, N+1, N+2, N+3 in the order above.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from typing import Any

from connectors.simulators import NAMES, Running, start


def _options(name: str, args: argparse.Namespace) -> dict[str, Any]:
    if name == "pagopa":
        return {"receipt_url": args.receipt_url, "webhook_secret": args.secret,
                "subscription_key": args.key, "commission_cents": args.commission}
    if name == "protocol":
        return {"token": args.key, "callback_url": args.callback_url, "webhook_secret": args.secret}
    if name == "appio":
        return {"api_key": args.key}
    return {"outdir": args.outdir}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m connectors.simulators", description=__doc__)
    p.add_argument("name", choices=[*NAMES, "all"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--key", default=None, help="API key / token the simulator requires (none by default)")
    p.add_argument("--secret", default="demo-webhook-secret", help="HMAC secret for receipts and callbacks")
    p.add_argument("--receipt-url", default=None, help="pagopa: webhook that receives payment receipts")
    p.add_argument("--callback-url", default=None, help="protocol: webhook told of each registration")
    p.add_argument("--commission", type=int, default=150, help="pagopa: the single commission in cents")
    p.add_argument("--outdir", default=None, help="smtp: write each message as a .eml file here")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = NAMES if args.name == "all" else (args.name,)
    running: list[Running] = []
    for i, name in enumerate(names):
        port = args.port + i if args.port else 0
        sim = start(name, args.host, port, **_options(name, args))
        running.append(sim)
        print(f"{name} simulator at {sim.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    for sim in running:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
