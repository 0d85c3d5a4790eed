"""Hostile inputs other than the workbook (claims, register, revisions, the catalogue, file names), each through
`bch.cli.main`: a finding naming the cell, or one line and its exit code, never a traceback."""

import os
import shutil
from pathlib import Path

import pytest

from bch import cli, paths

CLAIMS = "paper-claims.csv"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def raw(tmp_path) -> Path:
    """A copy of the shipped data/raw to edit."""
    return Path(shutil.copytree(paths.RAW, tmp_path / "raw"))


def _catalogue(raw: Path, old: str, new: str) -> str:
    catalogue = raw / "editions.toml"
    text = catalogue.read_text(encoding="utf-8")
    assert old in text
    catalogue.write_text(text.replace(old, new), encoding="utf-8")
    return str(catalogue)


# -- claims ---------------------------------------------------------------------------------------------
def test_a_claimed_amount_reading_tbc_is_a_finding_naming_its_cell_never_zero(capsys, tmp_path):
    lines = (paths.RAW / CLAIMS).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",£6.151m\n", ",tbc\n")  # §3.7's recurrent total, row 3 of the CSV
    claims = tmp_path / CLAIMS
    claims.write_text("".join(lines), encoding="utf-8")
    code, out, err = run(capsys, "check", "--claims", str(claims))
    assert (code, err) == (1, "")
    assert "  ERROR [bad-amount] 'paper-claims.csv'!D3: 'tbc' is not an amount of money\n" in out
    assert "  ✗ §3.7 total:recurrent: paper –, computed £6,151,000\n" in out  # unknown, not £0
    assert "The paper's figures: 20 of 21 agree" in out


# -- the catalogue ----------------------------------------------------------------------------------------
def test_a_catalogue_nested_thousands_deep_is_one_line(capsys, raw):
    catalogue = raw / "editions.toml"
    with open(catalogue, "a", encoding="utf-8") as handle:
        handle.write("deep = " + "[" * 5000 + "]" * 5000 + "\n")
    code, out, err = run(capsys, "check", "--catalogue", str(catalogue))
    assert (code, out) == (2, "")
    assert err == f"bch: error: editions catalogue {catalogue} is not valid TOML (nested too deeply)\n"


def test_a_nul_in_a_catalogued_file_name_names_the_entry_and_field(capsys, raw):
    catalogue = _catalogue(raw, 'savings = "bch-savings-2018-07-19.xlsx"', 'savings = "a\\u0000b.xlsx"')
    code, _, err = run(capsys, "check", "--catalogue", catalogue)
    assert code == 2
    assert err == (
        "bch: error: editions.toml, edition 1: savings 'a\\x00b.xlsx' holds a NUL character, which no file name can\n"
    )


@pytest.mark.parametrize("field", ["savings", "register", "claims"])
@pytest.mark.parametrize("written", ["{outside}/{name}", "../outside/{name}", "sub/../../outside/{name}"])
def test_a_catalogued_path_leading_out_of_its_folder_is_refused(capsys, raw, tmp_path, field, written):
    name = {"savings": "bch-savings-2018-07-19.xlsx", "register": "business-cases.csv", "claims": CLAIMS}[field]
    (tmp_path / "outside").mkdir()
    shutil.copy(raw / name, tmp_path / "outside" / name)  # a real file: only where it lies is wrong
    written = written.format(outside=tmp_path / "outside", name=name)
    catalogue = _catalogue(raw, f'{field} = "{name}"', f'{field} = "{written}"')
    code, _, err = run(capsys, "check", "--catalogue", catalogue)
    assert code == 2
    assert err == (
        f"bch: error: editions.toml, edition 1: {field} {written!r} leads out of the catalogue's folder {raw}; "
        "a catalogued file is named by its file name there\n"
    )


def test_a_catalogued_file_in_a_subfolder_is_still_read(capsys, raw):
    (raw / "2018").mkdir()
    (raw / CLAIMS).rename(raw / "2018" / CLAIMS)
    catalogue = _catalogue(raw, f'claims = "{CLAIMS}"', f'claims = "2018/{CLAIMS}"')
    code, out, _ = run(capsys, "check", "--catalogue", catalogue)
    assert code == 0 and "The paper's figures: 21 of 21 agree" in out


# -- file names ---------------------------------------------------------------------------------------------
def test_edition_add_refuses_a_file_name_that_is_not_utf8_before_copying_anything(capsys, raw, tmp_path):
    name = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.xlsx")  # bytes a Latin-1 system writes
    shutil.copy(raw / "bch-savings-2018-07-19.xlsx", name)
    catalogue = raw / "editions.toml"
    before = (catalogue.read_bytes(), sorted(p.name for p in raw.iterdir()))
    argv = ["edition", "add", "--catalogue", str(catalogue), "--as-of", "2019-07-18", "--savings", name]
    argv += ["--title", "t", "--document-date", "2019-07-18"]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == "bch: error: --savings caf\\xe9.xlsx: the file name is not valid UTF-8: rename it\n"
    assert (catalogue.read_bytes(), sorted(p.name for p in raw.iterdir())) == before


def test_a_nul_in_a_path_from_a_parameters_file_is_one_line(capsys, tmp_path):
    parameters = tmp_path / "run.yaml"
    parameters.write_text('savings_path: "a\\0b.xlsx"\n', encoding="utf-8")
    code, _, err = run(capsys, "pack", "-f", str(parameters), "--out", str(tmp_path / "out"))
    assert code == 2
    assert err == "bch: error: --savings: a file name can't hold a NUL character ('a\\x00b.xlsx')\n"
    assert not (tmp_path / "out").exists()


# -- CSV shapes: a BOM, CRLF, nothing, a folder -------------------------------------------------------------
@pytest.mark.parametrize("option", ["--register", "--claims"])
def test_a_bom_and_crlf_read_as_the_plain_file(capsys, raw, tmp_path, option):
    source = raw / ("business-cases.csv" if option == "--register" else CLAIMS)
    edited = tmp_path / source.name
    edited.write_bytes(b"\xef\xbb\xbf" + source.read_bytes().replace(b"\n", b"\r\n"))
    plain = run(capsys, "check", "--catalogue", str(raw / "editions.toml"), option, str(source))
    code, out, err = run(capsys, "check", "--catalogue", str(raw / "editions.toml"), option, str(edited))
    assert (code, err) == (0, "")
    assert out.replace(str(edited), str(source)) == plain[1]


@pytest.mark.parametrize(
    ("option", "what"),
    [("--register", "business-case register"), ("--claims", "paper claims"), ("--revisions", "forecast revisions")],
)
def test_an_empty_csv_is_one_line(capsys, tmp_path, option, what):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, out, err = run(capsys, "check", option, str(empty))
    assert (code, out) == (2, "")
    assert err == f"bch: error: {what} {empty} is not a readable CSV (No columns to parse from file)\n"


@pytest.mark.parametrize("option", ["--register", "--claims", "--revisions", "--savings"])
def test_a_folder_given_as_a_file_is_one_line(capsys, tmp_path, option):
    code, out, err = run(capsys, "check", option, str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"bch: error: {option}: {tmp_path} is not a regular file\n"


def test_revisions_reading_tbc_or_holding_nul_are_findings_naming_the_cell(capsys, tmp_path):
    revisions = tmp_path / "revisions.csv"
    revisions.write_text(
        "function,effective,forecast,reason,source\nICT,2018-01-01,tbc,why,§1\nCustody,2018-01-01,£200k,wh\0y,§2\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", "--revisions", str(revisions))
    assert (code, err) == (1, "")
    assert "  ERROR [bad-amount] revisions.csv!C2: forecast: 'tbc' is not an amount of money\n" in out
    assert "  WARNING [hostile-text] revisions.csv!D3: forecast revisions: reason holds NUL" in out


# -- names the OS refuses to look up ------------------------------------------------------------------------
LONG = "a" * 300  # past the 255 bytes a file name may have


@pytest.mark.parametrize("option", ["--savings", "--register", "--claims", "--revisions", "--catalogue"])
def test_a_file_name_too_long_to_look_up_is_one_line(capsys, tmp_path, option):
    path = tmp_path / LONG
    code, out, err = run(capsys, "check", option, str(path))
    assert (code, out) == (2, "")
    assert err == f"bch: error: {option}: {str(path)[:199]}…: File name too long\n"


def test_a_catalogued_name_too_long_to_look_up_names_the_entry(capsys, raw):
    catalogue = _catalogue(raw, 'claims = "paper-claims.csv"', f'claims = "{LONG}"')
    code, _, err = run(capsys, "check", "--catalogue", catalogue)
    assert code == 2
    assert err == f"bch: error: editions.toml, edition 1: claims '{LONG[:199]}…': File name too long\n"


def test_edition_add_given_a_name_too_long_to_look_up_copies_nothing(capsys, raw, tmp_path):
    catalogue = raw / "editions.toml"
    before = (catalogue.read_bytes(), sorted(p.name for p in raw.iterdir()))
    argv = ["edition", "add", "--catalogue", str(catalogue), "--as-of", "2019-07-18", "--title", "t"]
    code, _, err = run(capsys, *argv, "--document-date", "2019-07-18", "--savings", str(tmp_path / LONG))
    assert code == 2
    assert err == f"bch: error: --savings {str(tmp_path / LONG)[:199]}…: File name too long\n"
    assert (catalogue.read_bytes(), sorted(p.name for p in raw.iterdir())) == before


def test_a_missing_column_error_shows_a_nul_in_a_header_as_a_mark(capsys, tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text("para\0graph,quote,metric,amount\n§1,q,total:recurrent,£1\n", encoding="utf-8")
    code, _, err = run(capsys, "check", "--claims", str(claims))
    assert code == 2
    assert err == (
        f"bch: error: paper claims {claims} lacks the column(s) paragraph; it has para⟨NUL⟩graph, quote, metric, "
        "amount\n"
    )


def test_a_csv_or_catalogue_that_cannot_be_opened_is_one_line(capsys, tmp_path, monkeypatch):

    import pandas as pd

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pd, "read_csv", denied)  # as root in CI, chmod 000 would still be readable
    code, _, err = run(capsys, "check")
    register = paths.RAW / "business-cases.csv"
    assert (code, err) == (2, f"bch: error: business-case register {register} can't be read (Permission denied)\n")
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: denied())
    code, _, err = run(capsys, "check")
    assert (code, err) == (2, f"bch: error: editions catalogue {paths.CATALOGUE} can't be read (Permission denied)\n")


# -- a parameters file and a pack folder ----------------------------------------------------------------------
def test_a_parameters_file_nested_thousands_deep_is_one_line(capsys, tmp_path):
    parameters = tmp_path / "run.yaml"
    parameters.write_text("sheet: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code, _, err = run(capsys, "pack", "-f", str(parameters), "--out", str(tmp_path / "out"))
    assert code == 2
    assert err == f"bch: error: parameters file {parameters} can't be read (nested too deeply)\n"


def test_a_parameters_file_with_a_key_written_twice_is_one_line_never_the_last_one_silently(capsys, tmp_path):
    """PyYAML keeps the last of two equal keys: 5% then 50% ran a pack at 50% with no word said."""
    parameters = tmp_path / "run.yaml"
    parameters.write_text("materiality_pct: 5\nmateriality_pct: 50\n", encoding="utf-8")
    code, _, err = run(capsys, "pack", "-f", str(parameters), "--out", str(tmp_path / "out"))
    assert code == 2 and not (tmp_path / "out").exists()
    assert err == (
        f"bch: error: parameters file {parameters} can't be read "
        "(the key 'materiality_pct' is written twice (line 2))\n"
    )


@pytest.mark.parametrize("argv", [["pack", "-f", "{path}"], ["verify", "{path}"]])
def test_a_parameters_file_or_pack_named_too_long_to_look_up_is_one_line(capsys, tmp_path, argv):
    path = str(tmp_path / LONG)
    code, _, err = run(capsys, *[a.format(path=path) for a in argv])
    assert code == 2
    named = "parameters file " if argv[0] == "pack" else ""
    assert err == f"bch: error: {named}{path[:199]}…: File name too long\n"


# -- a loop of links (pathlib's resolve() raises RuntimeError on one) -------------------------------------------
def test_a_loop_of_links_is_one_line_wherever_it_is_named(capsys, raw, tmp_path, monkeypatch):
    (raw / "loop.xlsx").symlink_to("loop.xlsx")
    loop = "Too many levels of symbolic links"
    monkeypatch.chdir(raw)  # a relative --savings is resolved against the working folder
    assert run(capsys, "check", "--savings", "loop.xlsx")[::2] == (2, f"bch: error: --savings: loop.xlsx: {loop}\n")
    argv = ["edition", "add", "--catalogue", str(raw / "editions.toml"), "--as-of", "2019-07-18", "--title", "t"]
    code, _, err = run(capsys, *argv, "--document-date", "2019-07-18", "--savings", "loop.xlsx")
    assert (code, err) == (2, f"bch: error: --savings loop.xlsx: {loop}\n")
    catalogue = _catalogue(raw, 'savings = "bch-savings-2018-07-19.xlsx"', 'savings = "loop.xlsx"')
    code, _, err = run(capsys, "check", "--catalogue", catalogue)
    assert (code, err) == (2, f"bch: error: editions.toml, edition 1: savings 'loop.xlsx': {loop}\n")
    code, _, err = run(capsys, "edition", "list", "--catalogue", "loop.xlsx")
    assert (code, err) == (2, f"bch: error: editions catalogue loop.xlsx: {loop}\n")
