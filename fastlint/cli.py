"""The command line: ``fastlint check``, ``fastlint rule``, ``fastlint rules``.

Exit codes: 0 nothing found (or everything fixed), 1 findings remain (or ``--diff`` has a diff),
2 usage, configuration or internal error. No traceback reaches the user unless ``--verbose``.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

import click

from fastlint import __version__
from fastlint.config import ConfigError, load_settings
from fastlint.reporters import FORMATS, as_json, concise, full, github, statistics, summary

if TYPE_CHECKING:
    from fastlint.rule import Rule

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
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--statistics", "show_statistics", is_flag=True, help="Count findings per rule.")
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
    exit_zero: bool,
    show_statistics: bool,
    config_path: Optional[str],
    force_exclude: bool,
    no_cache: bool,
    jobs: Optional[int],
    quiet: bool,
    verbose: bool,
) -> None:
    """Check PATHS (default: the current directory)."""
    from fastlint.registry import select_rules, validate_selectors
    from fastlint.runner import run

    targets = list(paths) or ["."]
    try:
        settings = load_settings(config_path, targets[0])
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
    except ConfigError as exc:
        _err(f"error: {exc}")
        sys.exit(2)

    unsafe = settings.unsafe_fixes
    result = run(
        targets,
        settings,
        rules,
        fix=fix and not diff,
        unsafe=unsafe,
        diff=diff,
        force_exclude=force_exclude,
        jobs=jobs,
    )

    for warning in result.warnings:
        _err(f"warning: {warning}")

    out = sys.stdout
    if diff:
        for text in result.diffs:
            out.write(text)
        if not quiet:
            count = len(result.fixed)
            _err(
                f"Would fix {count} error{'s' if count != 1 else ''}."
                if count
                else "No fixes to apply."
            )
    elif show_statistics:
        out.write(statistics(result.diagnostics, unsafe))
    elif output_format == "json":
        out.write(as_json(result.diagnostics, result.texts))
    elif output_format == "github":
        out.write(github(result.diagnostics))
    else:
        if output_format == "concise":
            out.write(concise(result.diagnostics, unsafe))
        else:
            out.write(full(result.diagnostics, result.texts, unsafe))
        if not quiet:
            out.write(summary(result.diagnostics, len(result.fixed), unsafe, fix))
    out.flush()

    if result.rule_errors:
        for error in result.rule_errors:
            _err(f"error: internal error in rule {error.code} on {error.path}: {error.message}")
            if verbose:
                click.echo(error.traceback, err=True)
        _err(
            f"error: this is a bug in fastlint {__version__}; {HOW_TO_REPORT}"
            + ("" if verbose else " (run with --verbose to see the traceback)")
        )
        sys.exit(2)
    if exit_zero:
        sys.exit(0)
    if diff:
        sys.exit(1 if result.diffs else 0)
    sys.exit(1 if result.diagnostics else 0)


def _registry_or_exit() -> dict[str, type[Rule]]:
    """All rules, built-in and plugins; a broken plugin is a one-line error and exit 2."""
    from fastlint.registry import all_rules

    try:
        return all_rules()
    except ConfigError as exc:
        _err(f"error: {exc}")
        sys.exit(2)


@cli.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print the documentation of the rule CODE (a code like FL101 or a name)."""
    registry = _registry_or_exit()
    wanted = code.strip()
    for rule in registry.values():
        if rule.code == wanted.upper() or rule.name == wanted.lower():
            fix = rule.fix_availability.value
            availability = "Fix: not available." if fix == "none" else f"Fix: {fix}."
            default = (
                "Enabled by default."
                if rule.default_enabled
                else f"Off by default: enable it with --select {rule.code}."
            )
            click.echo(
                f"# {rule.name} ({rule.code})\n\n{availability} {default}\n\n"
                + rule.documentation()
            )
            return
    _err(f"error: unknown rule {code!r} (see `fastlint rules`)")
    sys.exit(2)


@cli.command("rules")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def rules_command(fmt: str) -> None:
    """List all rules: code, name, fix availability, default on/off."""
    registry = _registry_or_exit()
    rows: list[dict[str, Any]] = [
        {
            "code": rule.code,
            "name": rule.name,
            "fix": rule.fix_availability.value,
            "default": rule.default_enabled,
            "message": rule.message,
        }
        for rule in registry.values()
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        on = "on " if row["default"] else "off"
        click.echo(f"{row['code']}  {on}  fix: {row['fix']:<9}  {row['name']}")


def main(argv: Optional[Sequence[str]] = None) -> None:
    verbose = "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv)
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="fastlint")
    except SystemExit:
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
