"""Configuration: file discovery, validation with clear messages, CLI precedence."""

import pytest

from reflint.config import ConfigError, load_config
from reflint.linter import Linter


def test_pyproject_tool_table_is_found_from_a_subdirectory(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.reflint]\nignore = ["RL303"]\n')
    (tmp_path / "docs").mkdir()
    config = load_config(start=tmp_path / "docs")
    assert config["ignore"] == ["RL303"]
    assert config.source == tmp_path / "pyproject.toml"


def test_reflint_toml_wins_over_pyproject_in_the_same_directory(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.reflint]\nignore = ["RL303"]\n')
    (tmp_path / "reflint.toml").write_text('ignore = ["RL001"]\n')
    assert load_config(start=tmp_path)["ignore"] == ["RL001"]


def test_pyproject_without_tool_table_is_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(start=tmp_path).source is None


@pytest.mark.parametrize("content,message", [
    ('selct = ["RL1"]\n', "unknown setting(s) selct"),
    ('select = ["RL999"]\n', "unknown rule selector `RL999`"),
    ('select = ["RL1"\n', "invalid TOML"),
    ('[per-file-ignores]\n"a/**" = ["nonsense"]\n', "unknown rule selector `nonsense`"),
])
def test_bad_config_names_the_file_and_the_problem(tmp_path, content, message):
    (tmp_path / "reflint.toml").write_text(content)
    with pytest.raises(ConfigError) as err:
        load_config(start=tmp_path)
    assert message in str(err.value)
    assert "reflint.toml" in str(err.value)


def test_selection_by_code_prefix_and_name(tmp_path):
    (tmp_path / "reflint.toml").write_text(
        'select = ["RL1"]\nignore = ["doi-truncated"]\nextend-select = ["RL303"]\n')
    codes = [r.code for r in Linter(load_config(start=tmp_path)).rules]
    assert codes == ["RL101", "RL103", "RL104", "RL105", "RL106", "RL303"]


def test_cli_overrides_win(tmp_path):
    (tmp_path / "reflint.toml").write_text('select = ["RL1"]\n')
    config = load_config(start=tmp_path).merged({"select": ["RL001"], "ignore": []})
    assert [r.code for r in Linter(config).rules] == ["RL001"]


def test_default_selection_leaves_off_by_default_rules_out(tmp_path):
    codes = [r.code for r in Linter(load_config(start=tmp_path)).rules]
    assert "RL105" not in codes and "RL101" in codes
