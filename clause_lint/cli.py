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
from .safefile import write_file
from .text import printable
from .settings import FAIL_LEVELS, Settings
from .spacy_import import leave_out_spacy_cli

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

CHECK_FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "markdown", "html")
SUPPORTED_EXTENSIONS = ".docx .pdf .txt .md .html"


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


def _limit_options(fn: Any) -> Any:
    """Resource limits for untrusted input (clause_lint.limits, clause_lint.guard),
    shared by every command that reads documents."""
    options = [
        click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
                     help="Refuse files larger than BYTES. Default: 100 MiB."),
        click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Refuse PDFs with more pages. Default: 2000."),
        click.option("--max-chars", type=click.IntRange(min=1), default=None,
                     help="Refuse documents with more characters of text. Default: 20,000,000."),
        click.option("--timeout", "timeout_seconds", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
                     help="Time budget per document; 0 = none. Default: 300."),
        click.option("--ocr", type=click.Choice(["auto", "never", "always"]), default=None,
                     help="Recognise the text of scanned PDF pages with Tesseract: auto (pages without usable text, "
                          "when Tesseract is installed), never, or always (every page). Default: auto."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _limits(base: Any, max_file_size: Optional[int], max_pages: Optional[int], max_chars: Optional[int],
            timeout_seconds: Optional[float], ocr: Optional[str] = None) -> Any:
    return base.updated(max_file_bytes=max_file_size, max_pages=max_pages, max_chars=max_chars, max_seconds=timeout_seconds,
                        ocr=ocr)


# --------------------------------------------------------------------------- check
@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR",
              help="Rule pack to apply (repeatable): a bundled pack name, a pack file or a folder of packs. Default: safe-face-pledge.")
@click.option("--assume-applicable/--no-assume-applicable", default=None,
              help="Check every rule even when a document is outside the pack's subject (otherwise: not_applicable).")
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default=None,
              help="Output format. Default: text. jsonl streams: one document a line (the JSON format's document "
                   "object, compact, sorted keys), written as soon as it and every document before it are done, "
                   "in the JSON format's order (by path); then one {\"type\": \"summary\", ...} line. "
                   "With -o the lines stream into a temporary file beside FILE, renamed to FILE at the end.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default=None,
              help="Lowest severity of an unsuppressed finding that makes the exit code 1. Default: error.")
@click.option("--select", multiple=True, metavar="IDS", help="Only these rules (ids or names, comma-separated; repeatable; a prefix such as SFP1 selects a group).")
@click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or names, comma-separated; repeatable).")
@click.option("--color/--no-color", default=None, help="Colour the text output. Default: when writing to a terminal and NO_COLOR is unset.")
@click.option("--hide-present", is_flag=True, help="Text output: list only rules that need attention.")
@click.option("-v", "--verbose", is_flag=True, help="Show every piece of evidence, not only the deciding one.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per CPU; 1: check in this process).")
@click.option("--scheduler", metavar="tcp://HOST:PORT|local:N", default=None,
              help="Check documents on a Dask cluster (needs: pip install 'clause-lint[dask]'): the scheduler's "
                   "address, or local:N to start N worker processes here. Documents are sent as bytes (no shared "
                   "disk); the report is the same as a local run's. See docs/dask.md.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Result cache folder. Default: $CLAUSE_LINT_CACHE_DIR, else .clause-lint-cache in the current folder.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
# -- configuration, suppressions, baseline, extra outputs (docs/configuration.md)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Read settings from FILE (.clause-lint.yaml or pyproject.toml) instead of the one found by walking up from the current folder.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration and waiver file found on disk.")
@click.option("--severity", "severities", multiple=True, metavar="RULE:STATUS=LEVEL",
              help="Override a rule's severity for a status, e.g. SFP202:missing=info (repeatable).")
@click.option("--include", "includes", multiple=True, metavar="GLOB", help="In folders, check only files matching GLOB (repeatable).")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable).")
@click.option("--waivers", "waivers_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Waiver file. Default: clause-lint-waivers.yaml beside the config file or in the current folder.")
@click.option("--strict-waivers/--no-strict-waivers", default=None,
              help="Exit 1 when a waiver has expired or matched no finding (otherwise a warning).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Report findings recorded in this baseline as waived; only new ones fail.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Record the current findings in FILE (JSON) and report them as waived.")
@click.option("--output-format", "extra_outputs", multiple=True, metavar="FMT=FILE",
              help="Also write the report in format FMT to FILE (repeatable), e.g. sarif=results.sarif.")
@click.option("--allow-empty/--no-allow-empty", default=None,
              help="Exit 0 when no document is found to check (an empty folder, only unsupported files). Default: that is an error (exit 2).")
@_limit_options
@click.option("--diff-base", "diff_base", metavar="REF", default=None,
              help="In a git repository: compare each document with its version at REF (git show REF:path) and report "
                   "only regressions; unchanged documents are skipped, new ones checked in full. No result cache.")
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
    jobs: Optional[int] = None,
    scheduler: Optional[str] = None,
    cache_dir: Optional[str] = None,
    no_cache: bool = False,
    config_file: Optional[str] = None,
    isolated: bool = False,
    severities: tuple[str, ...] = (),
    includes: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    waivers_file: Optional[str] = None,
    strict_waivers: Optional[bool] = None,
    baseline_file: Optional[str] = None,
    write_baseline_file: Optional[str] = None,
    extra_outputs: tuple[str, ...] = (),
    allow_empty: Optional[bool] = None,
    max_file_size: Optional[int] = None,
    max_pages: Optional[int] = None,
    max_chars: Optional[int] = None,
    timeout_seconds: Optional[float] = None,
    ocr: Optional[str] = None,
    diff_base: Optional[str] = None,
) -> None:
    """Check PATHS (files or folders, searched recursively) against rule packs.

    With --diff-base REF (in a git repository) only what got worse since REF is
    reported: a commit that weakens a clause fails, one that touches an old,
    imperfect document does not.

    \b
    Exit codes: 0 nothing at the fail level, 1 findings at the fail level,
                2 a file could not be read or a pack/option is invalid.
    """
    from .report import RenderOptions, count_failing, render
    from .runner import check_rule_ids, check_suppression_files, every_rule, make_linter, run
    from .factory import settle_collector

    if not paths:
        raise click.UsageError("give at least one file or folder to check")
    settings = _check_settings(
        config_file, isolated,
        packs=list(packs) or None,
        assume_applicable=assume_applicable,
        format=fmt,
        fail_on=fail_on,
        select=set(_split_ids(select)) or None,
        ignore=set(_split_ids(ignore)) or None,
        include=list(includes) or None,
        exclude=list(excludes) or None,
        waivers=waivers_file,
        strict_waivers=strict_waivers,
        baseline=baseline_file,
        write_baseline=write_baseline_file,
        allow_empty=allow_empty,
    )
    _apply_severity_flags(settings, severities)
    outputs = _parse_outputs(extra_outputs)

    from .cache import default_cache_dir

    if jobs is not None:
        settings.jobs = jobs
    if scheduler is not None:
        from .dask_backend import parse_scheduler, require

        if jobs is not None:
            raise click.UsageError("--jobs and --scheduler cannot be combined: the cluster has its own workers")
        require()
        parse_scheduler(scheduler)
        settings.scheduler = scheduler
    settings.limits = _limits(settings.limits, max_file_size, max_pages, max_chars, timeout_seconds, ocr)
    settings.cache_dir = None if no_cache else (cache_dir or settings.cache_dir or default_cache_dir())

    built: list[Any] = []

    def build_linter(s: Settings) -> Any:
        # Only called when some document is not in the result cache: a fully
        # cached run loads neither the packs nor spaCy.
        new = make_linter(s)
        check_rule_ids(every_rule(new), s)
        check_suppression_files(every_rule(new), s, complete=True)
        built.append(new)
        settle_collector()
        return new

    from .discover import discover

    found = discover(paths, settings.include, settings.exclude)
    _say_skipped(found)
    if not found.files and not found.problems and not settings.allow_empty:
        raise ClauseLintError(_nothing_to_check(paths, found) + "; --allow-empty accepts an empty run")
    base_run = None
    if diff_base is not None and settings.scheduler:
        raise click.UsageError("--diff-base checks the changed documents here; it cannot be combined with --scheduler")
    if diff_base is not None and settings.write_baseline:
        raise click.UsageError("--write-baseline records every finding; it cannot be combined with --diff-base")
    if diff_base is None and settings.format == "jsonl":
        _check_streamed(paths, settings, found, output, outputs, build_linter, built)
    if diff_base is not None:
        from .gitbase import check_against_base

        report, base_run = check_against_base(paths, settings, build_linter, diff_base)
    else:
        report = run(paths, settings, progress=_progress_bar(), linter_factory=build_linter, discovered=found)
    linter = built[0] if built else None
    if linter is None and diff_base is None:  # every result came from the cache (rule ids are in its key)
        check_suppression_files(report.rules, settings, complete=False)
    from .runner import apply_suppressions

    notices = apply_suppressions(report, settings, linter)
    if diff_base is not None:
        # Only regressions are reported, so a waiver for an older finding matches
        # nothing here without being stale.
        notices = [n for n in notices if n.kind != "unused"]

    stream = sys.stdout
    to_terminal = output is None and settings.format == "text"
    options = RenderOptions(
        color=_use_color(color, stream) if to_terminal else False,
        fail_on=settings.fail_on,
        show_present=not hide_present,
        verbose=verbose,
        # Errors always go to stderr; the text report lists them in place as well,
        # unless both print on the same terminal (each error would show twice).
        inline_errors=not (to_terminal and _same_terminal(sys.stdout, sys.stderr)),
    )
    text = render(report, settings.format, options)
    if output:
        write_file(output, text)
    else:
        # click strips ANSI codes when stdout is not a terminal unless told otherwise;
        # --color must survive a pipe ("| less -R").
        click.echo(text, nl=False, color=options.color)
    for extra_fmt, extra_file in outputs:
        # Files never get colour; otherwise the same options as the main output.
        extra = render(report, extra_fmt, RenderOptions(fail_on=settings.fail_on, show_present=not hide_present, verbose=verbose))
        write_file(extra_file, extra)
    errors = [d for d in report.documents if d.error is not None]
    for d in errors:
        _err(f"{printable(d.path)}: error: {d.error.message}")  # type: ignore[union-attr]
    for notice in notices:
        _err(notice.message)
    if base_run is not None:
        for note in base_run.notes:
            _err(note)
        _err(base_run.summary())
    if errors:
        sys.exit(EXIT_ERROR)
    failing = count_failing(report, settings.fail_on)
    if settings.strict_waivers and any(n.strict for n in notices):
        failing += 1  # --strict-waivers: a stale waiver is a finding of its own
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


def _check_streamed(paths: Sequence[str], settings: Settings, found: Any, output: Optional[str],
                    outputs: Sequence[tuple[str, str]], build_linter: Any, built: list[Any]) -> None:
    """``check --format jsonl``: each document is written (and flushed) as soon as it
    is known, and only counters are kept, so memory does not grow with the run.
    Exits like every other format."""
    from .report.jsonl import document_line, summary_line
    from .runner import check_suppression_files, run_stream

    if outputs:
        raise click.UsageError("--output-format needs the whole report, which --format jsonl does not keep; "
                               "run again with the other format, or convert the JSON Lines")

    def prepare(context: Any) -> None:
        if not built:  # every result comes from the cache: check waiver files against its rules
            check_suppression_files(context.rules, settings, complete=False)

    def stream(fh: Any) -> Any:
        def emit(doc: Any, context: Any) -> None:
            fh.write(document_line(context, doc).encode("utf-8"))
            fh.flush()
            if doc.error is not None:
                _err(f"{printable(doc.path)}: error: {doc.error.message}")

        done = run_stream(paths, settings, emit, progress=_progress_bar(), linter_factory=build_linter,
                          discovered=found, prepare=prepare)
        fh.write(summary_line(done.context, done.tally.summary()).encode("utf-8"))
        fh.flush()
        return done

    box: list[Any] = []
    if output:
        write_file(output, lambda fh: box.append(stream(fh)))
    else:
        # sys.stdout's own byte stream (click.get_binary_stream is deprecated in Click 8.2)
        box.append(stream(sys.stdout.buffer))
    done = box[0]
    for notice in done.notices:
        _err(notice.message)
    if done.tally.errors:
        sys.exit(EXIT_ERROR)
    failing = done.failing
    if settings.strict_waivers and any(n.strict for n in done.notices):
        failing += 1
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


def _same_terminal(a: Any, b: Any) -> bool:
    """Whether streams ``a`` and ``b`` are the same terminal device."""
    try:
        return bool(a.isatty() and b.isatty() and os.path.samestat(os.fstat(a.fileno()), os.fstat(b.fileno())))
    except (AttributeError, ValueError, OSError):
        return False


def _say_skipped(found: Any) -> None:
    """One stderr line per document left out for its format; one line counting the
    other files (code, images, data) that folder walks met."""
    for path, why in found.skipped:
        _err(f"{printable(path)}: skipped: {why}")
    if found.not_documents:
        from collections import Counter

        kinds = Counter(os.path.splitext(p)[1].lower() or "no extension" for p in found.not_documents)
        listed = ", ".join(f"{ext} ({n})" if n > 1 else ext for ext, n in sorted(kinds.items()))
        count = len(found.not_documents)
        what = "file that is not a supported document" if count == 1 else "files that are not supported documents"
        _err(f"clause-lint: skipped {count} {what} ({listed}); supported: {SUPPORTED_EXTENSIONS}")


def _nothing_to_check(paths: Sequence[str], found: Any) -> str:
    where = ", ".join(printable(p) for p in paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    left = len(found.skipped) + len(found.not_documents)
    why = f" ({left} file{'s' if left != 1 else ''} skipped, see above)" if left else ""
    return f"no document to check in {where}{why}"


def _check_settings(config_file: Optional[str], isolated: bool, **flags: Any) -> Settings:
    """Defaults, then the config file (unless --isolated), then every flag given."""
    from .config import apply_config, default_waivers_path, find_config, load_config

    if config_file and isolated:
        raise click.UsageError("--config and --isolated cannot be used together")
    settings = Settings()
    path = None if isolated else (config_file or find_config())
    if path:
        apply_config(settings, load_config(path))
    for key, value in flags.items():
        if value is not None:
            setattr(settings, key, value)
            settings.origins.pop(key, None)
    if settings.waivers is None and not isolated:
        settings.waivers = default_waivers_path(settings)
    return settings


def _apply_severity_flags(settings: Settings, values: Sequence[str]) -> None:
    from .config import parse_severity_option

    for value in values:
        try:
            rule, levels = parse_severity_option(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--severity") from None
        settings.severity = {**settings.severity, rule: {**settings.severity.get(rule, {}), **levels}}


def _parse_outputs(values: Sequence[str]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        fmt, sep, path = value.partition("=")
        fmt = fmt.strip()
        if not sep or not path.strip():
            raise click.BadParameter(f"{value!r}: use FMT=FILE, e.g. sarif=results.sarif", param_hint="--output-format")
        if fmt not in CHECK_FORMATS:
            raise click.BadParameter(f"{value!r}: unknown format {fmt!r}; use one of {', '.join(CHECK_FORMATS)}", param_hint="--output-format")
        out.append((fmt, path))
    return out


def _progress_bar(threshold: int = 20) -> Optional[Any]:
    """A ``progress(done, total)`` callback drawing a bar on stderr, or None.

    Drawn only when stderr is a terminal and more than ``threshold`` documents are
    checked (cached ones do not count), so logs and pipes stay clean.
    """
    try:
        if not sys.stderr.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    state: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        if total <= threshold:
            return
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label="Checking", file=sys.stderr, show_pos=True)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return progress


# --------------------------------------------------------------------------- init
@cli.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing .clause-lint.yaml.")
def init_cmd(force: bool) -> None:
    """Write a commented starter .clause-lint.yaml in the current folder."""
    from .config import display_path, write_starter

    path = write_starter(os.getcwd(), force)
    click.echo(f"wrote {display_path(path)}; see docs/configuration.md for every key")


# --------------------------------------------------------------------------- annotate
@cli.command("annotate")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The reviewed copy to write (never the input itself).")
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR",
              help="Rule pack to apply (repeatable). Default: safe-face-pledge.")
@click.option("--assume-applicable", is_flag=True, default=None,
              help="Check every rule even when the document is outside the pack's subject.")
@click.option("--author", default="clause-lint", show_default=True, help="Author name of the comments.")
@click.option("--initials", default="CL", show_default=True, help="Author initials of the comments.")
@click.option("--diff", "on_revisions", is_flag=True,
              help="Comment on tracked changes instead: each regression between the text with every change rejected "
                   "and with every change accepted, on the insertions and deletions that caused it (.docx only).")
def annotate_cmd(source: str, output: str, packs: tuple[str, ...], assume_applicable: Optional[bool], author: str, initials: str,
                 on_revisions: bool = False) -> None:
    """Write a reviewed copy of a .docx with the findings as Word comments.

    Each weak or contradicted passage gets a comment saying what is wrong and the
    suggested wording; one comment on the first paragraph lists every missing clause
    with its model language. The input file is never changed. For other formats
    (PDF, text, Markdown, HTML) there is nowhere to put comments: the HTML report is
    written instead, to OUTPUT with the extension .html.

    \b
    Exit codes: 0 nothing at the fail level, 1 findings at the fail level,
                2 the file could not be read or written.
    """
    from .annotate import _same_file, html_output_path, write_annotated
    from .api import document_budget, load_document
    from .report import count_failing, render
    from .results import DocumentError, DocumentResult
    from .runner import apply_suppressions, make_linter

    if _same_file(source, output):
        raise ClauseLintError(f"{output}: refusing to overwrite the document being annotated; choose another -o")
    settings = _check_settings(None, False, packs=list(packs) or None, assume_applicable=assume_applicable)
    linter = make_linter(settings)
    if on_revisions:
        _annotate_revisions(source, output, linter, settings, author, initials)
    try:
        with document_budget(settings.limits) as budget:
            document = load_document(source, None, settings.limits, budget)
    except ClauseLintError as exc:
        _err(f"{printable(source)}: error: {exc.message}")
        sys.exit(EXIT_ERROR)
    try:
        result = linter.check_document(document)
    except Exception as exc:  # an engine bug: one line, exit 2
        result = DocumentResult(path=source, format=document.format,
                                error=DocumentError("internal", f"internal error while checking ({type(exc).__name__}: {exc}); please report it"))
    if result.error is not None:
        _err(f"{printable(source)}: error: {result.error.message}")
        sys.exit(EXIT_ERROR)
    report = linter.report([result])
    for notice in apply_suppressions(report, settings, linter):
        _err(notice.message)
    if document.format != "docx":
        target = html_output_path(output)
        if _same_file(source, target):
            raise ClauseLintError(f"{target}: refusing to overwrite the document being annotated; choose another -o")
        write_file(target, render(report, "html"))
        _err(f"{printable(source)}: a {document.format.upper()} file cannot hold Word comments; wrote the HTML report to {printable(target)} instead")
    else:
        summary = write_annotated(source, output, report, document, author=author, initials=initials)
        placed = f"{summary.anchored} on weak or contradicted passages"
        listed = f"{summary.missing} missing clause(s) listed on the first paragraph"
        click.echo(f"{printable(output)}: {summary.comments} comment(s): {placed}, {listed}")
        if summary.unplaced:
            _err(f"{printable(source)}: warning: passage not found for {', '.join(summary.unplaced)}; listed in the first comment")
    sys.exit(EXIT_FINDINGS if count_failing(report, settings.fail_on) else EXIT_OK)


def _annotate_revisions(source: str, output: str, linter: Any, settings: Settings, author: str, initials: str) -> None:
    """``annotate --diff``: comments on the tracked changes that weaken the document."""
    from .annotate import write_revision_comments
    from .diff import DiffInputError, diff_redline

    try:
        report = diff_redline(source, linter=linter)
    except DiffInputError as exc:
        _err(f"{exc.path}: error: {exc.message}")
        sys.exit(EXIT_ERROR)
    summary = write_revision_comments(source, output, report, author=author, initials=initials)
    click.echo(f"{output}: {summary.comments} comment(s): {summary.anchored} on tracked changes that weaken the document"
               + (f", {len(summary.unplaced)} regression(s) listed on the first paragraph" if summary.unplaced else ""))
    sys.exit(EXIT_FINDINGS if report.failing(settings.fail_on) else EXIT_OK)


# --------------------------------------------------------------------------- extract
@cli.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all-parts", is_flag=True, help="Also show headers, footers and footnotes (not linted).")
@click.option("--provisions", "show_provisions", is_flag=True,
              help="Show the provisions instead of the blocks: each cue's actor, modality, action, object, purpose, recipient, user, exceptions and conditions.")
@_limit_options
def extract_cmd(paths: tuple[str, ...], fmt: str, all_parts: bool, show_provisions: bool,
                max_file_size: Optional[int] = None, max_pages: Optional[int] = None,
                max_chars: Optional[int] = None, timeout_seconds: Optional[float] = None,
                ocr: Optional[str] = None) -> None:
    """Show what the linter sees in each file: blocks, sections, lead-ins, locations.

    One JSON object for one file, {"documents": [...]} for several. Files are read
    under the same limits and time budget as `check`.
    """
    from .api import document_budget, load_document
    from .discover import discover
    from .limits import DEFAULT_LIMITS
    from .report import document as shown

    if show_provisions:
        from .nlp import get_nlp

        get_nlp()  # built once, before any document's budget starts (as check does)
        stage = "reading provisions"
        one = shown.provisions_to_dict if fmt == "json" else shown.render_provisions_text
    else:
        stage = "structure"
        one = (lambda d: shown.document_to_dict(d, all_parts)) if fmt == "json" else (lambda d: shown.render_document_text(d, all_parts))

    limits = _limits(DEFAULT_LIMITS, max_file_size, max_pages, max_chars, timeout_seconds, ocr)
    found = discover(paths)
    _say_skipped(found)
    if not found.files and not found.problems:
        raise ClauseLintError(_nothing_to_check(paths, found))
    failed = False
    items: list[Any] = []
    for path, message in found.problems:
        _err(f"{printable(path)}: error: {message}")
        failed = True
    for path in found.files:
        try:
            # What is shown is made inside the budget too: reading provisions runs
            # the grammar over every sentence.
            with document_budget(limits) as budget:
                document = load_document(path, None, limits, budget)
                budget.enter(stage)
                items.append(one(document))
        except ClauseLintError as exc:
            _err(f"{printable(path)}: error: {exc.message}")
            failed = True
    if fmt == "json":
        if items:
            click.echo(shown.combine_json(items, sort_keys=show_provisions), nl=False)
    else:
        for text in items:
            click.echo(text, nl=False)
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


# --------------------------------------------------------------------------- rules / explain
def _packs_to_show(specs: Sequence[str]) -> list[Any]:
    """Packs for `rules` and `explain`: from the pack cache when `check` stored them,
    else loaded without the one check that needs spaCy (token patterns, which `check`
    validates), so showing a pack never loads spaCy. Nothing is written."""
    from .cache import default_cache_dir
    from .rules import bundled_pack_names, load_packs

    return load_packs(specs or bundled_pack_names(), cache_dir=default_cache_dir(), check_patterns=False)


@cli.command("rules")
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR", help="Packs to list (default: every bundled pack).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(packs: tuple[str, ...], fmt: str) -> None:
    """List rule packs and their rules."""
    import json

    loaded = _packs_to_show(packs)
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

    loaded = _packs_to_show(packs)
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
                click.echo("\nHow a clause is judged (the first criterion met decides it):")
                for crit in r.criteria:
                    click.echo(textwrap.fill(f"{crit.status}: {_describe_criterion(crit, p)}", 88,
                                             initial_indent="  - ", subsequent_indent="    "))
                for status in ("present", "weak", "missing", "contradicted"):
                    for ex in r.examples.get(status, []):
                        click.echo(f"\nExample ({status}):\n" + w(ex, "  > "))
                for status in ("missing", "weak", "contradicted"):
                    if r.fix.get(status):
                        click.echo(f"\nModel clause when {status}:\n" + w(r.fix[status]))
                return
    raise ClauseLintError(f"unknown rule {rule_id!r} (see `clause-lint rules`)")


def _describe_criterion(crit, pack) -> str:  # type: ignore[no-untyped-def]
    """A criterion in plain words: "a prohibition whose object, purpose or user is
    weapons … — prohibition covering weapons, lethal force or warfare"."""

    def names(concepts) -> str:  # type: ignore[no-untyped-def]
        return " or ".join((pack.concepts.get(c) or {}).get("description", c.replace("_", " ")) for c in concepts)

    forces = [f for f in crit.force if f != "any"]
    head = ("a " + " or ".join(forces)) if forces else "any provision"
    bits = []
    topic = names(crit.all) if crit.all else names(crit.any)
    if crit.roles:
        roles = [{"negated": "'non-…' class", "exception": "exception"}.get(r, r) for r in crit.roles]
        bits.append(f"{head} whose {', '.join(roles)} is {topic}")
    else:
        bits.append(f"{head} about {topic}")
    if crit.action:
        bits.append(f"with the action {', '.join(crit.action[:6])}{'…' if len(crit.action) > 6 else ''}")
    if crit.except_action:
        bits.append(f"unless its action is {', '.join(crit.except_action[:6])}{'…' if len(crit.except_action) > 6 else ''}")
    if crit.context:
        bits.append(f"where the clause also mentions {names(crit.context)}")
    if crit.cites_prohibition:
        bits.append(f"citing a section that bans {names(crit.cites_prohibition)}")
    if crit.none:
        bits.append(f"and not {names(crit.none)}")
    return "; ".join(bits) + f" — {crit.reason}"


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
    from .factory import settle_collector
    from .runner import make_linter, run

    settings = Settings(assume_applicable=assume_applicable)
    if packs:
        settings.packs = list(packs)
    linter = make_linter(settings)
    settle_collector()  # many documents, one linter: as `check` does
    report = run(paths, settings, linter)
    try:
        scores = score(report.documents, labels_dir)
    except (ValueError, OSError) as exc:
        raise ClauseLintError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(to_json(scores), indent=2, sort_keys=True))
    else:
        click.echo(format_scores(scores, verbose), nl=False)
    sys.exit(EXIT_ERROR if scores.errors else EXIT_OK)


# --------------------------------------------------------------------------- serve
@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but a loopback address needs a token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--token", envvar="CLAUSE_LINT_TOKEN", default=None, metavar="TOKEN",
              help="Require 'Authorization: Bearer TOKEN' on every request (default: $CLAUSE_LINT_TOKEN).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes checking documents (default: one per CPU).")
@click.option("--queue", type=click.IntRange(min=0), default=32, show_default=True,
              help="Documents that may wait for a worker; beyond that the server answers 503.")
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR",
              help="Rule packs to load (repeatable; default: every bundled pack). Clients choose among them by name.")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="HOST",
              help="Also accept this Host header without a token (a reverse proxy on this machine; repeatable).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Refuse uploads larger than BYTES (413). Default: 100 MiB.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Refuse PDFs with more pages. Default: 2000.")
@click.option("--max-chars", type=click.IntRange(min=1), default=None,
              help="Refuse documents with more characters of text. Default: 20,000,000.")
@click.option("--timeout", "timeout_seconds", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Time budget per document; 0 = none. Default: 300.")
def serve_cmd(host: str, port: int, token: Optional[str], jobs: Optional[int], queue: int, packs: tuple[str, ...],
              allowed_hosts: tuple[str, ...], max_file_size: Optional[int], max_pages: Optional[int],
              max_chars: Optional[int], timeout_seconds: Optional[float]) -> None:
    """Serve the web page and the HTTP API (needs: pip install 'clause-lint[serve]').

    Binds 127.0.0.1 by default. Binding any other address requires --token (or
    CLAUSE_LINT_TOKEN); every request must then send 'Authorization: Bearer TOKEN'.
    See docs/serve.md.
    """
    try:
        from .server.app import Config, is_loopback, serve
    except ImportError as exc:
        missing = (exc.name or "a dependency").split(".")[0]
        raise ClauseLintError(f"clause-lint serve needs the serve extra ({missing} is not installed): pip install 'clause-lint[serve]'") from None
    from .batch import default_jobs
    from .limits import DEFAULT_LIMITS

    token = (token or "").strip() or None
    if not is_loopback(host) and token is None:
        raise ClauseLintError(f"refusing to listen on {host} without a token: give --token or set CLAUSE_LINT_TOKEN "
                              "(or listen on 127.0.0.1)")
    limits = DEFAULT_LIMITS.updated(max_file_bytes=max_file_size, max_pages=max_pages, max_chars=max_chars,
                                    max_seconds=timeout_seconds)
    config = Config(token=token, jobs=jobs or default_jobs(), queue=queue, allowed_hosts=allowed_hosts,
                    packs=packs, port=port)
    serve(host, port, config, limits, _err)


# --------------------------------------------------------------------------- diff
DIFF_FORMATS = ("text", "json", "markdown", "sarif")


@cli.command("diff")
@click.argument("old", type=click.Path(path_type=str))
@click.argument("new", required=False, type=click.Path(path_type=str))
@click.option("--pack", "packs", multiple=True, metavar="NAME|FILE|DIR",
              help="Rule pack to apply to both versions (repeatable). Default: safe-face-pledge.")
@click.option("--assume-applicable/--no-assume-applicable", default=None,
              help="Check every rule even when a version is outside the pack's subject.")
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
              help="text, json (byte-stable), markdown (a pull-request comment) or sarif (regressions, located in NEW).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default=None,
              help="Exit 1 when a regression's severity (for its new status) reaches this level. Default: error.")
@click.option("--select", multiple=True, metavar="IDS", help="Only these rules (ids or names, comma-separated; prefixes allowed).")
@click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or names, comma-separated).")
@click.option("--severity", "severities", multiple=True, metavar="RULE:STATUS=LEVEL",
              help="Override a rule's severity for a status, e.g. SFP101:weak=error (repeatable).")
@click.option("--color/--no-color", default=None, help="Colour the text output. Default: on a terminal unless NO_COLOR is set.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Read settings from FILE instead of the one found by walking up from the current folder.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration and waiver file found on disk.")
@_limit_options
def diff_cmd(old: str, new: Optional[str], packs: tuple[str, ...], assume_applicable: Optional[bool], fmt: str,
             output: Optional[str], fail_on: Optional[str], select: tuple[str, ...], ignore: tuple[str, ...],
             severities: tuple[str, ...], color: Optional[bool], config_file: Optional[str], isolated: bool,
             max_file_size: Optional[int] = None, max_pages: Optional[int] = None, max_chars: Optional[int] = None,
             timeout_seconds: Optional[float] = None, ocr: Optional[str] = None) -> None:
    """What a change did to a document's protections: compare OLD with NEW.

    Both versions are checked with the same packs and options; each rule's status
    before and after is a regression (present → weak/missing/contradicted, weak →
    missing/contradicted, missing → contradicted), an improvement or unchanged. Each
    changed rule shows its deciding clause before and after, both locations and the
    changed words; a clause that only moved to another section is unchanged.

    With one FILE.docx holding tracked changes, OLD is the text with every change
    rejected and NEW with every change accepted, and each regression names the
    revisions (author, date) in its deciding clause.

    \b
    Exit codes: 0 no regression at the fail level, 1 a regression at the fail level,
                2 a file could not be read or an option is invalid.
    """
    from .diff import DiffInputError, diff
    from .report import RenderOptions
    from .report.diff_report import render_diff
    from .runner import check_rule_ids, every_rule, make_linter

    settings = _check_settings(
        config_file, isolated,
        packs=list(packs) or None,
        assume_applicable=assume_applicable,
        fail_on=fail_on,
        select=set(_split_ids(select)) or None,
        ignore=set(_split_ids(ignore)) or None,
    )
    _apply_severity_flags(settings, severities)
    settings.limits = _limits(settings.limits, max_file_size, max_pages, max_chars, timeout_seconds, ocr)
    linter = make_linter(settings)
    check_rule_ids(every_rule(linter), settings)
    try:
        if new is None:
            from .diff import diff_redline

            report = diff_redline(old, linter=linter)
        else:
            report = diff(old, new, linter=linter)
    except DiffInputError as exc:
        _err(f"{exc.path}: error: {exc.message}")
        sys.exit(EXIT_ERROR)
    if report.new_result is not None:
        # Inline comments, waivers and a baseline in (or for) the new version apply as
        # in check: a waived regression is shown as such and does not fail the run.
        from .runner import apply_suppressions

        for notice in apply_suppressions(linter.report([report.new_result]), settings, linter):
            if notice.kind != "unused":  # waivers of findings that did not change match nothing here
                _err(notice.message)
    options = RenderOptions(
        color=_use_color(color, sys.stdout) if output is None and fmt == "text" else False,
        fail_on=settings.fail_on,
    )
    text = render_diff(report, fmt, options)
    if output:
        write_file(output, text)
    else:
        click.echo(text, nl=False, color=options.color)
    sys.exit(EXIT_FINDINGS if report.failing(settings.fail_on) else EXIT_OK)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: ``clause-lint`` and ``python -m clause_lint``."""
    leave_out_spacy_cli()  # start-up: see clause_lint.spacy_import
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="clause-lint", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_ERROR)
    return EXIT_OK
