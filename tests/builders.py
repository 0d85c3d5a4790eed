"""Savings workbooks built in memory with openpyxl, for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from bch import paths


def shipped_book() -> openpyxl.Workbook:
    """A fresh, editable copy of the shipped workbook (the file itself is never touched)."""
    return openpyxl.load_workbook(paths.SAVINGS_WORKBOOK)


def save(book: openpyxl.Workbook, folder: Path, name: str = "savings.xlsx") -> Path:
    path = folder / name
    book.save(path)
    return path


def synthetic_book(years: list[str], functions: dict[str, list[int | None]], costs: list[int]) -> openpyxl.Workbook:
    """A table laid out like table 5.2 (£'000), with every stated total computed to foot."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Savings"
    ws.append(["Synthetic savings"])
    ws.append([None, *years, "Total £'000"])
    for label, values in functions.items():
        ws.append([label, *values, sum(v or 0 for v in values)])
    year_totals = [sum((values[i] or 0) for values in functions.values()) for i in range(len(years))]
    cumulative = _running(year_totals)
    ws.append(["Total recurrent in each year", *year_totals, sum(year_totals)])
    ws.append(["Total annual cumulative", *cumulative])
    ws.append([f"Total savings from {years[0]}", *_running(cumulative)])
    ws.append(["BCH Change Team costs", *costs])
    ws.append(["Total Cumulative Change Team costs", *_running(costs)])
    ws.append([])
    ws.append(["Notes"])
    ws.append(["Synthetic figures for tests"])
    return book


def fiscal_years(first: int, count: int) -> list[str]:
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(first, first + count)]


def _running(values: list[int]) -> list[int]:
    out, total = [], 0
    for v in values:
        total += v
        out.append(total)
    return out
