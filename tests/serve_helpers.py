"""A real `clause-lint serve` process for tests, and a small HTTP client (urllib).

The server runs as its own process on 127.0.0.1 on a free port, exactly as a user
starts it; tests talk to it over HTTP and stop it at the end.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.body)


class Server:
    """``clause-lint serve ARGS`` in a subprocess; ``url`` is reachable once started."""

    def __init__(self, *args: str, env: Optional[dict[str, str]] = None, cwd: Optional[Path] = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token: Optional[str] = None
        if "--token" in args:
            self.token = args[list(args).index("--token") + 1]
        full_env = {k: v for k, v in os.environ.items() if k != "CLAUSE_LINT_TOKEN"}
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "clause_lint", "serve", "--port", str(self.port), *args],
            cwd=str(cwd or ROOT), env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err.decode(errors='replace')}")
            try:
                if self.get("/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not start within 120 s")
            time.sleep(0.2)

    def stop(self) -> str:
        """Stop the server (SIGTERM, as a service manager would); return its stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _, err = self.proc.communicate(timeout=30)
        return err.decode(errors="replace")

    # -- HTTP ------------------------------------------------------------------
    def _auth(self, headers: Optional[dict[str, str]]) -> dict[str, str]:
        out = dict(headers or {})
        if self.token and "Authorization" not in out:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    def request(self, method: str, path: str, body: Optional[bytes] = None, headers: Optional[dict[str, str]] = None,
                auth: bool = True) -> Reply:
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=self._auth(headers) if auth else dict(headers or {}))
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return Reply(resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()})
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()})

    def get(self, path: str, **kw) -> Reply:  # type: ignore[no-untyped-def]
        return self.request("GET", path, **kw)

    def upload(self, path: str, filename: str, data: bytes, fields: Sequence[tuple[str, str]] = (),
               headers: Optional[dict[str, str]] = None, auth: bool = True) -> Reply:
        body, ctype = multipart(filename, data, fields)
        return self.request("POST", path, body, {"Content-Type": ctype, **(headers or {})}, auth=auth)


def multipart(filename: Optional[str], data: Optional[bytes], fields: Sequence[tuple[str, str]] = ()) -> tuple[bytes, str]:
    """A multipart/form-data body with form ``fields`` and (unless None) a ``file``."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for key, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    if data is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def serve_available() -> Optional[str]:
    """None when the [serve] extra is installed, else why not."""
    try:
        import python_multipart  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return f"the serve extra is not installed ({exc.name}); pip install '.[serve]'"
    return None
