"""The state of a reading of the savings table's rows: the records collected (`Rows`) and where the reading
has got to (`Scan`: the labels seen, the blank rows passed). `bch.read.workbook` does the reading.
"""

from __future__ import annotations

from bch.read.layout import Layout

# A run of more blank rows than this ends the table (or its notes): a value below it stands outside.
MAX_BLANK_RUN = 10


class Rows:
    """Records collected while reading (plain class: `bch check` pays for every dataclass it builds)."""

    def __init__(self):
        self.lines: list[dict] = []
        self.stated: list[dict] = []
        self.functions: list[dict] = []
        self.notes: list[str] = []


class Scan:
    """Where the reading of the table's rows has got to (plain class, as `Rows`)."""

    def __init__(self, layout: Layout):
        self.seen: dict[str, tuple[str, str]] = {}  # normalised label -> (label, cell)
        self.measures_seen = False
        self.blank_rows: list[int] = []
        self.value_columns = layout.value_columns
        self.known_columns = {layout.label_column, *self.value_columns}
        self.last_col = max(self.known_columns)
        self.last = layout.header_row  # the last row looked at
        self.run = 0  # blank rows since the last row that held anything
        self.filled = 0  # rows that held something

    def move_to(self, row: int) -> None:
        """Past the rows with no filled cell between the last row looked at and `row`."""
        gap = row - self.last - 1
        if gap and self.run + gap <= MAX_BLANK_RUN:
            self.blank_rows.extend(range(self.last + 1, row))
        self.run, self.last = self.run + gap, row
