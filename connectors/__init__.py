"""Outbound integrations (pagoPA, protocollo, App IO, e-mail): see issue 5."""
