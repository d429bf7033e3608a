"""The direct DER encoders give exactly the bytes asn1crypto's own builders give.

Every fast path in ``anbao.pki.core`` (names, validity, extensions, the whole certificate,
the SM2EnvelopedKey) is compared here with the value built the slow way in asn1crypto, for
generated input: Chinese text, commas and backslashes, every name attribute, e-mail domains
that need IDNA, serials of any size, times either side of 2050 and in other time zones.
"""

from __future__ import annotations

import datetime as dt

from asn1crypto import core, keys, parser, x509
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from anbao.pki.core import certificates as C
from anbao.pki.core import der
from anbao.pki.core.envelope import SM4_ECB_OID, SM2Cipher, SM2EnvelopedKey, enveloped_key_der
from anbao.pki.core.names import build_name, dn_text, name_der, name_text
from anbao.pki.core.profiles import Usage, policy
from anbao.sm import SM2PrivateKey

KEYS = [SM2PrivateKey.generate().public_key() for _ in range(3)]
ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5))]
LINKS = [
    C.Links(),
    C.Links("http://ca.example.cn/pki/crl/issuing.crl"),
    C.Links(
        "http://127.0.0.1:8000/pki/crl/issuing.crl",
        "http://127.0.0.1:8000/pki/ocsp",
        "http://127.0.0.1:8000/pki/ca/issuing.cer",
    ),
]

# Text as people write it in a Chinese CA: CJK, punctuation that needs escaping, anything else.
CJK = "张三李四王五北京市精神卫生保健所信息科社区卫生服务中心医院"
texts = st.text(
    alphabet=st.one_of(st.sampled_from(CJK + ',\\=+;"<> #'), st.characters(codec="utf-8")),
    min_size=1,
    max_size=24,
)
latin1 = st.text(alphabet=st.characters(codec="latin-1"), min_size=1, max_size=12)
labels = st.text(alphabet="abcxyzABC019-" + "例子医院北京中国", min_size=1, max_size=12)
domains = st.one_of(
    st.sampled_from(["example.cn", "例子.cn", "医院.中国", "EXAMPLE.CN", "bjmhc.org.cn"]),
    st.lists(labels, min_size=1, max_size=3).map(".".join),
)
mailboxes = st.from_regex(r"[A-Za-z0-9._%+=-]{1,20}", fullmatch=True)
emails = st.builds(lambda m, d: f"{m}@{d}", mailboxes, domains)
name_values = st.fixed_dictionaries(
    {"common_name": texts},
    optional={
        "country_name": latin1,
        "state_or_province_name": texts,
        "locality_name": texts,
        "organization_name": texts,
        "organizational_unit_name": texts,
        "email_address": emails,
        "serial_number": latin1,
    },
)
times = st.datetimes(
    min_value=dt.datetime(1950, 1, 2),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.sampled_from(ZONES),
)


def outcome(build):
    """The value built, or the type of the exception raised (both ways must agree on it)."""
    try:
        return build()
    except (ValueError, TypeError) as exc:  # UnicodeError is a ValueError
        return type(exc)


@given(
    class_=st.integers(min_value=0, max_value=3),
    constructed=st.booleans(),
    tag=st.integers(min_value=0, max_value=30),
    length=st.one_of(
        st.integers(min_value=0, max_value=300), st.sampled_from([127, 128, 255, 256, 65536])
    ),
)
def test_tlv(class_, constructed, tag, length):
    contents = bytes(range(256)) * (length // 256) + bytes(length % 256)
    assert der.tlv(class_, constructed, tag, contents) == parser.emit(
        class_, int(constructed), tag, contents
    )


@given(st.integers())
@example(0)
@example(127)
@example(128)
@example(-128)
@example(-129)
@example(2**159)
def test_integer(value):
    assert der.integer(value) == core.Integer(value).dump()


@given(st.binary(max_size=300))
def test_octet_and_bit_strings(data):
    assert der.octet_string(data) == core.OctetString(data).dump()
    assert der.bit_string(data) == core.OctetBitString(data).dump()


@given(texts, latin1)
def test_strings(text, printable):
    assert der.utf8_string(text) == core.UTF8String(text).dump()
    assert der.printable_string(printable) == core.PrintableString(printable).dump()


@given(st.one_of(emails, st.text(max_size=30)))
@example("张三@example.cn")  # a mailbox that is not ASCII: refused both ways
@example("zs@例子..cn")  # an empty label: IDNA refuses it
@example("no-at-sign")
def test_email_address(value):
    expected = outcome(lambda: x509.EmailAddress(value).dump())
    assert outcome(lambda: der.email_address(value)) == expected
    if isinstance(expected, bytes):
        read_back = x509.EmailAddress.load(expected).native
        assert der.email_text(der.email_octets(value)) == read_back


@settings(max_examples=300)
@given(name_values)
@example({"common_name": "王五, 主任", "organization_name": "北京市精神卫生保健所"})
@example({"common_name": "x", "serial_number": "42", "country_name": "CN"})
def test_names(values):
    asn1crypto_built = x509.Name.build(values, use_printable=False)
    assert name_der(values) == asn1crypto_built.dump()
    # Read back as a relying party reads the certificate. (A Name just built by asn1crypto
    # remembers the e-mail text as given; read back, its domain is the IDNA-decoded one.)
    read_back = x509.Name.load(asn1crypto_built.dump())
    assert build_name(values).native == read_back.native
    assert name_text(values) == dn_text(read_back)


def test_subject_public_key_info_is_tongsuos():
    for key in [*KEYS, *(SM2PrivateKey.generate().public_key() for _ in range(20))]:
        assert C._spki(key) == key.to_spki_der()


def test_names_leave_out_empty_values_and_other_keys():
    values = {"common_name": "张三", "organization_name": "", "title": "主任"}
    assert name_der(values) == x509.Name.build({"common_name": "张三"}).dump()


def reference_certificate(req, values, issuer, issuer_key, signature):
    """The certificate built entirely with asn1crypto's builders."""
    pol = policy(req.usage)

    def ext(extn_id, value, critical=False):
        return {"extn_id": extn_id, "critical": critical, "extn_value": value}

    def uri(url):
        return x509.GeneralName({"uniform_resource_identifier": url})

    constraints = (
        {"ca": True, "path_len_constraint": pol.path_length} if pol.is_ca else {"ca": False}
    )
    extensions = [
        ext("basic_constraints", constraints, critical=True),
        ext("key_usage", set(pol.key_usage), critical=True),
        ext("key_identifier", C.key_identifier(req.public_key)),
        ext("authority_key_identifier", {"key_identifier": C.key_identifier(issuer_key)}),
    ]
    if pol.extended_key_usage:
        extensions.append(ext("extended_key_usage", list(pol.extended_key_usage)))
    if req.email:
        extensions.append(ext("subject_alt_name", [x509.GeneralName({"rfc822_name": req.email})]))
    if req.links.crl_url:
        point = {"distribution_point": {"full_name": [uri(req.links.crl_url)]}}
        extensions.append(ext("crl_distribution_points", [point]))
    access = []
    if req.links.ocsp_url:
        access.append({"access_method": "ocsp", "access_location": uri(req.links.ocsp_url)})
    if req.links.issuer_url:
        access.append({"access_method": "ca_issuers", "access_location": uri(req.links.issuer_url)})
    if access:
        extensions.append(ext("authority_information_access", access))

    def time(when):
        return x509.Time({"utc_time" if when.year < 2050 else "general_time": when})

    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": req.serial,
            "signature": {"algorithm": C.SM2_WITH_SM3},
            "issuer": issuer,
            "validity": {"not_before": time(req.not_before), "not_after": time(req.not_after)},
            "subject": x509.Name.build(values, use_printable=False),
            "subject_public_key_info": keys.PublicKeyInfo.load(req.public_key.to_spki_der()),
            "extensions": extensions,
        }
    )
    return x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": {"algorithm": C.SM2_WITH_SM3},
            "signature_value": signature,
        }
    ).dump()


@settings(max_examples=200, deadline=None)
@given(
    values=name_values,
    issuer_values=name_values,
    usage=st.sampled_from(list(Usage)),
    serial=st.integers(min_value=1, max_value=2**160 - 1),
    not_before=times,
    lifetime=st.timedeltas(min_value=dt.timedelta(seconds=1), max_value=dt.timedelta(days=40000)),
    email=st.one_of(st.just(""), emails),
    links=st.sampled_from(LINKS),
    subject_key=st.sampled_from(KEYS),
    issuer_key=st.sampled_from(KEYS),
    signature=st.binary(min_size=70, max_size=72),
)
@example(  # the same instant either side of the 2050 line, as given in two time zones
    values={"common_name": "张三"},
    issuer_values={"common_name": "CA"},
    usage=Usage.SIGNING,
    serial=1,
    not_before=dt.datetime(2049, 12, 31, 23, tzinfo=dt.UTC),
    lifetime=dt.timedelta(days=1),
    email="zs@例子.cn",
    links=LINKS[2],
    subject_key=KEYS[0],
    issuer_key=KEYS[1],
    signature=b"s" * 71,
).via("the 2050 line")
@example(
    values={"common_name": "张三"},
    issuer_values={"common_name": "CA"},
    usage=Usage.SIGNING,
    serial=1,
    not_before=dt.datetime(2050, 1, 1, 7, tzinfo=ZONES[1]),
    lifetime=dt.timedelta(days=1),
    email="",
    links=LINKS[0],
    subject_key=KEYS[0],
    issuer_key=KEYS[1],
    signature=b"s" * 71,
).via("the 2050 line, UTC+8")
def test_whole_certificate_matches_asn1crypto(
    values,
    issuer_values,
    usage,
    serial,
    not_before,
    lifetime,
    email,
    links,
    subject_key,
    issuer_key,
    signature,
):
    not_after = not_before + lifetime
    issuer = x509.Name.build(issuer_values, use_printable=False)
    req = C.CertificateRequest(
        build_name(values), subject_key, usage, not_before, not_after, serial, email, links
    )
    expected = outcome(lambda: reference_certificate(req, values, issuer, issuer_key, signature))
    made = outcome(lambda: C.issue(req, issuer, issuer_key, lambda tbs: signature).dump())
    event("refused" if isinstance(expected, type) else "issued")
    assert made == expected


@given(
    x=st.integers(min_value=0, max_value=2**256 - 1),
    y=st.integers(min_value=0, max_value=2**256 - 1),
    digest=st.binary(min_size=32, max_size=32),
    sealed_key=st.binary(min_size=1, max_size=48),
    point=st.binary(min_size=65, max_size=65),
    sealed_private=st.binary(min_size=32, max_size=32),
)
def test_enveloped_key(x, y, digest, sealed_key, point, sealed_private):
    cipher = SM2Cipher({"x": x, "y": y, "hash": digest, "cipher_text": sealed_key}).dump()
    expected = SM2EnvelopedKey(
        {
            "sym_alg_id": {"algorithm": SM4_ECB_OID},
            "sym_encrypted_key": SM2Cipher.load(cipher),
            "sm2_public_key": point,
            "sm2_encrypted_private_key": sealed_private,
        }
    ).dump()
    assert enveloped_key_der(cipher, point, sealed_private) == expected


def test_validity_cache_keeps_the_time_type_of_each_request():
    """Equal instants given in different zones may fall either side of the 2050 line."""
    utc = dt.datetime(2049, 12, 31, 23, tzinfo=dt.UTC)
    beijing = utc.astimezone(ZONES[1])  # the same instant: 2050-01-01 07:00 on the wall clock
    for not_before in (utc, beijing, utc):
        req = C.CertificateRequest(
            build_name({"common_name": "张三"}),
            KEYS[0],
            Usage.SIGNING,
            not_before,
            not_before + dt.timedelta(days=3),
            5,
        )
        issuer = x509.Name.build({"common_name": "CA"})
        made = C.issue(req, issuer, KEYS[1], lambda tbs: b"s" * 71)
        assert made.dump() == reference_certificate(
            req, {"common_name": "张三"}, issuer, KEYS[1], b"s" * 71
        )
        kind = made["tbs_certificate"]["validity"]["not_before"].name
        assert kind == ("utc_time" if not_before is utc else "general_time")
