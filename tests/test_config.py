"""[tool.fastlint] in pyproject.toml: keys, validation, discovery of the file, excludes."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastlint.config import ConfigError, detect_pydantic_version, load_settings

from conftest import CORS_APP, VALIDATOR_MODEL, run_cli, write_tree


def _pyproject(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(body, encoding="utf-8")


def test_select_and_ignore_from_config(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[tool.fastlint]\nignore = ["FL201"]\n')
    write_tree(tmp_path, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    result = run_cli("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert "FL201" not in result.out and "FL301" in result.out


def test_config_found_walking_up_from_the_first_path(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[tool.fastlint]\nselect = ["FL2"]\n')
    write_tree(tmp_path, {"src/app/main.py": CORS_APP, "src/app/models.py": VALIDATOR_MODEL})
    result = run_cli("check", "--output-format", "concise", "src/app", cwd=tmp_path)
    assert "FL201" in result.out and "FL301" not in result.out


def test_cli_select_overrides_config(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[tool.fastlint]\nselect = ["FL2"]\n')
    write_tree(tmp_path, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    result = run_cli("check", "--select", "FL3", "--output-format", "concise", ".", cwd=tmp_path)
    assert "FL301" in result.out and "FL201" not in result.out


def test_per_file_ignores(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[tool.fastlint.per-file-ignores]\n"app/legacy/*" = ["FL3"]\n')
    write_tree(
        tmp_path, {"app/legacy/models.py": VALIDATOR_MODEL, "app/models.py": VALIDATOR_MODEL}
    )
    result = run_cli("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert "app/models.py" in result.out
    assert "app/legacy/models.py" not in result.out


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[tool.fastlint]\nextend-exclude = ["generated", "app/skip_*.py"]\n')
    write_tree(
        tmp_path,
        {
            "generated/models.py": VALIDATOR_MODEL,
            "app/skip_me.py": VALIDATOR_MODEL,
            "app/models.py": VALIDATOR_MODEL,
            ".venv/lib/models.py": VALIDATOR_MODEL,
            "node_modules/x/models.py": VALIDATOR_MODEL,
            "build/models.py": VALIDATOR_MODEL,
        },
    )
    result = run_cli("check", "--output-format", "concise", "-q", ".", cwd=tmp_path)
    assert result.out.splitlines() == [
        "app/models.py:7:5: FL301 [*] `@validator` is deprecated in Pydantic 2; "
        "use `@field_validator`"
    ]


def test_gitignore_is_respected(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.fastlint]\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored_dir/\n*_gen.py\n", encoding="utf-8")
    write_tree(
        tmp_path,
        {
            "ignored_dir/models.py": VALIDATOR_MODEL,
            "app/models_gen.py": VALIDATOR_MODEL,
            "app/models.py": VALIDATOR_MODEL,
        },
    )
    result = run_cli("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert "app/models.py" in result.out
    assert "ignored_dir" not in result.out and "models_gen" not in result.out


def test_force_exclude_applies_to_named_files(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[tool.fastlint]\nextend-exclude = ["generated"]\n')
    write_tree(tmp_path, {"generated/models.py": VALIDATOR_MODEL})
    named = run_cli("check", "generated/models.py", cwd=tmp_path)
    assert named.code == 1  # a file named explicitly is checked...
    forced = run_cli("check", "--force-exclude", "generated/models.py", cwd=tmp_path)
    assert forced.code == 0  # ...unless --force-exclude, as pre-commit uses


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[tool.fastlint]\nselct = ["FL1"]\n', "unknown key 'selct'"),
        ('[tool.fastlint]\nselect = "FL1"\nignore = [1]\n', "ignore must be a list of strings"),
        ('[tool.fastlint]\nselect = ["FL999"]\n', "unknown rule selector 'FL999'"),
        ("[tool.fastlint]\npydantic-version = 3\n", "pydantic-version must be 1 or 2"),
        ('[tool.fastlint]\nunsafe-fixes = "yes"\n', "unsafe-fixes must be true or false"),
        ("[tool.fastlint\nselect = [\n", "cannot parse"),
        ('[tool.fastlint.per-file-ignores]\n"x.py" = ["NOPE1"]\n', "unknown rule selector"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, body: str, message: str) -> None:
    _pyproject(tmp_path, body)
    write_tree(tmp_path, {"app/main.py": CORS_APP})
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.code == 2, result
    assert message in result.err
    assert "pyproject.toml" in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_explicit_config_path(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    (tmp_path / "lint.toml").write_text('select = ["FL3"]\n', encoding="utf-8")
    result = run_cli(
        "check", "--config", "lint.toml", "--output-format", "concise", ".", cwd=tmp_path
    )
    assert "FL301" in result.out and "FL201" not in result.out
    missing = run_cli("check", "--config", "nope.toml", ".", cwd=tmp_path)
    assert missing.code == 2


def test_unsafe_fixes_from_config(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.fastlint]\nunsafe-fixes = true\n")
    settings = load_settings(None, str(tmp_path))
    assert settings.unsafe_fixes is True


def test_pydantic_version_one_silences_migration_rules(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.fastlint]\npydantic-version = 1\n")
    write_tree(tmp_path, {"app/models.py": VALIDATOR_MODEL})
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.code == 0, result.out


def test_load_settings_rejects_non_table(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[tool]\nfastlint = "x"\n')
    with pytest.raises(ConfigError):
        load_settings(str(tmp_path / "pyproject.toml"), str(tmp_path))


@pytest.mark.parametrize(
    ("requirement", "version"),
    [
        ("pydantic>=2.0", 2),
        ("pydantic<2", 1),
        ("pydantic==1.10.2", 1),
        ("pydantic>=1.8,<2.0", 1),
        ("pydantic~=1.10", 1),
        ("pydantic[email]>=2.5", 2),
        ("pydantic<3", 2),
        ("pydantic<2.6", 2),
        ('pydantic = "^1.10"', 1),
        ('pydantic = "^2.1"', 2),
        ('pydantic = {version = "1.10.2", extras = ["email"]}', 1),
        ("pydantic-settings>=2", 2),
        ("pydantic", 2),
        ("", 2),
    ],
)
def test_pydantic_version_detected_from_requirements(
    tmp_path: Path, requirement: str, version: int
) -> None:
    (tmp_path / "requirements.txt").write_text(requirement + "\n", encoding="utf-8")
    assert detect_pydantic_version(str(tmp_path)) == version


def test_pydantic_version_in_config_wins_over_detection(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("pydantic<2\n", encoding="utf-8")
    module = str(tmp_path / "app" / "models.py")
    assert load_settings(None, str(tmp_path)).pydantic_version_for(module) == 1
    _pyproject(tmp_path, "[tool.fastlint]\npydantic-version = 2\n")
    assert load_settings(None, str(tmp_path)).pydantic_version_for(module) == 2


def test_pydantic_version_detected_per_project_in_one_run(tmp_path: Path) -> None:
    """Two projects checked in one run: each file follows its own project's pin."""
    write_tree(
        tmp_path,
        {
            "legacy/pyproject.toml": (
                '[project]\nname = "legacy"\ndependencies = ["pydantic~=1.10"]\n'
            ),
            "legacy/app/models.py": VALIDATOR_MODEL,
            "modern/requirements.txt": "pydantic>=2.5\n",
            "modern/app/models.py": VALIDATOR_MODEL,
        },
    )
    result = run_cli("check", "--output-format", "concise", "-q", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.out.splitlines()] == ["modern/app/models.py"]
