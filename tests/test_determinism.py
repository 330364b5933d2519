"""Same inputs, same bytes; and nothing leaves the machine.

The whole CLI runs in process (click's runner) over the bundled samples: JSON and
SARIF output must be byte-identical across runs and across ``--jobs`` values, and a
run with every way of opening a network connection disabled must succeed.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from clause_lint.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_contracts"
COMMON = ["--no-cache", "--isolated", "--no-color"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(SAMPLES), *COMMON, *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = {}
    for fmt in ("json", "sarif"):
        for jobs in ("1", "2"):
            for attempt in (1, 2):
                out[(fmt, jobs, attempt)] = run("--format", fmt, "--jobs", jobs)
    return out


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_output_is_byte_identical_across_runs(outputs, fmt):
    first = outputs[(fmt, "1", 1)]
    assert first[0] in (0, 1) and first[1].strip()
    assert outputs[(fmt, "1", 2)] == first


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_output_does_not_depend_on_the_number_of_workers(outputs, fmt):
    assert outputs[(fmt, "2", 1)] == outputs[(fmt, "1", 1)]
    assert outputs[(fmt, "2", 2)] == outputs[(fmt, "1", 1)]


def test_no_network_access(monkeypatch):
    attempts: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(name)
            raise OSError(f"network access attempted: socket.{name}")
        return blocked

    monkeypatch.setattr(socket, "socket", refuse("socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    code, stdout = run("--format", "json", "--jobs", "1")
    assert code in (0, 1), stdout[-2000:]
    assert '"error": null' in stdout
    assert attempts == []
