"""A small client for other Python programs: sign in to anbao with certificate + password.

    from anbao.client import AnbaoClient, LoginRefused
    from anbao.sm import load_private_key

    client = AnbaoClient("https://anbao.example")
    key = load_private_key(open("me.sign.key.pem", "rb").read(), b"PIN")
    try:
        client.login("zhangsan", "password", key=key)
    except LoginRefused as refused:
        print(refused.message, refused.remaining_attempts)
    me = client.get("/api/me/")

Only the standard library and ``anbao.sm`` are used: no Django. The login follows
docs/cert-login.md and keeps the bearer token the server returns.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from anbao.sm import DEFAULT_ID, SM2PrivateKey


class ClientError(Exception):
    """The server could not be reached or answered something that is not anbao's API."""


@dataclass
class LoginRefused(Exception):
    status: int
    code: str
    message: str
    remaining_attempts: int | None = None
    locked_until: str | None = None

    def __str__(self) -> str:
        return self.message


class AnbaoClient:
    def __init__(self, server: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(server)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {server!r}")
        self.server = server.rstrip("/")
        self.timeout = timeout
        self.token: str | None = None

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # The scheme was checked to be http(s) in __init__.
        request = urllib.request.Request(  # noqa: S310
            self.server + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read() or b"null")
            except ValueError:
                raise ClientError(f"{self.server} answered {exc.code} without JSON") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ClientError(
                f"cannot reach {self.server}: {getattr(exc, 'reason', exc)}"
            ) from None
        except ValueError:
            raise ClientError(f"{self.server} did not answer JSON") from None

    def challenge(self, username: str) -> dict[str, str]:
        status, body = self._request("POST", "/api/auth/challenge", {"username": username})
        if status != 200:
            raise _refusal(status, body)
        return dict(body)

    def login(
        self,
        username: str,
        password: str,
        *,
        key: SM2PrivateKey | None = None,
        certificate_pem: str | None = None,
        distinguishing_id: bytes = DEFAULT_ID,
    ) -> dict[str, Any]:
        """Sign in; with ``key`` the certificate part is done too. Raises LoginRefused."""
        body: dict[str, Any] = {"username": username, "password": password, "token": True}
        if key is not None:
            challenge = self.challenge(username)
            message = base64.b64decode(challenge["message"])
            signature = key.sign(message, distinguishing_id=distinguishing_id)
            body.update(
                challenge_id=challenge["challenge_id"],
                signature=base64.b64encode(signature).decode(),
            )
            if certificate_pem:
                body["certificate"] = certificate_pem
        status, answer = self._request("POST", "/api/auth/login", body)
        if status != 200:
            raise _refusal(status, answer)
        self.token = answer.get("token")
        return dict(answer)

    def get(self, path: str) -> Any:
        status, body = self._request("GET", path)
        if status >= 400:
            raise _refusal(status, body)
        return body

    def post(self, path: str, payload: Any) -> Any:
        status, body = self._request("POST", path, payload)
        if status >= 400:
            raise _refusal(status, body)
        return body


def _refusal(status: int, body: Any) -> LoginRefused:
    error = body.get("error", {}) if isinstance(body, dict) else {}
    if not error:
        return LoginRefused(status, "unexpected", f"unexpected answer ({status})")
    return LoginRefused(
        status,
        str(error.get("code", "error")),
        str(error.get("message", "")),
        error.get("remaining_attempts"),
        error.get("locked_until"),
    )
