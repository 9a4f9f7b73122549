"""The rule API: what a plugin implements and what it can ask of the file it checks.

A rule is a LibCST visitor class. The engine makes one instance per file, runs every selected
rule in one batched traversal, and collects what they ``report``. A report points at a node; its
position is only computed when the file has findings, so a rule never pays for positions.

Fixes are built from nodes too (``FixBuilder``) and turned into plain offset edits after the
traversal.
"""

from __future__ import annotations

import enum
import inspect
import os
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Optional, TypeVar, Union, cast

import libcst as cst

from fastlint.diagnostics import Applicability, Edit, Fix
from fastlint.edits import (
    MissingPosition,
    NodeSpans,
    import_edits,
    remove_arguments,
    remove_decorator,
    remove_parameters,
)

if TYPE_CHECKING:
    from fastlint.config import Settings
    from fastlint.fastapi.facts import AsyncContext, ProjectFacts
    from fastlint.precheck import PreCheck
    from fastlint.project.index import ProjectIndex
    from fastlint.semantic.model import FileModel
    from fastlint.semantic.summary import Scope
    from fastlint.semantic.types import Types
    from fastlint.source import LineIndex


T = TypeVar("T")


class FixAvailability(str, enum.Enum):
    """The kind of fix a rule offers, as `fastlint rules`, the rule pages and the README's rule
    table show it. It says what the fixes the rule offers are, not that every finding gets one:
    a rule leaves a finding without a fix where it cannot build one it trusts (its "Fix
    safety" section says when)."""

    NONE = "none"
    SAFE = "safe"  # every fix it offers is safe: --fix applies it
    UNSAFE = "unsafe"  # every fix it offers may change behaviour: it needs --unsafe-fixes
    SAFE_OR_UNSAFE = "safe or unsafe"  # safe for some forms of the code, unsafe for others
    SOMETIMES = "safe or unsafe"  # the former name of SAFE_OR_UNSAFE (an alias)

    @property
    def description(self) -> str:
        """What the value means, for a legend."""
        return _FIX_DESCRIPTIONS[self.value]


_FIX_DESCRIPTIONS = {
    "none": "the rule offers no fix",
    "safe": "`--fix` applies the fix",
    "unsafe": "the fix may change behaviour working code relies on, so it needs `--unsafe-fixes`",
    "safe or unsafe": "safe for some forms of the code, unsafe for others",
}


@dataclass(frozen=True)
class Case:
    """One inline test case of a rule.

    ``expected`` is the whole file after fixing (unsafe fixes included when ``unsafe``).
    ``files`` adds other modules of the same project, for rules that use the project index.
    """

    code: str
    expected: Optional[str] = None
    unsafe: bool = False
    path: str = "app/main.py"
    files: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    count: Optional[int] = None  # exact number of findings, when it matters
    message: Optional[str] = None  # a substring that the first message must contain
    # Substrings of every finding's message, in order (one per finding).
    messages: Sequence[str] = ()
    # The fix every finding offers: "safe", "unsafe" or "none".
    safety: Optional[str] = None

    def source(self) -> str:
        """The code to check, without its ``# error`` markers."""
        return strip_markers(textwrap.dedent(self.code).lstrip("\n"))

    def marked_lines(self) -> dict[int, str]:
        """Line number -> message substring ("" for any) of each ``# error`` marker: a line
        ending with ``# error`` (or ``# error: <text of the message>``) must have a finding,
        and a case with markers has findings on marked lines only."""
        lines = textwrap.dedent(self.code).lstrip("\n").splitlines()
        out: dict[int, str] = {}
        for number, line in enumerate(lines, start=1):
            match = _MARKER.search(line)
            if match is not None:
                out[number] = (match.group("text") or "").strip()
        return out

    def expected_source(self) -> Optional[str]:
        if self.expected is None:
            return None
        return strip_markers(textwrap.dedent(self.expected).lstrip("\n"))


_MARKER = re.compile(r"\s*# error(?::(?P<text>.*))?$")


def strip_markers(text: str) -> str:
    """``text`` without the ``# error`` markers of test cases."""
    return "".join(
        _MARKER.sub("", line.rstrip("\r\n")) + line[len(line.rstrip("\r\n")) :]
        for line in text.splitlines(keepends=True)
    )


def decorator_text(methods: Iterable[str]) -> str:
    """A ``requires_match`` pattern for text that may hold a decorator ``@x.method(...)``
    with ``method`` in ``methods``, whatever ``x`` is (``@routers["v1"].get(``,
    ``@ router . get (``): an ``@``, then, on the same line, the method's name after a dot
    and before a parenthesis (blanks and line continuations allowed around it)."""
    names = "|".join(sorted(re.escape(method) for method in methods))
    return rf"@[^\n]*\.[\s\\]*(?:{names})[\s\\]*\("


CaseLike = Union[Case, str]


@dataclass
class NodeEdit:
    """An edit anchored on nodes; resolved to offsets after the traversal."""

    kind: str  # replace | insert_before | insert_after | delete_lines | insert_line_before
    node: cst.CSTNode
    content: str = ""
    end_node: Optional[cst.CSTNode] = None


@dataclass
class ArgumentRemoval:
    """Arguments to remove from one call; resolved with ``edits.remove_arguments``, all of a
    call's at once so that neighbouring removals make one consistent edit."""

    call: cst.Call
    args: list[cst.Arg]


@dataclass
class ParameterRemoval:
    """Parameters to remove from one function (``edits.remove_parameters``)."""

    function: cst.FunctionDef
    params: list[cst.Param]


@dataclass
class DecoratorRemoval:
    """A decorator to remove, its comments kept (``edits.remove_decorator``)."""

    decorator: cst.Decorator


class FixBuilder:
    """Collects the edits of one fix. Every edit refers to nodes of the file being checked."""

    def __init__(self, applicability: Applicability, message: str) -> None:
        self.applicability = applicability
        self.message = message
        self.edits: list[
            Union[NodeEdit, ArgumentRemoval, ParameterRemoval, DecoratorRemoval, Edit]
        ] = []
        self.imports: list[tuple[str, str]] = []
        self.unused_candidates: list[str] = []

    def replace(self, node: cst.CSTNode, content: str) -> FixBuilder:
        self.edits.append(NodeEdit("replace", node, content))
        return self

    def replace_range(self, first: cst.CSTNode, last: cst.CSTNode, content: str) -> FixBuilder:
        self.edits.append(NodeEdit("replace", first, content, end_node=last))
        return self

    def insert_before(self, node: cst.CSTNode, content: str) -> FixBuilder:
        self.edits.append(NodeEdit("insert_before", node, content))
        return self

    def insert_after(self, node: cst.CSTNode, content: str) -> FixBuilder:
        self.edits.append(NodeEdit("insert_after", node, content))
        return self

    def delete(self, node: cst.CSTNode) -> FixBuilder:
        return self.replace(node, "")

    def delete_lines(self, node: cst.CSTNode) -> FixBuilder:
        """Delete the whole lines that ``node`` spans (a decorator, a statement)."""
        self.edits.append(NodeEdit("delete_lines", node))
        return self

    def insert_line_before(self, node: cst.CSTNode, line: str) -> FixBuilder:
        """Insert ``line`` (no newline) above the line of ``node``, with its indentation."""
        self.edits.append(NodeEdit("insert_line_before", node, line))
        return self

    def remove_argument(self, call: cst.Call, arg: cst.Arg) -> FixBuilder:
        """Remove ``arg`` of ``call`` with its comma, keeping the layout of the rest and every
        comment (see ``edits.remove_arguments``)."""
        for item in self.edits:
            if isinstance(item, ArgumentRemoval) and item.call is call:
                item.args.append(arg)
                return self
        self.edits.append(ArgumentRemoval(call, [arg]))
        return self

    def remove_parameter(self, function: cst.FunctionDef, param: cst.Param) -> FixBuilder:
        """Remove ``param`` of ``function`` with its comma (and a bare ``*`` left without
        keyword-only parameters), keeping every comment (see ``edits.remove_parameters``)."""
        for item in self.edits:
            if isinstance(item, ParameterRemoval) and item.function is function:
                item.params.append(param)
                return self
        self.edits.append(ParameterRemoval(function, [param]))
        return self

    def remove_decorator(self, decorator: cst.Decorator) -> FixBuilder:
        """Remove the line(s) of ``decorator``; its comments stay as comment lines in its place
        (see ``edits.remove_decorator``)."""
        self.edits.append(DecoratorRemoval(decorator))
        return self

    def raw(self, edit: Edit) -> FixBuilder:
        self.edits.append(edit)
        return self

    def add_import(self, module: str, name: str) -> FixBuilder:
        """Make ``name`` from ``module`` available under its own name (an empty ``name``:
        ``import module``)."""
        self.imports.append((module, name))
        return self

    def remove_if_unused(self, local_name: str) -> FixBuilder:
        self.unused_candidates.append(local_name)
        return self


@dataclass
class Report:
    rule: Rule
    node: cst.CSTNode
    message: str
    fix: Optional[FixBuilder]


class FileContext:
    """Everything a rule may know about the file it checks."""

    def __init__(
        self,
        path: str,
        text: str,
        module: cst.Module,
        settings: Settings,
        *,
        module_name: Optional[str] = None,
        file_path: Optional[str] = None,
        project: Optional[ProjectIndex] = None,
        is_package: bool = False,
    ) -> None:
        self.path = path
        self.file_path = os.path.abspath(file_path or path)
        self.text = text
        self.module = module
        self.settings = settings
        self.module_name = module_name
        self.is_package = is_package
        self._project = project
        self._model: Optional[FileModel] = None
        self._types: Optional[Types] = None
        self.reports: list[Report] = []
        # Analyses that several rules share for this file (built by the first that asks).
        # They live and die with the context, so nothing of the file outlives its check.
        self._shared: dict[object, object] = {}

    @property
    def project(self) -> ProjectIndex:
        """The index of the project the file belongs to (the whole tree under its root)."""
        if self._project is None:
            from fastlint.project.index import ProjectIndex

            directory = os.path.dirname(self.file_path)
            self._project = ProjectIndex(directory, [self.file_path])
        return self._project

    @property
    def model(self) -> FileModel:
        """The semantic model of this file, built from its LibCST tree on first use."""
        if self._model is None:
            from fastlint.project.index import FileView
            from fastlint.semantic.from_cst import summarize_cst
            from fastlint.semantic.model import FileModel

            name = self.module_name or self.project.module_name_for(self.file_path)[0]
            summary = summarize_cst(self.module, name, self.file_path, self.is_package)
            model = FileModel(summary)
            model.project = FileView(self.project, model)
            self._model = model
            self.types  # noqa: B018 - binds the file's type inference to the model
        return self._model

    @property
    def types(self) -> Types:
        """Type inference for this file's code (the project seen with this file's model)."""
        if self._types is None:
            from fastlint.semantic.types import Types

            self._types = Types(self.model.project)
            self.model.types = self._types
        return self._types

    @property
    def facts(self) -> ProjectFacts:
        """What the project registers with FastAPI."""
        return self.project.facts

    def close(self) -> None:
        """Let go of the file's tree, model and analyses at once (the engine calls this when
        the file is done). The model, its view of the project and its type inference refer
        to each other, as do the reports and the rules: left as they are, the whole tree
        waits for the cyclic collector, which then scans every node of it."""
        model = self._model
        if model is not None:
            model.project = None
            model.types = None
        self._model = None
        self._types = None
        self._shared.clear()
        self.reports = []

    def async_context(self, node: cst.FunctionDef) -> Optional[tuple[Scope, AsyncContext]]:
        """The scope of an ``async def`` that runs on the event loop, and why it does (a path
        operation, a dependency, awaited from one, ...); None for any other function."""
        if node.asynchronous is None:
            return None
        scope = self.model.scope_of(node)
        context = self.facts.context(self.model, scope) if scope is not None else None
        return None if scope is None or context is None else (scope, context)

    def qualname(self, node: cst.CSTNode) -> Optional[str]:
        """The qualified name a Name/Attribute node means where it stands (``Depends`` ->
        ``fastapi.Depends``), through imports, re-exports and shadowing; None when it has no
        single meaning. A shortcut for ``context.model.resolve(node)``."""
        return self.model.resolve(node)

    def shared(self, key: object, build: Callable[[], T]) -> T:
        """The analysis stored under ``key`` for this file, built by ``build`` on first use."""
        if key not in self._shared:
            self._shared[key] = build()
        return cast(T, self._shared[key])

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    @property
    def pydantic_version(self) -> int:
        """1 or 2: configured, or detected from the project metadata nearest to the file."""
        return self.settings.pydantic_version_for(self.file_path)

    @property
    def newline(self) -> str:
        return self.module.default_newline

    @property
    def indent(self) -> str:
        return self.module.default_indent


class Rule(cst.BatchableCSTVisitor):
    """Base class of all rules. Subclasses set the class attributes and define ``visit_*``
    methods; the docstring is the rule's documentation, in the sections listed in
    ``DOC_SECTIONS``."""

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    # One line for rule tables (the README's, docs/rules/): what the rule finds. Empty: the
    # message.
    description: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    # Strings a file must contain (any of them) for this rule to possibly fire. The engine
    # skips parsing a file when no selected rule can fire on it.
    requires_any: ClassVar[tuple[str, ...]] = ("fastapi", "starlette")
    # A regular expression the text must also match (None: no more than ``requires_any``):
    # for a rule whose findings all lie where some text pattern is, such as the route rules'
    # decorators (``decorator_text``). A file that no selected rule can report in is never
    # summarised or parsed.
    requires_match: ClassVar[Optional[str]] = None
    # Rules that ask the project facts (roles, apps, registrations): a parallel run builds
    # them once before starting its workers.
    uses_project_facts: ClassVar[bool] = False
    valid: ClassVar[Sequence[CaseLike]] = ()
    invalid: ClassVar[Sequence[CaseLike]] = ()

    DOC_SECTIONS: ClassVar[tuple[str, ...]] = (
        "What it does",
        "Why is this bad?",
        "Example",
        "Use instead",
        "Fix safety",
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context

    def report(
        self,
        node: cst.CSTNode,
        message: Optional[str] = None,
        *,
        fix: Optional[FixBuilder] = None,
    ) -> None:
        self.context.reports.append(Report(self, node, message or self.message, fix))

    @staticmethod
    def fix(applicability: Applicability, message: str) -> FixBuilder:
        return FixBuilder(applicability, message)

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        """Whether visiting the file may report anything, asked of its ``ast``-built model
        before LibCST parses it (see ``fastlint.precheck``). False only when the visit could
        not report; the default, True, always visits."""
        return True

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")


def resolve_fix(
    builder: FixBuilder,
    positions: Mapping[cst.CSTNode, Any],
    lines: LineIndex,
    context: FileContext,
) -> Optional[Fix]:
    """Turn node edits into offset edits. None when an edit cannot be placed."""
    text = context.text
    spans = NodeSpans(positions, lines)
    edits: list[Edit] = []
    for item in builder.edits:
        if isinstance(item, Edit):
            edits.append(item)
            continue
        try:
            if isinstance(item, ArgumentRemoval):
                edits.append(remove_arguments(item.call, item.args, spans, text))
                continue
            if isinstance(item, ParameterRemoval):
                edits.append(remove_parameters(item.function, item.params, spans, text))
                continue
            if isinstance(item, DecoratorRemoval):
                edits.append(remove_decorator(item.decorator, spans, text))
                continue
        except MissingPosition:
            return None
        start_pos = positions.get(item.node)
        end_pos = positions.get(item.end_node or item.node)
        if start_pos is None or end_pos is None:
            return None
        start = lines.offset(start_pos.start.line, start_pos.start.column)
        end = lines.offset(end_pos.end.line, end_pos.end.column)
        if item.kind == "replace":
            edits.append(Edit(start, end, item.content))
        elif item.kind == "insert_before":
            edits.append(Edit(start, start, item.content))
        elif item.kind == "insert_after":
            edits.append(Edit(end, end, item.content))
        elif item.kind == "delete_lines":
            line_start = lines.line_start(start)
            if text[line_start:start].strip():
                edits.append(Edit(start, end, ""))
            else:
                edits.append(Edit(line_start, lines.line_end(end), ""))
        elif item.kind == "insert_line_before":
            line_start = lines.line_start(start)
            indentation = text[line_start:start]
            if indentation.strip():
                return None
            line = f"{indentation}{item.content}{lines.newline_at(start, context.newline)}"
            edits.append(Edit(line_start, line_start, line))
        else:  # pragma: no cover - a programming error in a rule
            raise ValueError(f"unknown edit kind {item.kind!r}")
    by_module: dict[str, list[str]] = {}
    plain: list[str] = []  # ``import module``
    for module, name in builder.imports:
        if not name:
            if module not in plain:
                plain.append(module)
            continue
        names = by_module.setdefault(module, [])
        if name not in names:
            names.append(name)
    requests: list[tuple[str, list[str]]] = [(module, []) for module in plain]
    requests += list(by_module.items())
    if requests:
        edit = import_edits(context, positions, lines, requests)
        if edit is False:
            return None
        if edit is not None:
            edits.append(edit)
    if not edits:
        return None
    # Edits in position order; insertions at one point keep the order the rule gave them.
    unique = list(dict.fromkeys(edits))
    ordered = sorted(range(len(unique)), key=lambda i: (unique[i].start, unique[i].end, i))
    return Fix(
        builder.applicability,
        builder.message,
        tuple(unique[i] for i in ordered),
        tuple(builder.unused_candidates),
    )
