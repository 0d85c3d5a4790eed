"""The figures the paper's prose quotes, read from data/raw/paper-claims.csv (`bch.analyse.claimcheck` checks
them against what bch computes). A metric names what bch computes: total:recurrent, total:cumulative_to_date,
total:change_team_costs, line:<sheet label>:<fiscal year>, actual:<case>, forecast:<case>, revised_forecast:<case>.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bch.core import codes, money
from bch.core.findings import Finding, finding
from bch.read import csvfiles

COLUMNS = ["paragraph", "quote", "metric", "amount"]


def empty() -> pd.DataFrame:
    """No quoted figures (an edition whose paper quotes none)."""
    frame = pd.DataFrame(columns=[*COLUMNS, "cell", "metric_cell"])
    frame["claimed_gbp"] = pd.array([], dtype="Int64")
    return frame


def read_claims(path: str | Path) -> tuple[pd.DataFrame, list[Finding]]:
    """paragraph, quote, metric, amount (as written), claimed_gbp, cell; findings for unreadable amounts."""
    frame, findings = csvfiles.read_known(path, COLUMNS, "paper claims")  # other columns dropped at the end
    claimed = []
    for index, row in enumerate(frame.to_dict("records")):
        try:
            claimed.append(money.parse_amount(row["amount"], 1).pounds)
        except money.MoneyError as exc:
            findings.append(finding(codes.BAD_AMOUNT, csvfiles.ref(path, frame, index, "amount"), str(exc)))
            claimed.append(None)
    frame["claimed_gbp"] = pd.array(claimed, dtype="Int64")
    frame["cell"] = [csvfiles.ref(path, frame, i, "amount") for i in range(len(frame))]
    frame["metric_cell"] = [csvfiles.ref(path, frame, i, "metric") for i in range(len(frame))]
    return frame[[*COLUMNS, "claimed_gbp", "cell", "metric_cell"]], findings
