import pytest

from tests import builders


@pytest.fixture
def shipped():
    """An editable copy of the shipped workbook, and its only sheet."""
    book = builders.shipped_book()
    return book, book["Savings"]
