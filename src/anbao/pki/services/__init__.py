"""Use cases of the certificate authority; each audited, each in one transaction."""
