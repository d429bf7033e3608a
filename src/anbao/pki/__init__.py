"""The SM2 certificate authority: hierarchy, certificates, CRLs, OCSP, signature service."""
