"""DER encoders for the few values anbao writes on the hot path of issuing certificates.

asn1crypto builds nested values slowly: a Name built with ``x509.Name.build`` and dumped
costs more than the SM2 signature over the whole certificate. These functions write the
same bytes from plain values. Each one follows asn1crypto's own encoding rules (including
where they are questionable, such as the IDNA-encoded domain of an e-mail address), and
tests/unit/pki/test_der.py proves it byte-identical to asn1crypto's builder, so swapping one
for the other never changes a certificate.
"""

from __future__ import annotations

# Universal tags (X.680).
_INTEGER = 2
_BIT_STRING = 3
_OCTET_STRING = 4
_UTF8_STRING = 12
_SEQUENCE = 16
_SET = 17
_PRINTABLE_STRING = 19
_IA5_STRING = 22


def tlv(class_: int, constructed: bool, tag: int, contents: bytes) -> bytes:
    """Identifier, definite length and contents: ``asn1crypto.parser.emit`` for tags below 31.

    Written out because ``emit`` checks its arguments on every call, and a certificate takes
    some twenty of them.
    """
    if not 0 <= tag < 31:
        raise ValueError("only tags 0 to 30 have a one-octet identifier")
    identifier = class_ << 6 | constructed << 5 | tag
    length = len(contents)
    if length < 0x80:
        return bytes((identifier, length)) + contents
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((identifier, 0x80 | len(size))) + size + contents


def sequence(*parts: bytes) -> bytes:
    """SEQUENCE of already encoded parts, in the order given."""
    return tlv(0, True, _SEQUENCE, b"".join(parts))


def set_of_one(part: bytes) -> bytes:
    """A SET OF with one element (DER orders the elements of a longer SET OF)."""
    return tlv(0, True, _SET, part)


def explicit(tag: int, encoded: bytes) -> bytes:
    """A context-specific [tag] EXPLICIT wrapper around an encoded value."""
    return tlv(2, True, tag, encoded)


def implicit_primitive(tag: int, contents: bytes) -> bytes:
    """A context-specific [tag] IMPLICIT primitive value (such as a GeneralName choice)."""
    return tlv(2, False, tag, contents)


def integer(value: int) -> bytes:
    """INTEGER in the fewest two's-complement octets."""
    size = ((value if value >= 0 else ~value).bit_length() + 8) // 8
    return tlv(0, False, _INTEGER, value.to_bytes(size, "big", signed=True))


def octet_string(data: bytes) -> bytes:
    return tlv(0, False, _OCTET_STRING, bytes(data))


def bit_string(data: bytes) -> bytes:
    """BIT STRING of whole octets (no unused bits), as asn1crypto's OctetBitString."""
    return tlv(0, False, _BIT_STRING, b"\x00" + bytes(data))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a string value must be a str, not {type(value).__name__}")
    return value


def utf8_string(value: str) -> bytes:
    return tlv(0, False, _UTF8_STRING, _text(value).encode("utf-8"))


def printable_string(value: str) -> bytes:
    # asn1crypto writes a PrintableString as Latin-1 without checking the character set.
    return tlv(0, False, _PRINTABLE_STRING, _text(value).encode("latin1"))


def email_octets(value: str) -> bytes:
    """The IA5String contents asn1crypto writes for an e-mail address.

    The mailbox must be ASCII; the domain is IDNA-encoded (``例子.cn`` → ``xn--fsqu00a.cn``).
    Both raise ``UnicodeError`` where asn1crypto does.
    """
    text = _text(value)
    if "@" not in text:
        return text.encode("ascii")
    mailbox, hostname = text.rsplit("@", 1)
    return mailbox.encode("ascii") + b"@" + hostname.encode("idna")


def email_text(octets: bytes) -> str:
    """The text asn1crypto reads back from e-mail IA5String contents (the domain IDNA-decoded)."""
    if b"@" not in octets:
        return octets.decode("cp1252")
    mailbox, hostname = octets.rsplit(b"@", 1)
    return mailbox.decode("cp1252") + "@" + hostname.decode("idna")


def email_address(value: str) -> bytes:
    """IA5String of an e-mail address (x509.EmailAddress), as in a Name's emailAddress."""
    return tlv(0, False, _IA5_STRING, email_octets(value))
