"""`bch check`: JSON shape, exit codes 0/1/2, one-line messages, light start-up."""

import json
import subprocess
import sys

import pytest

from bch import cli
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
        }
    ]


def test_text_summary(capsys):
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "Recurrent savings            £6,151,000" in out
    assert "Cumulative savings to date  £21,716,000" in out
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
        (["check", "--savings", "/no/such.xlsx"], "bch: error: savings workbook not found: /no/such.xlsx\n"),
        (["check", "--bogus"], "bch: error: bch: unrecognized arguments: --bogus (see bch --help)\n"),
        (["frobnicate"], "bch: error: bch: argument command: invalid choice: 'frobnicate'"),
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
    assert proc.stderr == "bch: error: savings workbook not found: nope.xlsx\n"


def test_processed_writes_the_tidy_table(capsys, tmp_path):
    code, _, _ = run(capsys, "check", "--processed", str(tmp_path))
    assert code == 0
    lines = (tmp_path / "savings-tidy.csv").read_text().splitlines()
    assert lines[0] == "function,fiscal_year,saving_gbp,cell"
    assert lines[1] == "Firearms licensing,2015/16,27000,Savings!C3"
    assert len(lines) == 15
