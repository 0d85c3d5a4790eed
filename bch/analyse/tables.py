"""The processed tables a run publishes, as the notebooks write them (CSV), for comparing runs."""

from __future__ import annotations

from io import StringIO

import pandas as pd

from bch.analyse.claimcheck import CLAIMS
from bch.analyse.reconcile import VARIANCE
from bch.core.findings import FINDINGS, findings_frame
from bch.core.schema import Schema
from bch.read.sheet import TIDY

# Each table a pack publishes, by its file name, with the columns declared where it is made.
SCHEMAS: dict[str, Schema] = {"savings-tidy": TIDY, "findings": FINDINGS, "variance": VARIANCE, "claims": CLAIMS}
NAMES = tuple(SCHEMAS)


def pack_tables(analysis) -> dict[str, pd.DataFrame]:
    """The tables of a `bch.analyse.pipeline.Analysis` under the file names the notebooks give them."""
    return {
        "savings-tidy": analysis.sheet.tidy(),
        "findings": findings_frame(analysis.findings),
        "variance": analysis.variance,
        "claims": analysis.claims,
    }


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as it reads back from the CSV `bch.core.writers.write_csv` writes: every cell text, missing ''."""
    from bch.core.writers import csv_text

    return pd.read_csv(StringIO(csv_text(frame)), dtype=str, keep_default_na=False)


def csv_name(key: str) -> str:
    """The file a pack table is written to and read back from: its key in SCHEMAS, then .csv."""
    return f"{key}.csv"


def read(folder, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / csv_name(name), dtype=str, keep_default_na=False)
