#!/usr/bin/env python3
"""A vectorised pandas/numpy implementation of the default evaluation scheme (SCHEME.md §2-§5).

This is the "analyst's natural alternative" that `pubeval bench scoring --compare-pandas` times
side by side with the Rust engine: the scheme written the way a competent analyst would write it
in pandas, column-wise over all bodies at once, with no Python loop over bodies.

Reading the JSONL files into DataFrames is not timed. What is timed, `--repeat` times after one
warm-up, is `score()`: from those DataFrames to a finished result DataFrame (indicator points,
dimension subtotals, incident counts in the evaluation year, deductions, vetoes, total, grade,
overall and per-category ranks, the warning rules that fire and the warning level).

Usage:
    python3 bench/pandas_reference.py --year Y --bodies B.jsonl --submissions S.jsonl \
        [--incidents I.jsonl] [--previous P.jsonl] [--repeat 7] [--out results.jsonl]

Prints `pandas_ms: X` (the median of the timed runs, in milliseconds) and `bodies: N`.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------------------------
# The default scheme `cnca-publicity` v1 (SCHEME.md), as an analyst would transcribe it.
# ---------------------------------------------------------------------------------------------

BOOL_FIELDS = [
    "policy_approved", "leadership_designated", "spokesperson_system", "annual_plan",
    "three_reviews", "major_event_reporting_system", "opinion_monitoring", "account_security",
    "target_responsibility", "incentive_mechanism", "in_annual_report",
]
SET_FIELDS = ["media_channels", "campaigns", "disclosed_items"]
NUMBER_FIELDS = [
    "press_releases", "original_posts", "expert_interpretations", "complaints_received",
    "complaints_resolved_on_time", "media_partnerships", "publicity_budget_wan", "revenue_wan",
    "dedicated_staff", "training_hours", "public_welfare_activities",
]
PAYLOAD_FIELDS = BOOL_FIELDS + SET_FIELDS + NUMBER_FIELDS

# (code, dimension, value, rule, params). value: a field name, ("count", field) for a set, or
# ("ratio", numerator, denominator, points when the denominator is zero).
INDICATORS = [
    ("D1.1", "D1", "policy_approved", "bool", (4,)),
    ("D1.2", "D1", "leadership_designated", "bool", (3,)),
    ("D1.3", "D1", "spokesperson_system", "bool", (3,)),
    ("D1.4", "D1", "annual_plan", "bool", (3,)),
    ("D1.5", "D1", "three_reviews", "bool", (4,)),
    ("D1.6", "D1", "major_event_reporting_system", "bool", (3,)),
    ("D2.1", "D2", "press_releases", "log", (50, 6)),
    ("D2.2", "D2", ("count", "media_channels"), "per_item", (1.5, 6)),
    ("D2.3", "D2", "original_posts", "log", (500, 5)),
    ("D2.4", "D2", ("count", "campaigns"), "per_item", (1, 6)),
    ("D2.5", "D2", "expert_interpretations", "tiers", ((1, 1), (3, 2), (6, 3))),
    ("D2.6", "D2", "opinion_monitoring", "bool", (4,)),
    ("D3.1", "D3", ("count", "disclosed_items"), "per_item", (2, 12)),
    ("D3.2", "D3", ("ratio", "complaints_resolved_on_time", "complaints_received", 8.0),
     "linear", (0.6, 1.0, 8)),
    ("D3.3", "D3", "media_partnerships", "tiers", ((1, 2), (3, 3), (5, 5))),
    ("D4.1", "D4", ("ratio", "publicity_budget_wan", "revenue_wan", 0.0),
     "linear", (0.0, 0.005, 4)),
    ("D4.2", "D4", "dedicated_staff", "tiers", ((1, 2), (3, 3))),
    ("D4.3", "D4", "training_hours", "linear", (0.0, 16.0, 2)),
    ("D4.4", "D4", "public_welfare_activities", "tiers", ((1, 1), (3, 2), (6, 3))),
    ("D4.5", "D4", "account_security", "bool", (3,)),
    ("D5.1", "D5", "target_responsibility", "bool", (4,)),
    ("D5.2", "D5", "incentive_mechanism", "bool", (3,)),
    ("D5.3", "D5", "in_annual_report", "bool", (3,)),
]
DIMENSIONS = ["D1", "D2", "D3", "D4", "D5"]

REPORT_LIMIT = pd.Timedelta(hours=48)
# (code, kind, severity or None, reporting: "late" / "never" / None, points each, cap)
DEDUCTIONS = [
    ("X1", "major_event", None, "late", -3.0, -9.0),
    ("X2", "major_event", None, "never", -5.0, -15.0),
    ("X3", "negative_opinion", "major", None, -5.0, -15.0),
    ("X4", "unauthorized_release", None, None, -5.0, -10.0),
    ("X5", "administrative_penalty", None, None, -5.0, -10.0),
]
VETOES = [("V1", "secret_leak"), ("V2", "false_publicity"), ("V3", "paid_deletion")]

TOTAL_MAX = 100.0
SCALE = 1e6  # every comparison of totals is made on the total rounded to 6 decimals
GRADE_BANDS = [("A", 90.0), ("B", 75.0), ("C", 60.0)]  # below the last: D
VETO_GRADE = "D"
DECLINE_POINTS = 10.0
CST = timezone(timedelta(hours=8))  # the regulator's calendar (China Standard Time)

# Warning rules in the order of SCHEME.md §5, with their levels.
WARNING_RULES = [
    ("W3.veto", 3), ("W3.negative_impact", 3), ("W2.grade_d", 2), ("W2.not_submitted", 2),
    ("W2.unreported", 2), ("W1.decline", 1), ("W1.late_report", 1),
    ("W1.unauthorized_release", 1),
]


# ---------------------------------------------------------------------------------------------
# Rule kinds, each vectorised over a float array (NaN for a body without a value).
# ---------------------------------------------------------------------------------------------

def rule_points(rule: str, params, v: np.ndarray) -> np.ndarray:
    if rule == "bool":
        (p,) = params
        return np.where(v != 0, float(p), 0.0)
    if rule == "per_item":
        p, cap = params
        return np.minimum(v * p, cap)
    if rule == "log":
        cap, mx = params
        return mx * np.minimum(1.0, np.log1p(v) / math.log1p(cap))
    if rule == "tiers":
        # The points of the highest threshold reached; np.select takes the first true condition.
        tiers = sorted(params, reverse=True)
        return np.select([v >= t for t, _ in tiers], [float(p) for _, p in tiers], 0.0)
    if rule == "linear":
        lo, hi, mx = params
        return mx * np.clip((v - lo) / (hi - lo), 0.0, 1.0)
    raise ValueError(f"unknown rule kind {rule}")


def comparison_key(x: np.ndarray) -> np.ndarray:
    """x rounded to 6 decimals, as an integer count of 1e-6 (half away from zero), kept as float
    so that NaN stays NaN. Integers below 2^53 are exact in a float."""
    y = x * SCALE
    return np.sign(y) * np.floor(np.abs(y) + 0.5)


def year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The instants [start, end) of the evaluation year on the regulator's calendar, in UTC."""
    start = datetime(year, 1, 1, tzinfo=CST)
    end = datetime(year + 1, 1, 1, tzinfo=CST)
    return pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC")


# ---------------------------------------------------------------------------------------------
# The timed part: DataFrames in, result DataFrame out.
# ---------------------------------------------------------------------------------------------

def score_submissions(subs: pd.DataFrame) -> pd.DataFrame:
    """Indicator points and dimension subtotals, one row per submission."""
    out = {"body_id": subs["body_id"].to_numpy()}
    cache: dict = {}

    def column(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = subs[name].to_numpy(dtype=float)
        return cache[name]

    dims = {d: 0.0 for d in DIMENSIONS}
    for code, dim, value, rule, params in INDICATORS:
        if isinstance(value, str):
            pts = rule_points(rule, params, column(value))
        elif value[0] == "count":
            v = subs[value[1]].str.len().to_numpy(dtype=float)
            pts = rule_points(rule, params, v)
        else:  # ratio with its zero-denominator rule
            _, num, den, zero_points = value
            n, d = column(num), column(den)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = n / d
            pts = np.where(d == 0, zero_points, rule_points(rule, params, ratio))
        out[code] = pts
        dims[dim] = dims[dim] + pts
    out.update(dims)
    return pd.DataFrame(out)


def incident_counts(incidents: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per body, how many incidents of the evaluation year each deduction and veto counts."""
    start, end = year_bounds(year)
    occurred = incidents["occurred_at"]
    inc = incidents[(occurred >= start) & (occurred < end)]
    kind = inc["kind"]
    delay = inc["reported_at"] - inc["occurred_at"]
    never = delay.isna()
    late = delay > REPORT_LIMIT  # strictly: exactly 48 h is on time; NaT compares False
    flags = {}
    for code, k, severity, reporting, _, _ in DEDUCTIONS:
        m = kind == k
        if severity is not None:
            m &= inc["severity"] == severity
        if reporting == "late":
            m &= late
        elif reporting == "never":
            m &= never
        flags[code] = m
    for code, k in VETOES:
        flags[code] = kind == k
    return pd.DataFrame(flags).astype(np.int64).groupby(inc["body_id"].to_numpy(), sort=False).sum()


def score(
    bodies: pd.DataFrame,
    subs: pd.DataFrame,
    incidents: pd.DataFrame,
    previous: pd.DataFrame,
    year: int,
) -> pd.DataFrame:
    points = score_submissions(subs)
    points["submitted"] = True
    counts = incident_counts(incidents, year)
    counted = [c for c, *_ in DEDUCTIONS] + [c for c, _ in VETOES]

    r = (
        bodies[["body_id", "category"]]
        .merge(points, on="body_id", how="left")
        .merge(counts, left_on="body_id", right_index=True, how="left")
        .merge(previous[["body_id", "total"]].rename(columns={"total": "previous_total"}),
               on="body_id", how="left")
    )
    r["submitted"] = r["submitted"].notna().to_numpy()
    r[counted] = r[counted].fillna(0).astype(np.int64)
    submitted = r["submitted"].to_numpy()
    n = {c: r[c].to_numpy() for c in counted}

    # Deductions with caps, vetoes, total.
    deduction_sum = 0.0
    for code, _, _, _, each, cap in DEDUCTIONS:
        r["ded_" + code] = np.maximum(n[code] * each, cap)
        deduction_sum = deduction_sum + r["ded_" + code].to_numpy()
    vetoed = (n["V1"] > 0) | (n["V2"] > 0) | (n["V3"] > 0)
    r["vetoed"] = vetoed
    points_sum = r[DIMENSIONS].to_numpy().sum(axis=1)
    total = np.where(submitted, np.clip(points_sum + deduction_sum, 0.0, TOTAL_MAX), np.nan)
    r["total"] = total
    key = comparison_key(total)

    # Grade on the rounded total; D for a veto; none without a report.
    conditions = [submitted & vetoed] + [key >= min_ * SCALE for _, min_ in GRADE_BANDS]
    grades = [VETO_GRADE] + [g for g, _ in GRADE_BANDS]
    grade = np.select(conditions, grades, "D")
    grade = np.where(submitted, grade, None)
    r["grade"] = grade

    # Competition ranks on the rounded total, every vetoed body after every other.
    rank_key = np.where(vetoed, key, key + (TOTAL_MAX * SCALE + 1))
    r["_rank_key"] = rank_key
    r["rank"] = r["_rank_key"].rank(method="min", ascending=False).astype("Int64")
    r["category_rank"] = (
        r.groupby("category", observed=True)["_rank_key"].rank(method="min", ascending=False).astype("Int64")
    )
    r = r.drop(columns="_rank_key")

    # Warning rules (SCHEME.md §5) and the level.
    fall = comparison_key(r["previous_total"].to_numpy(dtype=float) - total)
    fires = {
        "W3.veto": vetoed,
        "W3.negative_impact": n["X3"] >= 2,
        "W2.grade_d": submitted & (grade == "D") & ~vetoed,
        "W2.not_submitted": ~submitted,
        "W2.unreported": n["X2"] >= 1,
        "W1.decline": submitted & (grade == "C") & (fall >= DECLINE_POINTS * SCALE),
        "W1.late_report": n["X1"] >= 1,
        "W1.unauthorized_release": n["X4"] >= 1,
    }
    level = np.zeros(len(r), dtype=np.int64)
    for rule, lvl in WARNING_RULES:
        r[rule] = fires[rule]
        level = np.maximum(level, np.where(fires[rule], lvl, 0))
    r["warning_level"] = level
    return r


# ---------------------------------------------------------------------------------------------
# Reading the inputs (not timed) and the command line.
# ---------------------------------------------------------------------------------------------

def read_jsonl(path: str | None) -> list[dict]:
    if not path:
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(args) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # Low-cardinality vocabularies are read as categoricals, as an analyst would load them.
    bodies = pd.DataFrame(read_jsonl(args.bodies), columns=["body_id", "name", "category"])
    bodies["category"] = bodies["category"].astype("category")

    sub_rows = read_jsonl(args.submissions)
    subs = pd.DataFrame([row["payload"] for row in sub_rows], columns=PAYLOAD_FIELDS)
    subs.insert(0, "body_id", [row["body_id"] for row in sub_rows])

    inc = pd.DataFrame(
        read_jsonl(args.incidents),
        columns=["body_id", "kind", "severity", "occurred_at", "reported_at"],
    )
    inc["kind"] = inc["kind"].astype("category")
    inc["severity"] = inc["severity"].astype("category")
    inc["occurred_at"] = pd.to_datetime(inc["occurred_at"], utc=True, format="ISO8601")
    inc["reported_at"] = pd.to_datetime(inc["reported_at"], utc=True, format="ISO8601")

    previous = pd.DataFrame(read_jsonl(args.previous), columns=["body_id", "total"])
    previous["total"] = previous["total"].astype(float)
    return bodies, subs, inc, previous


def write_results(result: pd.DataFrame, path: str) -> None:
    cols = ["body_id", "total", "grade", "rank", "category_rank", "warning_level"]
    with open(path, "w", encoding="utf-8") as f:
        for body_id, total, grade, rank, crank, level in result[cols].itertuples(index=False):
            f.write(json.dumps({
                "body_id": body_id,
                "total": None if pd.isna(total) else float(total),
                "grade": None if grade is None or pd.isna(grade) else str(grade),
                "rank": None if pd.isna(rank) else int(rank),
                "category_rank": None if pd.isna(crank) else int(crank),
                "warning_level": int(level),
            }, ensure_ascii=False) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--bodies", required=True)
    ap.add_argument("--submissions", required=True)
    ap.add_argument("--incidents")
    ap.add_argument("--previous")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    bodies, subs, inc, previous = load(args)

    result = score(bodies, subs, inc, previous, args.year)  # warm-up
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = score(bodies, subs, inc, previous, args.year)
        times.append((time.perf_counter() - t0) * 1000.0)

    print(f"pandas_ms: {statistics.median(times):.3f}")
    print(f"bodies: {len(result)}")
    if args.out:
        write_results(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
