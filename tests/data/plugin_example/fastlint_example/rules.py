from __future__ import annotations

import libcst as cst

from fastlint import Case, Rule


class NoPrintInRoutes(Rule):
    """## What it does
    Reports calls to `print()`.

    ## Why is this bad?
    Output of `print()` bypasses the logging configuration: it has no level, no timestamp and
    no request id, and is lost under most process managers.

    ## Example
    ```python
    print("user created")
    ```

    ## Use instead
    ```python
    import logging

    logging.getLogger(__name__).info("user created")
    ```

    ## Fix safety
    There is no fix: choosing a logger and a level is up to you.
    """

    code = "XY101"
    name = "no-print"
    message = "Use logging instead of print()"
    url = "https://example.com/fastlint-example-plugin/XY101"
    requires_any = ("print",)  # files without this text are never parsed for this rule
    invalid = (Case("print('hi')\n"),)
    valid = (Case("import logging\nlogging.info('hi')\n"), Case("x = 'print(1)'\n"))

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "print":
            self.report(node)


RULES = [NoPrintInRoutes]
