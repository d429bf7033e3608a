"""Pure PKI logic (GM/T 0015 certificates, RFC 5280 CRLs): no Django, no I/O.

Signing is a parameter (``Signer``: TBS bytes → DER SM2 signature with the default ID), so the
CA key can live wherever the caller keeps it; time and randomness are parameters too.
"""
