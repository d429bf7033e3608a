"""Fuzzing the PKI parsers: any input gives a result or a ValidationError, nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from anbao.errors import ValidationError
from anbao.pki.core.csr import parse_csr
from anbao.pki.core.names import parse_dn


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_parse_csr_never_crashes(data):
    try:
        parse_csr(data)
    except ValidationError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=300))
def test_parse_csr_in_pem_armour_never_crashes(data):
    import base64

    armoured = (
        b"-----BEGIN CERTIFICATE REQUEST-----\n"
        + base64.encodebytes(data)
        + b"-----END CERTIFICATE REQUEST-----\n"
    )
    try:
        parse_csr(armoured)
    except ValidationError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parse_dn_never_crashes(text):
    try:
        parse_dn(text)
    except ValidationError:
        pass
