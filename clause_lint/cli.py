"""The ``clause-lint`` command: parse options, call the library, choose exit codes.

Exit codes (all commands): 0 — nothing reached the fail level; 1 — a finding did;
2 — a file could not be read, or a pack, config or option is invalid. Errors are
one line each on stderr (``PATH: error: message``); no traceback reaches the user.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional, Sequence

import click

from . import __version__
from .errors import ClauseLintError
from .settings import FAIL_LEVELS, Settings

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

CHECK_FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html")


def _err(message: str) -> None:
    click.echo(message, err=True)


def _split_ids(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _use_color(flag: Optional[bool], stream: Any) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Group(click.Group):
    """Turns any unexpected exception into one line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClauseLintError as exc:
            _err(f"clause-lint: error: {exc.message}")
            ctx.exit(EXIT_ERROR)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            _err("clause-lint: interrupted")
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(EXIT_OK)
        except Exception as exc:  # pragma: no cover - a bug, but never a traceback
            _err(f"clause-lint: internal error: {type(exc).__name__}: {exc} (please report it)")
            ctx.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="clause-lint", message="%(prog)s %(version)s")
def cli() -> None:
    """Lint contracts and policy documents against rule packs.

    Reads .docx, .pdf, .txt, .md and .html files, finds the clauses each rule of a
    pack requires, and reports each as present, weak, missing or contradicted, with
    its location, the reason and model clause language to fix it.
    """


# --------------------------------------------------------------------------- check
@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR",
              help="Rule pack to apply (repeatable): a bundled pack name, a pack file or a folder of packs. Default: safe-face-pledge.")
@click.option("--assume-applicable", is_flag=True, default=None,
              help="Check every rule even when a document is outside the pack's subject (otherwise: not_applicable).")
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default=None, help="Output format. Default: text.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default=None,
              help="Lowest severity of an unsuppressed finding that makes the exit code 1. Default: error.")
@click.option("--select", multiple=True, metavar="IDS", help="Only these rules (ids or names, comma-separated; repeatable; a prefix such as SFP1 selects a group).")
@click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or names, comma-separated; repeatable).")
@click.option("--color/--no-color", default=None, help="Colour the text output. Default: when writing to a terminal and NO_COLOR is unset.")
@click.option("--hide-present", is_flag=True, help="Text output: list only rules that need attention.")
@click.option("-v", "--verbose", is_flag=True, help="Show every piece of evidence, not only the deciding one.")
def check_cmd(
    paths: tuple[str, ...],
    packs: tuple[str, ...],
    assume_applicable: Optional[bool],
    fmt: Optional[str],
    output: Optional[str],
    fail_on: Optional[str],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: Optional[bool],
    hide_present: bool,
    verbose: bool,
) -> None:
    """Check PATHS (files or folders, searched recursively) against rule packs.

    \b
    Exit codes: 0 nothing at the fail level, 1 findings at the fail level,
                2 a file could not be read or a pack/option is invalid.
    """
    from .report import RenderOptions, count_failing, render
    from .runner import make_linter, run

    if not paths:
        raise click.UsageError("give at least one file or folder to check")
    settings = Settings()
    if packs:
        settings.packs = list(packs)
    if assume_applicable is not None:
        settings.assume_applicable = assume_applicable
    if fmt:
        settings.format = fmt
    if fail_on:
        settings.fail_on = fail_on
    if select:
        settings.select = set(_split_ids(select))
    if ignore:
        settings.ignore = set(_split_ids(ignore))

    linter = make_linter(settings)
    _check_rule_ids(linter, settings)
    report = run(paths, settings, linter)

    stream = sys.stdout
    options = RenderOptions(
        color=_use_color(color, stream) if output is None and settings.format == "text" else False,
        fail_on=settings.fail_on,
        show_present=not hide_present,
        verbose=verbose,
    )
    text = render(report, settings.format, options)
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            raise ClauseLintError(f"{output}: cannot write report: {exc.strerror or exc}") from None
    else:
        click.echo(text, nl=False)
    errors = [d for d in report.documents if d.error is not None]
    if settings.format != "text" or output:
        # Text output already lists errors inline; machine formats keep stdout clean.
        for d in errors:
            _err(f"{d.path}: error: {d.error.message}")  # type: ignore[union-attr]
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if count_failing(report, settings.fail_on) else EXIT_OK)


def _check_rule_ids(linter: Any, settings: Settings) -> None:
    known = {r.id for p in linter.packs for r in p.rules} | {r.name for p in linter.packs for r in p.rules}
    for ident in sorted((settings.select or set()) | settings.ignore):
        if ident not in known and not any(k.startswith(ident) for k in known):
            raise ClauseLintError(f"unknown rule {ident!r} in --select/--ignore (see `clause-lint rules`)")


# --------------------------------------------------------------------------- extract
@cli.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all-parts", is_flag=True, help="Also show headers, footers and footnotes (not linted).")
def extract_cmd(paths: tuple[str, ...], fmt: str, all_parts: bool) -> None:
    """Show what the linter sees in each file: blocks, sections, lead-ins, locations.

    One JSON object for one file, {"documents": [...]} for several.
    """
    from .api import load_document
    from .discover import discover
    from .report.document import render_document_text, render_documents_json

    found = discover(paths)
    failed = False
    docs = []
    for path, message in found.problems:
        _err(f"{path}: error: {message}")
        failed = True
    for path in found.files:
        try:
            docs.append(load_document(path))
        except ClauseLintError as exc:
            _err(f"{path}: error: {exc.message}")
            failed = True
        except Exception as exc:  # a reader bug costs one file, not the run
            _err(f"{path}: error: internal error while reading ({type(exc).__name__}: {exc})")
            failed = True
    if fmt == "json":
        if docs:
            click.echo(render_documents_json(docs, all_parts), nl=False)
    else:
        for doc in docs:
            click.echo(render_document_text(doc, all_parts), nl=False)
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


# --------------------------------------------------------------------------- rules / explain
@cli.command("rules")
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR", help="Packs to list (default: every bundled pack).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(packs: tuple[str, ...], fmt: str) -> None:
    """List rule packs and their rules."""
    import json

    from .rules import bundled_pack_names, load_packs

    loaded = load_packs(packs or bundled_pack_names())
    if fmt == "json":
        data = [
            {
                "name": p.name, "version": p.version, "title": p.title, "path": p.path,
                "rules": [{"id": r.id, "name": r.name, "title": r.title, "summary": r.summary,
                           "severity": r.severity, "reference": r.reference} for r in p.rules],
            }
            for p in loaded
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for p in loaded:
        click.echo(f"{p.name} {p.version} — {p.title} ({p.path})")
        for r in p.rules:
            click.echo(f"  {r.id}  {r.name:<32} {r.title}")


@cli.command("explain")
@click.argument("rule_id")
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR", help="Packs to search (default: every bundled pack).")
def explain_cmd(rule_id: str, packs: tuple[str, ...]) -> None:
    """Explain a rule: what it requires, why, examples, and the model clause."""
    import textwrap

    from .rules import bundled_pack_names, load_packs

    loaded = load_packs(packs or bundled_pack_names())
    for p in loaded:
        for r in p.rules:
            if rule_id.upper() == r.id or rule_id == r.name:
                w = lambda s, ind="  ": textwrap.fill(" ".join(s.split()), 88, initial_indent=ind, subsequent_indent=ind)  # noqa: E731
                click.echo(f"{r.id} {r.name} — {r.title}  [{p.name} {p.version}]")
                ref = r.reference or {}
                if ref:
                    click.echo(f"Reference: {ref.get('title', '')} §{ref.get('section', '')} {ref.get('url', '')}".rstrip())
                click.echo("\nWhat it requires:\n" + w(r.summary))
                if r.explanation:
                    click.echo("\nWhy:\n" + w(r.explanation))
                click.echo("\nSeverity: " + ", ".join(f"{k} → {v}" for k, v in sorted(r.severity.items())))
                for status in ("present", "weak", "missing", "contradicted"):
                    for ex in r.examples.get(status, []):
                        click.echo(f"\nExample ({status}):\n" + w(ex, "  > "))
                for status in ("missing", "weak", "contradicted"):
                    if r.fix.get(status):
                        click.echo(f"\nModel clause when {status}:\n" + w(r.fix[status]))
                return
    raise ClauseLintError(f"unknown rule {rule_id!r} (see `clause-lint rules`)")


# --------------------------------------------------------------------------- eval
@cli.command("eval")
@click.argument("labels_dir", type=click.Path(exists=True, file_okay=False, path_type=str))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR", help="Rule pack(s) to score (default: safe-face-pledge).")
@click.option("--assume-applicable/--no-assume-applicable", default=True, show_default=True,
              help="Judge every rule whatever the document's subject (labels are made this way).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="List every disagreement.")
def eval_cmd(labels_dir: str, paths: tuple[str, ...], packs: tuple[str, ...], assume_applicable: bool, fmt: str, verbose: bool) -> None:
    """Score packs against labelled documents (<stem>.labels.json in LABELS_DIR).

    Prints per-rule confusion, accuracy, balanced accuracy, false assurance (truth is
    not present, verdict says present) and false alarm (truth is present, verdict
    says otherwise).
    """
    import json

    from .evaluate import format_scores, score, to_json
    from .runner import make_linter, run

    settings = Settings(assume_applicable=assume_applicable)
    if packs:
        settings.packs = list(packs)
    report = run(paths, settings, make_linter(settings))
    try:
        scores = score(report.documents, labels_dir)
    except (ValueError, OSError) as exc:
        raise ClauseLintError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(to_json(scores), indent=2, sort_keys=True))
    else:
        click.echo(format_scores(scores, verbose), nl=False)
    sys.exit(EXIT_ERROR if scores.errors else EXIT_OK)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: ``clause-lint`` and ``python -m clause_lint``."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="clause-lint", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_ERROR)
    return EXIT_OK
