"""Write table 5.2 of the 19 July 2018 BCH collaboration paper as an .xlsx, exactly as presented.

Run once to make data/raw/bch-savings-2018-07-19.xlsx; it refuses to overwrite a file, since
data/raw holds inputs as received. Figures are £'000 as in the paper, stored as numbers with a
£ format (as a finance team's sheet would hold them); blanks stay blank.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

TITLE = "BCH Cost/Savings since 2014/15"
YEARS = ["2014/15", "2015/16", "2016/17", "2017/18", "2018/19"]
ROWS = [
    ("Firearms licensing", [None, 27, 86, None, None], 113),
    ("Information management", [None, None, None, 71, None], 71),
    ("ICT", [None, 541, 508, 29, 423], 1501),
    ("CJ phase 1", [None, None, 21, None, None], 21),
    ("Custody", [None, None, None, 92, None], 92),
    ("ERSOU/JPS etc", [2600, 358, 305, 355, 735], 4353),
    ("Total recurrent in each year", [2600, 926, 920, 547, 1158], 6151),
    ("Total annual cumulative", [2600, 3526, 4446, 4993, 6151], None),
    ("Total savings from 2014/15", [2600, 6126, 10572, 15565, 21716], None),
    ("BCH Change Team costs", [-795, -1895, -1649, -1448, -561], None),
    ("Total Cumulative Change Team costs", [None, -2690, -4339, -5787, -6348], None),
]
NOTES = [
    "Individual savings shown are recurrent, ie they have been removed from budget",
    "ERSOU/JPS etc includes Professional Standards Department and Procurement",
    "ERSOU/JPS etc savings were made prior to 2014/15 and are shown in 2014/15 as they are recurrent",
    "The costs for the BCH Change team are not recurrent, hence there is no annual cumulative cost figure shown",
    "A net figure of total BCH Change Team costs and total savings cannot be shown as this would be a "
    "misrepresentation, as the change team have been involved in many more change projects than the "
    "collaboration projects itemised here. The cost figures are shown in order to inform, rather than to "
    "provide a cost:benefit analysis of the programme.",
]
MONEY_FORMAT = '"£"#,##0;-"£"#,##0'


def build() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Savings"
    ws.append([TITLE])
    ws["A1"].font = Font(bold=True)
    ws.append([None, *YEARS, "Total £'000"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="right")
    for label, values, total in ROWS:
        ws.append([label, *values, total])
        for cell in ws[ws.max_row][1:]:
            cell.number_format = MONEY_FORMAT
    ws.append([])
    ws.append(["Notes"])
    ws[f"A{ws.max_row}"].font = Font(bold=True)
    for note in NOTES:
        ws.append([note])
    ws.column_dimensions["A"].width = 36
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 12
    return book


def main(argv: list[str]) -> int:
    target = (
        Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "data/raw/bch-savings-2018-07-19.xlsx"
    )
    if target.exists():
        print(f"{target} exists; raw data is never overwritten", file=sys.stderr)
        return 1
    build().save(target)
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
