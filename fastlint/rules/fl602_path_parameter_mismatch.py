"""FL602 path-parameter-mismatch: path template and function parameters disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.fastapi.routes import path_params, route_table
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, FixBuilder, Rule, decorator_text
from fastlint.rules.fl601_redundant_response_model import ROUTE_DECORATORS
from fastlint.semantic import ir
from fastlint.semantic.model import ModuleModel, Point
from fastlint.semantic.summary import CallSite, Param, Scope
from fastlint.semantic.types import Definition, Types, Variable, definition_point
from fastlint.semantic.values import Values, values_for

if TYPE_CHECKING:
    from fastlint.fastapi.facts import ProjectFacts

_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
# The decorators of the routes FL602 checks (path operations and websockets).
_DECORATORS = ROUTE_DECORATORS | {"websocket"}


class _Unknown(Exception):
    """A dependency whose parameters are not known."""


class _Paths:
    """FL602's analysis, on the records of any model: what a route's path holds and what its
    function (and its dependencies) receives from it."""

    def __init__(self, types: Types, facts: ProjectFacts, values: Values) -> None:
        self.types = types
        self.facts = facts
        self.values = values

    def findings(
        self, model: ModuleModel, scope: Scope, call: ir.Call, site: Optional[CallSite], text: str
    ) -> tuple[list[str], list[tuple[str, str]]]:
        """(the names of the path no parameter receives, (parameter, name) of each `Path()`
        parameter the path lacks) for the route that ``call`` registers ``scope`` with."""
        point = definition_point(model, scope)
        template, full = self.template(model, call, site, point)
        if template is None:
            return [], []
        declared: dict[str, Optional[str]] = {}  # received name -> Path() parameter name
        complete = True
        try:
            self._receives(model, scope, point, declared, set(), 0)
        except _Unknown:
            complete = False
        complete = complete and self.route_dependencies(model, call, site, declared)
        missing: list[str] = []
        if complete and "path_params" not in text:
            missing = [name for name in template if name not in declared]
        stray: list[tuple[str, str]] = []
        if full and complete:
            own = {p.name for p in scope.params if p.kind in ("normal", "kwonly")}
            by_param: dict[str, list[str]] = {}
            for received, param_name in declared.items():
                if param_name is not None:
                    by_param.setdefault(param_name, []).append(received)
            for param_name, received_names in by_param.items():
                if param_name in own and not any(n in template for n in received_names):
                    stray.append((param_name, received_names[0]))
        return missing, stray

    def template(
        self, model: ModuleModel, call: ir.Call, site: Optional[CallSite], point: Point
    ) -> tuple[Optional[list[str]], bool]:
        """(the parameters of the route's path, whether they include every prefix's)."""
        path_arg = next((a.value for a in call.args if a.keyword is None), None)
        if path_arg is None:
            path_arg = next((a.value for a in call.args if a.keyword == "path"), None)
        if path_arg is None:
            return None, False
        value = self.values.value_of(model, path_arg, point)
        if value is None or not isinstance(value.data, str):
            return None, False
        local = path_params(value.data)
        entries = route_table(self.facts).entries_of(model.name, site) if site else []
        if entries and all(e.resolved_path and e.app is not None for e in entries):
            names: list[str] = []
            for entry in entries:
                names.extend(n for n in path_params(entry.path) if n not in names)
            return names, True
        return local, False

    def route_dependencies(
        self,
        model: ModuleModel,
        call: ir.Call,
        site: Optional[CallSite],
        declared: dict[str, Optional[str]],
    ) -> bool:
        entries = route_table(self.facts).entries_of(model.name, site) if site else []
        if not entries:
            return not any(a.keyword == "dependencies" for a in call.args)
        for entry in entries:
            if not entry.dependencies_complete:
                return False
            for qualname in entry.dependencies:
                found = self._definition(qualname)
                if found is None:
                    return False
                try:
                    inner = definition_point(found.model, found.scope)
                    self._receives(found.model, found.scope, inner, declared, set(), 1)
                except _Unknown:
                    return False
        return True

    def _definition(self, qualname: str) -> Optional[Definition]:
        found = self.types.global_target(qualname)
        if isinstance(found, Definition):
            return found
        owner, _, method = qualname.rpartition(".")
        member = self.types.class_member(owner, method) if owner else None
        return member if isinstance(member, Definition) else None

    def _receives(
        self,
        model: ModuleModel,
        scope: Scope,
        point: Point,
        declared: dict[str, Optional[str]],
        seen: set[str],
        depth: int,
    ) -> None:
        """Add the names a function (and its dependencies) receives from the path."""
        if depth > 8:
            raise _Unknown
        key = model.symbol_of(scope)
        if key in seen:
            return
        seen.add(key)
        for param in scope.params:
            if param.kind == "kwarg":
                raise _Unknown
            if param.kind == "vararg" or (depth and param.name == "self"):
                continue
            marker, provider, names = self._marker(model, param, point)
            if marker in ("Depends", "Security"):
                self._dependency(model, provider, param, point, declared, seen, depth)
                continue
            for name in names:
                if marker == "Path" and depth == 0:
                    declared[name] = param.name
                else:
                    declared.setdefault(name, None)

    def _dependency(
        self,
        model: ModuleModel,
        provider: Optional[ir.Expr],
        param: Param,
        point: Point,
        declared: dict[str, Optional[str]],
        seen: set[str],
        depth: int,
    ) -> None:
        types = self.types
        target = provider
        if target is None:  # Depends() with the class from the annotation
            target = self._annotation_type(model, param.annotation, point)
        if target is None:
            raise _Unknown
        found = types.definition(model, target, point)
        if found is None:
            raise _Unknown
        if found.is_class:
            init = types.class_member(found.qualname, "__init__")
            if not isinstance(init, Definition):
                raise _Unknown  # fields of a dataclass or model: not followed
            found = init
        inner = definition_point(found.model, found.scope)
        self._receives(found.model, found.scope, inner, declared, seen, depth + 1)

    def _annotation_type(
        self, model: ModuleModel, annotation: Optional[ir.Expr], point: Point
    ) -> Optional[ir.Expr]:
        if isinstance(annotation, ir.Subscript) and (
            model.qualified_name(annotation.value, point) in _ANNOTATED
        ):
            index = annotation.index
            parts = index.elements if isinstance(index, ir.Collection) else (index,)
            return parts[0] if parts else None
        return annotation if isinstance(annotation, (ir.Name, ir.Attribute)) else None

    def _marker(
        self, model: ModuleModel, param: Param, point: Point
    ) -> tuple[Optional[str], Optional[ir.Expr], tuple[str, ...]]:
        """(FastAPI parameter function, its first argument, the names it is read under) of a
        parameter: its alias, its ``validation_alias`` (``AliasChoices`` gives several), else
        its own name. Raises _Unknown when an alias is not a literal."""
        candidates: list[ir.Expr] = []
        if param.default is not None:
            candidates.append(param.default)
        annotation = param.annotation
        if isinstance(annotation, ir.Subscript) and (
            model.qualified_name(annotation.value, point) in _ANNOTATED
        ):
            index = annotation.index
            parts = index.elements if isinstance(index, ir.Collection) else (index,)
            candidates.extend(parts[1:])
        if isinstance(annotation, (ir.Name, ir.Attribute)) and isinstance(
            self.types.target(model, annotation, point), Variable
        ):
            raise _Unknown  # a type alias (``Identifier = Annotated[int, Path(...)]``)
        for candidate in candidates:
            if isinstance(candidate, (ir.Name, ir.Attribute)) and candidate is not param.default:
                raise _Unknown  # ``Annotated[int, identifier_path]``: a marker in a variable
            if not isinstance(candidate, ir.Call):
                continue
            name = model.qualified_name(candidate.func, point) or ""
            if not name.startswith("fastapi."):
                continue
            marker = name.rsplit(".", 1)[-1]
            # FastAPI looks the value up under the alias, the validation alias's choices, and
            # the name: any of them may be the template's.
            names: list[str] = [param.name]
            for keyword in ("alias", "validation_alias"):
                given = candidate.keyword(keyword)
                if given is None:
                    continue
                if isinstance(given, ir.Constant) and isinstance(given.value, str):
                    names.append(given.value)
                elif (
                    isinstance(given, ir.Call)
                    and (ir.dotted(given.func) or "").endswith("AliasChoices")
                    and all(
                        isinstance(a.value, ir.Constant) and isinstance(a.value.value, str)
                        for a in given.args
                    )
                ):
                    names.extend(str(a.value.value) for a in given.args)  # type: ignore[union-attr]
                else:
                    raise _Unknown
            return marker, candidate.argument(0, "dependency"), tuple(names)
        return None, None, (param.name,)


class PathParameterMismatch(Rule):
    """## What it does
    Compares the `{name}` parameters of a path operation's full path (its own path with the
    router and include prefixes of the route table) with the parameters of its function and
    of its dependencies (`Depends(...)` parameters, also through `Annotated`, and the route's
    `dependencies=`, recursively; a `Path(alias=...)` counts under its alias). Reports a
    template parameter that nothing receives, and a parameter declared with `Path()` that is
    not in the template.

    ## Why is this bad?
    A template parameter nobody declares is matched and thrown away: the handler cannot know
    which item was asked for (often a typo: `{item_id}` with `itemid: int`). A `Path()`
    parameter missing from the template can never be filled: FastAPI answers every request
    with a 422.

    ## Example
    ```python
    @app.get("/items/{item_id}")
    def read_item(itemid: int): ...
    ```

    ## Use instead
    ```python
    @app.get("/items/{item_id}")
    def read_item(item_id: int): ...
    ```

    Names supplied by a dependency, and functions taking `**kwargs`, are not reported; nor is
    a function that reads `request.path_params` itself.

    ## Fix safety
    The fix adds the missing parameter as `name: str` first in the signature. It is unsafe:
    the handler then receives a new argument, and the right type may not be `str`.
    """

    code = "FL602"
    name = "path-parameter-mismatch"
    message = "The path template and the function's parameters disagree"
    description = "a `{name}` of the path that no parameter receives, or a `Path()` not in it"
    fix_availability = FixAvailability.UNSAFE
    requires_any = ("{", "Path")
    requires_match = decorator_text(_DECORATORS)
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        model = file.model
        paths = _Paths(file.types, file.facts, file.values)
        for scope, call in file.decorated_functions(_DECORATORS):
            receiver = call.func.value if isinstance(call.func, ir.Attribute) else None
            point = definition_point(model, scope)
            if receiver is None or not file.facts.is_app_or_router(model, receiver, point):
                continue
            sites = [c for c in model.summary.calls if c.decorates == scope.id and c.call == call]
            site = sites[0] if len(sites) == 1 else None
            missing, stray = paths.findings(model, scope, call, site, file.text)
            if missing or stray:
                return True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        model = self.context.model
        scope = model.scope_of(node)
        if scope is None or not node.decorators:
            return
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            if call.func.attr.value not in _DECORATORS:
                continue
            receiver = model.expr_of(call.func.value)
            where = model.point_of(call.func.value)
            if receiver is None or where is None:
                continue
            if not self.context.facts.is_app_or_router(model, receiver, where):
                continue
            self._check(node, scope, call)

    def _check(self, node: cst.FunctionDef, scope: Scope, call: cst.Call) -> None:
        model = self.context.model
        expr = model.expr_of(call)
        if not isinstance(expr, ir.Call):
            return
        paths = _Paths(self.context.types, self.context.facts, values_for(self.context))
        missing, stray = paths.findings(
            model, scope, expr, model.call_site(call), self.context.text
        )
        for name in missing:
            self.report(
                node.name,
                f"The path has `{{{name}}}` but `{node.name.value}` (and its "
                f"dependencies) has no parameter `{name}`: its value is dropped",
                fix=self._add_parameter(node, name),
            )
        params = {p.name.value: p for p in (*node.params.params, *node.params.kwonly_params)}
        for param_name, received in stray:
            target = params.get(param_name)
            if target is not None:
                self.report(
                    target,
                    f"`{param_name}` is declared with `Path()` but the path has no "
                    f"`{{{received}}}`: every request fails with a 422",
                )

    def _add_parameter(self, node: cst.FunctionDef, name: str) -> Optional[FixBuilder]:
        params = node.params
        first = (*params.posonly_params, *params.params, *params.kwonly_params)
        fix = self.fix(Applicability.UNSAFE, f"Add the parameter `{name}: str`")
        if params.posonly_params or (params.params and params.params[0].name.value == "self"):
            return None
        if first:
            fix.insert_before(first[0], f"{name}: str, ")
        elif isinstance(params.star_arg, cst.CSTNode) or params.star_kwarg is not None:
            return None
        else:
            fix.replace(params, f"{name}: str")
        return fix

    valid = (
        Case(
            """
            from typing import Annotated

            from fastapi import APIRouter, Depends, Path
            from pydantic import AliasChoices

            router = APIRouter(prefix="/shops/{shop_id}")

            def current_item(item_id: int) -> int:
                return item_id

            @router.get("/items/{item_id}")
            def read_item(shop_id: int, item: Annotated[int, Depends(current_item)]): ...

            @router.get("/files/{name}")
            def read_file(shop_id: int, file_name: Annotated[str, Path(alias="name")]): ...

            @router.get("/any/{thing}")
            def anything(shop_id: int, **kwargs: str): ...

            @router.get("/v/{legacy_id}")
            def by_validation_alias(
                shop_id: int,
                v: Annotated[int, Path(validation_alias=AliasChoices("id", "legacy_id"))],
            ): ...
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import FastAPI, Path

            app = FastAPI()

            @app.get("/items/{item_id}")
            def read_item(itemid: int): ...  # error: has no parameter `item_id`

            @app.get("/users")
            def read_user(user_id: int = Path()): ...  # error: every request fails with a 422
            """,
            expected="""
            from fastapi import FastAPI, Path

            app = FastAPI()

            @app.get("/items/{item_id}")
            def read_item(item_id: str, itemid: int): ...

            @app.get("/users")
            def read_user(user_id: int = Path()): ...
            """,
            unsafe=True,
        ),
        # A prefix of the route table, and an empty signature.
        Case(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            router = APIRouter()

            @router.get("/orders")
            def list_orders(): ...  # error: `{tenant}`

            app.include_router(router, prefix="/t/{tenant}")
            """,
            expected="""
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            router = APIRouter()

            @router.get("/orders")
            def list_orders(tenant: str): ...

            app.include_router(router, prefix="/t/{tenant}")
            """,
            unsafe=True,
        ),
    )
