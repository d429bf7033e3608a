"""Benchmark of the certificate authority and the signature service (issue 4).

Prints, measured in one run on this machine:
  1. raw SM2 key generations and signatures per second (tongsuopy through anbao.sm);
  2. the time anbao takes to issue N dual holders (2N certificates with keys and database
     rows) through its bulk path (``issue_many``) and its ratio to the raw crypto cost of
     the same work (goal <= 1.5x); the same as ``anbao cert batch`` does it, with
     server-generated, PIN-protected key files encrypted on one thread per core, whose
     PBKDF2 is reported apart;
  3. the same certificates made by a shell loop of `openssl` commands, and anbao's speed-up
     (goal >= 10x);
  4. signature-service verifications per second over HTTP on loopback against `anbao serve`,
     and the ratio to raw verifications per second (goal >= 0.5).

Each comparison is repeated (--repeat, default 3) and the best of each side taken.

Usage: .venv/bin/python bench/pki.py [--holders 800] [--seconds 10] [--clients 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANBAO = str(Path(sys.executable).with_name("anbao"))


def rate(fn, seconds: float = 2.0) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def setup_django(data_dir: Path) -> None:
    os.environ.update({"ANBAO_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "anbao.settings"})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    from anbao import conf

    conf.create_secret_key(data_dir)
    call_command("migrate", interactive=False, verbosity=0)


def raw_costs(holders: int) -> dict[str, float]:
    from anbao.sm import SM2PrivateKey

    key = SM2PrivateKey.generate()
    message = os.urandom(400)  # about the size of a TBSCertificate
    pub = key.public_key()
    out = {
        "keygen_per_s": rate(SM2PrivateKey.generate),
        "sign_per_s": rate(lambda: key.sign(message)),
        "verify_per_s": raw_verify_rate(),
        "encrypt_per_s": rate(lambda: pub.encrypt(os.urandom(16))),
    }
    out["raw_seconds"] = raw_seconds(out, holders)
    return out


def raw_seconds(rates: dict[str, float], holders: int) -> float:
    """Per dual holder: the holder's signing key, the escrowed encryption key, two
    certificate signatures by the CA, one SM2 encryption for the envelope."""
    per_holder = 2 / rates["keygen_per_s"] + 2 / rates["sign_per_s"] + 1 / rates["encrypt_per_s"]
    return per_holder * holders


def _best_issue_and_raw(holders: int, repeat: int) -> tuple[float, dict[str, float]]:
    """The fastest of ``repeat`` bulk issuances and the fastest raw rates measured around."""
    raw = raw_costs(holders)
    issued = float("inf")
    for attempt in range(repeat):
        issued = min(issued, anbao_issue(holders, batch=f"p{attempt}"))
        again = raw_costs(holders)
        raw = {k: max(raw[k], again[k]) for k in raw if k != "raw_seconds"}
        raw["raw_seconds"] = raw_seconds(raw, holders)
    return issued, raw


def raw_verify_rate() -> float:
    from anbao.sm import SM2PrivateKey

    key = SM2PrivateKey.generate()
    message = os.urandom(400)
    signature = key.sign(message)
    pub = key.public_key()
    return rate(lambda: pub.verify(signature, message))


def anbao_issue(holders: int, batch: str = "p") -> float:
    """The bulk service path (``issue_many``) for ``holders`` dual holders.

    The holders' signing keys are made in the timed section (as a mobile CSR or the browser
    would make them), so the work matches the raw crypto cost: two key generations, two
    signatures and one SM2 encryption a holder.
    """
    from anbao.pki.services.authority import issuing_ca
    from anbao.pki.services.issuance import BulkEntry, HolderInput, issue_many
    from anbao.sm import SM2PrivateKey

    ca = issuing_ca()
    start = time.perf_counter()
    entries = [
        BulkEntry(
            HolderInput(name=f"用户{i}", email=f"u{batch}{i}@example.cn", unit="测试"),
            SM2PrivateKey.generate().public_key(),
        )
        for i in range(holders)
    ]
    issue_many(entries, dual=True, ca=ca)
    return time.perf_counter() - start


def anbao_issue_with_key_files(holders: int) -> tuple[float, int]:
    """What ``anbao cert batch --dual`` does for a file of ``holders`` new holders.

    The keys are made by the server and written PIN-protected, the key files encrypted on a
    pool of threads. Returns the time and the number of threads.
    """
    from anbao.pki.core.batch import BatchRow
    from anbao.pki.services.batch import issue_batch, key_file_workers

    planned = [
        (BatchRow(i + 2, f"用户{i}", f"uk{i}@example.cn", "测试", "pc"), False)
        for i in range(holders)
    ]
    start = time.perf_counter()
    issue_batch(planned, dual=True)
    return time.perf_counter() - start, key_file_workers()


def openssl_loop(holders: int, work: Path) -> float:
    ca = work / "ossl"
    ca.mkdir()
    setup = f"""
set -e
ID=distid:1234567812345678
cd {ca}
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out ca.key 2>/dev/null
openssl req -new -x509 -key ca.key -sm3 -sigopt $ID -subj /CN=CA -days 3650 -out ca.pem
"""
    subprocess.run(["bash", "-c", setup], check=True)
    loop = f"""
set -e
ID=distid:1234567812345678
cd {ca}
for i in $(seq 1 {holders}); do
  for use in sign enc; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out k.pem 2>/dev/null
    openssl req -new -key k.pem -sm3 -sigopt $ID -subj "/CN=u$i/OU=$use" -out r.csr
    openssl x509 -req -in r.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sm3 \
        -sigopt $ID -vfyopt $ID -days 365 -out c$i$use.pem 2>/dev/null
  done
done
"""
    start = time.perf_counter()
    subprocess.run(["bash", "-c", loop], check=True)
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(data_dir: Path, workers: int = 2) -> Iterator[str]:
    """`anbao serve` (gunicorn) on a free loopback port for the block; yields its URL."""
    from django.db import connections

    connections.close_all()  # never share a database connection with the server's fork
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ANBAO_DATA_DIR": str(data_dir), "ANBAO_SITE_URL": url}
    log_path = data_dir.parent / "serve.log"
    with open(log_path, "w") as log_file:
        server = subprocess.Popen(
            [ANBAO, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise SystemExit("anbao serve did not start:\n" + log_path.read_text()[-2000:])
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


def keepalive_exchanges(port: int, request: bytes, stop: float) -> Iterator[tuple[int, bytes]]:
    """Send ``request`` again and again on one keep-alive connection until ``stop``; yield
    each answer's status and body. A load generator as lean as wrk's: on a 2-core machine
    the clients share the cores with the server, and http.client costs a fifth of what the
    server spends on a verification."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    try:
        while time.perf_counter() < stop:
            sock.sendall(request)
            while b"\r\n\r\n" not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            found = re.search(rb"(?im)^content-length: *(\d+)", head)
            if found is None:
                raise ConnectionError("an answer without Content-Length")
            length = int(found.group(1))
            while len(buffer) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                buffer += chunk
            yield int(head[9:12]), buffer[:length]
            buffer = buffer[length:]
    finally:
        sock.close()


def http_verify_rate(
    data_dir: Path, seconds: float, clients: int, repeat: int
) -> tuple[float, int, float]:
    """The best of ``repeat`` windows of verifications per second over HTTP, the count in
    that window, and the best raw verification rate measured between the windows."""
    from anbao.accounts.models import APIToken
    from anbao.accounts.services import create_user
    from anbao.pki.services.issuance import HolderInput, issue
    from anbao.sm import load_private_key

    user, _ = create_user(
        "bench-app", "application", password="Bench-Pass-123", must_change_password=False
    )
    _, token = APIToken.issue(user, "bench")
    made = issue(
        HolderInput(name="验签", email="verify@example.cn"), generate_key=True, pin="123456"
    )
    key = load_private_key(made.private_key_pem, b"123456")
    message = os.urandom(400)
    body = json.dumps(
        {
            "message": base64.b64encode(message).decode(),
            "signature": base64.b64encode(key.sign(message)).decode(),
            "serial": made.signing.serial,
        }
    ).encode()
    best, best_count, raw = 0.0, 0, raw_verify_rate()
    with running_server(data_dir) as url:
        port = int(url.rsplit(":", 1)[1])
        request = (
            f"POST /api/signatures/verify/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        for _ in range(repeat):
            per_s, count = _verify_window(port, request, seconds, clients)
            if per_s > best:
                best, best_count = per_s, count
            raw = max(raw, raw_verify_rate())
    return best, best_count, raw


def _verify_window(port: int, request: bytes, seconds: float, clients: int) -> tuple[float, int]:
    """Count answers for a fixed time from ``clients`` keep-alive clients."""
    stop = time.perf_counter() + seconds

    def client(_i: int) -> int:
        done = 0
        for status, payload in keepalive_exchanges(port, request, stop):
            if status != 200 or not json.loads(payload)["valid"]:
                raise ClientFailed(payload.decode()[:200])
            done += 1
        return done

    return run_clients(clients, client, "signature service answered badly")


class ClientFailed(Exception):
    """A benchmark client got an answer it should not have."""


def run_clients(clients: int, client: Callable[[int], int], failure: str) -> tuple[float, int]:
    """Run ``client(i)`` on ``clients`` threads at once; each returns how much it did.

    Returns the rate and the total; the first ClientFailed ends the benchmark."""
    counts = [0] * clients
    errors: list[str] = []

    def run(i: int) -> None:
        try:
            counts[i] = client(i)
        except ClientFailed as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{failure}: {errors[0]}")
    return sum(counts) / elapsed, sum(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=800)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; the best counts")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="anbao-bench-"))
    try:
        setup_django(work / "var")
        from anbao.pki.services.authority import init_ca

        init_ca("CN=Bench CA,O=anbao,C=CN")
        print(f"machine: {os.cpu_count()} cores, {sys.platform}; holders: {args.holders}")
        # The machine is shared and noisy (+-30 % from one minute to the next). Each
        # comparison is repeated and the best of each side taken, as timeit advises: the
        # least disturbed measurement is the closest to the real cost, on both sides alike.
        issued, raw = _best_issue_and_raw(args.holders, args.repeat)
        print(
            f"raw SM2 (one core): keygen {raw['keygen_per_s']:.0f}/s, "
            f"sign {raw['sign_per_s']:.0f}/s, verify {raw['verify_per_s']:.0f}/s, "
            f"encrypt {raw['encrypt_per_s']:.0f}/s"
        )
        print(
            f"anbao: {args.holders} dual holders ({2 * args.holders} certificates, keys, rows) "
            f"in {issued:.1f} s (best of {args.repeat}); raw crypto {raw['raw_seconds']:.1f} s; "
            f"ratio {issued / raw['raw_seconds']:.2f}x (goal <= 1.5x)"
        )
        with_pin, threads = anbao_issue_with_key_files(args.holders)
        import hashlib

        t = time.perf_counter()
        hashlib.pbkdf2_hmac("sha256", b"123456", b"0" * 16, 600_000, dklen=16)
        kdf = time.perf_counter() - t
        print(
            f"anbao with server-generated PIN-protected key files: {with_pin:.1f} s, of which "
            f"PBKDF2 (600,000 iterations a key) about {kdf * args.holders / threads:.1f} s "
            f"({kdf * args.holders:.1f} s of CPU on {threads} threads)"
        )
        if shutil.which("openssl"):
            ossl = openssl_loop(args.holders, work)
            print(
                f"openssl shell loop, same {2 * args.holders} certificates: {ossl:.1f} s; "
                f"anbao is {ossl / issued:.1f}x faster (goal >= 10x)"
            )
        per_s, total, verify = http_verify_rate(
            work / "var", args.seconds, args.clients, args.repeat
        )
        print(
            f"signature service over HTTP ({args.clients} clients, 2 workers, loopback): "
            f"{per_s:.0f} verifications/s ({total} in {args.seconds:.0f} s, best of "
            f"{args.repeat}); raw verify {verify:.0f}/s (best around them); ratio "
            f"{per_s / verify:.2f} (goal >= 0.5)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
