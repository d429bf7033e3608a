"""Distinguished names: ``CN=张三,OU=…,O=…,C=CN`` ⇄ X.509 Name (UTF8String for text)."""

from __future__ import annotations

from collections.abc import Mapping

from asn1crypto import x509

from anbao.errors import ValidationError
from anbao.pki.core import der

# The keys people write, in the order they are conventionally written for Chinese CAs.
ATTRIBUTES = {
    "C": "country_name",
    "ST": "state_or_province_name",
    "L": "locality_name",
    "O": "organization_name",
    "OU": "organizational_unit_name",
    "CN": "common_name",
    "E": "email_address",
    "EMAIL": "email_address",
    "EMAILADDRESS": "email_address",
    "SERIALNUMBER": "serial_number",
}
MAX_VALUE = 64  # RFC 5280 upper bound for common name and organisation


def _split(text: str) -> list[str]:
    """Split on commas not escaped with a backslash."""
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        raise ValidationError("distinguished name ends with a lone backslash")
    parts.append("".join(current))
    return parts


def parse_dn(text: str) -> x509.Name:
    """Parse ``KEY=value`` pairs separated by commas into an X.509 Name."""
    if not text or not text.strip():
        raise ValidationError("the distinguished name is empty")
    values: dict[str, str] = {}
    for part in _split(text):
        if "=" not in part:
            raise ValidationError(f"'{part.strip()}' is not KEY=value in the distinguished name")
        key, value = part.split("=", 1)
        key, value = key.strip().upper(), value.strip()
        if key not in ATTRIBUTES:
            raise ValidationError(
                f"unknown name attribute {key!r} (use {', '.join(sorted(set(ATTRIBUTES)))})"
            )
        if not value:
            raise ValidationError(f"the name attribute {key} is empty")
        if len(value) > MAX_VALUE:
            raise ValidationError(f"the name attribute {key} is longer than {MAX_VALUE}")
        name = ATTRIBUTES[key]
        if name in values:
            raise ValidationError(f"the name attribute {key} appears twice")
        values[name] = value
    if "common_name" not in values:
        raise ValidationError("the distinguished name needs a CN")
    country = values.get("country_name")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise ValidationError(f"C must be a two-letter country code, got {country!r}")
    return build_name(values)


# The attributes build_name writes, in the order asn1crypto's ``Name.build`` sorts them
# (``NameType.preferred_order``: serial number first, then C, ST, L, O, OU, CN, E).
_NAME_KEYS = (
    "country_name",
    "state_or_province_name",
    "locality_name",
    "organization_name",
    "organizational_unit_name",
    "common_name",
    "email_address",
    "serial_number",
)
_ENCODED_ORDER = tuple(sorted(_NAME_KEYS, key=x509.NameType.preferred_ordinal))
_TYPE_DER = {key: bytes(x509.NameType(key).dump()) for key in _NAME_KEYS}
_PRINTABLE = frozenset({"country_name", "serial_number"})


def name_der(values: Mapping[str, str]) -> bytes:
    """The DER that ``x509.Name.build(values, use_printable=False)`` writes, made directly.

    Text is UTF8String, C and SERIALNUMBER PrintableString, E an IA5String; one attribute
    per RDN; empty values and other keys are left out.
    """
    rdns = []
    for key in _ENCODED_ORDER:
        value = values.get(key)
        if not value:
            continue
        if key == "email_address":
            encoded = der.email_address(value)
        elif key in _PRINTABLE:
            encoded = der.printable_string(value)
        else:
            encoded = der.utf8_string(value)
        rdns.append(der.set_of_one(der.sequence(_TYPE_DER[key], encoded)))
    return der.sequence(*rdns)


def build_name(values: Mapping[str, str]) -> x509.Name:
    """An X.509 Name in the order (SERIALNUMBER,) C, ST, L, O, OU, CN, E; text as UTF8String."""
    return x509.Name.load(name_der(values))


# The short keys dn_text writes for the attribute types it knows.
_SHORT = {v: k for k, v in ATTRIBUTES.items() if k not in {"EMAIL", "EMAILADDRESS"}}


def dn_text(name: x509.Name) -> str:
    """The RFC 4514-like one-line form, most significant first (as people read it)."""
    parts = []
    for rdn in name.chosen:
        for atv in rdn:
            key = _SHORT.get(atv["type"].native, atv["type"].dotted)
            value = str(atv["value"].native).replace(",", "\\,")
            parts.append(f"{key}={value}")
    return ",".join(parts)


def name_text(values: Mapping[str, str]) -> str:
    """``dn_text(build_name(values))`` without building the Name and reading it back.

    Reading a Name back through asn1crypto costs more than building it; a batch knows the
    values it encoded. The e-mail address is the one value whose text can change on the way
    (its domain is IDNA-encoded, then decoded).
    """
    parts = []
    for key in _ENCODED_ORDER:
        value = values.get(key)
        if not value:
            continue
        if key == "email_address":
            value = der.email_text(der.email_octets(value))
        escaped = value.replace(",", "\\,")
        parts.append(f"{_SHORT[key]}={escaped}")
    return ",".join(parts)
