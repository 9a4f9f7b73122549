"""The command line: ``fastlint check``, ``fastlint rule``, ``fastlint rules``, ``fastlint routes``.

Exit codes: 0 nothing found (or everything fixed), 1 findings remain (or ``--diff`` has a diff),
2 usage, configuration or internal error. No traceback reaches the user unless ``--verbose``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Optional

import click

from fastlint import __version__
from fastlint.config import ConfigError, load_settings
from fastlint.reporters import FORMATS, TEXT_FORMATS

if TYPE_CHECKING:
    from fastlint.diagnostics import Diagnostic
    from fastlint.engine import RuleError
    from fastlint.rule import Rule
    from fastlint.runner import RunResult
    from fastlint.source import SourceFile

HOW_TO_REPORT = "please report it to the fastlint issue tracker with the file that triggers it"


def _split_codes(values: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(out)


def _err(message: str) -> None:
    click.echo(f"fastlint: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="fastlint", message="%(prog)s %(version)s"
)
def cli() -> None:
    """A linter for FastAPI, Starlette and Pydantic code."""


COLOR_CHOICES = ("auto", "always", "never")


def use_color(choice: str, stream: IO[str]) -> bool:
    """``--color``: ``always``/``never`` win; ``auto`` colours a terminal unless ``NO_COLOR``
    is set (to anything but the empty string)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option(
    "--unsafe-fixes", is_flag=True, default=None, help="Also apply (and count) unsafe fixes."
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the diff of the fixes instead of writing; exit 1 if there is one.",
)
@click.option(
    "--select", multiple=True, help="Rules to enable: codes, prefixes (FL1), names or ALL."
)
@click.option("--extend-select", multiple=True, help="Rules to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option("--output-format", type=click.Choice(FORMATS), default="full", show_default=True)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=str),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--color",
    "color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    show_default=True,
    help="Colour the full and concise formats (auto: on a terminal, unless NO_COLOR is set).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit 1 when something was fixed, even if nothing remains.",
)
@click.option("--show-fixes", is_flag=True, help="List what --fix fixed, per file.")
@click.option(
    "--statistics",
    "show_statistics",
    is_flag=True,
    help="Count findings per rule instead of listing them (JSON with json and json-lines).",
)
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODES` to every line with findings.")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Report only findings not recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    "write_baseline",
    type=click.Path(dir_okay=False, path_type=str),
    help="Record the current findings in this baseline file (stale entries are pruned).",
)
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=str),
    help="The name of the file whose code is read from standard input (with `-`).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="A pyproject.toml or fastlint.toml to use.",
)
@click.option(
    "--force-exclude", is_flag=True, help="Apply excludes to files named on the command line too."
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core, up to 8).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def check(
    paths: tuple[str, ...],
    fix: bool,
    unsafe_fixes: Optional[bool],
    diff: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    output_file: Optional[str],
    color: str,
    exit_zero: bool,
    exit_non_zero_on_fix: bool,
    show_fixes: bool,
    show_statistics: bool,
    add_noqa: bool,
    baseline_path: Optional[str],
    write_baseline: Optional[str],
    stdin_filename: Optional[str],
    config_path: Optional[str],
    force_exclude: bool,
    no_cache: bool,
    jobs: Optional[int],
    quiet: bool,
    verbose: bool,
) -> None:
    """Check PATHS (default: the current directory; `-` reads code from standard input)."""
    from fastlint.registry import select_rules, validate_selectors

    from_stdin = paths == ("-",) or (not paths and stdin_filename is not None)
    if "-" in paths and not from_stdin:
        _usage_error("`-` (standard input) cannot be combined with other paths")
    if from_stdin and (add_noqa or write_baseline):
        option = "--add-noqa" if add_noqa else "--write-baseline"
        _usage_error(f"{option} works on files, not on standard input")
    if add_noqa and (fix or diff):
        _usage_error("--add-noqa cannot be combined with --fix or --diff")
    if baseline_path and write_baseline:
        _usage_error("use either --baseline or --write-baseline")
    _exit_if_missing(path for path in paths if path != "-")
    targets = list(paths) or ["."]
    try:
        settings = load_settings(config_path, stdin_filename or targets[0])
        given = {
            "--select": _split_codes(select),
            "--extend-select": _split_codes(extend_select),
            "--ignore": _split_codes(ignore),
        }
        for option, selectors in given.items():
            validate_selectors(selectors, option)
        settings = settings.with_overrides(
            select=given["--select"] or None,
            extend_select=(settings.extend_select + given["--extend-select"]) or None,
            ignore=(settings.ignore + given["--ignore"]) or None,
            unsafe_fixes=unsafe_fixes,
        )
        rules = select_rules(settings)
        baseline = None
        if write_baseline is None and (baseline_path or settings.baseline):
            from fastlint.baseline import Baseline

            baseline = Baseline.load(baseline_path or settings.baseline or "")
    except ConfigError as exc:
        _err(f"error: {exc}")
        sys.exit(2)

    unsafe = settings.unsafe_fixes
    fixing = fix and not diff
    fixed_text: Optional[str] = None
    stdin_source = None
    if from_stdin:
        from fastlint.runner import run_stdin

        stdin_source = _read_stdin(stdin_filename or "-")
        result, fixed_text = run_stdin(
            stdin_source,
            settings,
            rules,
            fix=fixing,
            unsafe=unsafe,
            diff=diff,
            force_exclude=force_exclude,
        )
    else:
        from fastlint.gcpause import tuned_for_a_run
        from fastlint.runner import run

        with tuned_for_a_run():
            result = run(
                targets,
                settings,
                rules,
                fix=fixing,
                unsafe=unsafe,
                diff=diff,
                force_exclude=force_exclude,
                jobs=jobs,
                cache=not no_cache,
            )

    for warning in result.warnings:
        _err(f"warning: {warning}")

    def finish(code: int) -> None:
        _report_rule_errors(result.rule_errors, verbose)  # exit 2 when there were some
        sys.exit(code)

    if write_baseline is not None:
        _write_baseline(write_baseline, result.diagnostics, result.texts, result.checked)
        finish(0)
    baseline_note = ""
    if baseline is not None:
        filtered = baseline.filter(result.diagnostics, result.texts, result.checked)
        result.diagnostics = filtered.new
        baseline_note = _baseline_note(filtered.matched, filtered.stale)
    if add_noqa:
        _add_noqa(result.diagnostics, result.texts)
        finish(0)

    # With code from standard input and --fix, the fixed code is the output: the report then
    # goes to standard error.
    stdout = sys.stdout
    if from_stdin and fixing and stdin_source is not None and fixed_text is not None:
        sys.stdout.flush()
        sys.stdout.buffer.write(stdin_source.encode(fixed_text))
        sys.stdout.flush()
        stdout = sys.stderr
    if diff:
        for text in result.diffs:
            stdout.write(text)
        if not quiet:
            count = len(result.fixed)
            _err(
                f"Would fix {count} error{'s' if count != 1 else ''}."
                if count
                else "No fixes to apply."
            )
        stdout.flush()
        finish(0 if exit_zero or not result.diffs else 1)

    out = _open_output(output_file) if output_file else stdout
    try:
        _write_report(
            out,
            output_format=output_format,
            result=result,
            unsafe=unsafe,
            fixing=fixing,
            color=use_color(color, out),
            show_fixes=show_fixes,
            show_statistics=show_statistics,
            quiet=quiet,
            baseline_note=baseline_note,
            docs_url=settings.docs_url,
        )
    finally:
        if out is not stdout:
            out.close()
    for_people = _for_people(output_format, show_statistics)
    if baseline_note and not quiet and (not for_people or output_file):
        _err(baseline_note.rstrip("\n"))

    if exit_zero:
        finish(0)
    if exit_non_zero_on_fix and result.fixed:
        finish(1)
    finish(1 if result.diagnostics else 0)


def _usage_error(message: str) -> None:
    _err(f"error: {message}")
    sys.exit(2)


def _exit_if_missing(paths: Iterable[str]) -> None:
    """A path that does not exist is an error (exit 2), whatever the other paths are: a typo
    in a CI job must not turn the check into one that passes on nothing. A broken symbolic
    link named on the command line is the same mistake. (``--stdin-filename`` need not
    exist.)"""
    failed = False
    for path in paths:
        if not os.path.lexists(path):
            _err(f"error: {path}: no such file or directory")
        elif not os.path.exists(path):
            _err(f"error: {path}: broken symbolic link")
        else:
            continue
        failed = True
    if failed:
        sys.exit(2)


def _read_stdin(name: str) -> SourceFile:
    from fastlint.source import SourceError, SourceFile

    try:
        return SourceFile.from_bytes(name, sys.stdin.buffer.read())
    except SourceError as exc:
        _err(f"error: {name}: {exc}")
        sys.exit(2)


def _open_output(path: str) -> IO[str]:
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        _err(f"error: {path}: cannot write the report: {exc.strerror or exc}")
        sys.exit(2)


def _write_report(
    out: IO[str],
    *,
    output_format: str,
    result: RunResult,
    unsafe: bool,
    fixing: bool,
    color: bool,
    show_fixes: bool,
    show_statistics: bool,
    quiet: bool,
    baseline_note: str,
    docs_url: Optional[str],
) -> None:
    from fastlint.docs import rule_infos
    from fastlint.registry import all_rules, catalogue
    from fastlint.reporters import Report, render, repository_root, statistics
    from fastlint.reporters.text import show_fixes as fixes_list
    from fastlint.reporters.text import summary

    if show_statistics:
        out.write(statistics.render(output_format, result.diagnostics, unsafe))
    else:
        if output_format == "sarif":  # its rule descriptors carry each rule's documentation
            infos = rule_infos(all_rules().values(), docs_url)
        else:  # the others need no rule class
            infos = {code: entry.info(docs_url) for code, entry in catalogue().items()}
        report = Report(
            result.diagnostics,
            result.texts,
            infos,
            unsafe=unsafe,
            root=repository_root(os.getcwd()),
            color=color,
        )
        out.write(render(output_format, report))
    if _for_people(output_format, show_statistics):
        if show_fixes and fixing:
            out.write(fixes_list(result.fixed))
        if not quiet:
            out.write(summary(result.diagnostics, len(result.fixed), unsafe, fixing))
            out.write(baseline_note)
    out.flush()


def _for_people(output_format: str, show_statistics: bool) -> bool:
    """Whether the report is text for people, which the summary lines follow: the ``full`` and
    ``concise`` formats, and the statistics table (every format but JSON prints that)."""
    from fastlint.reporters.statistics import MACHINE_FORMATS

    if show_statistics:
        return output_format not in MACHINE_FORMATS
    return output_format in TEXT_FORMATS


def _baseline_note(matched: int, stale: int) -> str:
    from fastlint.reporters.text import plural

    parts = []
    if matched:
        parts.append(f"{plural(matched, 'finding')} in the baseline not shown.")
    if stale:
        parts.append(
            f"{plural(stale, 'baseline entry', 'baseline entries')} no longer "
            f"match{'es' if stale == 1 else ''} a finding (fixed?): --write-baseline prunes "
            f"{'it' if stale == 1 else 'them'}."
        )
    return "".join(part + "\n" for part in parts)


def _write_baseline(
    path: str, diagnostics: list[Diagnostic], texts: Mapping[str, str], checked: list[str]
) -> None:
    from fastlint.baseline import Baseline

    try:
        previous = Baseline.load(path) if os.path.exists(path) else Baseline(path)
    except ConfigError as exc:
        _err(f"error: {exc}")
        sys.exit(2)
    stale = previous.filter(diagnostics, texts, checked).stale
    updated = previous.updated(diagnostics, texts, checked)
    try:
        updated.write()
    except OSError as exc:
        _err(f"error: {path}: cannot write the baseline: {exc.strerror or exc}")
        sys.exit(2)
    pruned = f" ({stale} stale entr{'y' if stale == 1 else 'ies'} pruned)" if stale else ""
    count = len(diagnostics)
    _err(f"Wrote {count} finding{'s' if count != 1 else ''} to the baseline {path}{pruned}.")


def _add_noqa(diagnostics: list[Diagnostic], texts: Mapping[str, str]) -> None:
    from fastlint.addnoqa import add_noqa

    outcome = add_noqa(diagnostics, texts)
    for warning in outcome.warnings:
        _err(f"warning: {warning}")
    count = outcome.added
    _err(
        f"Added {count} noqa directive{'s' if count != 1 else ''}."
        if count
        else "No noqa directives to add."
    )


def _report_rule_errors(errors: Sequence[RuleError], verbose: bool) -> None:
    if not errors:
        return
    for error in errors:
        _err(f"error: internal error in rule {error.code} on {error.path}: {error.message}")
        if verbose:
            click.echo(error.traceback, err=True)
    _err(
        f"error: this is a bug in fastlint {__version__}; {HOW_TO_REPORT}"
        + ("" if verbose else " (run with --verbose to see the traceback)")
    )
    sys.exit(2)


def _registry_or_exit() -> dict[str, type[Rule]]:
    """All rules, built-in and plugins; a broken plugin is a one-line error and exit 2."""
    from fastlint.registry import all_rules

    try:
        return all_rules()
    except ConfigError as exc:
        _err(f"error: {exc}")
        sys.exit(2)


@cli.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print the documentation of every rule.")
def rule_command(code: Optional[str], show_all: bool) -> None:
    """Print the documentation of the rule CODE (a code like FL101 or a name)."""
    from fastlint.docs import rule_page

    if show_all == (code is not None):
        _usage_error("give a rule code or name, or --all")
    registry = _registry_or_exit()
    if show_all:
        click.echo("\n".join(rule_page(rule) for rule in registry.values()), nl=False)
        return
    wanted = (code or "").strip()
    for rule in registry.values():
        if rule.code == wanted.upper() or rule.name == wanted.lower():
            click.echo(rule_page(rule), nl=False)
            return
    _err(f"error: unknown rule {code!r} (see `fastlint rules`)")
    sys.exit(2)


@cli.command("rules")
@click.option(
    "--output-format",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def rules_command(fmt: str) -> None:
    """List all rules: code, name, fix availability, default on/off."""
    from fastlint.docs import rule_url
    from fastlint.rule import FixAvailability

    registry = _registry_or_exit()
    rows: list[dict[str, Any]] = [
        {
            "code": rule.code,
            "name": rule.name,
            "fix": rule.fix_availability.value,
            "default": rule.default_enabled,
            "message": rule.message,
            "url": rule_url(rule),
        }
        for rule in registry.values()
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(kind.value) for kind in FixAvailability)
    for row in rows:
        on = "on " if row["default"] else "off"
        click.echo(f"{row['code']}  {on}  fix: {row['fix']:<{width}}  {row['name']}")


@cli.command("routes")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "--output-format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
def routes_command(paths: tuple[str, ...], fmt: str, no_cache: bool) -> None:
    """Print the route table of the projects holding PATHS (default: the current directory):
    method, full path, handler and file:line, sorted by path, with shadowed and duplicate
    routes flagged."""
    from fastlint.fastapi.routes import project_tables, render_json, render_text

    _exit_if_missing(paths)
    targets = list(paths) or ["."]
    try:
        settings = load_settings(None, targets[0])
    except ConfigError as exc:
        _err(f"error: {exc}")
        sys.exit(2)
    tables = project_tables(targets, settings, cache=not no_cache)
    if fmt == "json":
        click.echo(json.dumps(render_json(tables), indent=2))
        return
    lines = render_text(tables, os.getcwd())
    if not lines:
        click.echo("No routes found.")
        return
    for line in lines:
        click.echo(line)


@cli.command("plugins")
@click.option(
    "--output-format",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def plugins_command(fmt: str) -> None:
    """List the rules that plugins (the `fastlint.rules` entry-point group) provide."""
    from fastlint.registry import plugin_rules

    try:
        plugins = plugin_rules()
    except ConfigError as exc:
        _err(f"error: {exc}")
        sys.exit(2)
    rows = [
        {
            "code": plugin.rule.code,
            "name": plugin.rule.name,
            "package": plugin.package,
            "version": plugin.version,
            "entry_point": plugin.entry_point,
        }
        for plugin in plugins
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No plugin rules installed.")
        return
    for row in rows:
        package = f"{row['package']} {row['version']}".strip() or "(unknown package)"
        click.echo(f"{row['code']}  {row['name']}  {package}  ({row['entry_point']})")


@cli.command("clean")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
def clean_command(paths: tuple[str, ...]) -> None:
    """Remove the caches (.fastlint_cache) of the projects holding PATHS (default: the
    current directory), and any below them."""
    import os

    from fastlint.project.cache import remove_cache
    from fastlint.project.index import project_root

    _exit_if_missing(paths)
    roots = {project_root(path) for path in (paths or (".",))}
    roots |= {os.path.abspath(path) for path in (paths or (".",)) if os.path.isdir(path)}
    removed = [directory for root in sorted(roots) for directory in remove_cache(root)]
    for directory in sorted(set(removed)):
        click.echo(f"Removed {directory}")
    if not removed:
        click.echo("No cache to remove.")


def main(argv: Optional[Sequence[str]] = None) -> None:
    verbose = "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv)
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="fastlint")
    except SystemExit as done:
        if argv is None and "check" in sys.argv[1:2]:
            # The command line's own process: everything is written, so skip tearing down
            # the interpreter (freeing every syntax tree and record one by one costs a tenth
            # of a second on a large project), as mypy does.
            code = done.code
            if isinstance(code, str):
                sys.stderr.write(code + "\n")
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except OSError:  # a closed pipe: nothing more can be said
                pass
            os._exit(code if isinstance(code, int) else (0 if code is None else 1))
        raise
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except Exception as exc:  # no traceback reaches the user
        _err(
            f"error: internal error: {type(exc).__name__}: {exc}. This is a bug in fastlint "
            f"{__version__}; {HOW_TO_REPORT}"
            + ("" if verbose else " (run with --verbose to see the traceback)")
        )
        if verbose:
            traceback.print_exc()
        sys.exit(2)


__all__ = ["cli", "main"]
