"""fastlint.versions: declared FastAPI/Starlette/Pydantic ranges read from project metadata."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.version import Version

from fastlint.versions import (
    _FASTAPI_STARLETTE,
    FASTAPI_TABLE_CHECKED_UP_TO,
    ProjectVersions,
    VersionRange,
    clear_cache,
    poetry_to_pep440,
    read_directory,
    starlette_for_fastapi,
)

from conftest import write_tree


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def versions(root: Path, files: dict[str, str], where: str = "app/main.py") -> ProjectVersions:
    write_tree(root, files)
    return ProjectVersions.for_path(str(root / where))


def declared(root: Path, files: dict[str, str], package: str = "fastapi") -> str:
    found = versions(root, files).declared(package).versions
    return "latest" if found is None else str(found)


# --- ranges -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("specifiers", "text"),
    [
        ("", "*"),
        ("==0.100.0", "==0.100.0"),
        (">=1,<2,!=1.5", ">=1,<1.5 || >1.5,<2"),
        ("==1.4.*", ">=1.4,<1.5"),
        ("!=1.4.*", "<1.4 || >=1.5"),
        ("~=1.10", ">=1.10,<2"),
        ("~=1.4.5", ">=1.4.5,<1.5"),
        (">2,<1", "<nothing>"),
    ],
)
def test_specifier_sets_become_intervals(specifiers: str, text: str) -> None:
    assert str(VersionRange.from_specifiers(specifiers)) == text


@pytest.mark.parametrize(
    ("specifiers", "newest"),
    [
        ("<2", "just below 2"),  # an install resolves `<2` to the last 1.x
        ("<=1.10.2", "==1.10.2"),
        ("!=0.100", ">0.100"),  # excluding one release states no oldest version
        (">=0.100", ">=0.100"),  # a lower bound is kept whole
        ("", None),  # nothing stated: the latest release
        (">2,<1", None),  # unsatisfiable: nothing to go on
    ],
)
def test_newest_only_reading_of_ranges_without_a_lower_bound(
    specifiers: str, newest: str | None
) -> None:
    found = VersionRange.from_specifiers(specifiers).newest_only()
    assert (None if found is None else str(found)) == newest


def test_range_queries() -> None:
    pinned = VersionRange.from_specifiers(">=0.100,<0.110")
    assert pinned.admits_below("0.101") and not pinned.admits_below("0.100")
    assert pinned.admits_at_or_above("0.109.9") and not pinned.admits_at_or_above("0.110")
    assert pinned.admits_in("0.106", "0.118") and not pinned.admits_in("0.110", "0.118")
    just_below = VersionRange.from_specifiers("<0.48").newest_only()
    assert just_below is not None
    assert just_below.admits_below("0.48") and not just_below.admits_at_or_above("0.48")


@pytest.mark.parametrize(
    ("constraint", "pep440"),
    [
        ("^1.2.3", [">=1.2.3,<2"]),
        ("^0.2.3", [">=0.2.3,<0.3"]),
        ("^0.0.3", [">=0.0.3,<0.0.4"]),
        ("^0.0", [">=0.0,<0.1"]),
        ("^0", [">=0,<1"]),
        ("^0.110", [">=0.110,<0.111"]),
        ("~1.2.3", [">=1.2.3,<1.3"]),
        ("~1.2", [">=1.2,<1.3"]),
        ("~1", [">=1,<2"]),
        ("*", [""]),
        ("1.2.3", ["==1.2.3"]),
        ("=2.0", ["==2.0"]),
        ("1.2.*", ["==1.2.*"]),
        (">= 1.2 < 2", [">=1.2,<2"]),
        ("~=1.4.5", ["~=1.4.5"]),
        ("^1.0 || ^2.0", [">=1.0,<2", ">=2.0,<3"]),
        ("not a version", None),
        ("", None),
    ],
)
def test_poetry_constraints_as_pep440(constraint: str, pep440: list[str] | None) -> None:
    found = poetry_to_pep440(constraint)
    if pep440 is None:
        assert found is None
    else:
        assert found is not None
        expected = [VersionRange.from_specifiers(s) for s in pep440]
        assert [VersionRange.from_specifiers(s) for s in found] == expected


# --- metadata formats ---------------------------------------------------------------------------


def test_pep621_dependencies_and_extras_are_alternative_installs(tmp_path: Path) -> None:
    found = versions(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "svc"
                dependencies = ["fastapi[standard]>=0.115", "pydantic>=2.5"]
                [project.optional-dependencies]
                legacy = ["fastapi==0.100.0"]
            """
        },
    )
    assert str(found.declared("fastapi").versions) == "==0.100.0 || >=0.115"
    assert found.may_be_below("fastapi", "0.110")
    assert not found.may_be_below("pydantic", "2.5")
    assert found.declared("fastapi").files == (str(tmp_path / "pyproject.toml"),)


def test_poetry_dependencies_caret_tables_and_groups(tmp_path: Path) -> None:
    found = versions(
        tmp_path,
        {
            "pyproject.toml": """
                [tool.poetry.dependencies]
                python = "^3.9"
                fastapi = {version = "^0.110", extras = ["all"]}
                pydantic = "~1.10"
                [tool.poetry.group.test.dependencies]
                httpx = {git = "https://github.com/encode/httpx"}
            """
        },
    )
    assert str(found.declared("fastapi").versions) == ">=0.110,<0.111"
    assert found.may_be_in("fastapi", "0.110", "0.111")
    assert found.at_least("fastapi", "0.111") is False
    assert found.pydantic_major() == 1
    assert found.declared("httpx").versions is None  # named, no version: the latest
    assert found.declared("python").versions is None  # the interpreter is not a package


def test_poetry_multiple_constraints_are_alternatives(tmp_path: Path) -> None:
    text = declared(
        tmp_path,
        {
            "pyproject.toml": """
                [tool.poetry.dependencies]
                fastapi = [
                    {version = "0.99.1", python = "<3.8"},
                    {version = "^0.115", python = ">=3.8"},
                ]
            """
        },
    )
    assert text == "==0.99.1 || >=0.115,<0.116"


def test_dependency_groups_pdm_and_uv(tmp_path: Path) -> None:
    found = versions(
        tmp_path,
        {
            "pyproject.toml": """
                [dependency-groups]
                dev = ["starlette==0.27.0", {include-group = "other"}]
                [tool.pdm.dev-dependencies]
                lint = ["pydantic<2"]
                [tool.uv]
                dev-dependencies = ["fastapi>=0.120"]
            """
        },
    )
    assert str(found.declared("starlette").versions) == "==0.27.0"
    assert found.pydantic_major() == 1
    assert str(found.declared("fastapi").versions) == ">=0.120"


def test_requirements_comments_markers_extras_options(tmp_path: Path) -> None:
    found = versions(
        tmp_path,
        {
            "requirements.txt": """
                # pinned for the old worker
                --index-url https://pypi.example/simple
                -e .
                fastapi[standard]==0.100.0 ; python_version >= "3.8"  # web
                pydantic>=1.10,\\
                    <2 --hash=sha256:0123
                uvicorn @ https://example.com/uvicorn.whl
                https://example.com/some.whl
            """
        },
    )
    assert str(found.declared("fastapi").versions) == "==0.100.0"
    assert str(found.declared("pydantic").versions) == ">=1.10,<2"
    assert found.declared("uvicorn").versions is None


def test_a_marker_line_counts_only_without_an_unconditional_one(tmp_path: Path) -> None:
    mixed = declared(
        tmp_path / "mixed",
        {"requirements.txt": "fastapi>=0.115\nfastapi==0.99.0; python_version < '3.8'\n"},
    )
    assert mixed == ">=0.115"
    only_markers = declared(
        tmp_path / "markers",
        {
            "requirements.txt": (
                "fastapi==0.99.0; python_version < '3.8'\nfastapi>=0.115; python_version >= '3.8'\n"
            )
        },
    )
    assert only_markers == "==0.99.0 || >=0.115"


def test_requirement_files_and_one_level_of_includes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements/base.txt": "fastapi>=0.110\n-r deeper.txt\n",
            "requirements/deeper.txt": "pydantic<2\n",
            "requirements-dev.txt": "-r requirements/base.txt\nfastapi<0.112\n",
        },
    )
    metadata = read_directory(str(tmp_path))
    # requirements-dev.txt installs base.txt with it (one group: the pins intersect), and is
    # an alternative to base.txt installed alone.
    assert str(metadata.raw_range("fastapi")) == ">=0.110"
    dev = next(g for g in metadata.groups if g.path.endswith("requirements-dev.txt"))
    assert [str(line.versions) for line in dev.lines] == [">=0.110", "<0.112"]
    # One level: base.txt's own include is followed when base.txt is read as a file of its
    # own, not through requirements-dev.txt.
    assert [Path(p).name for p in metadata.files_naming("pydantic")] == ["base.txt", "deeper.txt"]
    found = ProjectVersions.for_directory(str(tmp_path))
    assert found.may_be_in("fastapi", "0.111", "0.112")
    assert not found.may_be_below("fastapi", "0.110")


def test_an_include_is_inlined_into_the_including_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "constraints/pins.txt": "fastapi==0.111.0\n",
            "requirements.txt": "fastapi\n-c constraints/pins.txt\n",
        },
    )
    assert str(ProjectVersions.for_directory(str(tmp_path)).declared("fastapi").versions) == (
        "==0.111.0"
    )


def test_setup_cfg(tmp_path: Path) -> None:
    found = versions(
        tmp_path,
        {
            "setup.cfg": """
                [metadata]
                name = svc
                [options]
                install_requires =
                    fastapi>=0.95,<0.100  # old API
                    pydantic<2
                [options.extras_require]
                templates =
                    starlette>=0.27
            """
        },
    )
    assert str(found.declared("fastapi").versions) == ">=0.95,<0.100"
    assert found.pydantic_major() == 1
    # FastAPI 0.95.0 to 0.99.x require Starlette 0.26.1 to 0.27.x; the extra narrows it.
    assert str(found.declared("starlette").versions) == ">=0.27,<0.28.0"


def test_setup_py_literals_and_module_level_names(tmp_path: Path) -> None:
    found = versions(
        tmp_path,
        {
            "setup.py": """
                from setuptools import setup

                REQUIRES = ["fastapi==0.105.0", "pydantic>=1.10,<2"]
                setup(
                    name="svc",
                    install_requires=REQUIRES,
                    extras_require={"test": ["httpx>=0.24"]},
                )
            """
        },
    )
    assert str(found.declared("fastapi").versions) == "==0.105.0"
    assert found.pydantic_major() == 1
    assert str(found.declared("httpx").versions) == ">=0.24"


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    write_tree(
        tmp_path,
        {
            "setup.py": f"""
                open({str(marker)!r}, "w").close()
                from setuptools import setup
                setup(install_requires=["fastapi==0.100.0"])
            """
        },
    )
    assert ProjectVersions.for_directory(str(tmp_path)).may_be_below("fastapi", "0.101")
    assert not marker.exists()


# --- malformed metadata -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("pyproject.toml", '[project\ndependencies = ["fastapi==0.100.0"\n'),
        ("setup.py", "setup(install_requires=[\n    'fastapi==0.100.0',\n"),
        ("setup.py", "from setuptools import setup\nsetup(install_requires=read('fastapi.txt'))\n"),
        ("setup.cfg", "[options\ninstall_requires = fastapi==0.100.0\n"),
        ("requirements.txt", "fastapi>=0.100.x\n"),
        ("pyproject.toml", '[tool.poetry.dependencies]\nfastapi = "^^0.100"\n'),
        ("pyproject.toml", '[project]\ndependencies = "fastapi==0.100.0"\n'),
    ],
)
def test_malformed_nearest_metadata_is_unknown_not_a_crash(
    tmp_path: Path, name: str, body: str
) -> None:
    """A broken file that mentions FastAPI still makes its directory FastAPI's project (with an
    unknown range, so the latest release): the parent's old pin must not leak in."""
    found = versions(
        tmp_path,
        {"requirements.txt": "fastapi==0.99.0\n", f"svc/{name}": body},
        where="svc/app/main.py",
    )
    assert found.declared("fastapi").versions is None
    assert not found.may_be_below("fastapi", "0.100")
    assert found.at_least("fastapi", "0.100") is None


def test_a_broken_file_that_does_not_mention_the_package_is_passed_over(tmp_path: Path) -> None:
    found = versions(
        tmp_path,
        {"requirements.txt": "fastapi==0.99.0\n", "svc/pyproject.toml": "[[[ nope"},
        where="svc/main.py",
    )
    assert str(found.declared("fastapi").versions) == "==0.99.0"


def test_undecodable_and_binary_files_do_not_crash(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": b"\xff\xfe\x00[project]\x00", "setup.py": b"\x00\x81"})
    found = ProjectVersions.for_directory(str(tmp_path))
    assert found.declared("fastapi").versions is None
    assert found.pydantic_major() is None


# --- the nearest project ------------------------------------------------------------------------


def test_monorepo_each_file_follows_its_nearest_project(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": "fastapi==0.100.0\npydantic<2\n",
            "services/new/pyproject.toml": (
                '[project]\nname = "new"\ndependencies = ["fastapi>=0.120"]\n'
            ),
            "services/new/app/api/routes.py": "",
            "services/legacy/app/main.py": "",
        },
    )
    new = ProjectVersions.for_path(str(tmp_path / "services/new/app/api/routes.py"))
    legacy = ProjectVersions.for_path(str(tmp_path / "services/legacy/app/main.py"))
    assert not new.may_be_below("fastapi", "0.118") and new.at_least("fastapi", "0.118")
    assert legacy.may_be_in("fastapi", "0.100", "0.101")
    assert new.declared("fastapi").files == (str(tmp_path / "services/new/pyproject.toml"),)
    # Per package: the new service names no Pydantic, so the root's pin is the nearest.
    assert new.pydantic_major() == 1


def test_for_path_is_cached_until_cleared(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "fastapi==0.100.0\n"})
    first = ProjectVersions.for_path(str(tmp_path / "a.py"))
    assert first is ProjectVersions.for_path(str(tmp_path / "b.py"))
    assert first.may_be_below("fastapi", "0.101")
    (tmp_path / "requirements.txt").write_text("fastapi>=0.120\n", encoding="utf-8")
    assert ProjectVersions.for_path(str(tmp_path / "a.py")).may_be_below("fastapi", "0.101")
    clear_cache()
    assert not ProjectVersions.for_path(str(tmp_path / "a.py")).may_be_below("fastapi", "0.101")


def test_nothing_declared_means_the_latest_release(tmp_path: Path) -> None:
    found = versions(tmp_path, {"requirements.txt": "fastapi\nstarlette\n", "app/main.py": ""})
    for package in ("fastapi", "starlette", "pydantic"):
        assert found.declared(package).versions is None
        assert not found.may_be_below(package, "0.48")
        assert not found.may_be_in(package, "0.106", "0.118")
        assert found.at_least(package, "0.137") is None
    assert found.pydantic_major() is None


def test_a_range_without_lower_bound_is_its_newest_versions(tmp_path: Path) -> None:
    capped = versions(tmp_path, {"requirements.txt": "fastapi<0.100\n"})
    assert capped.may_be_below("fastapi", "0.100") and not capped.may_be_below("fastapi", "0.99")
    assert capped.at_least("fastapi", "0.99") is True  # an install gets the last 0.99.x


# --- FastAPI -> Starlette -----------------------------------------------------------------------


def test_the_table_is_ordered_and_parses() -> None:
    firsts = [Version(first) for first, _ in _FASTAPI_STARLETTE]
    assert firsts == sorted(firsts) and len(set(firsts)) == len(firsts)
    assert firsts[-1] <= Version(FASTAPI_TABLE_CHECKED_UP_TO)
    for _, starlette in _FASTAPI_STARLETTE:
        assert not VersionRange.from_specifiers(starlette).is_empty()


@pytest.mark.parametrize(
    ("fastapi", "starlette"),
    [
        ("==0.100.0", ">=0.27.0,<0.28.0"),
        ("==0.107.0", ">=0.28.0,<0.29.0"),
        ("==0.108.0", ">=0.29.0,<0.33.0"),
        ("==0.110.0", ">=0.36.3,<0.37.0"),
        ("==0.115.2", ">=0.37.2,<0.41.0"),
        ("==0.116.1", ">=0.40.0,<0.48.0"),
        ("==0.118.0", ">=0.40.0,<0.49.0"),
        ("==0.128.3", ">=0.40.0,<1.0.0"),
        ("==0.134.0", ">=0.46.0"),
        ("==0.141.1", ">=0.46.0"),
        (">=0.100,<0.108", ">=0.27.0,<0.29.0"),
        (">=0.118", ">=0.40.0"),
    ],
)
def test_starlette_required_by_fastapi_releases(fastapi: str, starlette: str) -> None:
    implied = starlette_for_fastapi(VersionRange.from_specifiers(fastapi))
    assert implied == VersionRange.from_specifiers(starlette)


def test_a_fastapi_pin_implies_an_old_starlette(tmp_path: Path) -> None:
    """FL606: FastAPI 0.110.0 requires Starlette >=0.36.3,<0.37, where the new status names
    (Starlette 0.48) do not exist."""
    found = versions(tmp_path, {"requirements.txt": "fastapi==0.110.0\n"})
    starlette = found.declared("starlette")
    assert str(starlette.versions) == ">=0.36.3,<0.37.0"
    assert starlette.implied_by == "fastapi"
    assert found.may_be_below("starlette", "0.48")
    assert found.may_be_below("starlette", "0.37") and not found.may_be_below("starlette", "0.29")
    assert found.at_least("starlette", "0.29") is True
    assert found.at_least("starlette", "0.48") is False


def test_a_starlette_pin_alone(tmp_path: Path) -> None:
    found = versions(tmp_path, {"requirements.txt": "starlette>=0.48\n"})
    assert not found.may_be_below("starlette", "0.48")
    assert found.declared("starlette").implied_by is None


def test_a_starlette_pin_narrows_the_fastapi_range(tmp_path: Path) -> None:
    found = versions(tmp_path / "pinned", {"requirements.txt": "fastapi>=0.118\nstarlette>=0.48\n"})
    assert str(found.declared("starlette").versions) == ">=0.48"
    assert not found.may_be_below("starlette", "0.48")
    # Without the Starlette pin, every FastAPI from 0.118 on still accepts Starlette 0.40...0.47.
    alone = versions(tmp_path / "alone", {"requirements.txt": "fastapi>=0.118\n"})
    assert alone.may_be_below("starlette", "0.48")
    assert not alone.may_be_below("starlette", "0.40")


def test_a_starlette_cap_combines_with_the_fastapi_pin(tmp_path: Path) -> None:
    """`starlette<0.50` alone is read as its newest versions, but with FastAPI 0.110 the
    install can only be Starlette 0.36.x."""
    found = versions(tmp_path / "both", {"requirements.txt": "fastapi==0.110.0\nstarlette<0.50\n"})
    assert str(found.declared("starlette").versions) == ">=0.36.3,<0.37.0"
    capped = versions(tmp_path / "capped", {"requirements.txt": "starlette<0.50\n"})
    assert not capped.may_be_below("starlette", "0.48")


def test_a_contradicting_starlette_pin_wins(tmp_path: Path) -> None:
    found = versions(tmp_path, {"requirements.txt": "fastapi==0.110.0\nstarlette>=0.48\n"})
    assert str(found.declared("starlette").versions) == ">=0.48"
    assert found.declared("starlette").implied_by is None


@pytest.mark.parametrize(
    ("requirement", "below_0_29"),
    [("fastapi==0.107.0", True), ("fastapi>=0.108", False), ("fastapi<0.100", True)],
)
def test_fl610_templates_order_needs_starlette_0_29(
    tmp_path: Path, requirement: str, below_0_29: bool
) -> None:
    found = versions(tmp_path, {"requirements.txt": requirement + "\n"})
    assert found.may_be_below("starlette", "0.29") is below_0_29


@pytest.mark.parametrize(
    ("requirement", "targets"),
    [
        ("fastapi>=0.100,<0.110", True),
        ("fastapi==0.117.1", True),
        ('fastapi = "^0.106"', True),
        ("fastapi>=0.118", False),
        ("fastapi==0.105.0", False),
        ("fastapi", False),
    ],
)
def test_fl704_fastapi_0_106_to_0_117(tmp_path: Path, requirement: str, targets: bool) -> None:
    found = versions(tmp_path, {"requirements.txt": requirement + "\n"})
    assert found.may_be_in("fastapi", "0.106", "0.118") is targets


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [("fastapi>=0.137", True), ("fastapi==0.136.3", False), ("fastapi>=0.130", None)],
)
def test_include_router_semantics_from_0_137(
    tmp_path: Path, requirement: str, expected: bool | None
) -> None:
    found = versions(tmp_path, {"requirements.txt": requirement + "\n"})
    assert found.at_least("fastapi", "0.137") is expected


def test_versions_module_does_not_import_libcst() -> None:
    script = "import sys, fastlint.versions; print('libcst' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
