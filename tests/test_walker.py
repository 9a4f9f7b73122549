"""The engine's read-only traversal visits what LibCST's visitor visits, in the same order."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import libcst as cst

from fastlint.walker import TRIVIA, TRIVIA_NAMES, Table, children, walk

ROOT = Path(__file__).resolve().parents[1]


class _Events(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


_NODE_CLASSES = sorted(
    {
        cls.__name__
        for cls in vars(cst).values()
        if isinstance(cls, type) and issubclass(cls, cst.CSTNode)
    }
)


def _walked(module: cst.Module, names: Sequence[str] = _NODE_CLASSES) -> list[tuple[str, int]]:
    """The events of a walk whose tables name every class in ``names``."""
    events: list[tuple[str, int]] = []

    def table(kind: str) -> Table:
        def record(node: cst.CSTNode) -> None:
            events.append((kind, id(node)))

        return {name: [(None, record)] for name in names}

    walk(module, table("visit"), table("leave"), lambda owner, exc: None)
    return events


def test_same_events_as_libcst_on_real_code() -> None:
    files = sorted([*(ROOT / "fastlint").rglob("*.py"), *(ROOT / "fixtures").rglob("*.py")])
    assert len(files) > 40
    for path in files:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        expected = _Events()
        module.visit(expected)
        assert _walked(module) == expected.events, path


def test_trivia_is_skipped_when_no_method_names_it() -> None:
    """Tables naming only code nodes see the same events, in the same order, without the
    whitespace, comments, operators and brackets LibCST would also visit."""
    code = (ROOT / "fastlint" / "walker.py").read_text(encoding="utf-8")
    code += "\nx = (a + b) * [c, d]  # comment\nif not x: y = {1: 2}; z = -x\n"
    module = cst.parse_module(code)
    expected = _Events()
    module.visit(expected)
    trivia = {id(node) for node in _all_nodes(module) if type(node) in TRIVIA}
    assert trivia
    code_names = [name for name in _NODE_CLASSES if name not in TRIVIA_NAMES]
    walked = _walked(module, code_names)
    assert walked == [event for event in expected.events if event[1] not in trivia]


def _all_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    out = [node]
    for child in node.children:
        out.extend(_all_nodes(child))
    return out


def test_children_match_libcst_for_optional_fields_seen_late() -> None:
    """A class first met without its optional parts (``def f():``) learns them later
    (decorators, a return annotation, ``async``)."""
    plain = cst.parse_module("def f():\n    pass\n").body[0]
    rich = cst.parse_module("@d\nasync def g(x: int = 1) -> int:\n    return x\n").body[0]
    assert children(plain) == list(plain.children)
    assert children(rich) == list(rich.children)
    assert children(plain) == list(plain.children)


def test_a_failing_callback_is_switched_off_and_reported() -> None:
    module = cst.parse_module("a = 1\nb = 2\n")
    calls: list[str] = []
    errors: list[BaseException] = []

    def broken(node: cst.CSTNode) -> None:
        calls.append("broken")
        raise ValueError("boom")

    def fine(node: cst.CSTNode) -> None:
        calls.append("fine")

    owner_a, owner_b = object(), object()
    walk(
        module,
        {"Name": [(owner_a, broken), (owner_b, fine)]},
        {},
        lambda owner, exc: errors.append(exc),
    )
    assert calls == ["broken", "fine", "fine"]
    assert len(errors) == 1


def test_deep_nesting_does_not_recurse() -> None:
    """A tree far deeper than Python's recursion limit (built directly: LibCST's parser and
    visitor would recurse) is walked."""
    names: list[cst.CSTNode] = []
    tree = cst.Module(body=[cst.SimpleStatementLine(body=[cst.Expr(_chain(3000))])])
    walk(tree, {"Name": [(None, lambda node: names.append(node))]}, {}, lambda o, e: None)
    assert len(names) == 3001


def _chain(depth: int) -> cst.BaseExpression:
    node: cst.BaseExpression = cst.Name("x")
    for _ in range(depth):
        node = cst.BinaryOperation(left=node, operator=cst.Add(), right=cst.Name("x"))
    return node


def test_each_combination_of_optional_fields_has_its_own_order() -> None:
    """Regression: a `Param` first met with an annotation and a comma, then one with a default
    and no annotation, put the comma before the default."""
    first = cst.parse_module("def f(a: int, b): pass\n")
    second = cst.parse_module("def g(x=1, *, y: int = 2, **z): pass\n")
    for module in (first, second, first):
        stack: list[cst.CSTNode] = [module]
        while stack:
            node = stack.pop()
            assert children(node) == list(node.children), type(node).__name__
            stack.extend(node.children)
