"""What changed about the packs compared rather than their figures: the parameters, why a pack of the same edition
was published again, and the editions withdrawn since; and the change record every comparison builds (`change`).

Pure: `bch.analyse.changes.compare` gathers these with the changes in the figures.
"""

from __future__ import annotations

from bch.core import labels

_PARAMETERS = ("edition", "as_of", "materiality_pct", "strict")
# The parts of a pack's fingerprint (bch.publish.packhistory.fingerprint), as a republished pack names them.
_FINGERPRINT_PARTS = ("inputs", "parameters", "code", "notebooks", "catalogue")


def change(kind: str, item: str, before, after, money: bool = False) -> dict:
    """One change record: {kind, item, before, after, money}, an empty before or after as None."""
    return {"kind": kind, "item": item, "before": before or None, "after": after or None, "money": money}


# Names an older bch recorded in a fingerprint, as bch names them now: the same register is not "changed".
_RENAMED = {("inputs", "forecasts"): "register"}


def parameters_changed(old: object, new: object) -> list[dict]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []  # a pack that recorded no parameters (or not as this bch does) is compared on its figures
    return [
        change("parameter changed", name, str(old.get(name, "")), str(new.get(name, "")))
        for name in _PARAMETERS
        if str(old.get(name, "")) != str(new.get(name, ""))
    ]


def _differing(old: dict, new: dict) -> list[str]:
    """The keys whose values differ, either side's keys, in the order the newer names them. The older
    manifest's keys are input (a pack folder anyone could edit): shown clipped, control characters marked."""
    keys = [key for key in dict.fromkeys([*new, *old]) if old.get(key) != new.get(key)]
    return [labels.neutralise(labels.clip(str(key), 40)) for key in keys]


def republished(
    previous_parameters: object, parameters: object, previous_fingerprint: object, fingerprint: object
) -> list[dict]:
    """One 'republished because' change when the pack compared with states the same edition (as-of date) and
    its fingerprint differs: which inputs (by role), which parameters, and whether code, notebooks or the
    catalogue changed. [] for another edition, or the same fingerprint (nothing to explain). A previous pack
    that recorded no fingerprint (an older bch) is said to have recorded none: never guessed."""
    if not isinstance(previous_parameters, dict) or not isinstance(parameters, dict):
        return []
    if str(previous_parameters.get("as_of", "")) != str(parameters.get("as_of", "")) or not isinstance(
        fingerprint, dict
    ):
        return []
    if not isinstance(previous_fingerprint, dict):
        return [change("republished because", "not known: the pack compared with recorded no fingerprint", None, None)]
    reasons = []
    for part in _FINGERPRINT_PARTS:
        old, new = previous_fingerprint.get(part), fingerprint.get(part)
        if old == new:
            continue
        if part in ("inputs", "parameters") and isinstance(old, dict) and isinstance(new, dict):
            old = {_RENAMED.get((part, key), key): value for key, value in old.items()}
            if old == new:
                continue
            reasons.append(f"{part}: {', '.join(_differing(old, new))}")
        else:
            reasons.append(part)
    return [change("republished because", "; ".join(reasons), None, None)] if reasons else []


def withdrawn_editions(withdrawn: list[tuple]) -> list[dict]:
    """One 'edition withdrawn' row per edition withdrawn since the pack compared with
    (`bch.publish.packlist.withdrawn_since`): its packs stay published, and a Board that saw one is told it no
    longer stands, and why."""
    return [
        change(
            "edition withdrawn",
            gone.as_of,
            f"published as {', '.join(names)}",
            labels.clip(f"withdrawn on {gone.on}: {gone.reason}", 160),
        )
        for gone, names in withdrawn
    ]
