"""FL610 removed-starlette-api: APIs that Starlette 1.0 removed."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.fastapi.blocking import site_point
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, FixBuilder, Rule
from fastlint.semantic import ir
from fastlint.semantic.types import Variable
from fastlint.semantic.values import values_for

TEMPLATES = frozenset(
    {"fastapi.templating.Jinja2Templates", "starlette.templating.Jinja2Templates"}
)
TEMPLATES_KEYWORDS = frozenset({"directory", "context_processors", "env"})
REMOVED_IN = "1.0"
# `TemplateResponse(request, name, ...)` exists from this Starlette release on.
REQUEST_FIRST_SINCE = "0.29"
_METHODS = frozenset({"route", "add_event_handler", "TemplateResponse"})


def starlette_versions(path: str) -> tuple[bool, bool]:
    """(Starlette 1.0 or later is allowed, a Starlette below 0.29 is allowed), by the project
    metadata nearest to ``path``."""
    from fastlint.versions import ProjectVersions  # reading metadata needs `packaging`

    declared = ProjectVersions.for_path(path).declared("starlette").versions
    if declared is None:
        return True, False
    return declared.admits_at_or_above(REMOVED_IN), declared.admits_below(REQUEST_FIRST_SINCE)


class RemovedStarletteApi(Rule):
    """## What it does
    Finds APIs that Starlette 1.0 removed, in projects whose declared versions allow
    Starlette 1.0 or later (every current FastAPI):

    - `@app.route(...)` and `app.add_event_handler(...)` on a `FastAPI` app;
    - the old arguments of `Jinja2Templates.TemplateResponse`: a template name first with the
      request inside the context (`TemplateResponse("page.html", {"request": request})`), or
      `TemplateResponse(name=..., context=...)` without the request;
    - `Jinja2Templates(directory=..., **env_options)`: Jinja environment options passed to
      the constructor.

    ## Why is this bad?
    `app.route` and `app.add_event_handler` raise `AttributeError` when the module is
    imported; the old `TemplateResponse` arguments raise `TypeError` when the page is
    rendered; environment options are refused when the templates object is created.

    ## Example
    ```python
    templates = Jinja2Templates(directory="templates")


    @app.get("/")
    def index(request: Request):
        return templates.TemplateResponse("index.html", {"request": request})
    ```

    ## Use instead
    ```python
    return templates.TemplateResponse(request, "index.html", {"request": request})
    ```

    `app.add_route`, `APIRouter.route`, `@app.websocket_route`,
    `app.router.add_event_handler`, `@app.middleware` and `@app.exception_handler` still
    work and are not reported. For Jinja options, build a `jinja2.Environment` and pass
    `env=`; for `add_event_handler`, a lifespan (see FL401).

    ## Fix safety
    The `TemplateResponse` fix is safe: it passes the request taken from the context's
    `"request"` entry first, which is what Starlette 1.0 requires and what older releases
    already accepted; it is withheld when the project's versions allow a Starlette below 0.29,
    where only the old order exists. The other findings have no fix here
    (`add_event_handler` is migrated to a lifespan as FL401 does).
    """

    code = "FL610"
    name = "removed-starlette-api"
    message = "Starlette 1.0 removed this API"
    description = "APIs Starlette 1.0 removed (`app.route`, old `TemplateResponse` arguments...)"
    fix_availability = FixAvailability.SAFE
    requires_any = ("route", "add_event_handler", "TemplateResponse", "Jinja2Templates")
    # a call of one of the methods, or the templates class
    requires_match = (
        r"\.[\s\\]*(?:route|add_event_handler|TemplateResponse)[\s\\]*\(|Jinja2Templates"
    )
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        if not starlette_versions(file.path)[0]:
            return False
        model = file.model
        for site in file.calls():
            func = site.call.func
            if isinstance(func, ir.Attribute) and func.attr in _METHODS:
                return True
            if isinstance(func, (ir.Name, ir.Attribute)) and (
                model.qualified_name(func, site_point(site)) in TEMPLATES
            ):
                return True
        return False

    def _versions(self) -> tuple[bool, bool]:
        """(Starlette 1.0 or later is allowed, a Starlette below 0.29 is allowed)."""
        path = self.context.file_path
        return self.context.shared("fl610-versions", lambda: starlette_versions(path))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not self._versions()[0]:
            return
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in ("route", "add_event_handler") and self._fastapi_app(func.value):
                what = "`app.route`" if method == "route" else "`app.add_event_handler`"
                instead = (
                    "use `@app.get(...)`/`app.add_route(...)`"
                    if method == "route"
                    else "use a lifespan, or `app.router.add_event_handler`"
                )
                self.report(
                    node,
                    f"Starlette 1.0 removed {what} from applications: `AttributeError` at "
                    f"import; {instead}",
                )
                return
            if method == "TemplateResponse" and self._templates(func.value):
                self._template_response(node)
                return
        if self._is_templates_class(func):
            extra = [
                a
                for a in node.args
                if a.star == "**"
                or (a.keyword is not None and a.keyword.value not in TEMPLATES_KEYWORDS)
            ]
            if extra:
                self.report(
                    extra[0],
                    "Starlette 1.0 removed Jinja environment options from `Jinja2Templates(...)`"
                    ": build a `jinja2.Environment` and pass `env=`",
                )

    def _fastapi_app(self, receiver: cst.BaseExpression) -> bool:
        model = self.context.model
        expr, point = model.expr_of(receiver), model.point_of(receiver)
        if expr is None or point is None:
            return False
        owner = self.context.facts.object_at(model, expr, point)
        if owner is not None:
            if isinstance(receiver, cst.Attribute) and receiver.attr.value == "router":
                return False  # app.router.add_event_handler still works
            return owner.is_app and self._is_fastapi(owner.cls)
        found = self.context.types.type_of(model, expr, point)
        return found is not None and self._is_fastapi(found.name)

    def _is_fastapi(self, cls: str) -> bool:
        return cls == "fastapi.FastAPI" or self.context.types.is_subclass(
            cls, {"fastapi.FastAPI"}, self.context.file_path
        )

    def _is_templates_class(self, func: cst.BaseExpression) -> bool:
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return False
        return self.context.model.resolve(func) in TEMPLATES

    def _templates(self, receiver: cst.BaseExpression) -> bool:
        """Whether ``receiver`` is bound to ``Jinja2Templates(...)``."""
        model = self.context.model
        expr, point = model.expr_of(receiver), model.point_of(receiver)
        if expr is None or point is None:
            return False
        found = self.context.types.target(model, expr, point)
        if not isinstance(found, Variable) or not found.bindings:
            return False
        from fastlint.semantic import ir
        from fastlint.semantic.types import binding_point

        for binding in found.bindings:
            value = binding.value
            if not isinstance(value, ir.Call):
                return False
            name = found.model.qualified_name(value.func, binding_point(binding))
            if name not in TEMPLATES:
                return False
        return True

    def _template_response(self, node: cst.Call) -> None:
        args = list(node.args)
        positional = [a for a in args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a for a in args if a.keyword is not None}
        if any(a.star for a in args) or "request" in keywords:
            return
        first = positional[0] if positional else None
        if first is not None:
            value = values_for(self.context).value_at(self.context.model, first.value)
            if value is None or not isinstance(value.data, str):
                return  # the request first, or not known
            context = positional[1] if len(positional) > 1 else keywords.get("context")
        elif "name" in keywords:
            context = keywords.get("context")
        else:
            return
        self.report(
            node,
            "Starlette 1.0 removed this form of `TemplateResponse`: pass the request first, "
            "`TemplateResponse(request, name, context)` (a `TypeError` when rendered)",
            fix=self._fix(node, args[0], context),
        )

    def _fix(
        self, node: cst.Call, first: cst.Arg, context: Optional[cst.Arg]
    ) -> Optional[FixBuilder]:
        if self._versions()[1] or context is None or not isinstance(context.value, cst.Dict):
            return None
        request = None
        for element in context.value.elements:
            if (
                isinstance(element, cst.DictElement)
                and isinstance(element.key, cst.SimpleString)
                and element.key.evaluated_value == "request"
            ):
                request = element.value
        if not isinstance(request, (cst.Name, cst.Attribute)):
            return None
        fix = self.fix(Applicability.SAFE, "Pass the request first")
        fix.insert_before(first, self.context.code(request) + ", ")
        return fix

    valid = (
        Case(
            """
            from fastapi import APIRouter, FastAPI, Request
            from fastapi.templating import Jinja2Templates

            app = FastAPI()
            router = APIRouter()
            templates = Jinja2Templates(directory="templates", context_processors=[])

            async def legacy(request): ...

            app.add_route("/legacy", legacy)
            app.router.add_event_handler("startup", legacy)

            @router.route("/old")
            async def old(request): ...

            @app.websocket_route("/ws")
            async def ws(websocket): ...

            @app.middleware("http")
            async def timing(request, call_next):
                return await call_next(request)

            @app.exception_handler(ValueError)
            async def on_value_error(request, exc): ...

            @app.get("/")
            def index(request: Request):
                return templates.TemplateResponse(request, "index.html", {"n": 1})

            @app.get("/k")
            def k(request: Request):
                return templates.TemplateResponse(request=request, name="k.html")
            """
        ),
        # A project pinned to a Starlette before 1.0.
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()

            @app.route("/old")
            async def old(request): ...
            """,
            files={"requirements.txt": "fastapi==0.110.0\n"},
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import FastAPI, Request
            from fastapi.templating import Jinja2Templates

            app = FastAPI()
            templates = Jinja2Templates(directory="templates", autoescape=False)  # error: env=

            async def connect(): ...

            app.add_event_handler("startup", connect)  # error: `app.add_event_handler`

            @app.route("/old")  # error: `app.route`
            async def old(request): ...

            @app.get("/")
            def index(request: Request):
                return templates.TemplateResponse("index.html", {"request": request})  # error

            @app.get("/k")
            def k(r: Request):
                return templates.TemplateResponse(name="k.html", context={"request": r})  # error
            """,
            expected="""
            from fastapi import FastAPI, Request
            from fastapi.templating import Jinja2Templates

            app = FastAPI()
            templates = Jinja2Templates(directory="templates", autoescape=False)

            async def connect(): ...

            app.add_event_handler("startup", connect)

            @app.route("/old")
            async def old(request): ...

            @app.get("/")
            def index(request: Request):
                return templates.TemplateResponse(request, "index.html", {"request": request})

            @app.get("/k")
            def k(r: Request):
                return templates.TemplateResponse(r, name="k.html", context={"request": r})
            """,
        ),
        # A project that allows a Starlette older than 0.29: the finding without the fix.
        Case(
            """
            from fastapi import Request
            from fastapi.templating import Jinja2Templates

            templates = Jinja2Templates(directory="templates")

            def page(request: Request):
                return templates.TemplateResponse("page.html", {"request": request})
            """,
            files={"requirements.txt": "starlette>=0.27\n"},
            count=1,
            safety="none",
        ),
    )
