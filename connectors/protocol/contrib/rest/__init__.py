"""`rest`: a protocol register spoken to over the REST contract of `client`."""

from connectors.protocol.contrib.rest.client import RestProtocolClient, fingerprint

__all__ = ["RestProtocolClient", "fingerprint"]
