"""The deployment check an ente runs against its public address: HTTPS with a valid certificate, TLS as AgID
recommends, HSTS, the redirect from HTTP and the servizi. host (criteria C.SE.5.1 and C.SE.5.2)."""

from ._check import Check, Target, check_deployment

__all__ = ["Check", "Target", "check_deployment"]
