"""``issue_many`` and the batch on top of it: what ``issue`` writes, for many, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import x509

from anbao import errors
from anbao.audit import services as audit
from anbao.audit.models import AuditRecord
from anbao.pki import keystore
from anbao.pki.core.batch import BatchRow
from anbao.pki.core.certificates import key_identifier, public_key_of, verify_signature
from anbao.pki.core.envelope import open_envelope
from anbao.pki.models import Certificate, EscrowedKey, Holder
from anbao.pki.services import authority, batch, issuance
from anbao.sm import SM2PrivateKey, load_private_key, sm3

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
HOLDERS = [
    issuance.HolderInput(name="张三", email="zs@example.cn", unit="信息科"),
    issuance.HolderInput(name="王五, 主任", email="ww@例子.cn", unit="精神科", phone="010-8228"),
    issuance.HolderInput(name="李四", email="ls@example.cn", profile="mobile"),
]


def entries(keys, holders=HOLDERS):
    return [issuance.BulkEntry(h, k.public_key()) for h, k in zip(holders, keys, strict=True)]


def everything():
    return (
        Holder.objects.count(),
        Certificate.objects.count(),
        EscrowedKey.objects.count(),
        AuditRecord.objects.filter(action="cert.issue").count(),
    )


def without_serial_and_key(cert: x509.Certificate) -> dict:
    """The TBSCertificate as data, less what differs between two issuances by design."""
    tbs = cert["tbs_certificate"].native
    del tbs["serial_number"], tbs["subject_public_key_info"]
    tbs["extensions"] = [e for e in tbs["extensions"] if e["extn_id"] != "key_identifier"]
    return tbs


def row_fields(row: Certificate) -> dict:
    return {
        f: getattr(row, f)
        for f in (
            "issuer_id",
            "holder_id",
            "usage",
            "profile",
            "subject",
            "not_before",
            "not_after",
            "status",
            "created_by",
        )
    }


def test_same_certificates_and_rows_as_one_by_one(ca):
    key = SM2PrivateKey.generate()
    single = issuance.issue(HOLDERS[1], public_key=key.public_key(), dual=True, now=NOW, actor="t")
    [bulk] = issuance.issue_many(
        entries([key], HOLDERS[1:2]), dual=True, now=NOW, actor="t", ca=authority.issuing_ca()
    )
    assert Holder.objects.count() == 1  # the holder of the first issuance, found again
    for one, many in ((single.signing, bulk.signing), (single.encryption, bulk.encryption)):
        many.refresh_from_db()
        assert row_fields(many) == row_fields(one)
        a, b = x509.Certificate.load(bytes(one.der)), x509.Certificate.load(bytes(many.der))
        assert without_serial_and_key(b) == without_serial_and_key(a)
        assert bytes(b.subject.dump()) == bytes(a.subject.dump())
        assert many.serial == format(b.serial_number, "X")
        assert many.fingerprint == sm3(bytes(many.der)).hex()
    assert bulk.signing.pair == bulk.encryption
    assert public_key_of(x509.Certificate.load(bytes(bulk.signing.der))) == key.public_key()


def test_certificates_chain_to_the_ca_and_keys_are_escrowed(ca):
    keys = [SM2PrivateKey.generate() for _ in HOLDERS]
    issued = issuance.issue_many(entries(keys), dual=True, actor="admin", now=NOW)
    issuing = authority.issuing_ca()
    assert everything() == (3, 6, 3, 3)
    for data, key, pair in zip(HOLDERS, keys, issued, strict=True):
        signing = Certificate.objects.get(pk=pair.signing.pk)
        encryption = Certificate.objects.get(pk=pair.encryption.pk)
        assert signing.pair_id == encryption.pk and signing.holder_id == encryption.holder_id
        assert signing.holder.email == data.email and signing.profile == data.profile
        sign_cert = x509.Certificate.load(bytes(signing.der))
        enc_cert = x509.Certificate.load(bytes(encryption.der))
        for cert in (sign_cert, enc_cert):
            verify_signature(cert, issuing.public_key)
            assert cert.authority_key_identifier == key_identifier(issuing.public_key)
            assert cert.subject_alt_name_value.native == [data.email]
        assert sign_cert.key_usage_value.native == {"digital_signature", "non_repudiation"}
        assert "key_encipherment" in enc_cert.key_usage_value.native
        assert sign_cert.key_identifier == key_identifier(key.public_key())
        # The holder opens the envelope with the signing key; the escrow opens with the KEK.
        enc_key = open_envelope(pair.envelope, key)
        assert public_key_of(enc_cert) == enc_key.public_key()
        escrow = EscrowedKey.objects.get(certificate=encryption)
        assert bytes(escrow.envelope) == pair.envelope
        unwrapped = keystore.unwrap_key(bytes(escrow.wrapped_key), f"escrow:{encryption.serial}")
        assert unwrapped.private_value == enc_key.private_value


def test_one_audit_record_per_holder_and_the_chain_holds(ca):
    keys = [SM2PrivateKey.generate() for _ in HOLDERS]
    issued = issuance.issue_many(entries(keys), dual=True, actor="admin")
    records = list(AuditRecord.objects.filter(action="cert.issue").order_by("seq"))
    assert [r.object_id for r in records] == [p.signing.serial for p in issued]
    for data, pair, rec in zip(HOLDERS, issued, records, strict=True):
        assert rec.actor == "admin" and rec.object_type == "certificate"
        assert rec.details == {
            "holder": data.email,
            "profile": data.profile,
            "dual": True,
            "encryption_serial": pair.encryption.serial,
            "key_source": "csr",
        }
    assert audit.verify()[1] is None


def test_single_certificates_without_dual(ca):
    keys = [SM2PrivateKey.generate() for _ in HOLDERS]
    issued = issuance.issue_many(entries(keys), dual=False)
    assert everything() == (3, 3, 0, 3)
    assert all(p.encryption is None and p.envelope is None for p in issued)
    assert all(Certificate.objects.get(pk=p.signing.pk).pair is None for p in issued)


def test_existing_holder_is_found_ignoring_case_and_a_different_name_refused(ca):
    issuance.issue(issuance.HolderInput(name="张三", email="ZS@Example.cn"), generate_key=True)
    issuance.issue(issuance.HolderInput(name="王五, 主任", email="WW@例子.cn"), generate_key=True)
    key = SM2PrivateKey.generate()
    found = issuance.issue_many(entries([key, key], HOLDERS[:2]), dual=True)
    assert Holder.objects.count() == 2
    assert [p.signing.holder.email for p in found] == ["ZS@Example.cn", "WW@例子.cn"]
    before = everything()
    other = issuance.HolderInput(name="王五", email="zs@EXAMPLE.cn")
    with pytest.raises(errors.Conflict) as info:
        issuance.issue_many(entries([key, key], [HOLDERS[2], other]), dual=True)
    assert info.value.code == "duplicate_holder"
    assert everything() == before


def test_bad_or_repeated_input_writes_nothing(ca):
    key = SM2PrivateKey.generate()
    bad = issuance.HolderInput(name="x", email="not-an-email")
    with pytest.raises(errors.ValidationError):
        issuance.issue_many(entries([key, key], [HOLDERS[0], bad]), dual=True)
    again = issuance.HolderInput(name="张三", email="ZS@example.cn")
    with pytest.raises(errors.ValidationError) as info:
        issuance.issue_many(entries([key, key], [HOLDERS[0], again]), dual=True)
    assert info.value.code == "duplicate_holder"
    assert everything() == (0, 0, 0, 0)


def test_user_name_creates_the_account(ca):
    from anbao.accounts.models import User

    data = issuance.HolderInput(name="李四", email="ls@example.cn", username="lisi")
    [pair] = issuance.issue_many(entries([SM2PrivateKey.generate()], [data]), dual=True)
    user = User.objects.get(username="lisi")
    assert user.role == "holder" and user.holder == pair.signing.holder


def test_failure_in_the_middle_leaves_nothing(ca):
    from anbao.accounts.models import User

    users = User.objects.count()
    records = AuditRecord.objects.count()
    holders = [*HOLDERS, issuance.HolderInput(name="赵六", email="zl@example.cn", username="zl")]

    def stop(done, total):
        if done == 2:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        issuance.issue_many(
            entries([SM2PrivateKey.generate() for _ in holders], holders),
            dual=True,
            progress=stop,
        )
    assert everything() == (0, 0, 0, 0)
    assert User.objects.count() == users and AuditRecord.objects.count() == records


def rows(n, done=()):
    return [
        (BatchRow(i + 2, f"用户{i}", f"u{i}@example.cn", "测试", "pc"), i in done) for i in range(n)
    ]


def test_batch_writes_key_files_that_open_with_their_pins(ca):
    seen = []
    items = batch.issue_batch(
        rows(4, done={1}), dual=True, actor="admin", workers=2, progress=lambda *a: seen.append(a)
    )
    assert [i.issued is None for i in items] == [False, True, False, False]
    assert seen[-1] == (6, 6) and len(seen) == 6
    for item in items:
        if item.issued is None:
            continue
        key = load_private_key(item.issued.private_key_pem, item.issued.pin.encode())
        cert = x509.Certificate.load(bytes(item.issued.signing.der))
        assert public_key_of(cert) == key.public_key()
        assert item.issued.signing.holder.email == item.row.email
        assert open_envelope(item.issued.envelope, key)
    assert everything() == (3, 6, 3, 3)
    assert AuditRecord.objects.get(action="cert.batch").details == {
        "rows": 4,
        "issued": 3,
        "dual": True,
    }
    assert audit.verify()[1] is None


def test_batch_run_twice_issues_once(ca):
    batch.issue_batch(batch.plan(*table(), None), dual=True)
    again = batch.issue_batch(batch.plan(*table(), None), dual=True)
    assert all(i.issued is None for i in again)
    assert everything() == (2, 4, 2, 2)


def table():
    return (
        ["name", "email", "unit", "profile"],
        [["王医生", "wang@example.cn", "精神科", "pc"], ["李护士", "li@example.cn", "", "mobile"]],
    )


@pytest.mark.parametrize("where", ["key files", "issuing", "deliver"])
def test_batch_failure_anywhere_leaves_nothing(ca, monkeypatch, where):
    calls = []

    def fail_key_file(key, pin):
        calls.append(pin)
        if len(calls) == 3:
            raise OSError("no entropy")
        return b"key file"

    def stop(done, total):
        if where == "issuing" and done > 5:  # the key files are 1 to 4
            raise RuntimeError("cancelled")

    def deliver(items):
        raise OSError("disk full")

    if where == "key files":
        monkeypatch.setattr(batch, "private_key_to_pem", fail_key_file)
    with pytest.raises((OSError, RuntimeError)):
        batch.issue_batch(
            rows(4), dual=True, progress=stop, deliver=deliver if where == "deliver" else None
        )
    assert everything() == (0, 0, 0, 0)
    assert not AuditRecord.objects.filter(action="cert.batch").exists()
