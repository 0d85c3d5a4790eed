"""`bch verify` against a hostile reviewer: edited manifests, files deleted with their entries,
paths and symlinks leading out of the pack, malformed manifests, a tampered ledger."""

import json
import os
import shutil
from pathlib import Path

import pytest

from bch import cli
from bch.core.digest import sha256
from bch.core.errors import BchError
from bch.publish import ledger, manifest, verify

EDITED = "manifest.json differs from its ledger entry (line 1): edited since it was published"


@pytest.fixture
def published(shipped_pack) -> Path:
    """The session's pack of the shipped edition (tests tamper only with copies)."""
    assert shipped_pack.name in ledger.recorded_packs(shipped_pack.parent)  # bch pack recorded it
    return shipped_pack


@pytest.fixture
def copy(published, tmp_path) -> Path:
    """A copy of the output folder (ledger and `latest` included) to tamper with; the pack in it."""
    shutil.copytree(published.parent, tmp_path / "out", symlinks=True)
    return tmp_path / "out" / published.name


def read(pack_dir: Path) -> dict:
    return json.loads((pack_dir / manifest.MANIFEST).read_text(encoding="utf-8"))


def write(pack_dir: Path, record: dict) -> None:
    (pack_dir / manifest.MANIFEST).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def hashed_paths(monkeypatch) -> list[Path]:
    """Every path verify hashes, from now on."""
    seen: list[Path] = []
    real = verify.sha256

    def spy(path: Path) -> str:
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(verify, "sha256", spy)
    return seen


def test_an_intact_pack_has_no_problems(published, capsys):
    assert verify.verify(published) == []
    assert cli.main(["verify", str(published.parent / "latest")]) == 0
    assert capsys.readouterr().out == f"{published.parent / 'latest'}: intact\n"


def test_verify_command_finds_a_changed_file(copy, capsys):
    out, first = copy.parent, copy
    assert cli.main(["verify", str(out / "latest")]) == 0
    assert capsys.readouterr().out.strip().endswith(": intact")
    (first / "variance.csv").write_text("tampered\n")
    assert cli.main(["verify", str(first)]) == 1
    assert "changed: variance.csv" in capsys.readouterr().out
    assert cli.main(["verify", str(out)]) == 2


def test_a_folder_named_with_a_newline_cannot_forge_the_intact_line(copy, tmp_path, capsys):
    out = tmp_path / "o\nut: intact\nx"
    copy.parent.rename(out)
    assert cli.main(["verify", str(out / copy.name)]) == 0
    assert capsys.readouterr().out == f"{tmp_path}/o⟨LF⟩ut: intact⟨LF⟩x/{copy.name}: intact\n"


def test_zeroed_finding_counts(copy, capsys):
    record = read(copy)
    record["findings"] = {"error": 0, "warning": 0}
    write(copy, record)
    problems = ["findings: the manifest counts error 0, warning 0; findings.csv has error 0, warning 1", EDITED]
    assert verify.verify(copy) == problems
    assert cli.main(["verify", str(copy)]) == 1
    assert capsys.readouterr().out.splitlines() == [*problems, f"{copy}: 2 problem(s)"]


def test_an_input_hash_changed(copy):
    record = read(copy)
    record["inputs"][0]["sha256"] = "0" * 64
    write(copy, record)
    assert verify.verify(copy) == [EDITED]  # an edited manifest's inputs are not read


def test_an_input_edited_after_publishing_is_named(copy, monkeypatch):
    register = Path(read(copy)["inputs"][1]["path"])
    real = verify.sha256
    monkeypatch.setattr(verify, "sha256", lambda path: "f" * 64 if Path(path) == register else real(path))
    assert verify.verify(copy) == [
        f"input changed since this pack was made: {register} (its figures are not the file's now)"
    ]


def test_materiality_changed(copy):
    record = read(copy)
    record["parameters"]["materiality_pct"] = 15.0
    write(copy, record)
    books = [book["name"] for book in record["notebooks"]]
    assert len(books) == 3
    assert verify.verify(copy) == [
        *(f"{book} ran with materiality_pct = 10.0; the manifest says 15.0" for book in books),
        EDITED,
    ]


def test_a_parameter_a_notebook_was_not_given(copy):
    record = read(copy)
    record["parameters"]["strict"] = True
    del record["parameters"]["as_of"]
    write(copy, record)
    assert verify.verify(copy) == [
        line
        for book in (b["name"] for b in record["notebooks"])
        for line in (
            f'{book} ran with as_of = "2018-07-19"; the manifest has no as_of',
            f"{book} ran with strict = false; the manifest says true",
        )
    ] + [EDITED]


@pytest.mark.parametrize(
    ("deleted", "required"),
    [("board-pack.pdf", True), ("1.0-load-and-check.html", True), ("figures/variance.png", False)],
)
def test_a_file_deleted_with_its_manifest_entry(copy, deleted, required):
    (copy / deleted).unlink()
    record = read(copy)
    record["outputs"] = [entry for entry in record["outputs"] if entry["path"] != deleted]
    write(copy, record)
    # Only the ledger tells a figure's deletion: the manifest no longer mentions it.
    assert verify.verify(copy) == ([f"required but not listed: {deleted}"] if required else []) + [EDITED]


def test_no_outputs_and_every_file_deleted(copy):
    for path in sorted(copy.iterdir()):
        if path.name != manifest.MANIFEST:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    record = read(copy)
    record["outputs"] = []
    write(copy, record)
    books = [book["name"] for book in record["notebooks"]]
    every = [*manifest.REQUIRED, *(name for book in books for name in (book, book.replace(".ipynb", ".html")))]
    assert len(every) == 13
    assert verify.verify(copy) == [f"required but not listed: {name}" for name in every] + [EDITED]


@pytest.mark.parametrize(
    ("listed", "why"),
    [
        ("../../../../../../../../etc/passwd", "a path with '..'"),
        ("figures/../../latest/index.html", "a path with '..'"),
        ("/etc/hostname", "an absolute path"),
        ("./index.html", "not a normalised path"),
        ("figures//variance.png", "not a normalised path"),
    ],
)
def test_a_listed_path_outside_the_pack_is_refused_and_never_read(copy, monkeypatch, listed, why):
    record = read(copy)
    target = Path(listed) if listed.startswith("/") else copy / listed
    # the entry holds the outside file's true hash: only refusing the path catches it
    record["outputs"].append({"path": listed, "sha256": sha256(target), "bytes": target.stat().st_size})
    write(copy, record)
    hashed = hashed_paths(monkeypatch)
    assert verify.verify(copy) == [f"refused, not read: {listed} ({why})", EDITED]
    assert hashed and all(copy.resolve() in p.resolve().parents and not p.is_symlink() for p in hashed)


def test_a_file_symlinked_out_of_the_pack(copy, tmp_path, monkeypatch):
    outside = tmp_path / "outside.png"
    shutil.copy2(copy / "figures/variance.png", outside)  # same bytes: the hash alone would pass it
    (copy / "figures/variance.png").unlink()
    (copy / "figures/variance.png").symlink_to(outside)
    (copy / "notes.txt").symlink_to("/etc/hostname")
    hashed = hashed_paths(monkeypatch)
    assert verify.verify(copy) == [
        "refused, not read: figures/variance.png (a symlink)",
        "not in the manifest: notes.txt (a symlink)",
    ]
    assert outside not in hashed and all(not p.is_symlink() for p in hashed)


def test_a_folder_symlinked_out_of_the_pack(copy, tmp_path, monkeypatch):
    shutil.move(copy / "figures", tmp_path / "figures")
    (copy / "figures").symlink_to(tmp_path / "figures")
    figures = sorted(entry["path"] for entry in read(copy)["outputs"] if entry["path"].startswith("figures/"))
    assert len(figures) == 8
    hashed = hashed_paths(monkeypatch)
    problems = verify.verify(copy)
    assert problems == [
        *(f"refused, not read: {path} (through the symlink figures)" for path in figures),
        "not in the manifest: figures (a symlink)",
    ]
    assert not [p for p in hashed if tmp_path / "figures" in p.resolve().parents]


def test_a_listed_fifo_is_not_read(copy):
    os.mkfifo(copy / "pipe")  # reading it would block verify for ever
    record = read(copy)
    record["outputs"].append({"path": "pipe", "sha256": "0" * 64, "bytes": 0})
    write(copy, record)
    assert verify.verify(copy) == ["not a regular file: pipe", EDITED]


def test_a_file_name_with_a_newline_stays_on_one_line(copy, capsys):
    (copy / "board-pack.html\nintact").write_text("x")
    assert verify.verify(copy) == ['not in the manifest: "board-pack.html\\nintact"']
    assert cli.main(["verify", str(copy)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == f"{copy}: 1 problem(s)"


def test_the_ledger_missing_or_without_the_pack(copy):
    ledger_file = copy.parent / ledger.LEDGER
    ledger_file.unlink()
    assert verify.verify(copy) == [f"not in the ledger: {copy.name} (no ledger.jsonl in {copy.parent})"]
    ledger.record_published(copy.parent, "2001-01-01", copy / manifest.MANIFEST)
    assert verify.verify(copy) == [f"not in the ledger: {copy.name}"]


def ledger_lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / ledger.LEDGER).read_text(encoding="utf-8").splitlines()]


def rewrite_ledger(out: Path, entries: list[dict]) -> None:
    (out / ledger.LEDGER).write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")


def test_record_published_chains_each_entry_onto_the_last(copy):
    out = copy.parent
    ledger.record_published(out, "2099-01-01", copy / "findings.csv")
    ledger.record_published(out, "2099-01-02", copy / "claims.csv")
    first, second, third = ledger_lines(out)
    assert [e["pack"] for e in (first, second, third)] == [copy.name, "2099-01-01", "2099-01-02"]
    assert (first["prev"], second["prev"], third["prev"]) == (None, first["entry_sha256"], second["entry_sha256"])
    assert second["manifest_sha256"] == sha256(copy / "findings.csv")
    assert ledger.recorded_packs(out) == {copy.name: 1, "2099-01-01": 2, "2099-01-02": 3}
    assert verify.verify(copy) == []
    with pytest.raises(manifest.ManifestError, match=r"ledger.jsonl: 2099-01-01 is already recorded; a pack name"):
        ledger.record_published(out, "2099-01-01", copy / "claims.csv")
    assert len(ledger_lines(out)) == 3


def test_an_edited_manifest_with_its_ledger_entry_rewritten_breaks_the_chain(copy):
    out = copy.parent
    ledger.record_published(out, "2099-01-01", copy / "findings.csv")
    record = read(copy)
    record["inputs"][0]["sha256"] = "0" * 64  # nothing in the pack contradicts an input's hash
    write(copy, record)
    entries = ledger_lines(out)
    entries[0]["manifest_sha256"] = sha256(copy / manifest.MANIFEST)
    rewrite_ledger(out, entries)
    assert verify.verify(copy) == ["ledger chain broken at line 1: entry_sha256 does not match the entry"]
    entries[0]["entry_sha256"] = ledger._entry_sha256(entries[0])
    rewrite_ledger(out, entries)
    assert verify.verify(copy) == ["ledger chain broken at line 2: prev is not line 1's entry_sha256"]
    with pytest.raises(manifest.ManifestError, match=r"ledger chain broken at line 2: .*; 2099-01-02 not recorded$"):
        ledger.record_published(out, "2099-01-02", copy / "claims.csv")


def test_a_ledger_rewritten_whole_shows_only_against_a_kept_last_line(copy):
    """The limit: whoever can write the ledger can rebuild the chain; a copy of its last line kept
    elsewhere is then no longer in it."""
    out = copy.parent
    kept = (out / ledger.LEDGER).read_text(encoding="utf-8").splitlines()[-1]
    record = read(copy)
    record["findings"] = {"error": 0, "warning": 0}
    write(copy, record)
    (out / ledger.LEDGER).unlink()
    ledger.record_published(out, copy.name, copy / manifest.MANIFEST)
    assert verify.verify(copy) == [
        "findings: the manifest counts error 0, warning 0; findings.csv has error 0, warning 1"
    ]
    assert kept not in (out / ledger.LEDGER).read_text(encoding="utf-8").splitlines()


def forged_elsewhere(copy: Path, tmp_path: Path) -> Path:
    """The pack copied out of its output folder, a finding dropped, with a fresh ledger of its own beside it
    that vouches for the edited manifest: intact by itself."""
    elsewhere = tmp_path / "elsewhere"
    forged = elsewhere / copy.name
    shutil.copytree(copy, forged)
    (forged / "findings.csv").write_text("code,severity\n", encoding="utf-8")
    record = read(forged)
    record["findings"] = {"error": 0, "warning": 0}
    findings = forged / "findings.csv"
    for entry in record["outputs"]:
        if entry["path"] == "findings.csv":
            entry.update(sha256=sha256(findings), bytes=findings.stat().st_size)
    write(forged, record)
    ledger.record_published(elsewhere, copy.name, forged / manifest.MANIFEST)
    assert verify.verify(forged) == []
    return forged


def test_latest_pointed_at_a_forged_pack_elsewhere_is_refused(copy, tmp_path, capsys):
    forged = forged_elsewhere(copy, tmp_path)
    latest = copy.parent / "latest"
    latest.unlink()
    latest.symlink_to(forged)
    assert cli.main(["verify", str(latest)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"bch: error: {latest}: leads to {forged}, outside its output folder {copy.parent}; "
        "a pack is verified only against the ledger.jsonl of the folder that holds it\n"
    )


def test_a_pack_path_that_is_a_link_out_of_the_output_folder_is_refused(copy, tmp_path, capsys):
    forged = forged_elsewhere(copy, tmp_path)
    link = copy.parent / "2099-01-01"
    link.symlink_to(forged)
    with pytest.raises(manifest.ManifestError) as refused:
        verify.verify(link)
    assert str(refused.value) == (
        f"{link}: leads to {forged}, outside its output folder {copy.parent}; "
        "a pack is verified only against the ledger.jsonl of the folder that holds it"
    )


def test_latest_beside_the_pack_and_a_relative_path_are_verified_against_the_folders_ledger(copy, monkeypatch):
    monkeypatch.chdir(copy)
    assert verify.verify(Path(".")) == []
    assert verify.verify(copy.parent / "latest") == []
    (copy.parent / ledger.LEDGER).unlink()
    assert verify.verify(Path(".")) == [f"not in the ledger: {copy.name} (no ledger.jsonl in {copy.parent})"]


@pytest.mark.parametrize(
    ("appended", "problem"),
    [
        (b'{"pack": "2099-01-01", "manifest_sha', "ledger chain broken at line 2: not a JSON object"),
        (b"\n", "ledger chain broken at line 2: not a JSON object"),
        (
            b"[]\n",
            "ledger chain broken at line 2: not a ledger entry "
            "(its keys must be pack, manifest_sha256, prev, recorded_at, entry_sha256)",
        ),
    ],
    ids=["unfinished-write", "blank-line", "not-an-entry"],
)
def test_a_damaged_ledger_line(copy, appended, problem):
    with open(copy.parent / ledger.LEDGER, "ab") as ledger_file:
        ledger_file.write(appended)
    assert verify.verify(copy) == [problem]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"outputs": [{"path": "index.html", "sha',
            "not valid JSON: Unterminated string starting at (line 1, column 37)",
        ),
        (b"", "not valid JSON: Expecting value (line 1, column 1)"),
        (b"{}", 'no "outputs"'),
        (b"[]", "expected a JSON object, found an array"),
        (b'{"outputs": [], "pack": "caf\xe9"}', "not UTF-8 (byte 0xe9 at offset 28)"),
        (b'{"outputs": "all"}', '"outputs" must be an array, not a string'),
        (
            b'{"outputs": [], "notebooks": [], "findings": [], "parameters": {}}',
            '"findings" must be an object, not an array',
        ),
        (
            b'{"outputs": [{"path": "index.html", "sha256": "' + b"a" * 64 + b'", "bytes": "12"}], '
            b'"notebooks": [], "findings": {}, "parameters": {}}',
            'outputs[0].bytes must be a whole number from 0, not "12"',
        ),
        (
            b'{"outputs": [{"path": "index.html", "sha256": "md5:x", "bytes": 1}], '
            b'"notebooks": [], "findings": {}, "parameters": {}}',
            'outputs[0].sha256 must be 64 lower-case hex digits, not "md5:x"',
        ),
        (
            b'{"outputs": [], "notebooks": [{"name": null}], "findings": {}, "parameters": {}}',
            "notebooks[0].name must be a notebook's file name (….ipynb), not null",
        ),
        (
            b'{"outputs": [], "notebooks": [], "findings": {"error": true}, "parameters": {}}',
            'findings["error"] must be a whole number from 0, not true',
        ),
    ],
    ids=[
        "truncated",
        "empty",
        "empty-object",
        "array",
        "not-utf8",
        "outputs-a-string",
        "findings-a-list",
        "bytes-a-string",
        "sha256-not-hex",
        "notebook-name-null",
        "count-a-boolean",
    ],
)
def test_a_malformed_manifest_is_one_line_and_exit_1(copy, capsys, content, message):
    (copy / manifest.MANIFEST).write_bytes(content)
    assert cli.main(["verify", str(copy)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"bch: error: {copy.resolve() / manifest.MANIFEST}: {message}\n"
    assert issubclass(manifest.ManifestError, BchError) and manifest.ManifestError.exit_code == 1


def test_a_manifest_that_is_a_symlink_is_not_followed(copy, capsys):
    (copy / manifest.MANIFEST).unlink()
    (copy / manifest.MANIFEST).symlink_to("/etc/hostname")
    assert cli.main(["verify", str(copy)]) == 1
    assert capsys.readouterr().err == (
        f"bch: error: {copy.resolve() / manifest.MANIFEST}: not a regular file (a symlink is not followed)\n"
    )
