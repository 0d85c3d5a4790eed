import shutil

import pytest

from tests import builders


@pytest.fixture
def shipped():
    """An editable copy of the shipped workbook, and its only sheet."""
    book = builders.shipped_book()
    return book, book["Savings"]


@pytest.fixture(scope="session")
def analysis():
    """The shipped edition analysed once for the session (tests only read it)."""
    from bch import pipeline

    return pipeline.analyse()


@pytest.fixture(scope="session")
def shipped_pack(tmp_path_factory):
    """One pack of the shipped edition for the whole session: read it, never change it (copy it first)."""
    from bch import pack

    return pack.build_pack(pack.PackOptions(out=tmp_path_factory.mktemp("shipped-packs"))).path


@pytest.fixture(scope="session")
def edited_pack(tmp_path_factory, shipped_pack):
    """A second pack, after a copy of `shipped_pack`, from a workbook with hostile labels and moved figures."""
    from bch import pack

    tmp = tmp_path_factory.mktemp("edited")
    out = tmp / "packs"
    shutil.copytree(shipped_pack.parent, out, symlinks=True)
    workbook = builders.edited_workbook(tmp)
    return pack.build_pack(pack.PackOptions(out=out, savings_path=str(workbook), as_of="2018-07-19")).path
