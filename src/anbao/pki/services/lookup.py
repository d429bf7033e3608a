"""The reads of the signature service and the login: one fixed statement each.

Every verification and every certificate login needs the issuing CA's certificate and the
signer's certificate with its status. They are read fresh from the database each time (a
revocation takes effect at once, in every worker), but through ``web.hotpath`` rather than
the ORM, whose query compilation costs more than the SM2 verification itself; parsing is
cached by the DER read (``validation.facts``, ``issuing_certificate``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from asn1crypto import x509
from django.utils.translation import gettext as _

from anbao import errors
from anbao.pki.models import Certificate, CertificateAuthority, Holder
from anbao.web.hotpath import Statement, column, table


@dataclass(frozen=True)
class StoredCertificate:
    serial: str
    der: bytes
    status: str
    user_id: int | None  # the account of its holder, if any
    issuing_ca_der: bytes | None  # read in the same statement: the anchor to check it against

    @property
    def revoked(self) -> bool:
        return self.status == Certificate.REVOKED

    def issuing_ca(self) -> x509.Certificate:
        return _issuing_ca(self.issuing_ca_der)


def _certificate_select() -> str:
    c, h, ca = Certificate, Holder, CertificateAuthority
    return (
        f"SELECT c.{column(c, 'serial')}, c.{column(c, 'der')}, c.{column(c, 'status')}, "  # noqa: S608 - names from the models, values bound
        f"h.{column(h, 'user')}, (SELECT {column(ca, 'certificate')} FROM {table(ca)} "
        f"WHERE {column(ca, 'role')} = %s) FROM {table(c)} c "
        f"LEFT JOIN {table(h)} h ON h.{column(h, 'id')} = c.{column(c, 'holder')} "
    )


_BY_SERIAL = Statement(
    lambda: _certificate_select() + f"WHERE c.{column(Certificate, 'serial')} = %s"
)
_NEWEST_SIGNING_OF_USER = Statement(
    lambda: (
        _certificate_select()
        + f"WHERE h.{column(Holder, 'user')} = %s AND c.{column(Certificate, 'usage')} = %s "
        f"AND c.{column(Certificate, 'status')} = %s "
        f"ORDER BY c.{column(Certificate, 'not_after')} DESC LIMIT 1"
    )
)
_CA_BY_ROLE = Statement(
    lambda: (
        f"SELECT {column(CertificateAuthority, 'certificate')} "  # noqa: S608 - names from the models, values bound
        f"FROM {table(CertificateAuthority)} WHERE {column(CertificateAuthority, 'role')} = %s"
    )
)


def _stored(row: tuple[Any, ...] | None) -> StoredCertificate | None:
    if row is None:
        return None
    serial, der, status, user_id, ca_der = row
    ca = bytes(ca_der) if ca_der is not None else None
    return StoredCertificate(str(serial), bytes(der), str(status), user_id, ca)


def certificate_by_serial(serial: str) -> StoredCertificate | None:
    """``serial`` as stored: upper-case hex without leading zeros (``serial_hex``)."""
    return _stored(_BY_SERIAL.fetch_one([CertificateAuthority.ISSUING, serial]))


def newest_signing_certificate(user_id: int) -> StoredCertificate | None:
    """The user's valid signing certificate that expires last."""
    params = [CertificateAuthority.ISSUING, user_id, "signing", Certificate.VALID]
    return _stored(_NEWEST_SIGNING_OF_USER.fetch_one(params))


def is_revoked(serial: str) -> bool:
    found = certificate_by_serial(serial)
    return found is not None and found.revoked


def issuing_certificate() -> x509.Certificate:
    row = _CA_BY_ROLE.fetch_one([CertificateAuthority.ISSUING])
    return _issuing_ca(bytes(row[0]) if row is not None else None)


def _issuing_ca(der: bytes | None) -> x509.Certificate:
    if der is None:
        raise errors.NotFound(
            _("no certificate authority: run `anbao ca init` first"), code="no_ca"
        )
    return _parsed(der)


@functools.lru_cache(maxsize=8)
def _parsed(der: bytes) -> x509.Certificate:
    cert = x509.Certificate.load(der)
    cert.native  # noqa: B018 - parse it whole now: the object is shared between threads
    return cert
