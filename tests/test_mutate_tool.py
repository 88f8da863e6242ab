"""tools/mutate.py, the mutation-testing driver: its tables stay true to the tree.

The mutation runs themselves are too long for the suite (docs/TESTING.md); these checks
catch what would make one fail or mislead: a module or test folder renamed, an
explanation file that does not parse, a scratch configuration mutmut would misread.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import mutate  # noqa: E402
import mutate_equivalent  # noqa: E402


@pytest.mark.parametrize("module", sorted(mutate.SELECTION))
def test_every_module_and_its_test_selection_exist(module: str) -> None:
    assert (ROOT / module).exists(), module
    for tests in mutate.SELECTION[module]:
        assert (ROOT / tests).exists(), tests


def test_every_sampled_module_has_a_selection() -> None:
    assert set(mutate.SAMPLED) <= set(mutate.SELECTION)
    assert set(mutate.SAMPLE_SIZE) <= set(mutate.SELECTION)


def test_make_mutate_runs_every_module_with_a_selection() -> None:
    makefile = (ROOT / "Makefile").read_text()
    start = makefile.index("MODULES ?=") + len("MODULES ?=")
    listed = makefile[start : makefile.index("\nJOBS", start)].replace("\\\n", " ").split()
    assert len(listed) == len(set(listed))
    assert set(listed) == set(mutate.SELECTION)


def test_each_explanation_names_one_mutant_of_a_known_module_with_its_line_and_reason() -> None:
    # a known module: one with a test selection (a survivor of a run not yet finished, such
    # as inspector/http's, is explained before the module's score is recorded and sampled)
    explained = mutate.load_explained()
    for path in mutate.EXPLAINED.glob("*.toml"):
        for entry in tomllib.loads(path.read_text())["survivor"]:
            # each file holds the explanations of the module it is named after
            assert entry["mutant"].startswith(f"inspector.{path.stem}."), (path.name, entry["mutant"])
    for name, entry in explained.items():
        assert "__mutmut_" in name
        assert entry.line and entry.why, name
        module = name.split(".x", 1)[0].replace(".", "/")
        assert any(module == m.removesuffix(".py") or module.startswith(m + "/") for m in mutate.SELECTION), (
            name
        )


def test_the_scratch_configuration_mutates_only_the_chosen_modules() -> None:
    config = tomllib.loads(
        mutate.mutmut_config(["inspector/tls", "inspector/text.py"], ["tests/b", "tests/a"])
    )
    table = config["tool"]["mutmut"]
    assert table["only_mutate"] == ["inspector/tls/*", "inspector/text.py"]
    assert table["pytest_add_cli_args_test_selection"] == ["tests/a", "tests/b"]
    assert "--hypothesis-profile=mutate" in table["pytest_add_cli_args"]


def test_names_and_added_lines() -> None:
    assert [mutate.slug(m) for m in ("inspector/tls", "inspector/text.py")] == ["tls", "text"]
    assert mutate.short_name("inspector.diff.model.xǁJsonChangeǁmirrored__mutmut_3") == (
        "diff.model.JsonChange.mirrored #3"
    )
    assert mutate.short_name("inspector.text.x__build_table__mutmut_12") == "text._build_table #12"
    diff = ["--- a.py", "+++ a.py", "@@ -1 +1 @@", "-    x = 1", "+    x = 2", "+    y = 3"]
    assert mutate.added_lines(diff) == "x = 2 / y = 3"
    with pytest.raises(SystemExit, match="no test selection for inspector/nope"):
        mutate.check_modules(["inspector/nope"])
    assert mutate.check_modules(["inspector/tls/"]) == ["inspector/tls"]


def _diff(before: str, after: str) -> list[str]:
    return ["--- a.py", "+++ a.py", "@@ -1 +1 @@", f"-{before}", f"+{after}"]


def test_case_changes_of_sql_and_codec_names_are_equivalent_by_rule() -> None:
    rule = mutate_equivalent.equivalent_by_rule
    select = '    rows = conn.execute("SELECT id FROM requests ORDER BY id")'
    assert rule(
        _diff(
            select,
            select.replace("SELECT id FROM requests ORDER BY id", "select id from requests order by id"),
        )
    ) == (mutate_equivalent.SQL_REASON)
    encode = '    data = text.encode("UTF-8", "surrogatepass")'
    assert rule(_diff(encode, encode.replace("UTF-8", "utf-8"))) == mutate_equivalent.CODEC_REASON


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a quoted literal inside the statement: its case is data, not syntax
        ("x(\"SELECT id FROM r WHERE method = 'GET'\")", "x(\"select id from r where method = 'get'\")"),
        # a string that is no SQL statement
        ('    name = "Content-Type"', '    name = "content-type"'),
        # a codec name not handed to a codec
        ('    label = "UTF-8"', '    label = "utf-8"'),
        # more than case changed
        ('    q("SELECT id FROM r")', '    q("XXSELECT id FROM rXX")'),
        # the same case, something outside the literal changed
        ('    q("SELECT id FROM r", 1)', '    q("SELECT id FROM r", 2)'),
    ],
)
def test_other_changes_are_not_equivalent_by_rule(before: str, after: str) -> None:
    assert mutate_equivalent.equivalent_by_rule(_diff(before, after)) is None


def test_a_sampled_score_carries_its_wilson_interval() -> None:
    # 190 of 200: the textbook Wilson interval is 91.0 % to 97.3 %
    low, high = mutate.wilson(190, 200)
    assert (round(low, 3), round(high, 3)) == (0.910, 0.973)
    assert mutate.wilson(200, 200)[1] == 1.0
    assert mutate.wilson(0, 0) == (0.0, 1.0)


def test_a_sample_repeats_with_its_seed_and_another_seed_draws_another() -> None:
    names = [f"inspector.http.x_f__mutmut_{n}" for n in range(1, 1001)]
    first = mutate.draw("inspector/http", names, 100)
    assert first == mutate.draw("inspector/http", names, 100) and first == sorted(first)
    assert len(set(first)) == 100 and set(first) <= set(names)
    other = mutate.draw("inspector/http", names, 100, seed="2")
    assert other == mutate.draw("inspector/http", names, 100, seed="2")
    assert len(set(first) & set(other)) < 50  # about 10 in common by chance
    assert mutate.draw("inspector/http", names[:5], 100) == names[:5]


def test_a_mutant_that_only_deletes_is_named_by_what_it_removed() -> None:
    diff = ["--- a.py", "+++ a.py", "@@ -1,3 +1,2 @@", "     f(", "-        cache_size=0,", "     )"]
    assert mutate.added_lines(diff) == "removed: cache_size=0,"
    assert mutate.added_lines([*diff[:4], "-        x=1,", "+        x=2,"]) == "x=2,"
