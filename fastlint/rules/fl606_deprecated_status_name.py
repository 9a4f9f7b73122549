"""FL606 deprecated-status-name: status constants that Starlette renamed."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.rule import Case, FixAvailability, FixBuilder, Rule
from fastlint.semantic import summary as s

RENAMED = {
    "HTTP_413_REQUEST_ENTITY_TOO_LARGE": "HTTP_413_CONTENT_TOO_LARGE",
    "HTTP_414_REQUEST_URI_TOO_LONG": "HTTP_414_URI_TOO_LONG",
    "HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE": "HTTP_416_RANGE_NOT_SATISFIABLE",
    "HTTP_422_UNPROCESSABLE_ENTITY": "HTTP_422_UNPROCESSABLE_CONTENT",
}
STATUS_MODULES = ("fastapi.status", "starlette.status")
# The new names exist from this Starlette release on.
NEW_NAMES_SINCE = "0.48.0"


class DeprecatedStatusName(Rule):
    """## What it does
    Finds the status constants that Starlette 0.48 renamed after RFC 9110:
    `HTTP_422_UNPROCESSABLE_ENTITY`, `HTTP_413_REQUEST_ENTITY_TOO_LARGE`,
    `HTTP_414_REQUEST_URI_TOO_LONG` and `HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE`, read from
    `fastapi.status` or `starlette.status` (as `status.X`, or imported by name), by qualified
    name.

    ## Why is this bad?
    The old names still work but emit a `DeprecationWarning` on every use, which test suites
    that turn warnings into errors fail on, and they will be removed.

    ## Example
    ```python
    from fastapi import HTTPException, status

    raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
    ```

    ## Use instead
    ```python
    raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    ```

    Code under a version guard (`if STARLETTE_VERSION >= ...`, `try: ... except ImportError:`)
    is written for both versions on purpose and is not reported.

    ## Fix safety
    The rename is safe: the new constant has the same value. It is withheld when the project's
    declared versions allow a Starlette older than 0.48, where the new names do not exist:
    a Starlette requirement that admits one, or a FastAPI requirement whose Starlette range
    does (every FastAPI release before 0.164 accepts Starlette 0.46). A name imported with
    `from fastapi.status import ...` is renamed in the import and in every use the import
    reaches.
    """

    code = "FL606"
    name = "deprecated-status-name"
    message = "This status constant was renamed in Starlette 0.48"
    description = (
        "`status.HTTP_422_UNPROCESSABLE_ENTITY` and the other names Starlette 0.48 renamed"
    )
    fix_availability = FixAvailability.SAFE
    requires_any = tuple(RENAMED)

    def _old_name(self, node: cst.CSTNode) -> Optional[str]:
        """The deprecated constant ``node`` means, if any."""
        qualname = self.context.model.resolve(node)
        if qualname is None:
            return None
        module, _, name = qualname.rpartition(".")
        return name if module in STATUS_MODULES and name in RENAMED else None

    @property
    def _fixable(self) -> bool:
        from fastlint.versions import ProjectVersions  # reading metadata needs `packaging`

        versions = ProjectVersions.for_path(self.context.file_path)
        return not versions.may_be_below("starlette", NEW_NAMES_SINCE)

    def _message(self, old: str) -> str:
        return f"`{old}` is deprecated: Starlette 0.48 renamed it `{RENAMED[old]}` (same value)"

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value not in RENAMED:
            return  # resolving every attribute would read other modules for nothing
        old = self._old_name(node)
        if old is None or node.attr.value != old or self.context.model.is_guarded(node):
            return
        fix = None
        if self._fixable:
            fix = self.fix(Applicability.SAFE, f"Use `{RENAMED[old]}`")
            fix.replace(node.attr, RENAMED[old])
        self.report(node, self._message(old), fix=fix)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        """``from fastapi.status import HTTP_422_UNPROCESSABLE_ENTITY``: one finding, and a fix
        that renames the import and every use of it."""
        model = self.context.model
        if not isinstance(node.name, cst.Name) or node.name.value not in RENAMED:
            return
        bindings = model.bindings_of(node)
        if len(bindings) != 1 or bindings[0].kind != s.IMPORT:
            return
        binding = bindings[0]
        module, _, old = (binding.target or "").rpartition(".")
        if module not in STATUS_MODULES or model.is_guarded(node):
            return
        if old in model.guarded_names():
            return
        self.report(node, self._message(old), fix=self._import_fix(node, old, binding))

    def _import_fix(
        self, node: cst.ImportAlias, old: str, binding: s.Binding
    ) -> Optional[FixBuilder]:
        if not self._fixable:
            return None
        new = RENAMED[old]
        fix = self.fix(Applicability.SAFE, f"Use `{new}`")
        fix.replace(node.name, new)
        if node.asname is not None:
            return fix  # the local name stays
        model = self.context.model
        if new in model.summary.names or len(model.bindings(binding.scope, old)) != 1:
            return None  # the new name is taken, or the old one also means something else
        for load, _ in model.cst.loads:
            if load.value != old:
                continue
            found = model.lookup_at(old, load)
            if found is None or binding not in found.bindings:
                continue
            if len(found.bindings) != 1:
                return None
            fix.replace(load, new)
        return fix

    valid = (
        Case(
            """
            from fastapi import status

            ok = status.HTTP_422_UNPROCESSABLE_CONTENT
            big = status.HTTP_413_CONTENT_TOO_LARGE
            """
        ),
        # Not Starlette's status module.
        Case(
            """
            from myapp import status

            code = status.HTTP_422_UNPROCESSABLE_ENTITY
            HTTP_422_UNPROCESSABLE_ENTITY = 422
            """
        ),
        # Written for both versions on purpose.
        Case(
            """
            from fastapi import status

            try:
                from starlette.status import HTTP_422_UNPROCESSABLE_CONTENT as UNPROCESSABLE
            except ImportError:
                from starlette.status import HTTP_422_UNPROCESSABLE_ENTITY as UNPROCESSABLE
            if STARLETTE_VERSION < (0, 48):
                LEGACY = status.HTTP_422_UNPROCESSABLE_ENTITY
            try:  # the attribute only newer Starlette versions have
                HTTP_422 = status.HTTP_422_UNPROCESSABLE_CONTENT
            except AttributeError:
                HTTP_422 = status.HTTP_422_UNPROCESSABLE_ENTITY
            if hasattr(status, "HTTP_422_UNPROCESSABLE_CONTENT"):
                CODE = status.HTTP_422_UNPROCESSABLE_CONTENT
            else:
                CODE = status.HTTP_422_UNPROCESSABLE_ENTITY
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import HTTPException, status
            import starlette.status as st

            def check(value):
                if not value:
                    raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
                return st.HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE
            """,
            expected="""
            from fastapi import HTTPException, status
            import starlette.status as st

            def check(value):
                if not value:
                    raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
                return st.HTTP_416_RANGE_NOT_SATISFIABLE
            """,
            count=2,
            message="renamed it `HTTP_422_UNPROCESSABLE_CONTENT`",
        ),
        # Imported by name: the import and its uses are renamed together.
        Case(
            """
            from fastapi.status import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_200_OK

            responses = {HTTP_422_UNPROCESSABLE_ENTITY: {"description": "Invalid"}}

            def code(ok):
                return HTTP_200_OK if ok else HTTP_422_UNPROCESSABLE_ENTITY
            """,
            expected="""
            from fastapi.status import HTTP_422_UNPROCESSABLE_CONTENT, HTTP_200_OK

            responses = {HTTP_422_UNPROCESSABLE_CONTENT: {"description": "Invalid"}}

            def code(ok):
                return HTTP_200_OK if ok else HTTP_422_UNPROCESSABLE_CONTENT
            """,
            count=1,
        ),
        # An alias keeps its local name.
        Case(
            """
            from starlette.status import HTTP_413_REQUEST_ENTITY_TOO_LARGE as TOO_BIG

            limit = TOO_BIG
            """,
            expected="""
            from starlette.status import HTTP_413_CONTENT_TOO_LARGE as TOO_BIG

            limit = TOO_BIG
            """,
        ),
        # A project that allows an older Starlette gets the finding without the fix.
        Case(
            """
            from fastapi import status

            code = status.HTTP_414_REQUEST_URI_TOO_LONG
            """,
            files={"requirements.txt": "fastapi>=0.110\n"},
            expected="""
            from fastapi import status

            code = status.HTTP_414_REQUEST_URI_TOO_LONG
            """,
            count=1,
        ),
    )
