"""The Pareto front of a search and its choice: plain functions over trial records (dicts),
no Ray, no TensorFlow.

A record has at least `quality` (higher is better: accuracy, AUC, or minus the MSE), `flash`
and `ram` (bytes) and `status` ("ok" or "error"); `instructions` when it was simulated.
OBJECTIVES says which way each figure is better; the front is taken over the ones every
trial has (quality, flash, RAM): instructions are measured for the front's members only.
"""
from __future__ import annotations

# figure -> +1 (higher is better) or -1 (lower is better)
OBJECTIVES = {"quality": +1, "flash": -1, "ram": -1}


def dominates(a: dict, b: dict, objectives=OBJECTIVES) -> bool:
    """a is at least as good as b in every figure and better in one."""
    better = False
    for key, sign in objectives.items():
        x, y = sign * a[key], sign * b[key]
        if x < y:
            return False
        better = better or x > y
    return better


def front(records: list, objectives=OBJECTIVES) -> list:
    """The records no other record dominates, best quality first (then smaller flash, RAM).
    Records with the same figures are all kept (they are equally good)."""
    members = [r for r in records if not any(dominates(o, r, objectives) for o in records)]
    return sorted(members, key=rank_key)


def rank_key(record: dict):
    return (-record["quality"], record["flash"], record["ram"], record.get("index", 0))


def limits_failed(record: dict, caps: dict) -> list:
    """Which caps ({"flash": bytes, "ram": bytes, "instructions": count}) the record exceeds,
    as words for the table ("flash 30,208 > 24,576 B"). A figure not measured is no failure."""
    units = {"flash": " B", "ram": " B", "instructions": ""}
    out = []
    for key, cap in caps.items():
        value = record.get(key)
        if cap is not None and value is not None and value > cap:
            out.append(f"{key} {value:,} > {cap:,}{units[key]}")
    return out


def fits(record: dict, caps: dict) -> bool:
    return record.get("status") == "ok" and not limits_failed(record, caps)


def best(records: list, caps: dict):
    """The most accurate record that fits every cap (ties: less flash, then RAM), or None."""
    fitting = [r for r in records if fits(r, caps)]
    return min(fitting, key=rank_key) if fitting else None
