"""Configuration: file discovery, validation with clear messages, CLI precedence."""

import pytest

from reflint.config import ConfigError, ConfigTree, from_environment, load_config
from reflint.linter import Linter
from reflint.rules import RULES
from reflint.selection import select_layers


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


@pytest.mark.parametrize(
    "content,message",
    [
        ('selct = ["RL1"]\n', "unknown setting(s) selct"),
        ('select = ["RL999"]\n', "unknown rule selector `RL999`"),
        ('select = ["RL1"\n', "invalid TOML"),
        ('[per-file-ignores]\n"a/**" = ["nonsense"]\n', "unknown rule selector `nonsense`"),
    ],
)
def test_bad_config_names_the_file_and_the_problem(tmp_path, content, message):
    (tmp_path / "reflint.toml").write_text(content)
    with pytest.raises(ConfigError) as err:
        load_config(start=tmp_path)
    assert message in str(err.value)
    assert "reflint.toml" in str(err.value)


def test_selection_by_code_prefix_and_name(tmp_path):
    (tmp_path / "reflint.toml").write_text('select = ["RL1"]\nignore = ["doi-truncated"]\nextend-select = ["RL303"]\n')
    codes = [r.code for r in Linter(load_config(start=tmp_path)).rules]
    assert codes == ["RL101", "RL103", "RL104", "RL105", "RL106", "RL303"]


def test_cli_overrides_win(tmp_path):
    (tmp_path / "reflint.toml").write_text('select = ["RL1"]\n')
    config = load_config(start=tmp_path).merged({"select": ["RL001"], "ignore": []})
    assert [r.code for r in Linter(config).rules] == ["RL001"]


def test_default_selection_leaves_off_by_default_rules_out(tmp_path):
    codes = [r.code for r in Linter(load_config(start=tmp_path)).rules]
    assert "RL105" not in codes and "RL101" in codes


# -- issue 10: types and values, the environment, the closest config, layered selection ----------


@pytest.mark.parametrize(
    "content,message",
    [
        ('timeout = "fast"\n', 'timeout = "fast" is not valid: expected a positive number of seconds'),
        ("timeout = 0\n", "timeout = 0 is not valid"),
        ("timeout = true\n", "timeout = true is not valid"),
        ('offline = "no"\n', 'offline = "no" is not valid: expected true or false'),
        ("cache = 1\n", "cache = 1 is not valid"),
        ('select = "RL1"\n', 'select = "RL1" is not valid: expected a list of rule codes'),
        ("exclude = [1]\n", "exclude = [1] is not valid: expected a list of strings"),
        ('mailto = ""\n', 'mailto = "" is not valid'),
        ("references-dir = 3\n", "references-dir = 3 is not valid"),
        ('doi-url = "doi.org"\n', 'doi-url = "doi.org" is not valid: expected an http(s) URL'),
    ],
)
def test_every_key_is_type_checked(tmp_path, content, message):
    (tmp_path / "reflint.toml").write_text(content)
    with pytest.raises(ConfigError) as err:
        load_config(start=tmp_path)
    assert message in str(err.value)


def test_a_time_limit_of_zero_means_none(tmp_path):
    """README: ``time-limit = 0`` lifts the limit; the setting used to refuse it."""
    from reflint.cli_options import build_linter

    (tmp_path / "reflint.toml").write_text("time-limit = 0\n")
    assert load_config(start=tmp_path)["time-limit"] == 0
    linter = build_linter(str(tmp_path / "reflint.toml"), network={"offline": False}, default_time_limit=60)
    assert linter.resolver.client.http.time_limit is None  # not 60 s, not 0 s


def test_valid_values_pass(tmp_path):
    (tmp_path / "reflint.toml").write_text(
        'timeout = 2\ntime-limit = 15.5\noffline = true\nmailto = "a@example.org"\n'
        'crossref-url = "http://127.0.0.1:8080"\nextend-ignore = ["RL402"]\n'
    )
    config = load_config(start=tmp_path)
    assert (config["timeout"], config["time-limit"], config["offline"]) == (2, 15.5, True)


@pytest.mark.parametrize(
    "env,expected",
    [
        ({}, {}),
        ({"REFLINT_OFFLINE": "1"}, {"offline": True}),
        ({"REFLINT_OFFLINE": "0"}, {"offline": False}),
        ({"REFLINT_OFFLINE": "yes", "REFLINT_TIMEOUT": "2.5"}, {"offline": True, "timeout": 2.5}),
    ],
)
def test_environment_values(env, expected):
    assert from_environment(env) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"REFLINT_TIMEOUT": "abc"},
        {"REFLINT_TIMEOUT": "-1"},
        {"REFLINT_TIMEOUT": "inf"},
        {"REFLINT_OFFLINE": "sometimes"},
    ],
)
def test_bad_environment_values_are_config_errors(env):
    with pytest.raises(ConfigError, match=next(iter(env))):
        from_environment(env)


def test_config_tree_finds_the_closest_config_once_per_directory(tmp_path):
    (tmp_path / "reflint.toml").write_text('ignore = ["RL001"]\n')
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.reflint]\nignore = ["RL303"]\n')
    (tmp_path / "c").mkdir()
    tree = ConfigTree(load_config(start=tmp_path), {"extend-select": ["RL105"]})
    deep = tree.for_path(tmp_path / "a" / "b" / "x.md")
    assert deep is tree.for_path(tmp_path / "a" / "y.md")
    assert deep["ignore"] == ["RL303"] and deep.source == (tmp_path / "a" / "pyproject.toml").resolve()
    assert tree.for_path(tmp_path / "c" / "z.md") is tree.root
    assert "RL105" in [r.code for r in deep.rules()]  # the command line applies everywhere
    fixed = ConfigTree(load_config(start=tmp_path), fixed=True)
    assert fixed.for_path(tmp_path / "a" / "y.md") is fixed.root


FAMILY = [r.code for r in RULES if r.code.startswith("RL1")]  # whatever RL1xx rules exist


@pytest.mark.parametrize(
    "layers,expected",
    [
        ([{"select": ["RL101"], "ignore": ["RL1"]}], ["RL101"]),  # the code is more specific
        ([{"select": ["RL1"], "ignore": ["RL101"]}], [c for c in FAMILY if c != "RL101"]),
        ([{"select": ["RL1"]}, {"ignore": ["RL102"]}], [c for c in FAMILY if c != "RL102"]),
        ([{"ignore": ["RL1"]}, {"extend-select": ["RL104"]}, {"select": ["RL105"]}], ["RL105"]),
        ([{"select": ["ALL"], "ignore": ["ALL"]}], []),  # a tie goes to ignore
    ],
)
def test_layered_selection(layers, expected):
    assert [r.code for r in select_layers(layers)] == expected


def test_a_later_layer_re_enables_what_an_earlier_one_ignored():
    codes = [r.code for r in select_layers([{"ignore": ["RL104"]}, {"extend-select": ["RL104"]}])]
    assert "RL104" in codes


def test_every_setting_has_a_type_check():
    """A new key in DEFAULTS needs its checker in CHECKS (config.py), or it would take any value."""
    from reflint.config import CHECKS, DEFAULTS

    assert set(CHECKS) == set(DEFAULTS)
    for key, default in DEFAULTS.items():
        assert CHECKS[key](default) is None, key  # the defaults pass their own checks
