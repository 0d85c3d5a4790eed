"""An edition's life: an ended function, previews and --dry-run, aliases, withdrawing a wrong add."""

import json
import os
import shutil
from pathlib import Path

import pytest

from bch import adding, cli
from bch.analyse import pipeline
from bch.present import boardpack
from bch.publish import packlist, packlock
from bch.read import editions, withdrawals
from tests import builders, next_editions


def register_with(tmp_path, function: str, status: str, name: str = "cases.csv"):
    """The shipped register with one case's status replaced (every other byte as shipped)."""
    rows = editions.load().newest().register.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, row in enumerate(rows):
        if row.startswith(f"{function},"):
            cells = row.split(",")
            cells[5] = status
            rows[index] = ",".join(cells)
    path = tmp_path / name
    path.write_text("".join(rows), encoding="utf-8")
    return path


def add_argv(catalogue, as_of: str, savings, *more) -> list[str]:
    return [
        "edition",
        "--catalogue",
        str(catalogue),
        "add",
        "--as-of",
        as_of,
        "--savings",
        str(savings),
        "--title",
        "A test edition",
        "--document-date",
        as_of,
        *more,
    ]


def snapshot(folder):
    return builders.tree_digest(folder)


# -- an ended function ----------------------------------------------------------------------------


def test_an_ended_functions_case_still_reconciles_and_says_it_ended(tmp_path, capsys):
    cases = register_with(tmp_path, "Custody", "ended")
    assert cli.main(["check", "--json", "--register", str(cases)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [f for f in result["findings"] if f["code"] == "unknown-status"] == []
    custody = next(row for row in result["variance"] if row["function"] == "Custody")
    assert (custody["actual_gbp"], custody["status"]) == (92_000, "under-delivered")  # its actuals still count
    assert cli.main(["check", "--register", str(cases)]) == 0
    assert "under-delivered (function ended)" in capsys.readouterr().out
    rows = boardpack.reconciliation(pipeline.analyse(register_path=cases))["variance"]
    shown = {row["function"]: row["status_shown"] for row in rows}
    assert (shown["Custody"], shown["ICT"]) == ("under-delivered (function ended)", "under-delivered")


def test_an_ended_status_is_accepted_by_edition_add_too(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    workbook = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    cases = register_with(tmp_path, "Custody", "ended")
    argv = add_argv(raw / "editions.toml", "2019-07-18", workbook, "--register", str(cases))
    assert cli.main([*argv, "--register-reviewed", "2019-07-01"]) == 0
    assert "added the edition as at 2019-07-18" in capsys.readouterr().out


def test_an_unknown_status_is_refused_by_check_and_edition_add_with_the_same_line(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    catalogue = raw / "editions.toml"
    workbook = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    cases = register_with(tmp_path, "Custody", "ceased")
    before = snapshot(raw)
    argv = add_argv(catalogue, "2019-07-18", workbook, "--register", str(cases), "--register-reviewed", "2019-07-01")
    assert cli.main(argv) == 1
    refused = capsys.readouterr().err.strip().splitlines()
    assert len(refused) == 1 and "nothing added (add it anyway with --accept-errors)" in refused[0]
    assert snapshot(raw) == before
    assert cli.main(["check", "--savings", str(workbook), "--register", str(cases), "--as-of", "2019-07-18"]) == 1
    line = next(s.strip() for s in capsys.readouterr().out.splitlines() if "[unknown-status]" in s)
    assert line.startswith("ERROR [unknown-status] cases.csv!F5: status 'ceased' is not one of:")
    assert line in refused[0]


# -- preview and --dry-run -------------------------------------------------------------------------


def test_a_dry_run_previews_and_copies_nothing(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    workbook = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    before = snapshot(raw)
    assert cli.main([*add_argv(raw / "editions.toml", "2019-07-18", workbook), "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert snapshot(raw) == before
    assert said.startswith("preview of the edition as at 2019-07-18 (bch-savings-2019-07-18.xlsx):")
    assert "findings: 0 error(s), 2 warning(s)" in said
    assert 'accept with: bch edition add … --alias "HR=Human Resources"' in said
    assert "quoted figures: 21, of an earlier paper (shown for information, not checked)" in said
    assert "changes since the edition as at 2018-07-19: 16\n    year added: 2019/20 (– → new column)\n" in said
    assert "    actual added: HR 2019/20 (– → £150k)\n" in said
    assert said.rstrip().endswith("unchanged")


def test_the_preview_warns_of_an_edition_between_others_a_paper_older_than_its_figures_and_orphaned_files(
    tmp_path, capsys
):
    raw = next_editions.raw_folder(tmp_path / "a", 3)
    (raw / "bch-savings-2019-01-31.xlsx").write_bytes(b"left by an edition block deleted by hand")
    workbook = next_editions.workbook(tmp_path, 1, "bch-savings-2019-12-31.xlsx", {"Not in any edition": 1})
    argv = add_argv(raw / "editions.toml", "2019-12-31", workbook)
    argv[argv.index("--document-date") + 1] = "2019-12-01"
    assert cli.main([*argv, "--dry-run"]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  warning: ")]
    assert warnings == [
        "  warning: as at 2019-12-31, before the newest edition (2020-07-16): it goes between editions, and latest "
        "stays on 2020-07-16's packs",
        "  warning: the paper is dated 2019-12-01, before the figures' as-of date 2019-12-31",
        f"  warning: bch-savings-2019-01-31.xlsx in {raw} is named by no edition (a block deleted by hand?)",
    ]


def test_the_preview_is_printed_before_an_add(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    workbook = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    assert cli.main(add_argv(raw / "editions.toml", "2019-07-18", workbook)) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith("preview of the edition as at 2019-07-18")
    assert said.index("added the edition as at 2019-07-18 to " + str(raw / "editions.toml")) > 0


def test_error_findings_refuse_an_add_unless_accepted(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    catalogue = raw / "editions.toml"
    workbook = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    cases = register_with(tmp_path, "ICT", "retired")
    argv = add_argv(catalogue, "2019-07-18", workbook, "--register", str(cases), "--register-reviewed", "2019-07-01")
    assert cli.main([*argv, "--dry-run"]) == 1  # a dry run says the add would be refused
    assert "unknown-status" in capsys.readouterr().out
    assert cli.main(argv) == 1
    assert "[unknown-status] cases.csv!F4" in capsys.readouterr().err
    assert [e.key for e in editions.load(catalogue).editions] == ["2018-07-19"]
    assert cli.main([*argv, "--accept-errors"]) == 0
    assert "added with its error findings (--accept-errors)" in capsys.readouterr().out
    assert [e.key for e in editions.load(catalogue).editions] == ["2018-07-19", "2019-07-18"]


# -- aliases ----------------------------------------------------------------------------------------


def test_an_alias_is_recorded_and_applies_from_its_edition_on(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    catalogue = raw / "editions.toml"
    second = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    third = next_editions.workbook(tmp_path, 2, "bch-savings-2020-07-16.xlsx")
    assert cli.main([*add_argv(catalogue, "2019-07-18", second), "--alias", "HR=Human Resources"]) == 0
    assert cli.main(add_argv(catalogue, "2020-07-16", third)) == 0
    assert 'aliases = ["HR=Human Resources"]' in catalogue.read_text(encoding="utf-8")
    assert editions.load(catalogue).get("2019-07-18").aliases == ("HR=Human Resources",)
    capsys.readouterr()
    for as_of, hr_actual in (("2019-07-18", 150_000), ("2020-07-16", 210_000)):
        assert cli.main(["check", "--json", "--catalogue", str(catalogue), "--edition", as_of]) == 0
        result = json.loads(capsys.readouterr().out)
        assert "possible-match" not in [f["code"] for f in result["findings"]]
        variance = {row["function"]: row for row in result["variance"]}
        assert variance["Human Resources"]["actual_gbp"] == hr_actual
        assert variance["Human Resources"]["sheet_label"] == "HR"
    cli.main(["check", "--json", "--catalogue", str(catalogue), "--edition", "2018-07-19"])
    earlier = json.loads(capsys.readouterr().out)
    assert {row["function"]: row for row in earlier["variance"]}["Human Resources"]["sheet_label"] is None


def test_an_alias_a_later_register_no_longer_has_is_a_warning_naming_its_entry(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    catalogue = raw / "editions.toml"
    second = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    third = next_editions.workbook(tmp_path, 2, "bch-savings-2020-07-16.xlsx")
    renamed = tmp_path / "cases-2020.csv"
    renamed.write_text(
        editions.load().newest().register.read_text(encoding="utf-8").replace("Human Resources,", "People,"),
        encoding="utf-8",
    )
    assert cli.main([*add_argv(catalogue, "2019-07-18", second), "--alias", "HR=Human Resources"]) == 0
    more = ["--register", str(renamed), "--register-reviewed", "2020-07-01"]
    assert cli.main([*add_argv(catalogue, "2020-07-16", third), *more]) == 0
    capsys.readouterr()
    assert cli.main(["check", "--json", "--catalogue", str(catalogue)]) == 0
    found = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "alias-unknown-case"]
    assert [(f["severity"], f["cell"]) for f in found] == [("warning", "editions.toml[2019-07-18].aliases")]
    assert "alias 'HR' names 'Human Resources', which is not a business case in cases-2020.csv" in found[0]["message"]


def test_an_alias_naming_no_case_or_badly_written_is_one_line(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    workbook = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    before = snapshot(raw)
    argv = add_argv(raw / "editions.toml", "2019-07-18", workbook)
    assert cli.main([*argv, "--alias", "HR=Human Resorces"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'Human Resorces' is not a business case of business-cases.csv" in err
    assert cli.main([*argv, "--alias", "HR"]) == 2
    assert 'is not like "HR=Human Resources"' in capsys.readouterr().err
    assert cli.main([*argv, "--alias", "Custody=ICT"]) == 2  # Custody's line would become ICT's actual
    assert capsys.readouterr().err == (
        "bch: error: --alias 'Custody=ICT': 'Custody' is already the business case 'Custody' (its name or sheet "
        "label); an alias joins a sheet line to a case that has none\n"
    )
    assert snapshot(raw) == before


def test_a_catalogued_alias_claiming_another_cases_label_is_an_error_never_applied(tmp_path):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    catalogue = raw / "editions.toml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + 'aliases = ["Custody=ICT"]\n', encoding="utf-8")
    analysis = pipeline.analyse(catalogue=catalogue)
    assert [(f.severity, f.code, f.cell) for f in analysis.findings if f.code == "label-claimed-twice"] == [
        ("error", "label-claimed-twice", "editions.toml[2018-07-19].aliases")
    ]
    actuals = analysis.variance.set_index("function")["actual_gbp"]
    assert (actuals["ICT"], actuals["Custody"]) == (1_501_000, 92_000)  # as the sheet says, alias not applied


# -- withdraw ---------------------------------------------------------------------------------------


def blocks_of(text: str) -> list[str]:
    return ["[[edition]]" + block for block in text.split("[[edition]]")[1:]]


def test_withdrawing_removes_the_block_and_unshared_files_only(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path, 3)
    catalogue = raw / "editions.toml"
    text = catalogue.read_text(encoding="utf-8")
    first, second, _ = blocks_of(text)
    out = tmp_path / "outputs"
    argv = ["edition", "--catalogue", str(catalogue), "withdraw", "2020-07-16", "--out", str(out)]
    assert cli.main([*argv, "--reason", "added the wrong workbook"]) == 0
    said = capsys.readouterr().out
    assert "deleted bch-savings-2020-07-16.xlsx" in said and "deleted forecast-revisions.csv" in said
    after = catalogue.read_text(encoding="utf-8")
    assert after.startswith(text.split("[[edition]]")[0] + first + second.rstrip("\n"))  # the others byte for byte
    assert "\n[[withdrawn]]\nas_of = 2020-07-16\n" in after and 'reason = "added the wrong workbook"' in after
    assert [e.key for e in editions.load(catalogue).editions] == ["2018-07-19", "2019-07-18"]
    assert not (raw / "bch-savings-2020-07-16.xlsx").exists() and not (raw / "forecast-revisions.csv").exists()
    assert (raw / "business-cases.csv").exists()  # the other editions' register stays
    assert cli.main(["check", "--catalogue", str(catalogue)]) == 0  # the catalogue still reads, newest is 2019
    capsys.readouterr()
    assert cli.main(["edition", "--catalogue", str(catalogue), "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line[:10] for line in listed] == ["2018-07-19", "2019-07-18", "2020-07-16"]
    assert listed[-1].startswith("2020-07-16  withdrawn on ") and listed[-1].endswith(": added the wrong workbook")


def test_withdrawing_the_first_edition_keeps_the_register_the_others_share(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path, 2)
    catalogue = raw / "editions.toml"
    argv = ["edition", "--catalogue", str(catalogue), "withdraw", "2018-07-19", "--reason", "test"]
    assert cli.main([*argv, "--out", str(tmp_path / "none")]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in raw.iterdir()) == [
        "bch-savings-2019-07-18.xlsx",
        "business-cases.csv",
        "editions.toml",
    ]
    assert [e.key for e in editions.load(catalogue).editions] == ["2019-07-18"]


def test_a_withdrawal_while_a_pack_runs_into_the_folder_is_exit_3_and_changes_nothing(tmp_path, capsys):
    from filelock import FileLock

    raw = next_editions.raw_folder(tmp_path, 2)
    out = tmp_path / "outputs"
    out.mkdir()
    before = snapshot(raw)
    argv = ["edition", "--catalogue", str(raw / "editions.toml"), "withdraw", "2019-07-18", "--reason", "r"]
    with FileLock(out / packlock.LOCK):
        assert cli.main([*argv, "--out", str(out)]) == 3
    assert "another bch pack is running" in capsys.readouterr().err
    assert snapshot(raw) == before


def test_an_edition_whose_files_are_gone_can_be_withdrawn(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path, 2)
    catalogue = raw / "editions.toml"
    (raw / "bch-savings-2019-07-18.xlsx").unlink()  # deleted by hand: the newest edition is unusable
    assert cli.main(["check", "--catalogue", str(catalogue)]) == 2
    argv = ["edition", "--catalogue", str(catalogue), "withdraw", "2019-07-18", "--reason", "its workbook was lost"]
    assert cli.main([*argv, "--out", str(tmp_path / "none")]) == 0
    capsys.readouterr()
    assert [e.key for e in editions.load(catalogue).editions] == ["2018-07-19"]
    assert withdrawals.read(catalogue)[0].savings_sha256 == ""  # every pack of that date is the withdrawn one's
    assert cli.main(["check", "--catalogue", str(catalogue)]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["2021-01-01", "--reason", "r"], "no edition as at '2021-01-01'"),
        (["2019-07-18"], "the following arguments are required: --reason"),
        (["2019-07-18", "--reason", " "], "--reason is required"),
    ],
    ids=["unknown-date", "no-reason", "blank-reason"],
)
def test_a_bad_withdrawal_is_one_line_and_changes_nothing(tmp_path, capsys, argv, message):
    raw = next_editions.raw_folder(tmp_path, 2)
    before = snapshot(raw)
    assert cli.main(["edition", "--catalogue", str(raw / "editions.toml"), "withdraw", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    if argv[0] == "2021-01-01":
        assert "its editions are: 2018-07-19, 2019-07-18" in err
    assert snapshot(raw) == before


def test_a_withdrawn_editions_packs_stay_marked_and_are_never_latest_nor_compared_with(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path, 3)
    catalogue = raw / "editions.toml"
    wrong = editions.load(catalogue).get("2020-07-16").savings
    out = tmp_path / "outputs"
    out.mkdir()
    second = builders.recorded_pack(out, "2020-08-01", "2019-07-18")
    entry = {"path": str(wrong), "sha256": builders.tree_digest(wrong.parent)[wrong.name]}
    withdrawn = builders.recorded_pack(out, "2020-08-02", "2020-07-16", inputs=[entry])
    packlist.point_latest(out)
    assert (out / "latest").resolve() == withdrawn
    argv = ["edition", "--catalogue", str(catalogue), "withdraw", "2020-07-16", "--reason", "wrong <b>file</b>"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    capsys.readouterr()
    assert (out / "latest").resolve() == second and withdrawn.is_dir()  # never deleted
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "withdrawn on " in page and "wrong &lt;b&gt;file&lt;/b&gt;" in page
    gone = withdrawals.read(catalogue)
    assert packlist.previous_pack(packlist.current_packs(out, gone), "2020-07-16").path == second
    # the same date added again, with the right workbook, is not withdrawn
    again = builders.recorded_pack(out, "2020-08-03", "2020-07-16", inputs=[{"sha256": "0" * 64}])
    assert packlist.previous_pack(packlist.current_packs(out, gone), "2020-07-16").path == again


def test_after_a_withdrawal_the_next_pack_compares_with_the_last_non_withdrawn_edition(
    two_editions, tmp_path, capsys, lent_kernel
):
    """Through real packs: the second edition withdrawn, then added again with the right workbook and packed."""
    out = tmp_path / "packs"
    shutil.copytree(two_editions["out"], out, symlinks=True)
    raw = tmp_path / "raw"
    shutil.copytree(two_editions["catalogue"].parent, raw)
    catalogue = raw / "editions.toml"
    first, wrong = two_editions["first"].name, two_editions["second"].name
    argv = ["edition", "--catalogue", str(catalogue), "withdraw", "2019-07-18", "--out", str(out)]
    assert cli.main([*argv, "--reason", "the draft workbook"]) == 0
    assert os.readlink(out / "latest") == first
    right = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18-final.xlsx", {"Drones": 10})
    adding.add(
        catalogue,
        adding.NewEdition(as_of="2019-07-18", title="The final paper", document_date="2019-07-18", savings=right),
    )
    capsys.readouterr()
    assert cli.main(["pack", "--catalogue", str(catalogue), "--out", str(out)]) == 0
    published = Path(capsys.readouterr().out.strip())
    record = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert record["previous_pack"] == first  # never the withdrawn pack of the same date
    assert os.readlink(out / "latest") == published.name and (out / wrong).is_dir()
    rows = (out / "index.html").read_text(encoding="utf-8").split("<tr")
    assert "withdrawn on " in next(row for row in rows if f">{wrong}</a>" in row)
    assert "withdrawn" not in next(row for row in rows if f">{published.name}</a>" in row)


def test_a_withdrawal_covers_the_packs_published_by_then_not_the_date_added_again(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path, 2)
    out = tmp_path / "packs"
    builders.recorded_pack(out, "2019-07-20", "2018-07-19")
    builders.recorded_pack(out, "2019-07-21", "2019-07-18")  # the wrong add's pack
    argv = ["edition", "--catalogue", str(raw / "editions.toml"), "withdraw", "2019-07-18", "--reason", "wrong"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    (gone,) = withdrawals.read(raw / "editions.toml")
    assert gone.packs == ("2019-07-21",)
    builders.recorded_pack(out, "2019-07-22", "2019-07-18")  # the same date added again, published
    current = [r.path.name for r in packlist.current_packs(out, (gone,))]
    assert current == ["2019-07-20", "2019-07-22"]


def test_a_withdrawal_into_an_output_folder_bch_would_refuse_changes_nothing(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path, 2)
    out = tmp_path / "packs"
    (out / "latest").mkdir(parents=True)  # a real folder where bch keeps a link
    before = snapshot(raw)
    argv = ["edition", "--catalogue", str(raw / "editions.toml"), "withdraw", "2019-07-18", "--reason", "wrong"]
    assert cli.main([*argv, "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"bch: error: {out / 'latest'} is a real file or folder, not the link bch keeps: move it away, then run again\n"
    )
    assert snapshot(raw) == before
