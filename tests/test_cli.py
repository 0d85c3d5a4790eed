"""`bch check`: JSON shape, exit codes 0/1/2, one-line messages, light start-up."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bch import cli
from bch.cli import parser as cliparser
from bch.publish import packoptions
from tests import builders


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_on_the_shipped_data(capsys):
    code, out, err = run(capsys, "check", "--json")
    assert code == 0
    assert err == ""
    result = json.loads(out)
    assert result["totals"] == {
        "recurrent_gbp": 6_151_000,
        "cumulative_to_date_gbp": 21_716_000,
        "change_team_costs_gbp": 6_348_000,
    }
    assert result["by_function"] == [
        {"function": "Firearms licensing", "actual_gbp": 113_000},
        {"function": "Information management", "actual_gbp": 71_000},
        {"function": "ICT", "actual_gbp": 1_501_000},
        {"function": "CJ phase 1", "actual_gbp": 21_000},
        {"function": "Custody", "actual_gbp": 92_000},
        {"function": "ERSOU/JPS etc", "actual_gbp": 4_353_000},
    ]
    assert result["by_year"] == [
        {"fiscal_year": "2014/15", "recurrent_gbp": 2_600_000},
        {"fiscal_year": "2015/16", "recurrent_gbp": 926_000},
        {"fiscal_year": "2016/17", "recurrent_gbp": 920_000},
        {"fiscal_year": "2017/18", "recurrent_gbp": 547_000},
        {"fiscal_year": "2018/19", "recurrent_gbp": 1_158_000},
    ]
    assert result["findings"] == [
        {
            "severity": "warning",
            "code": "blank-total",
            "cell": "Savings!B13",
            "message": "blank, but the running sum of costs to 2014/15 gives -£795,000",
            "stated_gbp": None,
            "computed_gbp": -795_000,
        }
    ]


def test_text_summary(capsys):
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "Recurrent savings a year   £6,151,000" in out
    assert "Cumulative savings        £21,716,000" in out
    assert "ERSOU/JPS etc           £4,353,000" in out
    assert "WARNING [blank-total] Savings!B13" in out


def test_error_findings_exit_1_and_still_report(capsys, shipped, tmp_path):
    book, ws = shipped
    ws["C3"] = "tbc"
    code, out, _ = run(capsys, "check", "--json", "--savings", str(builders.save(book, tmp_path)))
    assert code == 1
    result = json.loads(out)
    assert result["findings"][0]["cell"] == "Savings!C3"
    assert result["totals"]["recurrent_gbp"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--savings", "/no/such.xlsx"], "bch: error: --savings: no such file /no/such.xlsx\n"),
        (["check", "--bogus"], "bch: error: unrecognized arguments: --bogus (see bch --help)\n"),
        (["frobnicate"], "bch: error: argument COMMAND: invalid choice: 'frobnicate'"),
    ],
)
def test_usage_and_unreadable_input_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_missing_sheet_names_the_sheets(capsys):
    code, _, err = run(capsys, "check", "--sheet", "Nope")
    assert code == 2
    assert "has no sheet 'Nope'; its sheets are: Savings" in err


def test_python_m_bch_prints_exactly_one_json_object_and_stays_light():
    probe = (
        "import runpy, sys, json;"
        "sys.argv = ['bch', 'check', '--json'];"
        "code = 0\n"
        "try:\n runpy.run_module('bch', run_name='__main__')\n"
        "except SystemExit as e:\n code = e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'papermill', 'jupyter',"
        " 'jupyter_client', 'nbconvert', 'seaborn', 'weasyprint'))\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert json.loads(proc.stdout)["totals"]["recurrent_gbp"] == 6_151_000  # one object, nothing else
    assert json.loads(proc.stderr) == {"code": 0, "heavy": []}


def test_the_console_script_exit_code():
    proc = subprocess.run(
        [sys.executable, "-m", "bch", "check", "--savings", "nope.xlsx"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr == f"bch: error: --savings: no such file {Path.cwd() / 'nope.xlsx'}\n"


def test_the_entry_points_return_mains_code_then_skip_the_last_collection(monkeypatch, capsys):
    """`bch` and `python -m bch` run `cli.run`: main()'s exit code, the GC frozen for the exit (not here)."""
    import tomllib

    frozen = []
    monkeypatch.setattr(cli.gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(sys, "argv", ["bch"])
    assert (cli.run(), frozen) == (2, [True])  # usage, once
    assert capsys.readouterr().err.startswith("usage: bch ")
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert project["project"]["scripts"] == {"bch": "bch.cli:run"}
    assert "raise SystemExit(run())" in (Path(cli.__file__).parents[1] / "__main__.py").read_text()


def test_processed_writes_the_tidy_table(capsys, tmp_path):
    code, _, _ = run(capsys, "check", "--processed", str(tmp_path))
    assert code == 0
    lines = (tmp_path / "savings-tidy.csv").read_text().splitlines()
    assert lines[0] == "function,fiscal_year,saving_gbp,cell"
    assert lines[1] == "Firearms licensing,2015/16,27000,Savings!C3"
    assert len(lines) == 15


def test_json_variance_and_claims(capsys):
    code, out, _ = run(capsys, "check", "--json")
    assert code == 0
    result = json.loads(out)
    variance = {row["function"]: row for row in result["variance"]}
    assert variance["Firearms Licensing"] == {
        "function": "Firearms Licensing",
        "sheet_label": "Firearms licensing",
        "forecast_gbp": 174_000,
        "revised_forecast_gbp": 112_000,
        "latest_forecast_gbp": 112_000,
        "actual_gbp": 113_000,
        "variance_gbp": 1_000,
        "variance_vs_original_gbp": -61_000,
        "delivery_pct": 100.9,
        "status": "delivered",
        "rag": "green",
        "variance_causes": "scope change",
        "source": "§6.2",
    }
    assert variance["Public Contact"]["variance_gbp"] is None
    assert variance["Public Contact"]["delivery_pct"] is None
    assert variance["Human Resources"]["variance_gbp"] == -990_000
    assert variance["ERSOU/JPS etc"]["status"] == "no business case"
    assert result["variance_totals"]["latest_forecast_gbp"] == 3_916_000
    assert len(result["claims"]) == 21
    assert all(claim["ok"] for claim in result["claims"])
    assert set(result["claims"][0]) == {"paragraph", "quote", "metric", "claimed_gbp", "computed_gbp", "ok"}


def test_materiality_option_changes_the_status(capsys):
    _, out, _ = run(capsys, "check", "--json", "--materiality", "35")
    variance = {row["function"]: row for row in json.loads(out)["variance"]}
    assert variance["ICT"]["status"] == "delivered"
    assert json.loads(out)["materiality_pct"] == 35.0


@pytest.mark.parametrize("value", ["-1", "100", "nan", "ten"])
def test_bad_materiality_exits_2(capsys, value):
    code, out, err = run(capsys, "check", "--materiality", value)
    assert code == 2
    assert out == ""
    assert "materiality" in err
    assert err.count("\n") == 1


def test_forecasts_option_overrides_the_register(capsys, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        "function,sheet_labels,approved,forecast,revised_forecast,status,variance_causes,dependency,commentary,source\n"
        "ICT,ICT,Oct 2015,£1.5m,,implemented,,,c,§6.4\n"
    )
    code, out, _ = run(capsys, "check", "--json", "--register", str(path))
    result = json.loads(out)
    variance = {row["function"]: row for row in result["variance"]}
    assert variance["ICT"]["variance_gbp"] == 1_000
    assert variance["Custody"]["status"] == "no business case"
    assert ("warning", "no-business-case", "Savings!A7") in [
        (f["severity"], f["code"], f["cell"]) for f in result["findings"]
    ]
    # the paper's §6.3 claim now names a case this register lacks
    assert code == 1


def test_text_summary_shows_the_reconciliation(capsys):
    _, out, _ = run(capsys, "check")
    assert "  ICT                                       £2,202k  £2,202k  £1,501k    -£701k     68.2%" in out
    assert "  Total (6 cases with figures)              £3,978k  £3,916k  £1,798k  -£2,118k" in out
    assert "The paper's figures: 21 of 21 agree" in out


def test_a_parameters_file_sets_pack_parameters_and_options_win(tmp_path):
    file = tmp_path / "params.yaml"
    file.write_text("materiality_pct: 15\nedition: 2018-07-19\nstrict: true\n")
    parser = cliparser.build()
    args = cli._with_parameters_file(parser, ["pack", "-f", str(file), "--materiality", "20"])
    assert (args.materiality_pct, args.edition, args.strict) == (20.0, "2018-07-19", True)
    args = cli._with_parameters_file(cliparser.build(), ["pack", "-f", str(file)])
    assert args.materiality_pct == 15.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bogus: 1\n", "unknown parameter(s) bogus; pack takes: as_of, catalogue_path, cell_timeout,"),
        ("materiality_pct: lots\n", "params.yaml: parameter materiality_pct must be float, not str ('lots')"),
        ("- a list\n", "must map parameter names to values"),
        ("materiality_pct: [\n", "can't be read"),
    ],
)
def test_a_bad_parameters_file_is_one_line_exit_2(capsys, tmp_path, text, message):
    file = tmp_path / "params.yaml"
    file.write_text(text)
    assert cli.main(["pack", "-f", str(file), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_parameters_file_that_is_a_pipe_is_refused_and_no_strict_wins(tmp_path, capsys):
    import os

    fifo = tmp_path / "params.yaml"
    os.mkfifo(fifo)
    assert cli.main(["pack", "-f", str(fifo), "--out", str(tmp_path / "out")]) == 2
    assert f"parameters file {fifo}: no such regular file" in capsys.readouterr().err
    strict = tmp_path / "strict.yaml"
    strict.write_text("strict: true\n")
    args = cli._with_parameters_file(cliparser.build(), ["pack", "-f", str(strict), "--no-strict"])
    assert args.strict is False


def test_pack_prints_progress_and_the_pack_or_nothing_when_quiet(capsys, tmp_path, monkeypatch):
    """The console's side of `bch pack`, --quiet included (a real run from the console: the `two_editions`
    fixture, tests/conftest.py)."""
    from bch.publish import pack

    made = tmp_path / "2019-07-20"

    def build_pack(options, progress=None, run_date=None):
        progress("3.0-variance-charts.ipynb: 4.2s")
        return packoptions.Published(made)

    monkeypatch.setattr(pack, "build_pack", build_pack)
    assert run(capsys, "pack", "--quiet", "--out", str(tmp_path)) == (0, "", "")
    code, out, err = run(capsys, "pack", "--out", str(tmp_path))
    assert (code, out) == (0, f"{made}\n")
    assert err.splitlines()[0] == "bch pack: 3.0-variance-charts.ipynb: 4.2s"
    assert err.splitlines()[1].startswith(f"bch pack: published {made} in ")
    assert len(err.splitlines()) == 2
