"""``anbao ca …`` and ``anbao cert …``: the certificate authority from the command line."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from anbao.cli.files import read_input, write_files
from anbao.cli.output import print_json, print_table, read_secret_file
from anbao.errors import NotFound, ValidationError
from anbao.pki.core.crl import Reason


def register(subparsers: Any) -> None:
    ca = subparsers.add_parser("ca", help=_("the SM2 certificate authority"))
    ca_sub = ca.add_subparsers(dest="ca_command", metavar=_("COMMAND"), required=True)
    init = ca_sub.add_parser("init", help=_("create the SM2 root CA and the issuing CA"))
    init.add_argument(
        "--subject",
        required=True,
        metavar='"CN=…,O=…,C=CN"',
        help=_("distinguished name of the root CA"),
    )
    init.add_argument(
        "--days", type=int, metavar="N", help=_("validity of the root CA in days (default 7300)")
    )
    init.set_defaults(func=cmd_ca_init)
    export = ca_sub.add_parser("export", help=_("write the CA chain (issuing, root) as PEM"))
    export.add_argument("--out", required=True, metavar="chain.pem", help=_("output file"))
    export.set_defaults(func=cmd_ca_export)
    crl = ca_sub.add_parser("crl", help=_("issue a CRL now and write it (DER)"))
    crl.add_argument("--out", required=True, metavar="FILE", help=_("output file"))
    crl.set_defaults(func=cmd_ca_crl)

    cert = subparsers.add_parser("cert", help=_("holder certificates"))
    sub = cert.add_subparsers(dest="cert_command", metavar=_("COMMAND"), required=True)
    issue = sub.add_parser("issue", help=_("issue a certificate for a holder"))
    issue.add_argument("--name", required=True, help=_("holder's name"))
    issue.add_argument("--email", required=True, metavar="E", help=_("holder's e-mail"))
    issue.add_argument(
        "--user",
        metavar="USERNAME",
        help=_("bind to this account (created as a certificate holder if new)"),
    )
    issue.add_argument("--unit", default="", metavar="U", help=_("organisation unit"))
    issue.add_argument(
        "--profile", choices=["pc", "mobile"], default="pc", help=_("pc or mobile (default pc)")
    )
    source = issue.add_mutually_exclusive_group(required=True)
    source.add_argument("--csr", metavar="CSR.pem", help=_("PKCS#10 request of the holder"))
    source.add_argument(
        "--generate-key",
        action="store_true",
        help=_("generate the key here and write it PIN-encrypted"),
    )
    issue.add_argument(
        "--pin-file",
        metavar="F",
        help=_("PIN for the generated key (default: a random PIN printed once)"),
    )
    issue.add_argument(
        "--dual",
        action="store_true",
        help=_("also issue an encryption certificate (key escrowed by the CA)"),
    )
    issue.add_argument("--out", required=True, metavar="DIR", help=_("output directory"))
    issue.set_defaults(func=cmd_issue)

    batch = sub.add_parser(
        "batch",
        help=_("issue certificates for every holder of a CSV or XLSX file"),
        description=_(
            "Columns: name,email,unit,profile and optional username,phone. The whole "
            "file is checked first; on any error nothing is issued. Holders who "
            "already have a valid certificate are skipped, so a file can be run "
            "again."
        ),
    )
    batch.add_argument("file", metavar="FILE.csv|FILE.xlsx")
    batch.add_argument(
        "--profile", choices=["pc", "mobile"], help=_("profile for rows that leave it empty")
    )
    batch.add_argument(
        "--dual", action="store_true", help=_("also issue encryption certificates (keys escrowed)")
    )
    batch.add_argument("--out", required=True, metavar="DIR", help=_("output directory"))
    batch.set_defaults(func=cmd_batch)

    revoke = sub.add_parser("revoke", help=_("revoke a certificate"))
    revoke.add_argument("serial", metavar="SERIAL", help=_("serial in hex"))
    revoke.add_argument(
        "--reason",
        required=True,
        metavar="REASON",
        help=_("one of: %(r)s") % {"r": ", ".join(r.value for r in Reason)},
    )
    revoke.set_defaults(func=cmd_revoke)
    renew = sub.add_parser("renew", help=_("renew a certificate for another year"))
    renew.add_argument("serial", metavar="SERIAL", help=_("serial in hex"))
    renew.add_argument("--out", metavar="DIR", help=_("write the new certificate here"))
    renew.set_defaults(func=cmd_renew)
    show = sub.add_parser("show", help=_("show a certificate by serial or file"))
    show.add_argument("what", metavar="SERIAL|FILE")
    show.add_argument("--json", action="store_true", help=_("print JSON"))
    show.set_defaults(func=cmd_show)
    lst = sub.add_parser("list", help=_("list certificates"))
    lst.add_argument(
        "--expiring-within",
        type=int,
        metavar="DAYS",
        help=_("only valid certificates expiring within DAYS"),
    )
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.set_defaults(func=cmd_list)


def cmd_ca_init(args: argparse.Namespace) -> int:
    from anbao.pki.services.authority import init_ca

    root, issuing = init_ca(args.subject, days=args.days, actor="cli")
    print(_("root CA: %(s)s (serial %(n)s)") % {"s": root.subject, "n": root.serial})
    print(_("issuing CA: %(s)s (serial %(n)s)") % {"s": issuing.subject, "n": issuing.serial})
    return 0


def cmd_ca_export(args: argparse.Namespace) -> int:
    from anbao.audit.services import record
    from anbao.pki.services.authority import chain_pem

    write_files([(args.out, chain_pem(), False)])
    record("ca.export", actor="cli", object_type="ca", details={"file": args.out})
    return 0


def cmd_ca_crl(args: argparse.Namespace) -> int:
    from anbao.pki.services.status import build_crl

    row = build_crl(actor="cli")
    write_files([(args.out, bytes(row.der), False)])
    print(_("CRL number %(n)d written to %(f)s") % {"n": row.number, "f": args.out})
    return 0


def _out_dir(path: str) -> Path:
    out = Path(path)
    if not out.is_dir():
        raise ValidationError(_("output directory %(d)s does not exist") % {"d": path})
    return out


def cmd_issue(args: argparse.Namespace) -> int:
    from anbao.pki.services.issuance import HolderInput, issue

    out = _out_dir(args.out)
    csr = read_input(args.csr) if args.csr else None
    pin = read_secret_file(args.pin_file) if args.pin_file else None
    if pin is not None and not args.generate_key:
        raise ValidationError(_("--pin-file needs --generate-key"))
    data = HolderInput(
        name=args.name,
        email=args.email,
        unit=args.unit,
        username=args.user or "",
        profile=args.profile,
    )
    result = issue(
        data, csr=csr, generate_key=args.generate_key, pin=pin, dual=args.dual, actor="cli"
    )
    _write_result(out, result)
    print(
        _("signing certificate %(s)s issued for %(n)s")
        % {"s": result.signing.serial, "n": args.name}
    )
    if result.encryption is not None:
        print(
            _("encryption certificate %(s)s issued; its key is escrowed")
            % {"s": result.encryption.serial}
        )
    if result.pin is not None:
        print(_("PIN of the key file (shown once): %(p)s") % {"p": result.pin})
    return 0


def _result_files(out: Path, result: Any) -> list[tuple[str, bytes, bool]]:
    from anbao.pki.services.issuance import certificate_pem

    serial = result.signing.serial
    files = [(str(out / f"{serial}.sign.pem"), certificate_pem(result.signing), False)]
    if result.private_key_pem is not None:
        files.append((str(out / f"{serial}.sign.key.pem"), result.private_key_pem, True))
    if result.encryption is not None:
        files.append((str(out / f"{serial}.enc.pem"), certificate_pem(result.encryption), False))
        files.append((str(out / f"{serial}.enc.env"), result.envelope, True))
    return files


def _write_result(out: Path, result: Any) -> None:
    write_files(_result_files(out, result))


def cmd_batch(args: argparse.Namespace) -> int:
    import csv
    import io

    from anbao.cli.output import progress_callback
    from anbao.pki.services import batch

    out = _out_dir(args.out)
    header, rows = batch.read_table(args.file, read_input(args.file))
    planned = batch.plan(header, rows, args.profile)

    def deliver(items: list[Any]) -> None:
        files: list[tuple[str, bytes, bool]] = []
        summary, pins = io.StringIO(), io.StringIO()
        sw, pw = csv.writer(summary), csv.writer(pins)
        sw.writerow(["row", "name", "email", "status", "signing_serial", "encryption_serial"])
        pw.writerow(["email", "signing_serial", "pin"])
        for item in items:
            r, issued = item.row, item.issued
            if issued is None:
                sw.writerow([r.line, r.name, r.email, "skipped", "", ""])
                continue
            files += _result_files(out, issued)
            enc = issued.encryption.serial if issued.encryption else ""
            sw.writerow([r.line, r.name, r.email, "issued", issued.signing.serial, enc])
            pw.writerow([r.email, issued.signing.serial, issued.pin])
        files.append((str(out / "summary.csv"), ("\ufeff" + summary.getvalue()).encode(), False))
        files.append((str(out / "pins.csv"), pins.getvalue().encode(), True))
        write_files(files)

    items = batch.issue_batch(
        planned,
        dual=args.dual,
        actor="cli",
        deliver=deliver,
        progress=progress_callback(_("issuing")),
    )
    issued = sum(1 for i in items if i.issued)
    print(
        _("%(i)d holders issued, %(s)d already had a certificate; summary in %(f)s")
        % {"i": issued, "s": len(items) - issued, "f": out / "summary.csv"}
    )
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from anbao.pki.services.status import revoke

    cert = revoke(args.serial, args.reason, actor="cli")
    print(_("certificate %(s)s revoked (%(r)s)") % {"s": cert.serial, "r": args.reason})
    return 0


def cmd_renew(args: argparse.Namespace) -> int:
    from anbao.pki.services.status import renew

    out = _out_dir(args.out) if args.out else None
    result = renew(args.serial, actor="cli")
    if out is not None:
        _write_result(out, result)
    print(
        _("certificate %(old)s renewed as %(new)s")
        % {"old": args.serial, "new": result.signing.serial}
    )
    return 0


def _describe(der: bytes) -> dict[str, Any]:
    from asn1crypto import x509

    cert = x509.Certificate.load(der)
    validity = cert["tbs_certificate"]["validity"]
    return {
        "serial": format(cert.serial_number, "X"),
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "not_before": validity["not_before"].native.isoformat(),
        "not_after": validity["not_after"].native.isoformat(),
        "key_usage": sorted(cert.key_usage_value.native) if cert.key_usage_value else [],
        "signature_algorithm": cert["signature_algorithm"]["algorithm"].dotted,
    }


def cmd_show(args: argparse.Namespace) -> int:
    from asn1crypto import pem

    from anbao.pki.services.status import get

    path = Path(args.what)
    if path.exists():
        data = read_input(args.what)
        try:
            der = pem.unarmor(data)[2] if pem.detect(data) else data
            info = _describe(der)
        except (ValueError, TypeError, KeyError):
            raise ValidationError(
                _("%(f)s is not an X.509 certificate") % {"f": args.what}
            ) from None
        with contextlib.suppress(NotFound):  # a certificate of another CA is shown as it is
            info.update(_stored(get(info["serial"])))
    else:
        row = get(args.what)
        info = {**_describe(bytes(row.der)), **_stored(row)}
    if args.json:
        print_json(info)
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return 0


def _stored(row: Any) -> dict[str, Any]:
    return {
        "status": row.status,
        "usage": row.usage,
        "profile": row.profile,
        "holder": row.holder.email if row.holder else None,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "revocation_reason": row.revocation_reason or None,
    }


def cmd_list(args: argparse.Namespace) -> int:
    import datetime as dt

    from django.utils import timezone

    from anbao.pki.models import Certificate

    rows = Certificate.objects.select_related("holder").order_by("not_after")
    if args.expiring_within is not None:
        if args.expiring_within < 0:
            raise ValidationError(_("--expiring-within must not be negative"))
        now = timezone.now()
        rows = rows.filter(
            status=Certificate.VALID,
            not_after__gte=now,
            not_after__lte=now + dt.timedelta(days=args.expiring_within),
        )
    data = [
        {
            "serial": r.serial,
            "holder": r.holder.email if r.holder else "",
            "usage": r.usage,
            "profile": r.profile,
            "status": r.status,
            "not_after": r.not_after.isoformat(),
        }
        for r in rows
    ]
    if args.json:
        print_json(data)
    else:
        print_table(
            [_("serial"), _("holder"), _("usage"), _("status"), _("valid until")],
            [
                [d["serial"], d["holder"], d["usage"], d["status"], d["not_after"][:10]]
                for d in data
            ],
        )
    return 0
