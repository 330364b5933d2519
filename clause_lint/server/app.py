"""The HTTP layer: routes, token, limits, and the pool that does the work.

The event loop only parses requests and moves bytes; every document is read,
checked and rendered in a worker process (:mod:`clause_lint.server.work`), so the
page and ``/healthz`` answer while documents are being checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from . import work
from .openapi import openapi_document
from .work import BadRequest, CheckOptions, Outcome, Service, error_body

STATIC = Path(__file__).with_name("static")
# Room for the multipart envelope and the small form fields around the file.
MULTIPART_OVERHEAD = 64 * 1024
MAX_FIELD_BYTES = 16 * 1024
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")

# The page and everything it loads come from this server; nothing else is allowed.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"


@dataclass
class Config:
    """How the server was started (``clause-lint serve`` options)."""

    token: Optional[str] = None
    jobs: int = 1
    queue: int = 32  # documents waiting for a worker before the server answers 503
    allowed_hosts: Sequence[str] = ()  # extra Host header values (reverse proxy)
    packs: Sequence[str] = ()
    port: int = 8000


class Busy(Exception):
    pass


@dataclass
class Pool:
    """Worker processes and the count of documents in flight.

    Forked from the server process before it starts serving (while it has one
    thread), so workers inherit the compiled packs; a pool whose worker died is
    replaced, and only the request that was in it fails.
    """

    service: Service
    jobs: int
    queue: int
    in_flight: int = 0
    _executor: Optional[ProcessPoolExecutor] = field(default=None, repr=False)

    def start(self) -> None:
        import multiprocessing
        import sys

        work.install(self.service)
        ctx = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else multiprocessing.get_context()
        self._executor = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=ctx, initializer=work.init_worker,
            initargs=(self.service.specs, self.service.limits),
        )
        # Start every worker now; with fork, the first submit starts them all.
        for f in [self._executor.submit(work.ping) for _ in range(self.jobs)]:
            f.result()

    def stop(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    @property
    def capacity(self) -> int:
        return self.jobs + self.queue

    async def run(self, fn: Callable[..., Outcome], *args: Any) -> Outcome:
        if self.in_flight >= self.capacity:
            raise Busy()
        self.in_flight += 1
        try:
            executor = self._executor
            assert executor is not None
            try:
                future = executor.submit(fn, *args)
            except BrokenProcessPool:
                # A worker died while idle (killed, out of memory): this document
                # was not started, so it goes to a fresh pool.
                executor = self._restart(executor)
                future = executor.submit(fn, *args)
            try:
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                # A worker died on a document (a crash in a native library): the
                # document may be the cause, so it is not tried again.
                self._restart(executor)
                return work.error_outcome(500, "internal", "the process checking this document stopped unexpectedly; please report it")
        finally:
            self.in_flight -= 1

    def _restart(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A fresh pool in place of ``broken``, once, however many requests saw it break."""
        if self._executor is broken:
            self.stop()
            self.start()
        assert self._executor is not None
        return self._executor


def _json_error(status: int, code: str, message: str, headers: Optional[dict[str, str]] = None) -> Response:
    return Response(error_body(code, message), status_code=status, media_type="application/json", headers=headers)


def _outcome(out: Outcome) -> Response:
    return Response(out.body, status_code=out.status, media_type=out.media_type, headers=out.headers)


class TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: Host check, token, upload size, security headers."""

    def __init__(self, app: ASGIApp, config: Config, max_body: int) -> None:
        self.app = app
        self.token = config.token.encode("utf-8") if config.token else None
        self.max_body = max_body
        port = config.port
        loopback = ("127.0.0.1", "localhost", "[::1]")
        # Without a token the server is for this machine only: a page elsewhere on
        # the web cannot reach it through a DNS name that points here (rebinding).
        self.hosts: Optional[set[str]] = None
        if not self.token:
            self.hosts = {h for name in loopback for h in (name, f"{name}:{port}")}
            self.hosts |= {h.lower() for h in config.allowed_hosts}

    def _authorized(self, headers: dict[bytes, bytes]) -> bool:
        if self.token is None:
            return True
        value = headers.get(b"authorization", b"")
        scheme, _, credentials = value.partition(b" ")
        scheme = scheme.lower()
        if scheme == b"bearer":
            given = credentials.strip()
        elif scheme == b"basic":
            # Browsers can send a token only this way: user name ignored, password = token.
            import base64
            import binascii

            try:
                given = base64.b64decode(credentials.strip(), validate=True).partition(b":")[2]
            except (binascii.Error, ValueError):
                given = b""
        else:
            given = b""
        return hmac.compare_digest(given, self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        path = scope.get("path", "")
        page = not path.startswith("/api/") and path not in ("/openapi.json", "/healthz")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", (PAGE_CSP if page else API_CSP).encode()),
                ]
                if not page:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        if self.hosts is not None:
            host = headers.get(b"host", b"").decode("latin-1").lower()
            if host not in self.hosts:
                await _json_error(400, "bad-host", f"Host {host!r} is not served here; use 127.0.0.1 or start with --allow-host")(scope, receive, send_with_headers)
                return
        if not self._authorized(headers):
            challenge = 'Basic realm="clause-lint", charset="UTF-8"' if page else 'Bearer realm="clause-lint"'
            await _json_error(401, "unauthorized", "this server needs a token: send 'Authorization: Bearer TOKEN'",
                              {"WWW-Authenticate": challenge})(scope, receive, send_with_headers)
            return
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                too_big = False
            if too_big:
                await _json_error(413, "limit-exceeded", f"upload of {int(length):,} bytes is over this server's limit of {self.max_body - MULTIPART_OVERHEAD:,} bytes per file (--max-file-size)")(scope, receive, send_with_headers)
                return
        seen = 0

        async def counted() -> Message:
            # Chunked uploads have no Content-Length: stop reading at the limit.
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise TooLarge()
            return message

        await self.app(scope, counted, send_with_headers)


def _flag(value: Optional[str], name: str) -> bool:
    v = (value or "").strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise BadRequest(400, "bad-option", f"{name} must be true or false, not {value!r}")


def _ids(values: Sequence[str]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def create_app(service: Service, pool: Pool, config: Config) -> ASGIApp:
    """The ASGI application (the pool is started by the caller, before serving)."""
    max_body = service.limits.max_file_bytes + MULTIPART_OVERHEAD

    def busy() -> Response:
        return _json_error(503, "busy", f"all {pool.jobs} workers are busy and {pool.queue} documents are waiting; try again shortly",
                           {"Retry-After": "2"})

    async def upload(request: Request, job: str) -> Response:
        ctype = request.headers.get("content-type", "")
        if not ctype.lower().startswith("multipart/form-data"):
            return _json_error(415, "unsupported-media-type", "send the document as multipart/form-data with a 'file' field")
        try:
            async with request.form(max_files=1, max_fields=50, max_part_size=MAX_FIELD_BYTES) as form:
                item = form.get("file")
                if item is None or isinstance(item, str):
                    raise BadRequest(400, "missing-file", "no 'file' field with a document in the form")
                name = work.display_name(item.filename)
                data = await item.read()
                fields = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in ("pack", "select", "ignore", "assume_applicable", "format", "author", "initials")}
        except TooLarge:
            return _json_error(413, "limit-exceeded", f"upload is over this server's limit of {service.limits.max_file_bytes:,} bytes per file (--max-file-size)")
        except BadRequest as exc:
            return _json_error(exc.status, exc.code, exc.message)
        except HTTPException as exc:  # multipart parse errors (Starlette says 400)
            return _json_error(400, "bad-request", f"cannot read the form: {exc.detail}")
        for key, values in request.query_params.multi_items():
            if key in fields:
                fields[key].append(values)
        try:
            if len(data) > service.limits.max_file_bytes:
                raise BadRequest(413, "limit-exceeded", f"{name}: file is {len(data):,} bytes, over the limit of {service.limits.max_file_bytes:,} (--max-file-size)")
            assume = _flag(fields["assume_applicable"][-1], "assume_applicable") if fields["assume_applicable"] else False
            opts: CheckOptions = service.options(_ids(fields["pack"]), assume, _ids(fields["select"]), _ids(fields["ignore"]))
            if job == "check":
                fmt = (fields["format"][-1] if fields["format"] else "json").strip().lower()
                if fmt not in work.MEDIA_TYPES:
                    raise BadRequest(400, "bad-option", f"unknown format {fmt!r}; use one of {', '.join(work.MEDIA_TYPES)}")
                out = await pool.run(work.check_job, name, data, opts, fmt)
            elif job == "review":
                out = await pool.run(work.review_job, name, data, opts)
            else:
                author = (fields["author"][-1] if fields["author"] else "clause-lint").strip()[:100] or "clause-lint"
                initials = (fields["initials"][-1] if fields["initials"] else "CL").strip()[:10] or "CL"
                out = await pool.run(work.annotate_job, name, data, opts, author, initials)
        except BadRequest as exc:
            return _json_error(exc.status, exc.code, exc.message)
        except Busy:
            return busy()
        return _outcome(out)

    async def diff(request: Request) -> Response:
        """Two versions of a document, as multipart fields ``old`` and ``new``."""
        ctype = request.headers.get("content-type", "")
        if not ctype.lower().startswith("multipart/form-data"):
            return _json_error(415, "unsupported-media-type", "send the two versions as multipart/form-data fields 'old' and 'new'")
        try:
            async with request.form(max_files=2, max_fields=50, max_part_size=MAX_FIELD_BYTES) as form:
                files = {}
                for key in ("old", "new"):
                    item = form.get(key)
                    if item is None or isinstance(item, str):
                        raise BadRequest(400, "missing-file", f"no '{key}' field with a document in the form")
                    files[key] = (work.display_name(item.filename), await item.read())
                fields = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in ("pack", "select", "ignore", "assume_applicable", "format")}
        except TooLarge:
            return _json_error(413, "limit-exceeded", f"upload is over this server's limit of {service.limits.max_file_bytes:,} bytes per file (--max-file-size)")
        except BadRequest as exc:
            return _json_error(exc.status, exc.code, exc.message)
        except HTTPException as exc:
            return _json_error(400, "bad-request", f"cannot read the form: {exc.detail}")
        for key, values in request.query_params.multi_items():
            if key in fields:
                fields[key].append(values)
        try:
            for name, data in files.values():
                if len(data) > service.limits.max_file_bytes:
                    raise BadRequest(413, "limit-exceeded", f"{name}: file is {len(data):,} bytes, over the limit of {service.limits.max_file_bytes:,} (--max-file-size)")
            assume = _flag(fields["assume_applicable"][-1], "assume_applicable") if fields["assume_applicable"] else False
            opts: CheckOptions = service.options(_ids(fields["pack"]), assume, _ids(fields["select"]), _ids(fields["ignore"]))
            fmt = (fields["format"][-1] if fields["format"] else "json").strip().lower()
            if fmt not in work.DIFF_MEDIA_TYPES:
                raise BadRequest(400, "bad-option", f"unknown format {fmt!r}; use one of {', '.join(work.DIFF_MEDIA_TYPES)}")
            out = await pool.run(work.diff_job, *files["old"], *files["new"], opts, fmt)
        except BadRequest as exc:
            return _json_error(exc.status, exc.code, exc.message)
        except Busy:
            return busy()
        return _outcome(out)

    async def check(request: Request) -> Response:
        return await upload(request, "check")

    async def review(request: Request) -> Response:
        return await upload(request, "review")

    async def annotate(request: Request) -> Response:
        return await upload(request, "annotate")

    async def packs(request: Request) -> Response:
        return JSONResponse(service.packs_json())

    async def rule(request: Request) -> Response:
        found = service.rule_json(request.path_params["rule_id"])
        if found is None:
            return _json_error(404, "not-found", f"unknown rule {request.path_params['rule_id']!r} (see GET /api/v1/packs)")
        return JSONResponse(found)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__, "packs": service.pack_names,
                             "workers": pool.jobs, "in_flight": pool.in_flight, "capacity": pool.capacity})

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(__version__))

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "bad-request")
        return _json_error(exc.status_code, code, str(exc.detail), exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        return _json_error(500, "internal", f"internal error ({type(exc).__name__}); please report it")

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/api/v1/check", check, methods=["POST"]),
        Route("/api/v1/review", review, methods=["POST"]),
        Route("/api/v1/annotate", annotate, methods=["POST"]),
        Route("/api/v1/diff", diff, methods=["POST"]),
        Route("/api/v1/packs", packs, methods=["GET"]),
        Route("/api/v1/rules/{rule_id}", rule, methods=["GET"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        # Here, not after uvicorn.run(): on SIGTERM uvicorn shuts down gracefully and
        # then re-raises the signal, which ends the process before any `finally`.
        pool.stop()

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error}, lifespan=lifespan)
    return Guard(app, config, max_body)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(host: str, port: int, config: Config, limits: Any, log: Callable[[str], None]) -> None:
    """Build the service and the pool, then serve until interrupted (``clause-lint serve``)."""
    import uvicorn

    service = Service(config.packs, limits)
    pool = Pool(service, config.jobs, config.queue)
    pool.start()
    try:
        app = create_app(service, pool, config)
        shown = f"[{host}]" if ":" in host else host
        log(f"clause-lint serve: http://{shown}:{port}/ ({config.jobs} worker(s); packs: {', '.join(service.pack_names)}"
            f"{'; token required' if config.token else ''})")
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, access_log=False,
                    timeout_graceful_shutdown=10)
    finally:
        pool.stop()
