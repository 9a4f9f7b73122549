"""One run over many files: discovery, the project index, checking, fixing, writing."""

from __future__ import annotations

import difflib
import fnmatch
import multiprocessing
import os
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Optional, cast

from fastlint.config import Settings
from fastlint.deep import call_deep
from fastlint.diagnostics import Applicability, Diagnostic
from fastlint.discovery import discover, is_excluded
from fastlint.gcpause import after_file, after_project, before_fork
from fastlint.isolation import IsolatedFailure, budget_for, can_isolate, is_outlier, run_isolated
from fastlint.project.results import Entry, build_entry, fresh
from fastlint.project.workspace import Workspace
from fastlint.registry import catalogue, codes_matching
from fastlint.source import SourceError, SourceFile, atomic_write

# The engine and the fixer (and with them LibCST and the rules) are imported by the functions
# that check a file: a run whose results are all cached needs neither.
if TYPE_CHECKING:
    from fastlint.engine import FileResult, RuleError
    from fastlint.project.index import ProjectIndex
    from fastlint.rule import Rule


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rule_errors: list[RuleError] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # path -> text, for code frames
    checked: list[str] = field(default_factory=list)  # the files of the run, as found


def display_path(path: str) -> str:
    """The path as the user sees it: relative to the working directory when below it, and
    printable even when the file name is not valid UTF-8."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = path
    shown = path if rel.startswith("..") else rel
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def rules_for_file(path: str, rules: Sequence[type[Rule]], settings: Settings) -> list[type[Rule]]:
    if not settings.per_file_ignores:
        return list(rules)
    rel = os.path.relpath(os.path.abspath(path), settings.root).replace(os.sep, "/")
    ignored: set[str] = set()
    for pattern, codes in settings.per_file_ignores:
        if (
            fnmatch.fnmatchcase(rel, pattern)
            or fnmatch.fnmatchcase(os.path.basename(path), pattern)
            or fnmatch.fnmatchcase(rel, pattern.rstrip("/") + "/*")
        ):
            ignored |= codes_matching(codes)
    return [rule for rule in rules if rule.code not in ignored]


@dataclass
class FileOutcome:
    """What checking one file produced: plain data, so that workers can hand it back."""

    shown: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)
    rule_errors: list[RuleError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    diff: Optional[str] = None
    text: Optional[str] = None  # the final text, kept only when there are findings
    path: Optional[str] = None  # absolute, with ``entry``
    entry: Optional[Entry] = None  # for the results cache, when the result may be reused


def process_file(
    path: str,
    rules: Sequence[type[Rule]],
    settings: Settings,
    workspace: Workspace,
    *,
    fix: bool,
    unsafe: bool,
    diff: bool,
) -> FileOutcome:
    from fastlint.engine import RuleError, file_error

    shown = display_path(path)
    absolute = os.path.abspath(path)
    caching = workspace.results_for(path, rules) is not None
    try:
        project = workspace.index_for(path)
        key = project.content_key(absolute) if caching else None  # before reading: see Entry
        source = SourceFile.read(path)
    except SourceError as exc:
        return FileOutcome(shown, diagnostics=[file_error(shown, str(exc))])
    consulted: tuple[frozenset[str], bool] = (frozenset(), False)
    try:
        args = (path, shown, rules, settings, project, fix or diff, unsafe, source)
        if is_outlier(source.text) and can_isolate():
            key = None  # what the child consulted stays in the child
            try:
                file_result, text = run_isolated(
                    check_file, *args, from_disk=True, budget=budget_for(source.text)
                )
            except IsolatedFailure as failure:
                message = f"cannot check this file: {failure}"
                return FileOutcome(shown, diagnostics=[file_error(shown, message)])
        else:
            project.start_recording()
            try:
                file_result, text = call_deep(check_file, *args, from_disk=True)
            finally:
                consulted = project.stop_recording()
    except Exception as exc:  # a bug outside any one rule: report it, go on with other files
        error = RuleError(shown, "engine", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        return FileOutcome(shown, rule_errors=[error])
    outcome = FileOutcome(shown, rule_errors=file_result.rule_errors)
    if (
        key is not None
        and text is not None
        and not file_result.rule_errors
        and not text.error
        and text.final == text.original
    ):
        outcome.path = absolute
        outcome.entry = build_entry(project, absolute, key, *consulted, text.remaining)
    if text is None:
        outcome.diagnostics = file_result.diagnostics
        return outcome
    if text.error:
        outcome.warnings.append(f"{shown}: {text.error}")
    final, remaining, fixed = text.final, text.remaining, text.fixed
    if final != text.original:
        if diff:
            outcome.diff = unified_diff(shown, text.original, final)
        else:
            try:
                atomic_write(path, text.source.encode(final))
            except (OSError, UnicodeEncodeError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                outcome.warnings.append(f"{shown}: cannot write fixes: {reason}")
                final, remaining, fixed = text.original, text.before_fix, []
    outcome.diagnostics = remaining
    outcome.fixed = fixed
    if remaining:
        outcome.text = final
    return outcome


# Below this many files a run stays in one process: starting workers costs more than it saves.
PARALLEL_THRESHOLD = 48


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run(
    paths: Sequence[str],
    settings: Settings,
    rules: Sequence[type[Rule]],
    *,
    fix: bool = False,
    unsafe: bool = False,
    diff: bool = False,
    force_exclude: bool = False,
    jobs: Optional[int] = None,
    cache: bool = True,
) -> RunResult:
    result = RunResult()
    found = discover(paths, settings, force_exclude)
    result.warnings.extend(found.warnings)
    result.checked = list(found.files)
    workers = default_jobs() if jobs is None else max(1, jobs)
    flags = {"fix": fix, "unsafe": unsafe, "diff": diff}
    workspace = Workspace(settings, paths, found.files, cache=cache)
    cached = [reuse(path, rules, workspace, fix=fix or diff, unsafe=unsafe) for path in found.files]
    misses = [path for path, hit in zip(found.files, cached) if hit is None]
    checked = _check_by_project(misses, rules, settings, workers, flags, workspace)
    for outcome in _in_order(cached, checked):
        if outcome.entry is not None and outcome.path is not None:
            results = workspace.results_for(outcome.path, rules)
            if results is not None:
                results.put(outcome.path, outcome.entry)
        result.rule_errors.extend(outcome.rule_errors)
        result.warnings.extend(outcome.warnings)
        result.diagnostics.extend(outcome.diagnostics)
        result.fixed.extend(outcome.fixed)
        if outcome.diff:
            result.diffs.append(outcome.diff)
        if outcome.text is not None:
            result.texts[outcome.shown] = outcome.text
    result.warnings.extend(workspace.flush())
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _check_by_project(
    misses: Sequence[str],
    rules: Sequence[type[Rule]],
    settings: Settings,
    workers: int,
    flags: dict[str, bool],
    workspace: Workspace,
) -> Iterator[FileOutcome]:
    """The outcomes of ``misses``, in order, one project at a time (a run of consecutive files
    of one project): its facts are built, its files checked (by forked workers when there are
    enough of them), and its index is written and let go after its last file, so that a run
    over many projects holds one project's index at a time."""
    groups: list[tuple[str, list[str]]] = []
    for path in misses:
        root = workspace.root_of(path)
        if groups and groups[-1][0] == root:
            groups[-1][1].append(path)
        else:
            groups.append((root, [path]))
    last = {root: number for number, (root, _) in enumerate(groups)}
    for number, (root, files) in enumerate(groups):
        if workers > 1 and len(files) >= PARALLEL_THRESHOLD:
            if any(rule.uses_project_facts for rule in rules):
                call_deep(workspace.prepare, files)  # once here, inherited by the workers
            before_fork()
            yield from _run_parallel(files, rules, settings, workers, flags, workspace)
        else:
            for path in files:
                yield process_file(path, rules, settings, workspace, **flags)
                after_file()
        if last[root] == number and number < len(groups) - 1:
            workspace.release(root)
            after_project()


def reuse(
    path: str, rules: Sequence[type[Rule]], workspace: Workspace, *, fix: bool, unsafe: bool
) -> Optional[FileOutcome]:
    """The file's cached result when nothing it was computed from has changed (and, when
    fixing, it has nothing to fix); None: check it."""
    try:
        results = workspace.results_for(path, rules)
        if results is None:
            return None
        absolute = os.path.abspath(path)
        entry = results.get(absolute)
        if entry is None or not fresh(entry, workspace.index_for(path), absolute):
            return None
        if fix and any(
            d.fix is not None and (unsafe or d.fix.applicability is Applicability.SAFE)
            for d in entry.diagnostics
        ):
            return None
        shown = display_path(path)
        outcome = FileOutcome(shown, [replace(d, path=shown) for d in entry.diagnostics])
        if outcome.diagnostics:  # reporters show code frames, baselines fingerprint lines
            outcome.text = SourceFile.read(path).text
        return outcome
    except (OSError, SourceError):
        return None


def _in_order(
    cached: Sequence[Optional[FileOutcome]], checked: Iterator[FileOutcome]
) -> Iterator[FileOutcome]:
    """Cached and checked outcomes in the order of the files (checked ones in order too)."""
    for hit in cached:
        yield hit if hit is not None else next(checked)


_WORKER: dict[str, object] = {}
# The workspace of a parallel run, set before the workers are forked so that they inherit its
# indexes and project facts instead of rebuilding them.
_INHERITED: dict[str, Workspace] = {}


def _init_worker(
    rules: Sequence[type[Rule]],
    settings: Settings,
    files: Sequence[str],
    flags: dict[str, bool],
) -> None:
    workspace = _INHERITED.get("workspace") or Workspace(settings, (), files)
    _WORKER.update(rules=rules, settings=settings, flags=flags, workspace=workspace)


def _work(paths: Sequence[str]) -> list[FileOutcome]:
    rules = cast("Sequence[type[Rule]]", _WORKER["rules"])
    settings = cast(Settings, _WORKER["settings"])
    flags = cast("dict[str, bool]", _WORKER["flags"])
    workspace = cast(Workspace, _WORKER["workspace"])
    outcomes = []
    for path in paths:
        outcomes.append(process_file(path, rules, settings, workspace, **flags))
        after_file()
    return outcomes


def _run_parallel(
    files: Sequence[str],
    rules: Sequence[type[Rule]],
    settings: Settings,
    workers: int,
    flags: dict[str, bool],
    workspace: Workspace,
) -> Iterator[FileOutcome]:
    chunk = max(1, min(16, len(files) // (workers * 4) or 1))
    chunks = [files[i : i + chunk] for i in range(0, len(files), chunk)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    _INHERITED["workspace"] = workspace
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(list(rules), settings, list(files), flags),
        ) as pool:
            for outcomes in pool.map(_work, chunks):
                yield from outcomes
    finally:
        _INHERITED.clear()


@dataclass
class _FileText:
    source: SourceFile
    original: str
    final: str
    remaining: list[Diagnostic]
    fixed: list[Diagnostic]
    before_fix: list[Diagnostic]
    error: Optional[str] = None


def check_file(
    path: str,
    shown: str,
    rules: Sequence[type[Rule]],
    settings: Settings,
    project: Optional[ProjectIndex],
    fix: bool,
    unsafe: bool,
    source: Optional[SourceFile] = None,
    *,
    from_disk: Optional[bool] = None,
) -> tuple[FileResult, Optional[_FileText]]:
    """Check (and fix) the file at ``path`` of ``project`` (None: the project is found from
    the path, the whole tree under its root); ``source``, when given, is its content, read
    from disk (``from_disk``) or instead of what is on disk (code read from standard input)."""
    from fastlint.engine import UNUSED_NOQA_CODE, FileResult, file_error, lint_text
    from fastlint.fixer import fix_text

    if from_disk is None:
        from_disk = source is None
    if source is None:
        try:
            source = SourceFile.read(path)
        except SourceError as exc:
            return FileResult(shown, [file_error(shown, str(exc))], parsed=False), None
    if project is None:
        project = Workspace(settings, (), [path], cache=False).index_for(path)
    original = source.text

    def use(text: str) -> None:
        """Tell the project index what the file holds now (nothing when it is the disk's)."""
        project.update(path, None if from_disk and text == original else text)

    file_rules = rules_for_file(path, rules, settings)
    module_name, is_package = project.module_name_for(path)
    unused_noqa = any(rule.code == UNUSED_NOQA_CODE for rule in file_rules)

    errors: list[RuleError] = []

    def lint(text: str) -> FileResult:
        use(text)
        outcome = lint_text(
            shown,
            text,
            file_rules,
            settings,
            project=project,
            module_name=module_name,
            is_package=is_package,
            unused_noqa=unused_noqa,
            file_path=path,
            known_codes=frozenset(catalogue()),
        )
        errors.extend(outcome.rule_errors)
        return outcome

    first = lint(source.text)
    if not fix or not first.parsed or not any(d.fix for d in first.diagnostics):
        use(original)
        first.rule_errors = _unique(errors)
        return first, _FileText(
            source, source.text, source.text, first.diagnostics, [], first.diagnostics
        )
    outcome = fix_text(source.text, lint, unsafe, first=first, path=shown)
    use(outcome.text)
    file_result = outcome.result or first
    file_result.rule_errors = _unique(errors)
    return file_result, _FileText(
        source,
        source.text,
        outcome.text,
        outcome.remaining,
        outcome.fixed,
        first.diagnostics,
        outcome.error,
    )


def _unique(errors: list[RuleError]) -> list[RuleError]:
    seen: set[tuple[str, str]] = set()
    out = []
    for error in errors:
        key = (error.path, error.code)
        if key not in seen:
            seen.add(key)
            out.append(error)
    return out


def unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=path,
        tofile=path,
    )
    out = []
    for line in lines:
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)


def run_stdin(
    source: SourceFile,
    settings: Settings,
    rules: Sequence[type[Rule]],
    *,
    fix: bool = False,
    unsafe: bool = False,
    diff: bool = False,
    force_exclude: bool = False,
) -> tuple[RunResult, str]:
    """Check code read from standard input as the file ``source.path`` (``--stdin-filename``,
    or ``-``): that name decides per-file settings and excludes, and the project index covers
    the whole tree under the project root with this text in place of the file on disk.
    Returns the result and the final text (fixed when ``fix``); nothing is written."""
    result = RunResult()
    path = source.path
    if force_exclude and path != "-" and is_excluded(path, settings):
        return result, source.text
    result.checked = [path]
    shown = display_path(path)
    # The project is found from the path, the whole tree under its root; check_file puts the
    # text into its index (in place of the file on disk) before anything reads it.
    file_result, text = call_deep(
        check_file, path, shown, rules, settings, None, fix or diff, unsafe, source=source
    )
    result.rule_errors.extend(file_result.rule_errors)
    if text is None:  # pragma: no cover - the text is given, never read
        result.diagnostics = file_result.diagnostics
        return result, source.text
    if text.error:
        result.warnings.append(f"{shown}: {text.error}")
    final = text.final if fix else source.text
    if diff and text.final != text.original:
        result.diffs.append(unified_diff(shown, text.original, text.final))
    result.diagnostics = sorted(text.remaining, key=Diagnostic.sort_key)
    result.fixed = list(text.fixed)
    if result.diagnostics:
        result.texts[shown] = text.final
    return result, final
