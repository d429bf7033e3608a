"""Distinguished names: ``CN=张三,OU=…,O=…,C=CN`` ⇄ X.509 Name (UTF8String for text)."""

from __future__ import annotations

from asn1crypto import x509

from anbao.errors import ValidationError

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


def build_name(values: dict[str, str]) -> x509.Name:
    """An X.509 Name in the order C, ST, L, O, OU, CN, E; text as UTF8String."""
    order = [
        "country_name",
        "state_or_province_name",
        "locality_name",
        "organization_name",
        "organizational_unit_name",
        "common_name",
        "email_address",
        "serial_number",
    ]
    ordered = {k: values[k] for k in order if values.get(k)}
    return x509.Name.build(ordered, use_printable=False)


def dn_text(name: x509.Name) -> str:
    """The RFC 4514-like one-line form, most significant first (as people read it)."""
    short = {v: k for k, v in ATTRIBUTES.items() if k not in {"EMAIL", "EMAILADDRESS"}}
    parts = []
    for rdn in name.chosen:
        for atv in rdn:
            key = short.get(atv["type"].native, atv["type"].dotted)
            value = str(atv["value"].native).replace(",", "\\,")
            parts.append(f"{key}={value}")
    return ",".join(parts)
