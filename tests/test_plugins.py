"""A third-party rule package, installed for real: the example plugin under tests/data is
pip-installed into a fresh virtual environment, where `fastlint plugins` lists its rule,
`fastlint check` runs it, and its own three-line test (fastlint.testing) passes."""

from __future__ import annotations

import os
import shlex
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import REPO, run_cli, snippet_commands

PLUGIN = REPO / "tests" / "data" / "plugin_example"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_REQUIRE_VIRTUALENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment that sees this environment's packages (fastlint, libcst, pytest,
    setuptools: nothing is downloaded) and has the example plugin installed in its own."""
    root = tmp_path_factory.mktemp("plugin")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = _run(
        str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root
    ).stdout.strip()
    ours = {
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
        *site.getsitepackages(),
    }
    # addsitedir, not a plain path: the .pth files there (an editable install) count too.
    lines = [f"import site; site.addsitedir({directory!r})" for directory in sorted(ours)]
    Path(purelib, "_fastlint_parent.pth").write_text("\n".join(lines) + "\n")
    shutil.copytree(PLUGIN, root / "fastlint-example-plugin")
    install = snippet_commands("plugin-install")[0]  # the README's command, as written
    assert install.startswith("pip install ")
    installed = _run(*_in_venv(python, install), cwd=root)
    assert installed.returncode == 0, installed.stderr
    return python


def _in_venv(python: Path, command: str) -> list[str]:
    """A README command (`pip ...`, `fastlint ...`, `pytest ...`) run with the venv's Python."""
    tool, *args = shlex.split(command)
    return [str(python), "-m", tool, *args]


def test_plugins_lists_the_rule_with_its_package(plugin_venv: Path, tmp_path: Path) -> None:
    result = _run(str(plugin_venv), "-m", "fastlint", "plugins", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "XY101  no-print  fastlint-example-plugin 0.1.0  (fastlint_example.rules:RULES)"
        in result.stdout
    )
    rules = _run(str(plugin_venv), "-m", "fastlint", "rules", cwd=tmp_path)
    assert "XY101  on   fix: none            no-print" in rules.stdout


def test_the_plugin_rule_runs(plugin_venv: Path, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.fastlint]\n")
    (tmp_path / "app.py").write_text("def greet():\n    print('hello')\n")
    result = _run(
        str(plugin_venv),
        "-m",
        "fastlint",
        "check",
        "--output-format",
        "json-lines",
        ".",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert '"code": "XY101"' in result.stdout and '"filename": "app.py"' in result.stdout
    assert '"url": "https://example.com/fastlint-example-plugin/XY101"' in result.stdout
    concise = _run(
        str(plugin_venv), "-m", "fastlint", "check", "--output-format", "concise", ".", cwd=tmp_path
    )
    assert concise.stdout.startswith("app.py:2:5: XY101 Use logging instead of print()")


def test_the_plugin_tests_itself_with_fastlint_testing(plugin_venv: Path) -> None:
    tests = PLUGIN / "tests" / "test_rules.py"
    assert len([line for line in tests.read_text().splitlines() if line.startswith("    ")]) == 1
    result = _run(
        str(plugin_venv),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        str(tests),
        cwd=PLUGIN.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_no_plugins(project: Path) -> None:
    result = run_cli("plugins", cwd=project)
    assert result.code == 0 and result.out == "No plugin rules installed.\n"


def test_the_readme_commands(plugin_venv: Path, tmp_path: Path) -> None:
    _, plugins, check, tests = snippet_commands("plugin-install")
    listed = _run(*_in_venv(plugin_venv, plugins), cwd=tmp_path)
    assert "XY101  no-print  fastlint-example-plugin 0.1.0" in listed.stdout
    (tmp_path / "pyproject.toml").write_text("[tool.fastlint]\n")
    (tmp_path / "app.py").write_text("print('hello')\n")
    checked = _run(*_in_venv(plugin_venv, check), cwd=tmp_path)
    assert checked.returncode == 1 and "app.py:1:1: XY101 " in checked.stdout
    package = tmp_path / "fastlint-example-plugin"
    shutil.copytree(PLUGIN, package)
    tested = _run(*_in_venv(plugin_venv, tests), cwd=package)
    assert tested.returncode == 0, tested.stdout + tested.stderr
