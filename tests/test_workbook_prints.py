"""bch-pack.xlsx prints: LibreOffice turns each sheet of the shipped pack's workbook into one page (it was 24
mostly empty pages), each a landscape A4 page one sheet wide."""

import os
import shutil
import subprocess

import pytest

from bch.present import excel, workbook

pytestmark = pytest.mark.libreoffice


def _pages(pdf) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return [fields["Pages"].strip(), fields["Page size"].strip()]


def test_the_shipped_workbook_prints_one_landscape_page_per_sheet(analysis, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdfinfo") is None:
        if os.environ.get("BCH_REQUIRE_LIBREOFFICE"):  # set by .ci/run: under CI the test runs or fails
            pytest.fail("LibreOffice (soffice) or pdfinfo is missing under CI")
        pytest.skip("LibreOffice (soffice) or pdfinfo is not installed here; CI installs both")
    path = excel.write_workbook(analysis, tmp_path / "bch-pack.xlsx")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",  # its own profile: runs side by side
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    pages, size = _pages(tmp_path / "bch-pack.pdf")
    sheets = len(workbook.sheets(analysis))
    assert sheets == 8
    assert int(pages) <= sheets  # at most one page per sheet: each one page wide, and short enough for one tall
    width, height = (float(v) for v in size.split(" pts")[0].split(" x "))
    assert width > height  # landscape
