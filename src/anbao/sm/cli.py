"""``anbao sm``: SM3 digests, SM2 keys, signatures and encryption from the command line.

Exit codes: 0 success (or a valid signature), 1 an invalid signature, 2 bad usage or bad
input with one line on stderr. Output files are written to a temporary file beside the target
and renamed, so a failed command leaves no partial file; private keys get mode 0600.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from anbao.cli.files import read_input, write_files
from anbao.cli.main import fail
from anbao.cli.output import read_secret_file
from anbao.errors import ValidationError
from anbao.sm import encoding
from anbao.sm.errors import DecryptionError, InvalidSignature, SMError
from anbao.sm.sm2 import DEFAULT_ID, MAX_ID_BYTES, CiphertextFormat, SM2PrivateKey, SM2PublicKey
from anbao.sm.sm3 import SM3Hash

EXIT_OK, EXIT_INVALID = 0, 1
_CHUNK = 1 << 20


# Files


def _read(path: str) -> bytes:
    return read_input(path)


def _write(path: str, data: bytes, *, private: bool = False) -> None:
    write_files([(path, data, private)])


def _passphrase(path: str | None) -> bytes | None:
    return None if path is None else read_secret_file(path).encode("utf-8")


def _id(args: argparse.Namespace) -> bytes:
    # os.fsencode gives back the exact argv bytes, even ones that are not UTF-8.
    raw = DEFAULT_ID if args.id is None else os.fsencode(args.id)
    if len(raw) > MAX_ID_BYTES:
        raise ValidationError(_("the SM2 ID is longer than %(n)d bytes") % {"n": MAX_ID_BYTES})
    return raw


# Loading with messages a person can act on


def _explain(exc: SMError, path: str, what: str) -> ValidationError:
    messages = {
        "passphrase_required": _("%(path)s is encrypted: give --passphrase-file"),
        "passphrase_unexpected": _("%(path)s is not encrypted: drop --passphrase-file"),
        "bad_passphrase": _("cannot decrypt %(path)s: wrong passphrase"),
        "invalid_key": _("%(path)s is not an SM2 key on the sm2p256v1 curve"),
        "invalid_encoding": _("%(path)s is not a valid %(what)s (PEM or DER)"),
    }
    template = messages.get(exc.code, _("%(path)s: %(what)s refused"))
    return ValidationError(template % {"path": path, "what": what}, code=exc.code)


def _load(path: str, what: str, loader: Callable[[bytes], Any]) -> Any:
    data = _read(path)
    try:
        return loader(data)
    except SMError as exc:
        raise _explain(exc, path, what) from None


def _private_key(args: argparse.Namespace) -> SM2PrivateKey:
    passphrase = _passphrase(args.passphrase_file)
    key: SM2PrivateKey = _load(
        args.key, _("private key"), lambda data: encoding.load_private_key(data, passphrase)
    )
    return key


def _public_key(args: argparse.Namespace) -> SM2PublicKey:
    if args.cert is not None:
        cert_key: SM2PublicKey = _load(
            args.cert, _("certificate"), encoding.load_certificate_public_key
        )
        return cert_key
    key: SM2PublicKey = _load(args.pubkey, _("public key"), encoding.load_public_key)
    return key


# Commands


def cmd_sm3(args: argparse.Namespace) -> int:
    digest = SM3Hash()
    try:
        if args.file == "-":
            stream = sys.stdin.buffer
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
        else:
            with open(args.file, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
    except OSError as exc:
        raise ValidationError(
            _("cannot read %(path)s: %(reason)s") % {"path": args.file, "reason": exc.strerror}
        ) from None
    print(digest.hexdigest())
    return EXIT_OK


def cmd_keygen(args: argparse.Namespace) -> int:
    if Path(args.out).exists():
        raise ValidationError(_("%(path)s exists: not overwriting a key") % {"path": args.out})
    passphrase = _passphrase(args.passphrase_file)
    key = SM2PrivateKey.generate()
    private_pem = encoding.private_key_to_pem(key, passphrase)
    outputs = [(args.out, private_pem, True)]
    if args.pubout:
        outputs.append((args.pubout, encoding.public_key_to_pem(key.public_key()), False))
    write_files(outputs)
    return EXIT_OK


def cmd_sign(args: argparse.Namespace) -> int:
    key = _private_key(args)
    message = _read(args.infile)
    _write(args.out, key.sign(message, distinguishing_id=_id(args)))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    key = _public_key(args)
    signature: bytes = _load(args.sig, _("SM2 signature"), encoding.load_signature)
    message = _read(args.infile)
    try:
        key.verify(signature, message, distinguishing_id=_id(args))
    except InvalidSignature:
        return fail(_("the signature is NOT valid"), EXIT_INVALID)
    print(_("Signature OK"))
    return EXIT_OK


def cmd_encrypt(args: argparse.Namespace) -> int:
    key = _public_key(args)
    plaintext = _read(args.infile)
    if not plaintext:
        raise ValidationError(
            _("%(path)s is empty: SM2 cannot encrypt an empty message") % {"path": args.infile}
        )
    _write(args.out, key.encrypt(plaintext, fmt=CiphertextFormat(args.format)))
    return EXIT_OK


def cmd_decrypt(args: argparse.Namespace) -> int:
    key = _private_key(args)
    ciphertext = _read(args.infile)
    try:
        plaintext = key.decrypt(ciphertext, fmt=CiphertextFormat(args.format))
    except DecryptionError:
        raise ValidationError(
            _("cannot decrypt %(path)s: wrong key or damaged ciphertext") % {"path": args.infile},
            code="decryption_failed",
        ) from None
    _write(args.out, plaintext, private=True)
    return EXIT_OK


# Parser


def _add_passphrase(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        metavar=_("FILE"),
        help=_("file whose first line is the passphrase of the key ('-' reads stdin)"),
    )


def _add_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--id",
        help=_("SM2 distinguishing ID (default 1234567812345678, GM/T 0009)"),
    )


def _add_recipient(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--pubkey", metavar=_("PUB.pem"), help=_("SM2 public key (PEM or DER)"))
    group.add_argument("--cert", metavar=_("CERT.pem"), help=_("X.509 certificate (PEM or DER)"))


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=[f.value for f in CiphertextFormat],
        default=CiphertextFormat.ASN1.value,
        help=_("ciphertext layout: asn1 (GM/T 0009, as OpenSSL) or raw c1c3c2 / c1c2c3"),
    )


def _add_io(parser: argparse.ArgumentParser, in_help: str, out_help: str | None) -> None:
    parser.add_argument("--in", dest="infile", required=True, metavar=_("FILE"), help=in_help)
    if out_help is not None:
        parser.add_argument("--out", required=True, metavar=_("FILE"), help=out_help)


def _command(commands: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    return parser


def register(subparsers: Any) -> None:
    sm = subparsers.add_parser(
        "sm",
        help=_("SM2/SM3/SM4 national cryptography"),
        description=_("SM3 digests, SM2 keys, signatures and encryption."),
    )
    commands = sm.add_subparsers(dest="sm_command", metavar=_("COMMAND"), parser_class=type(sm))
    commands.required = True

    p = _command(commands, "sm3", _("print the SM3 digest of a file in lowercase hex"))
    p.add_argument("file", nargs="?", default="-", metavar=_("FILE"), help=_("'-' reads stdin"))
    p.set_defaults(func=cmd_sm3)

    p = _command(commands, "keygen", _("generate an SM2 key pair (PKCS#8 PEM)"))
    p.add_argument("--out", required=True, metavar=_("KEY.pem"), help=_("private key file"))
    p.add_argument("--pubout", metavar=_("PUB.pem"), help=_("also write the public key"))
    _add_passphrase(p)
    p.set_defaults(func=cmd_keygen)

    p = _command(commands, "sign", _("sign a file with SM2 (DER signature)"))
    p.add_argument("--key", required=True, metavar=_("KEY.pem"), help=_("SM2 private key"))
    _add_passphrase(p)
    _add_id(p)
    _add_io(p, _("file to sign"), _("signature file (DER)"))
    p.set_defaults(func=cmd_sign)

    p = _command(
        commands, "verify", _("verify an SM2 signature: exit 0 valid, 1 invalid, 2 bad input")
    )
    _add_recipient(p)
    _add_id(p)
    _add_io(p, _("signed file"), None)
    p.add_argument("--sig", required=True, metavar=_("SIG.der"), help=_("signature (DER or PEM)"))
    p.set_defaults(func=cmd_verify)

    p = _command(commands, "encrypt", _("encrypt a file to an SM2 public key"))
    _add_recipient(p)
    _add_format(p)
    _add_io(p, _("file to encrypt"), _("ciphertext file"))
    p.set_defaults(func=cmd_encrypt)

    p = _command(commands, "decrypt", _("decrypt an SM2 ciphertext"))
    p.add_argument("--key", required=True, metavar=_("KEY.pem"), help=_("SM2 private key"))
    _add_passphrase(p)
    _add_format(p)
    _add_io(p, _("ciphertext file"), _("plaintext file"))
    p.set_defaults(func=cmd_decrypt)
