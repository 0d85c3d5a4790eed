"""A scheduled run's housekeeping, without a kernel: what refuses a run before one starts, failed/ pruned, and
packs ordered as the ledger recorded them whatever the clock said."""

import datetime as dt
import json
import shutil
import subprocess

import pytest

from bch import cli, paths
from bch.analyse import packchanges
from bch.core.errors import ParameterError
from bch.publish import ledger, manifest, notebooks, pack, packfiles, packhistory, packlist, packoptions
from bch.read import withdrawals


def test_figures_stated_after_the_run_date_are_refused_before_any_kernel(tmp_path, monkeypatch):
    monkeypatch.setattr(notebooks, "check_against_notebooks", lambda *a: pytest.fail("reached the notebooks"))
    with pytest.raises(ParameterError) as refused:
        pack.build_pack(packoptions.PackOptions(out=tmp_path / "out"), run_date=dt.date(2018, 7, 1))
    assert str(refused.value) == (
        "the figures are stated as at 2018-07-19, after today (2018-07-01): a pack can't state figures at a day "
        "not yet reached"
    )
    assert not (tmp_path / "out").exists()


def test_only_the_newest_failure_records_are_kept(tmp_path):
    failed = tmp_path / packhistory.FAILED
    for day in range(1, 15):
        (failed / f"201907{day:02d}T060000Z").mkdir(parents=True)
    packhistory.prune_failures(failed)
    kept = sorted(p.name for p in failed.iterdir())
    assert len(kept) == packhistory.FAILURES_KEPT == 10
    assert kept[0] == "20190705T060000Z" and kept[-1] == "20190714T060000Z"


def test_the_failure_just_recorded_is_kept_when_the_clock_was_set_back(tmp_path):
    failed = tmp_path / packhistory.FAILED
    for day in range(1, 15):
        (failed / f"201907{day:02d}T060000Z").mkdir(parents=True)
    just = failed / "20190601T060000Z"  # the clock went back a month: the newest record has the oldest stamp
    just.mkdir()
    packhistory.prune_failures(failed, newest=just)
    kept = sorted(p.name for p in failed.iterdir())
    assert len(kept) == packhistory.FAILURES_KEPT
    assert kept[0] == "20190601T060000Z" and kept[1] == "20190706T060000Z" and kept[-1] == "20190714T060000Z"


def _recorded_pack(out, name: str, as_of: str) -> None:
    folder = out / name
    folder.mkdir(parents=True)
    (folder / manifest.MANIFEST).write_text(json.dumps({"as_of": as_of}), encoding="utf-8")
    ledger.record_published(out, name, folder / manifest.MANIFEST)


def test_packs_are_in_the_order_the_ledger_recorded_them_not_by_their_folders_day(tmp_path):
    out = tmp_path / "out"
    _recorded_pack(out, "2019-07-21", "2018-07-19")
    _recorded_pack(out, "2019-07-20", "2018-07-19")  # the clock was set back a day before this run
    _recorded_pack(out, "2019-07-19", "2017-07-19")  # an older edition republished later still
    packs = packlist.published_packs(out)
    assert [p.path.name for p in packs] == ["2019-07-19", "2019-07-21", "2019-07-20"]
    assert packlist.previous_pack(packs, "2018-07-19").path.name == "2019-07-20"


def test_without_a_ledger_packs_are_in_folder_order(tmp_path):
    for name in ("2019-07-20.2", "2019-07-20", "2019-07-20.10"):
        (tmp_path / name).mkdir()
        (tmp_path / name / manifest.MANIFEST).write_text(json.dumps({"as_of": "2018-07-19"}), encoding="utf-8")
    assert [p.path.name for p in packlist.published_packs(tmp_path)] == ["2019-07-20", "2019-07-20.2", "2019-07-20.10"]


def _git_repo_with_bch(tmp_path):
    root = tmp_path / "project"
    for folder in manifest.PUBLISHING_CODE:
        (root / folder).mkdir(parents=True)
    (root / "bch" / "reconcile.py").write_text("MATERIALITY = 10\n")
    (root / "notebooks" / "2.0-reconcile-forecasts.ipynb").write_text("{}\n")
    (root / "README.md").write_text("readme\n")
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"]):
        subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)
    return root


def test_git_state_names_the_uncommitted_code_and_notebooks_a_pack_would_run(tmp_path):
    root = _git_repo_with_bch(tmp_path)
    assert manifest.git_state(root, root)["modified"] == []
    (root / "notebooks" / "2.0-reconcile-forecasts.ipynb").write_text('{"what-if": 1}\n')  # an analyst's saved cell
    (root / "bch" / "new_stage.py").write_text("x = 1\n")  # untracked, yet it would be imported
    (root / "bch" / "__pycache__").mkdir()
    (root / "bch" / "__pycache__" / "reconcile.cpython-311.pyc").write_bytes(b"\0")
    (root / "notebooks" / ".ipynb_checkpoints").mkdir()
    (root / "notebooks" / ".ipynb_checkpoints" / "2.0-checkpoint.ipynb").write_text("{}\n")
    (root / "README.md").write_text("edited\n")  # not code a pack runs
    state = manifest.git_state(root, root)
    assert state["dirty"] is True
    assert state["modified"] == ["bch/new_stage.py", "notebooks/2.0-reconcile-forecasts.ipynb"]


def test_bch_changed_in_its_checkout_counts_when_the_project_is_another_folder(tmp_path):
    checkout = _git_repo_with_bch(tmp_path)
    (checkout / "bch" / "reconcile.py").write_text("MATERIALITY = 5\n")
    project = tmp_path / "elsewhere"  # `bch --project DIR`: not a git work tree at all
    project.mkdir()
    state = manifest.git_state(project, checkout)
    assert (state["commit"], state["modified"]) == (None, ["bch/reconcile.py"])


def test_uncommitted_code_is_refused_in_one_line_before_any_kernel_unless_allowed(tmp_path, monkeypatch, capsys):
    modified = ["notebooks/2.0-reconcile-forecasts.ipynb"]
    monkeypatch.setattr(manifest, "git_state", lambda *a: {"commit": "0" * 40, "dirty": True, "modified": modified})
    monkeypatch.delenv(packoptions.ALLOW_DIRTY_ENV)
    monkeypatch.setattr(pack.execute, "SharedKernel", lambda *a, **k: pytest.fail("a kernel was started"))
    assert cli.main(["pack", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        "bch: error: uncommitted changes to code a pack runs: notebooks/2.0-reconcile-forecasts.ipynb; commit them "
        "(a pack must be reproducible from its commit), or give --allow-dirty to publish them, stated on the cover\n"
    )
    allowed = pack._uncommitted_code_refused(manifest.git_state(), allow_dirty=True)
    assert (allowed["allow_dirty"], allowed["modified"]) == (True, modified)


def test_a_withdrawn_edition_is_named_only_to_packs_after_it_was_published(tmp_path):
    out = tmp_path / "out"
    _recorded_pack(out, "2021-07-20", "2021-07-15")
    _recorded_pack(out, "2022-07-20", "2022-07-14")  # the draft, withdrawn later
    _recorded_pack(out, "2022-07-21", "2021-07-15")  # already told
    gone = withdrawals.Withdrawal("2022-07-14", "2022-07-21", "a draft")
    first, told, draft = packlist.published_packs(out)  # by edition, then as published
    assert (first.path.name, told.path.name, draft.path.name) == ("2021-07-20", "2022-07-21", "2022-07-20")
    assert packlist.withdrawn_since(out, first, [gone]) == [(gone, ["2022-07-20"])]
    assert packlist.withdrawn_since(out, told, [gone]) == []
    assert packchanges.withdrawn_editions([(gone, ["2022-07-20"])]) == [
        {
            "kind": "edition withdrawn",
            "item": "2022-07-14",
            "before": "published as 2022-07-20",
            "after": "withdrawn on 2022-07-21: a draft",
            "money": False,
        }
    ]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["pack", "--json", "--materiality", "abc"], 2, "argument --materiality: invalid float value: 'abc'"),
        (["--project"], 2, "--project needs a folder: bch --project DIR COMMAND"),
        (["--project", "x" * 300, "pack", "--json"], 2, "File name too long"),
        (["--project", "/nonexistent-bch-project", "pack", "--json"], 2, "no such folder"),
    ],
)
def test_failures_before_a_pack_starts_are_one_line_and_a_json_object_when_asked(capsys, argv, code, message):
    assert cli.main(argv) == code
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("bch: error: ") and message in err
    if "--json" in argv:
        said = json.loads(out)
        assert (said["status"], said["exit_code"], said["path"]) == ("failed", code, None)
        assert message in said["message"]
    else:
        assert out == ""


def test_a_project_without_notebooks_is_refused_in_one_line(tmp_path, capsys):
    project = tmp_path / "project"
    shutil.copytree(paths.RAW, project / "data" / "raw")
    assert cli.main(["--project", str(project), "pack"]) == 2
    assert capsys.readouterr().err == (
        f"bch: error: no notebooks in {project / 'notebooks'}: a project folder holds notebooks/ beside data/ "
        "(copy them from bch's repository)\n"
    )


def test_a_manifest_edited_after_publishing_is_never_latest_nor_compared_with(tmp_path):
    out = tmp_path / "out"
    _recorded_pack(out, "2019-07-20", "2018-07-19")
    _recorded_pack(out, "2019-07-21", "2018-07-19")
    edited = out / "2019-07-20" / manifest.MANIFEST  # moved to the far future by hand, to stay `latest`
    edited.write_text(json.dumps({"as_of": "9999-12-31"}), encoding="utf-8")
    assert [p.path.name for p in packlist.published_packs(out)] == ["2019-07-21"]
    assert packlist.previous_pack(packlist.published_packs(out), "2019-07-18").path.name == "2019-07-21"
    first_entry = ledger.read_ledger(out / "ledger.jsonl")[0][0]
    record, why = packfiles.read_manifest(out / "2019-07-20", first_entry["manifest_sha256"])
    assert (record, why) == (None, "manifest.json differs from its ledger entry: edited since it was published")


def test_a_later_pack_that_cannot_be_read_is_named_never_skipped(tmp_path):
    out = tmp_path / "out"
    _recorded_pack(out, "2019-07-20", "2018-07-19")
    _recorded_pack(out, "2019-07-21", "2018-07-19")
    (out / "2019-07-21" / manifest.MANIFEST).write_text("[]", encoding="utf-8")  # not a manifest bch writes
    packs = packlist.published_packs(out)
    previous = packlist.previous_pack(packs, "2018-07-19")
    assert previous.path.name == "2019-07-20"
    assert packlist.unreadable_after(out, previous) == [
        ("2019-07-21", "manifest.json differs from its ledger entry: edited since it was published")
    ]
    _recorded_pack(out, "2019-07-22", "2018-07-19")  # a readable pack after it: compared with that one
    newest = packlist.previous_pack(packlist.published_packs(out), "2018-07-19")
    assert (newest.path.name, packlist.unreadable_after(out, newest)) == ("2019-07-22", [])


def test_every_not_after_today_check_reads_the_one_utc_clock(tmp_path, monkeypatch, capsys):
    from bch.core import dates

    monkeypatch.setattr(dates, "now", lambda: dt.datetime(2018, 7, 18, 23, 30, tzinfo=dt.UTC))  # BST: the 19th
    files = ["--savings", str(paths.RAW / "bch-savings-2018-07-19.xlsx")]
    files += ["--register", str(paths.RAW / "business-cases.csv")]
    empty = ["--catalogue", str(tmp_path / "none.toml")]  # no catalogued date in the way: --as-of itself
    assert cli.main(["check", *empty, *files, "--as-of", "2018-07-19"]) == 2
    assert "--as-of 2018-07-19 is in the future" in capsys.readouterr().err
    assert cli.main(["check"]) == 2  # the shipped catalogue's edition is dated the 19th: after today, by UTC
    assert "as_of 2018-07-19 is after today (2018-07-18, UTC)" in capsys.readouterr().err
    argv = ["edition", "--catalogue", str(tmp_path / "editions.toml"), "add", "--as-of", "2018-07-19"]
    assert cli.main([*argv, "--savings", "x.xlsx", "--title", "t", "--document-date", "2018-07-19"]) == 2
    assert "--as-of 2018-07-19 is in the future" in capsys.readouterr().err
