"""The catalogue of finding codes: every code bch uses is declared once, every declared one is used,
a finding takes its severity from it, and docs/finding-codes.md's table is the catalogue's."""

import ast

import pytest

from bch import paths
from bch.core import codes
from bch.core.findings import Finding, finding

BCH = paths.ROOT / "bch"


def _uses() -> tuple[set[str], set[str]]:
    """(names read as `codes.NAME`, string literals given as a code to finding()/Finding()) across bch/."""
    names, literals = set(), set()
    for path in sorted(BCH.rglob("*.py")):
        if path.name == "codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "codes":
                names.add(node.attr)
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("finding", "Finding"):
                given = node.args[1 if node.func.id == "Finding" else 0] if node.args else None
                if isinstance(given, ast.Constant):
                    literals.add(given.value)
    return names, literals


def _declared_names() -> dict[str, str]:
    """Constant name -> code, for every code the catalogue declares."""
    constants = {name: value for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)}
    return {name: value for name, value in constants.items() if value in codes.CATALOGUE}


def _refusal(make) -> str:
    with pytest.raises(ValueError) as raised:
        make()
    return str(raised.value)


def test_every_code_used_in_bch_is_declared():
    names, literals = _uses()
    assert names - set(_declared_names()) == set()
    assert literals == set(), "a finding names its code through bch.core.codes, not a string literal"


def test_every_declared_code_is_used():
    names, _ = _uses()
    assert set(_declared_names()) - names == set()


def test_each_code_has_one_constant_and_a_one_line_meaning():
    assert sorted(_declared_names().values()) == sorted(codes.CATALOGUE)
    for code in codes.CATALOGUE.values():
        assert code.severity in ("error", "warning")
        assert code.meaning and "\n" not in code.meaning and "|" not in code.meaning


def test_a_finding_takes_its_severity_from_the_catalogue():
    made = finding(codes.BLANK_TOTAL, "Savings!B13", "blank")
    assert made == Finding("warning", "blank-total", "Savings!B13", "blank")
    assert finding(codes.ROW_TOTAL, "Savings!G5", "states £1").severity == "error"


def test_an_undeclared_code_is_refused():
    refused = "finding code 'made-up' is not declared in bch.core.codes"
    assert _refusal(lambda: finding("made-up", None, "x")) == refused
    assert _refusal(lambda: Finding("error", "made-up", None, "x")) == refused


def test_a_code_with_another_severity_is_refused():
    refusal = _refusal(lambda: Finding("warning", "row-total", "Savings!G5", "x"))
    assert refusal == "finding code 'row-total' is declared as error, not warning"


def test_a_code_is_declared_once():
    refusal = _refusal(lambda: codes._declare("row-total", "error", "again"))
    assert refusal == "finding code 'row-total' is declared twice"
    assert codes.CATALOGUE["row-total"].meaning == "a function's stated Total is not the sum of its years"


def _readme_table(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if line.startswith("|"))


def test_the_readme_table_is_the_catalogue():
    readme = (paths.ROOT / "docs" / "finding-codes.md").read_text(encoding="utf-8")
    assert _readme_table(readme) == codes.markdown_table(), "run .venv/bin/python scripts/write_codes_table.py"


def test_the_table_lists_each_code_with_its_severity_and_meaning():
    table = codes.markdown_table().splitlines()
    assert table[:2] == ["| code | severity | meaning |", "|---|---|---|"]
    assert "| `blank-total` | warning | a total cell is blank, but the figures it totals are not zero |" in table
    assert len(table) == 2 + len(codes.CATALOGUE)
