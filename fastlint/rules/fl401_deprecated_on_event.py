"""FL401 deprecated-on-event: `on_event` handlers and `on_startup`/`on_shutdown` arguments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.edits import import_name
from fastlint.fastapi.facts import AppObject
from fastlint.nodes import is_name
from fastlint.noqa import parse_suppressions
from fastlint.rule import Case, FileContext, FixAvailability, FixBuilder, Rule
from fastlint.semantic import ir
from fastlint.semantic import summary as s

EVENT_ARGUMENTS = ("on_startup", "on_shutdown")
_ASYNC_CONTEXT_MANAGER = ("contextlib", "asynccontextmanager")
_ASYNC_ITERATOR = ("collections.abc", "AsyncIterator")
_ASYNC_ITERATOR_ELSEWHERE = frozenset(
    {"collections.abc.AsyncIterator", "typing.AsyncIterator", "typing_extensions.AsyncIterator"}
)


@dataclass(frozen=True)
class _Handler:
    name: str
    is_async: bool
    event: str  # "startup" | "shutdown"


@dataclass
class _Group:
    """Everything found about one app or router in this module."""

    key: str
    is_app: bool
    owner: Optional[AppObject]
    findings: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    argument_handlers: list[_Handler] = field(default_factory=list)
    decorator_handlers: list[_Handler] = field(default_factory=list)
    decorators: list[cst.Decorator] = field(default_factory=list)
    calls: list[cst.Call] = field(default_factory=list)  # constructor calls with event arguments
    # Why the handlers of this object cannot all be moved into a lifespan, when they cannot.
    blockers: list[str] = field(default_factory=list)


class DeprecatedOnEvent(Rule):
    """
    ## What it does
    Reports `@app.on_event("startup")` / `@app.on_event("shutdown")` handlers on a `FastAPI`
    app or an `APIRouter`, and the `on_startup=` / `on_shutdown=` arguments of `FastAPI(...)`
    and `APIRouter(...)`. Apps and routers are recognised by qualified name, also when they are
    imported from another module of the project or built inside an app factory. Apps that
    already have a `lifespan=` are left to FL402 (there the handlers never run).

    ## Why is this bad?
    Event handlers are deprecated in FastAPI, and Starlette 1.0 removed them: FastAPI keeps a
    copy of the old machinery for backward compatibility only. A startup handler and its
    matching shutdown handler cannot share state except through globals, and as soon as a
    `lifespan` is added (a library often needs one) every `on_event` handler is silently
    skipped. A lifespan context manager keeps setup and teardown together and is the supported
    way.

    ## Example
    ```python
    from fastapi import FastAPI

    app = FastAPI()


    @app.on_event("startup")
    async def connect_db() -> None:
        await database.connect()


    @app.on_event("shutdown")
    async def disconnect_db() -> None:
        await database.disconnect()
    ```

    ## Use instead
    ```python
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    from fastapi import FastAPI


    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await database.connect()
        try:
            yield
        finally:
            await database.disconnect()


    app = FastAPI(lifespan=lifespan)
    ```

    ## Fix safety
    The fix is safe, and offered only when the rule sees every handler of the app: the app is
    built by a `FastAPI(...)` call at module level of this module and has no lifespan; every
    handler is a plain module-level function of this module (no other decorator, defined once),
    listed in `on_startup=[...]`/`on_shutdown=[...]` or decorated with a literal
    `"startup"`/`"shutdown"`, and neither rebound nor deleted anywhere in the module; no other
    module of the project registers handlers on the app (the whole project is read, whatever
    files the run checks: a pre-commit run of one staged file sees the handlers of the
    others); no router that it includes has handlers; and no code reaches
    `router.on_startup`, `add_event_handler` or `lifespan_context` of the app directly.

    The generated `lifespan` (named `_lifespan`, ... when `lifespan` is taken) is defined above
    the `app = FastAPI(...)` statement, because `FastAPI(lifespan=lifespan)` needs it there;
    its body refers to the handlers by name, which only have to exist when it runs. It does
    what FastAPI's compatibility lifespan did: startup handlers in registration order
    (constructor arguments first, then decorators in source order), awaiting `async def` ones
    and calling plain ones on the event loop; then shutdown handlers in registration order in
    a `finally`. FastAPI runs the shutdown handlers from the `__aexit__` of its context
    manager, so they run when the server stops normally and also when the lifespan is
    cancelled or fails after start-up; they do not run when a startup handler raises, since
    `__aexit__` is not called when `__aenter__` fails. The generated code keeps both: the
    startup calls come before the `try`. Decorators are removed and handlers kept; the
    `on_startup`/`on_shutdown` arguments are replaced by `lifespan=`. A comment on a removed
    decorator (after it, or inside its parentheses) stays, as a comment line right above the
    handler's `def`; only a `# noqa` or `# type: ignore` pragma (with its reason), which
    applied to the removed line alone, goes with it.

    Router handlers are reported without a fix: FastAPI copies them into every app that
    includes the router, so moving them depends on the app.
    """

    code = "FL401"
    name = "deprecated-on-event"
    message = "`on_event` is deprecated; use a lifespan context manager (FastAPI(lifespan=...))"
    description = "`@app.on_event(...)` instead of a lifespan"
    fix_availability = FixAvailability.SAFE
    requires_any = ("on_event", "on_startup", "on_shutdown")
    uses_project_facts = True

    valid = (
        Case(
            """
            from contextlib import asynccontextmanager

            from fastapi import FastAPI


            @asynccontextmanager
            async def lifespan(app):
                yield


            app = FastAPI(lifespan=lifespan)


            @app.on_event("startup")
            async def ignored() -> None:
                pass
            """
        ),
        Case(
            """
            from fastapi import FastAPI


            async def start() -> None:
                pass


            app = FastAPI(on_startup=[start], lifespan=make_lifespan())
            """
        ),
        Case(
            """
            from events import EventBus

            bus = EventBus()


            @bus.on_event("startup")
            def handler() -> None:
                pass
            """
        ),
        Case(
            """
            from fastapi import FastAPI


            class Hooks:
                def on_event(self, name):
                    return lambda f: f


            hooks = Hooks()
            app = FastAPI()


            @hooks.on_event("startup")
            def handler() -> None:
                pass
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()


            @app.on_event("startup")
            async def connect_db() -> None:
                pass


            @app.on_event("shutdown")
            def close() -> None:
                pass
            """,
            expected="""
            from collections.abc import AsyncIterator
            from contextlib import asynccontextmanager

            from fastapi import FastAPI


            @asynccontextmanager
            async def lifespan(app: FastAPI) -> AsyncIterator[None]:
                await connect_db()
                try:
                    yield
                finally:
                    close()


            app = FastAPI(lifespan=lifespan)


            async def connect_db() -> None:
                pass


            def close() -> None:
                pass
            """,
            count=2,
            message="`on_event` is deprecated",
        ),
        Case(
            """
            import fastapi


            def init() -> None:
                pass


            app = fastapi.FastAPI(on_startup=[init])
            """,
            expected="""
            from collections.abc import AsyncIterator
            from contextlib import asynccontextmanager

            import fastapi


            def init() -> None:
                pass


            @asynccontextmanager
            async def lifespan(app: fastapi.FastAPI) -> AsyncIterator[None]:
                init()
                yield


            app = fastapi.FastAPI(lifespan=lifespan)
            """,
            count=1,
            message="`on_startup` is deprecated",
        ),
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter()


            @router.on_event("startup")
            async def warm_cache() -> None:
                pass
            """,
            count=1,
            message="APIRouter(lifespan=...)",
        ),
        Case(
            """
            from app.main import app


            @app.on_event("shutdown")
            async def flush() -> None:
                pass
            """,
            path="app/events.py",
            files={
                "app/__init__.py": "",
                "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            },
            count=1,
        ),
        Case(
            """
            from fastapi import FastAPI


            def create_app() -> FastAPI:
                app = FastAPI()

                @app.on_event("startup")
                async def start() -> None:
                    pass

                return app
            """,
            count=1,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._groups: dict[str, _Group] = {}
        self._decorator_calls: set[cst.Call] = set()
        self._generated: set[str] = set()  # names the fixes of this module define

    @property
    def _taken(self) -> set[str]:
        """Names a generated function must not take: every name of the module, and those
        other fixes of this module generate."""
        self._generated |= self.context.model.summary.names
        return self._generated

    # -- what the module registers ------------------------------------------------------------

    def _target(
        self, receiver: cst.BaseExpression
    ) -> Optional[tuple[str, bool, Optional[AppObject]]]:
        """(key, is an app, object) of the app or router a receiver names, if it names one."""
        model, facts = self.context.model, self.context.facts
        expr, point = model.expr_of(receiver), model.point_of(receiver)
        if expr is None or point is None:
            return None
        owner = facts.object_at(model, expr, point)
        if owner is not None:
            return owner.key, owner.is_app, owner
        if not facts.is_app_or_router(model, expr, point):
            return None
        found = self.context.types.type_of(model, expr, point)
        is_app = (
            found is not None
            and facts.app_class(found.name) is not None
            and bool((facts.app_class(found.name) or (False,))[0])
        )
        return f"<{self.context.code(receiver)} at {id(receiver)}>", is_app, None

    def _group(self, key: str, is_app: bool, owner: Optional[AppObject]) -> _Group:
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(key, is_app, owner)
        return group

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        registrations: list[tuple[cst.Decorator, _Group, Optional[str]]] = []
        for decorator in node.decorators:
            expr = decorator.decorator
            if not (
                isinstance(expr, cst.Call)
                and isinstance(expr.func, cst.Attribute)
                and expr.func.attr.value == "on_event"
            ):
                continue
            target = self._target(expr.func.value)
            if target is None or (target[2] is not None and target[2].lifespan is True):
                continue  # not an app, or an app with a lifespan: FL402's
            self._decorator_calls.add(expr)
            group = self._group(*target)
            group.findings.append((decorator, _message(group)))
            registrations.append((decorator, group, _event_type(expr)))
        if not registrations:
            return
        name = node.name.value
        scope = self.context.model.scope_of(node)
        movable = (
            scope is not None
            and scope.parent == 0
            and scope.branch < 0
            and len(registrations) == len(node.decorators)
            and len({id(group) for _, group, _ in registrations}) == 1
            and self._defined_once(name)
        )
        # Decorators apply bottom-up: the lowest one registers the handler first.
        for decorator, group, event in reversed(registrations):
            group.decorators.append(decorator)
            if event is None:
                group.blockers.append("event type is not a literal 'startup'/'shutdown'")
            elif not movable:
                group.blockers.append(f"handler {name!r} is not a plain module-level function")
            else:
                group.decorator_handlers.append(
                    _Handler(name, node.asynchronous is not None, event)
                )

    def visit_Call(self, node: cst.Call) -> None:
        if node in self._decorator_calls:
            return
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "on_event":
            target = self._target(func.value)
            if target is not None and not (target[2] is not None and target[2].lifespan):
                group = self._group(*target)
                group.findings.append((node, _message(group)))
                group.blockers.append("`on_event` used outside a decorator")
            return
        event_args = [
            arg
            for arg in node.args
            if arg.keyword is not None and arg.keyword.value in EVENT_ARGUMENTS
        ]
        if not event_args or any(
            is_name(arg.keyword, "lifespan") and not is_name(arg.value, "None") for arg in node.args
        ):
            return
        kind = self.context.facts.app_class(self.context.model.resolve(func))
        if kind is None:
            return
        owner = self._constructed(node)
        key = owner.key if owner is not None else f"<call at {id(node)}>"
        group = self._group(key, kind[0], owner)
        group.calls.append(node)
        for arg in event_args:
            assert arg.keyword is not None
            group.findings.append((arg, _message(group, arg.keyword.value)))
            handlers = self._argument_handlers(arg)
            if handlers is None:
                group.blockers.append(f"`{arg.keyword.value}` is not a list of local functions")
            else:
                group.argument_handlers.extend(handlers)

    def _constructed(self, call: cst.Call) -> Optional[AppObject]:
        """The app or router object that a constructor call makes."""
        model = self.context.model
        expr = model.expr_of(call)
        for binding in model.summary.bindings:
            if binding.value is expr and binding.kind == s.ASSIGN and not binding.unpack:
                key = model.variable_symbol(binding.scope, binding.name)
                return self.context.facts.objects.get(key)
        return None

    def _defined_once(self, name: str) -> bool:
        """A module-level function bound once and never rebound or deleted anywhere (a later
        ``del``, loop target, ``with ... as``, walrus, ``except ... as``, ``global`` assignment
        in a function... would break the lifespan that calls it)."""
        bindings = self.context.model.bindings(0, name)
        return len(bindings) == 1 and bindings[0].kind == s.DEF and bindings[0].branch < 0

    def _argument_handlers(self, arg: cst.Arg) -> Optional[list[_Handler]]:
        assert arg.keyword is not None
        event = "startup" if arg.keyword.value == "on_startup" else "shutdown"
        value = arg.value
        if is_name(value, "None"):
            return []
        if not isinstance(value, (cst.List, cst.Tuple)):
            return None
        model = self.context.model
        handlers: list[_Handler] = []
        for element in value.elements:
            if not isinstance(element, cst.Element) or not isinstance(element.value, cst.Name):
                return None
            name = element.value.value
            definition = self.context.types.definition(
                model,
                ir.Name(name),
                model.point_of(element.value) or model.end_of(model.module_scope),
            )
            if (
                definition is None
                or definition.model is not model
                or definition.scope.parent != 0
                or definition.scope.decorators
                or not self._defined_once(name)
            ):
                return None
            handlers.append(_Handler(name, definition.scope.is_async, event))
        return handlers

    def leave_Module(self, original_node: cst.Module) -> None:
        for group in self._groups.values():
            if not group.findings:
                continue
            fix = self._build_fix(group) if group.is_app else None
            for node, message in group.findings:
                self.report(node, message, fix=fix)

    # -- what the rest of the project does ----------------------------------------------------

    def _sees_every_handler(self, owner: AppObject) -> bool:
        """No other module, and no other form, registers handlers on the app; no router it
        includes (at any depth) has handlers; nothing sets its lifespan directly."""
        facts, module = self.context.facts, self.context.model.name
        for registration in facts.registrations:
            if registration.owner != owner.key:
                continue
            if registration.kind == "lifespan":
                return False
            if registration.kind == "event" and (
                registration.module != module or registration.how not in ("decorator", "keyword")
            ):
                return False
        seen = {owner.key}
        pending = facts.included(owner.key)
        while pending:
            child = pending.pop()
            if child in seen:
                continue
            seen.add(child)
            if facts.registrations_of(child, "event"):
                return False
            pending.extend(facts.included(child))
        return True

    # -- the fix ------------------------------------------------------------------------------

    def _build_fix(self, group: _Group) -> Optional[FixBuilder]:
        owner = group.owner
        model = self.context.model
        if (
            owner is None
            or not owner.exact
            or owner.lifespan is not False
            or group.blockers
            or owner.module != model.name
        ):
            return None
        name = owner.key[len(model.name) + 1 :]
        if "." in name or len(model.bindings(0, name)) != 1:
            return None
        found = self._statement_of(name, owner)
        if found is None:
            return None
        _, statement, small, call = found
        if any(c is not call for c in group.calls):
            return None
        if any(
            arg.keyword is None or arg.star or arg.keyword.value == "lifespan" for arg in call.args
        ):
            return None  # positional or unpacked arguments, or an explicit `lifespan=None`
        if any(_suppressed(node, statement) for node, _ in group.findings):
            # A handler kept on purpose (a noqa comment for FL401) would be dropped by a lifespan.
            return None
        if not self._sees_every_handler(owner):
            return None
        fix = self.fix(
            Applicability.SAFE, "Move the event handlers into a lifespan context manager"
        )
        handlers = group.argument_handlers + group.decorator_handlers
        if not handlers:  # only `on_startup=[]`/`None`: nothing to move
            return fix.replace(call, self.context.code(_without_events(call, None, "")))
        before = model.point_of(statement)
        decorator = import_name(self.context, fix, *_ASYNC_CONTEXT_MANAGER, before=before)
        iterator = import_name(
            self.context, fix, *_ASYNC_ITERATOR, also=_ASYNC_ITERATOR_ELSEWHERE, before=before
        )
        if decorator is None or iterator is None:
            return None

        taken = self._taken
        lifespan = _free_name(("lifespan", "_lifespan"), taken)
        taken.add(lifespan)
        parameter = _free_name(("app", "_app"), {h.name for h in handlers})

        newline, indent = self.context.newline, self.context.indent
        lines = [
            f"@{decorator}",
            f"async def {lifespan}({parameter}: {self.context.code(call.func)})"
            f" -> {iterator}[None]:",
        ]
        lines += [indent + _call_line(h) for h in handlers if h.event == "startup"]
        shutdown = [indent * 2 + _call_line(h) for h in handlers if h.event == "shutdown"]
        if shutdown:
            lines += [indent + "try:", indent * 2 + "yield", indent + "finally:", *shutdown]
        else:
            lines.append(indent + "yield")
        function = newline.join(lines) + newline

        leading = list(statement.leading_lines)
        attached = len(leading)  # comments right above the app statement stay with it
        while attached > 0 and leading[attached - 1].comment is not None:
            attached -= 1
        blank = 0
        while attached - blank > 0 and leading[attached - blank - 1].comment is None:
            blank += 1
        first: cst.CSTNode = leading[attached] if attached < len(leading) else statement
        comments = "".join(self.context.code(line) for line in leading[attached:])
        new_small = small.with_changes(
            value=_without_events(call, lifespan, indent), semicolon=cst.MaybeSentinel.DEFAULT
        )
        content = (
            newline * max(0, 2 - blank)
            + function
            + newline * 2
            + comments
            + self.context.code(new_small)
        )
        fix.replace_range(first, call, content)
        for registered in group.decorators:
            fix.remove_decorator(registered)  # its comments stay above the `def`
        return fix

    def _statement_of(
        self, name: str, owner: AppObject
    ) -> Optional[tuple[int, cst.SimpleStatementLine, cst.Assign, cst.Call]]:
        """The top-level ``name = FastAPI(...)`` statement that makes the app (not the first
        statement: imports go above it)."""
        model = self.context.model
        for position, statement in enumerate(self.context.module.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            small = statement.body[0]
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and is_name(small.targets[0].target, name)
                and isinstance(small.value, cst.Call)
                and model.expr_of(small.value) == owner.call
            ):
                return (position, statement, small, small.value) if position >= 1 else None
        return None


def _message(group: _Group, what: str = "on_event") -> str:
    owner = "FastAPI" if group.is_app else "APIRouter"
    return f"`{what}` is deprecated; use a lifespan context manager ({owner}(lifespan=...))"


def _event_type(call: cst.Call) -> Optional[str]:
    values = [
        arg.value
        for position, arg in enumerate(call.args)
        if (arg.keyword is None and position == 0 and not arg.star)
        or (arg.keyword is not None and arg.keyword.value == "event_type")
    ]
    if len(values) != 1 or not isinstance(values[0], cst.SimpleString):
        return None
    value = values[0].evaluated_value
    return value if value in ("startup", "shutdown") and isinstance(value, str) else None


def _suppressed(node: cst.CSTNode, statement: cst.SimpleStatementLine) -> bool:
    """Whether a `# noqa` comment on the line of a finding suppresses FL401 there."""
    comments: list[Optional[cst.Comment]] = []
    if isinstance(node, cst.Decorator):
        comments.append(node.trailing_whitespace.comment)
    elif isinstance(node, cst.Arg):
        comments.append(statement.trailing_whitespace.comment)
        for whitespace in (
            node.comma.whitespace_after if isinstance(node.comma, cst.Comma) else None,
            node.whitespace_after_arg,
        ):
            if isinstance(whitespace, cst.ParenthesizedWhitespace):
                comments.append(whitespace.first_line.comment)
    return any(
        comment is not None
        and parse_suppressions(comment.value).suppresses(DeprecatedOnEvent.code, 1) is not None
        for comment in comments
    )


def _call_line(handler: _Handler) -> str:
    return f"{'await ' if handler.is_async else ''}{handler.name}()"


def _free_name(candidates: Sequence[str], taken: set[str]) -> str:
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[-1]}{number}" in taken:
        number += 1
    return f"{candidates[-1]}{number}"


def _without_events(call: cst.Call, lifespan: Optional[str], indent: str) -> cst.Call:
    """``call`` without its on_startup/on_shutdown arguments and, when ``lifespan`` is given,
    with ``lifespan=<lifespan>`` (in the place of the first removed argument, else last),
    keeping the layout of the other arguments."""
    args = list(call.args)
    removed = [
        i for i, arg in enumerate(args) if arg.keyword and arg.keyword.value in EVENT_ARGUMENTS
    ]
    if not removed:
        if lifespan is None:
            return call
        return call.with_changes(args=_appended(call, lifespan, indent))
    out: list[cst.Arg] = []
    for position, arg in enumerate(args):
        if position not in removed:
            out.append(arg)
        elif position == removed[0] and lifespan is not None:
            out.append(arg.with_changes(keyword=cst.Name("lifespan"), value=cst.Name(lifespan)))
        elif position == len(args) - 1 and out:
            # The last argument goes: the new last one takes its ending (comma, closing line).
            out[-1] = _take_ending(out[-1], arg)
    if not out:
        return call.with_changes(args=(), whitespace_before_args=cst.SimpleWhitespace(""))
    return call.with_changes(args=out)


def _take_ending(kept: cst.Arg, dropped: cst.Arg) -> cst.Arg:
    comma = dropped.comma
    kept_ws = kept.comma.whitespace_after if isinstance(kept.comma, cst.Comma) else None
    if (
        isinstance(comma, cst.Comma)
        and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(kept_ws, cst.ParenthesizedWhitespace)
    ):
        # Keep a comment that ended the kept argument's line.
        comma = comma.with_changes(
            whitespace_after=comma.whitespace_after.with_changes(first_line=kept_ws.first_line)
        )
    return kept.with_changes(comma=comma, whitespace_after_arg=dropped.whitespace_after_arg)


def _appended(call: cst.Call, name: str, indent: str) -> list[cst.Arg]:
    new = cst.Arg(
        value=cst.Name(name),
        keyword=cst.Name("lifespan"),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return [new]
    last = args[-1]
    before_last: cst.BaseParenthesizableWhitespace = call.whitespace_before_args
    if len(args) > 1 and isinstance(args[-2].comma, cst.Comma):
        before_last = args[-2].comma.whitespace_after
    separator: cst.BaseParenthesizableWhitespace
    if isinstance(before_last, cst.ParenthesizedWhitespace):
        separator = before_last.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    elif isinstance(before_last, cst.SimpleWhitespace) and before_last.value:
        separator = before_last
    else:
        separator = cst.SimpleWhitespace(" ")

    has_comma = isinstance(last.comma, cst.Comma)
    ending = (
        last.comma.whitespace_after
        if isinstance(last.comma, cst.Comma)
        else last.whitespace_after_arg
    )
    if isinstance(ending, cst.ParenthesizedWhitespace):
        # One argument per line: the new one goes on its own line, before the closing one.
        if not isinstance(separator, cst.ParenthesizedWhitespace):
            separator = cst.ParenthesizedWhitespace(
                indent=True, last_line=cst.SimpleWhitespace(indent)
            )
        separator = separator.with_changes(first_line=ending.first_line, empty_lines=[])
        closing = ending.with_changes(first_line=cst.TrailingWhitespace())
        if has_comma:
            new = new.with_changes(comma=cst.Comma(whitespace_after=closing))
        else:
            new = new.with_changes(whitespace_after_arg=closing)
    else:
        new = new.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    whitespace_before_comma = (
        last.comma.whitespace_before
        if isinstance(last.comma, cst.Comma)
        else cst.SimpleWhitespace("")
    )
    last = last.with_changes(
        comma=cst.Comma(whitespace_before=whitespace_before_comma, whitespace_after=separator),
        whitespace_after_arg=last.whitespace_after_arg if has_comma else cst.SimpleWhitespace(""),
    )
    return [*args[:-1], last, new]
