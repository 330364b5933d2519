"""`clause-lint serve`: the HTTP API, tested against real server processes.

Each server is started as a user starts it (``python -m clause_lint serve``) on
127.0.0.1 on a free port and spoken to over HTTP with urllib.
"""

from __future__ import annotations

import http.client
import io
import json
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli
from tests.hostile_inputs import good_docx_bytes
from tests.serve_helpers import SAMPLES, Server, multipart, serve_available

pytestmark = pytest.mark.skipif(serve_available() is not None, reason=serve_available() or "")

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.is_file())


def cli_json(monkeypatch: pytest.MonkeyPatch, folder: Path, name: str, *args: str) -> bytes:
    """What `clause-lint check --format json NAME` prints, run in NAME's folder."""
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["check", "--isolated", "--no-cache", "-j", "1", "--format", "json", *args, name])
    assert result.exit_code in (0, 1), result.output
    return result.stdout_bytes


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def server(tmp_module: Path):  # type: ignore[no-untyped-def]
    # Its own TMPDIR, to see that uploads leave nothing behind.
    tmp = tmp_module / "server-tmp"
    tmp.mkdir()
    srv = Server("--jobs", "2", env={"TMPDIR": str(tmp)})
    srv.tmpdir = tmp  # type: ignore[attr-defined]
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def expected(tmp_module: Path) -> dict[str, bytes]:
    """The CLI's JSON for every sample, made once for the module."""
    mp = pytest.MonkeyPatch()
    try:
        return {p.name: cli_json(mp, SAMPLES, p.name) for p in SAMPLE_FILES}
    finally:
        mp.undo()


# ------------------------------------------------------------------- check = the CLI


@pytest.mark.parametrize("sample", [p.name for p in SAMPLE_FILES])
def test_check_json_is_the_clis(server: Server, expected: dict[str, bytes], sample: str) -> None:
    reply = server.upload("/api/v1/check", sample, (SAMPLES / sample).read_bytes())
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.body == expected[sample]


def test_check_options_match_the_clis(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = "brightfield-catering-services-agreement.pdf"  # not about facial analysis
    data = (SAMPLES / sample).read_bytes()
    want = cli_json(monkeypatch, SAMPLES, sample, "--assume-applicable", "--select", "SFP1,SFP301", "--ignore", "SFP102")
    reply = server.upload("/api/v1/check", sample, data,
                          [("assume_applicable", "true"), ("select", "SFP1"), ("select", "SFP301"), ("ignore", "SFP102"),
                           ("pack", "safe-face-pledge")])
    assert reply.status == 200, reply.body
    assert reply.body == want
    rules = [r["rule"] for r in reply.json()["documents"][0]["results"]]
    assert "SFP102" not in rules and "SFP301" in rules and all(r.startswith("SFP1") or r == "SFP301" for r in rules)


def test_check_other_formats_match_the_clis(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = "vantor-veripass-reseller-agreement.docx"
    data = (SAMPLES / sample).read_bytes()
    for fmt, media in (("sarif", "application/sarif+json"), ("html", "text/html")):
        want = cli_json(monkeypatch, SAMPLES, sample, "--format", fmt)
        reply = server.upload(f"/api/v1/check?format={fmt}", sample, data)
        assert reply.status == 200 and reply.headers["content-type"].startswith(media)
        assert reply.body == want


def test_inline_suppressions_come_from_the_upload_not_a_file(server: Server, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    text = (
        "# Facial Recognition Service Terms\n\n"
        "Customer may use the facial recognition service to verify users.\n\n"
        "<!-- clause-lint: disable-file SFP101 -- reviewed by counsel -->\n"
    )
    (tmp_path / "terms.md").write_text(text, encoding="utf-8")
    want = cli_json(monkeypatch, tmp_path, "terms.md")
    assert b'"by": "inline"' in want
    # The server's working folder has no terms.md: the comment is read from the bytes.
    reply = server.upload("/api/v1/check", "terms.md", text.encode())
    assert reply.status == 200 and reply.body == want


def test_upload_name_is_only_a_display_name(server: Server) -> None:
    data = (SAMPLES / "lumora-face-insights-api-terms.md").read_bytes()
    for given, shown in (("../../etc/passwd.md", "passwd.md"), ("C:\\Users\\x\\terms.md", "terms.md"),
                         ("/etc/hostname.md", "hostname.md"), ("..", "upload")):
        reply = server.upload("/api/v1/check", given, data)
        if shown == "upload":  # no extension left: the content decides, and text needs one
            assert reply.status == 415, reply.body
            continue
        assert reply.status == 200, reply.body
        assert reply.json()["documents"][0]["path"] == shown


# ------------------------------------------------------------------- the other routes


def test_annotate_returns_a_docx_with_comments(server: Server) -> None:
    # (the reseller sample has weak and missing clauses, so it gets comments)
    sample = "vantor-veripass-reseller-agreement.docx"
    reply = server.upload("/api/v1/annotate", sample, (SAMPLES / sample).read_bytes(), [("author", "Sales Ops")])
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert 'filename="vantor-veripass-reseller-agreement.reviewed.docx"' in reply.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(reply.body)) as zf:
        comments = zf.read("word/comments.xml").decode()
    assert int(reply.headers["x-clause-lint-comments"]) == comments.count("<w:comment ") >= 1
    assert 'w:author="Sales Ops"' in comments
    # A PDF cannot hold Word comments.
    pdf = server.upload("/api/v1/annotate", "k.pdf", (SAMPLES / "kestrel-sightline-saas-agreement.pdf").read_bytes())
    assert pdf.status == 415 and "cannot hold Word comments" in pdf.json()["error"]["message"]


def test_uploads_leave_nothing_in_the_temp_folder(server: Server) -> None:
    data = (SAMPLES / "vantor-veripass-reseller-agreement.docx").read_bytes()
    assert server.upload("/api/v1/annotate", "v.docx", data).status == 200
    big = data + b"\0" * (2 * 1024 * 1024)  # large enough to be spooled to disk while parsing
    server.upload("/api/v1/check", "v.docx", big)
    assert list(server.tmpdir.iterdir()) == []  # type: ignore[attr-defined]


def test_packs_rules_healthz_openapi(server: Server) -> None:
    packs = server.get("/api/v1/packs").json()
    assert [p["name"] for p in packs] == ["safe-face-pledge"] and packs[0]["default"] is True
    assert len(packs[0]["rules"]) >= 9 and packs[0]["rules"][0]["id"] == "SFP101"
    rule = server.get("/api/v1/rules/SFP101").json()
    assert rule["name"] == "no-lethal-use" and rule["fix"]["missing"]
    assert server.get("/api/v1/rules/no-lethal-use").json()["id"] == "SFP101"
    missing = server.get("/api/v1/rules/XYZ999")
    assert missing.status == 404 and missing.json()["error"]["code"] == "not-found"
    health = server.get("/healthz").json()
    assert health["status"] == "ok" and health["workers"] == 2

    spec = server.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    # Every documented path answers (no 404/405), and the documented error shape is the one sent.
    for path, methods in spec["paths"].items():
        for method in methods:
            url = path.replace("{rule_id}", "SFP101")
            if method == "get":
                reply = server.get(url)
                assert reply.status == 200, (path, reply.body)
            elif path == "/api/v1/diff":
                # one 'file' is not two versions (test_diff_returns_what_the_cli_prints sends both)
                reply = server.upload(url, "v.docx", (SAMPLES / "vantor-veripass-reseller-agreement.docx").read_bytes())
                assert reply.status == 400 and reply.json()["error"]["code"] == "missing-file", reply.body
            else:
                reply = server.upload(url, "v.docx", (SAMPLES / "vantor-veripass-reseller-agreement.docx").read_bytes())
                assert reply.status == 200, (path, reply.body)
    assert set(spec["paths"]) == {"/", "/healthz", "/openapi.json", "/api/v1/check", "/api/v1/annotate",
                                  "/api/v1/review", "/api/v1/diff", "/api/v1/packs", "/api/v1/rules/{rule_id}"}
    assert spec["components"]["schemas"]["Error"]["properties"]["error"]["required"] == ["code", "message"]


def test_review_has_text_and_offsets_that_match_the_evidence(server: Server, expected: dict[str, bytes]) -> None:
    sample = "lumora-face-insights-api-terms.md"
    review = server.upload("/api/v1/review", sample, (SAMPLES / sample).read_bytes()).json()
    assert review["renderings"]["json"].encode() == expected[sample]
    assert review["report"] == json.loads(expected[sample])
    text = review["document"]["text"]
    evidence = [e for r in review["report"]["documents"][0]["results"] for e in r["evidence"]]
    assert evidence
    for e in evidence:
        # The passage the page highlights is the evidence's own text.
        assert " ".join(text[e["start"]:e["end"]].split())[:40] in " ".join(e["text"].split()) or e["text"].startswith("…")
    assert review["renderings"]["sarif"].startswith("{") and "<html" in review["renderings"]["html"][:200].lower()


# ------------------------------------------------------------------- bad input


def _error(reply) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    body = reply.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert "Traceback" not in reply.body.decode()
    return reply.status, body["error"]["code"]


def test_bad_inputs_give_json_errors(server: Server) -> None:
    good = good_docx_bytes()
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    cases = [
        (server.upload("/api/v1/check", "offer.xlsx", xlsx.getvalue()), 415, "unsupported-format"),
        (server.upload("/api/v1/check", "photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100), 415, "unsupported-format"),
        (server.upload("/api/v1/check", "broken.docx", good[: len(good) // 2]), 400, "corrupt"),
        (server.upload("/api/v1/check", "empty.txt", b""), 400, "empty"),
        (server.upload("/api/v1/check", "a.docx", good, [("pack", "no-such-pack")]), 400, "unknown-pack"),
        (server.upload("/api/v1/check", "a.docx", good, [("select", "XYZ9")]), 400, "unknown-rule"),
        (server.upload("/api/v1/check", "a.docx", good, [("assume_applicable", "maybe")]), 400, "bad-option"),
        (server.upload("/api/v1/check", "a.docx", good, [("format", "pdf")]), 400, "bad-option"),
        (server.request("POST", "/api/v1/check", b"{}", {"Content-Type": "application/json"}), 415, "unsupported-media-type"),
        (server.request("POST", "/api/v1/check", *_no_file()), 400, "missing-file"),
        (server.request("POST", "/api/v1/check", b"--x\r\nbroken", {"Content-Type": "multipart/form-data; boundary=x"}), 400, None),
        (server.get("/api/v1/check"), 405, "method-not-allowed"),
        (server.get("/no/such/page"), 404, "not-found"),
    ]
    for reply, status, code in cases:
        got = _error(reply)
        assert got[0] == status, (status, code, reply.body)
        if code is not None:
            assert got[1] == code, reply.body
    # The message names the upload, not a path on the server.
    msg = server.upload("/api/v1/check", "broken.docx", good[:100]).json()["error"]["message"]
    assert msg.startswith("broken.docx: ")


def _no_file() -> tuple[bytes, dict[str, str]]:
    body, ctype = multipart(None, None, [("pack", "safe-face-pledge")])
    return body, {"Content-Type": ctype}


def test_twenty_concurrent_uploads_all_answered_correctly(server: Server, expected: dict[str, bytes]) -> None:
    names = [SAMPLE_FILES[i % len(SAMPLE_FILES)].name for i in range(20)]

    def one(name: str) -> tuple[str, int, bytes]:
        reply = server.upload("/api/v1/check", name, (SAMPLES / name).read_bytes())
        return name, reply.status, reply.body

    with ThreadPoolExecutor(20) as ex:
        replies = list(ex.map(one, names))
    assert len(replies) == 20
    for name, status, body in replies:
        assert status == 200 and body == expected[name], name


# ------------------------------------------------------------------- token, limits, busy


@pytest.fixture(scope="module")
def public_server():  # type: ignore[no-untyped-def]
    """Bound to every interface (only inside this test), so a token is required;
    small limits, one worker and no queue to see 413 and 503."""
    srv = Server("--host", "0.0.0.0", "--token", "s3cret-token", "--jobs", "1", "--queue", "0",
                 "--max-file-size", "200000")
    yield srv
    srv.stop()


def test_token_is_enforced_off_loopback(public_server: Server) -> None:
    data = (SAMPLES / "lumora-face-insights-api-terms.md").read_bytes()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer s3cret-token-and-more"},
                    {"Authorization": "s3cret-token"}):
        for reply in (public_server.get("/healthz", headers=headers, auth=False),
                      public_server.get("/", headers=headers, auth=False),
                      public_server.upload("/api/v1/check", "t.md", data, headers=headers, auth=False)):
            assert _error(reply) == (401, "unauthorized")
            assert "www-authenticate" in reply.headers
    assert public_server.get("/healthz").status == 200
    assert public_server.upload("/api/v1/check", "t.md", data).status == 200
    # A browser sends the token as the password of HTTP Basic authentication.
    import base64

    basic = base64.b64encode(b"anyone:s3cret-token").decode()
    assert public_server.get("/", headers={"Authorization": f"Basic {basic}"}, auth=False).status == 200


def test_refuses_to_bind_elsewhere_without_a_token() -> None:
    env = {k: v for k, v in __import__("os").environ.items() if k != "CLAUSE_LINT_TOKEN"}
    proc = subprocess.run([sys.executable, "-m", "clause_lint", "serve", "--host", "0.0.0.0", "--port", "1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "clause-lint: error: refusing to listen on 0.0.0.0 without a token: give --token or set CLAUSE_LINT_TOKEN (or listen on 127.0.0.1)"
    ]


def test_without_token_only_loopback_host_names(server: Server) -> None:
    reply = server.get("/healthz", headers={"Host": "attacker.example"})
    assert _error(reply) == (400, "bad-host")
    assert server.get("/healthz", headers={"Host": "localhost"}).status == 200


def test_too_large_uploads_get_413(public_server: Server) -> None:
    big = b"The Customer shall not use the Service. " * 10000  # 400 kB > 200,000 bytes
    assert _error(public_server.upload("/api/v1/check", "big.txt", big)) == (413, "limit-exceeded")
    # Without Content-Length (chunked), the server stops reading at the limit.
    body, ctype = multipart("big.txt", big)
    conn = http.client.HTTPConnection("127.0.0.1", public_server.port, timeout=60)
    conn.request("POST", "/api/v1/check", body=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                 headers={"Content-Type": ctype, "Authorization": "Bearer s3cret-token"}, encode_chunked=True)
    resp = conn.getresponse()
    payload = json.loads(resp.read())
    conn.close()
    assert resp.status == 413 and payload["error"]["code"] == "limit-exceeded"


def test_busy_server_answers_503(public_server: Server) -> None:
    data = (SAMPLES / "aurelia-facematch-saas-agreement.docx").read_bytes()

    def one(_: int):  # type: ignore[no-untyped-def]
        return public_server.upload("/api/v1/check", "a.docx", data)

    with ThreadPoolExecutor(8) as ex:
        replies = list(ex.map(one, range(8)))
    statuses = sorted(r.status for r in replies)
    assert set(statuses) <= {200, 503} and 200 in statuses and 503 in statuses, statuses
    busy = next(r for r in replies if r.status == 503)
    assert _error(busy) == (503, "busy") and busy.headers["retry-after"] == "2"
    # The server stays healthy afterwards.
    assert public_server.upload("/api/v1/check", "a.docx", data).status == 200


# ------------------------------------------------------------------- several packs


def test_several_packs_match_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_packs import HOUSE_PACK

    pack = tmp_path / "house.yaml"
    pack.write_text(HOUSE_PACK, encoding="utf-8")
    doc = tmp_path / "dpa.md"
    doc.write_text(
        "# Data Processing and Face Recognition Terms\n\n"
        "1. Processor shall not sell personal data without our prior written consent.\n\n"
        "2. Customer shall not use the facial recognition service in any weapon system.\n",
        encoding="utf-8")
    data = doc.read_bytes()
    srv = Server("--jobs", "1", "--pack", "safe-face-pledge", "--pack", str(pack))
    try:
        assert [p["name"] for p in srv.get("/api/v1/packs").json()] == ["safe-face-pledge", "house-rules"]
        cases = [
            ((), ("--pack", "safe-face-pledge", "--pack", str(pack))),  # default: every pack the server loaded
            ((("pack", "house-rules"),), ("--pack", str(pack))),
            ((("pack", "house-rules,safe-face-pledge"),), ("--pack", str(pack), "--pack", "safe-face-pledge")),
        ]
        for fields, cli_args in cases:
            want = cli_json(monkeypatch, tmp_path, "dpa.md", *cli_args)
            reply = srv.upload("/api/v1/check", "dpa.md", data, fields)
            assert reply.status == 200 and reply.body == want, fields
        # A client names loaded packs; it cannot make the server load a file.
        assert _error(srv.upload("/api/v1/check", "dpa.md", data, [("pack", str(pack))])) == (400, "unknown-pack")
    finally:
        srv.stop()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc (Linux)")
def test_server_recovers_when_its_workers_are_killed(tmp_path: Path) -> None:
    import os
    import signal as _signal

    srv = Server("--jobs", "2")
    try:
        data = (SAMPLES / "lumora-face-insights-api-terms.md").read_bytes()
        assert srv.upload("/api/v1/check", "t.md", data).status == 200
        children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == srv.proc.pid]
        assert len(children) == 2
        for pid in children:
            os.kill(pid, _signal.SIGKILL)
        import time

        time.sleep(1)
        reply = srv.upload("/api/v1/check", "t.md", data)
        assert reply.status == 200, reply.body
        assert srv.get("/healthz").status == 200
    finally:
        srv.stop()


def _ppid(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def test_diff_returns_what_the_cli_prints(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    old = ("# Face Match Terms\n\n1. Customer shall not use the facial recognition Service in any weapon system.\n\n"
           "2. Customer shall not use the Service for mass surveillance.\n")
    new = "# Face Match Terms\n\n1. Customer shall not use the Service for mass surveillance.\n"
    (tmp_path / "old.md").write_text(old, encoding="utf-8")
    (tmp_path / "new.md").write_text(new, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["diff", "old.md", "new.md", "--format", "json", "--isolated"])
    assert res.exit_code == 1, res.output  # the weapons ban was deleted: a regression at the error level
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{key}.md"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + text.encode() + b"\r\n"
        for key, text in (("old", old), ("new", new))
    ) + f"--{boundary}--\r\n".encode()
    reply = server.request("POST", "/api/v1/diff", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert reply.status == 200, reply.body
    assert reply.body == res.stdout.encode("utf-8")
    assert json.loads(reply.body)["regressions"][0]["rule"] == "SFP101"
    # one version only: a clear 400, never a stack trace
    half = body.split(f"--{boundary}\r\nContent-Disposition: form-data; name=\"new\"".encode())[0] + f"--{boundary}--\r\n".encode()
    bad = server.request("POST", "/api/v1/diff", half, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert bad.status == 400 and bad.json()["error"]["code"] == "missing-file"
