#!/usr/bin/env python3
"""The A/A portfolio: every rule kind on every KPI kind, at the boundary of its null.

    aa.py VERDICT WORKDIR [CHANGES]

For each KPI kind (conversion, error rate, count per day, rate per event, mean, quantile) and
each rule kind (relative: lift or drop at least; absolute: at least or at most a level;
no_worse_than a margin), with point and with interval confidence, CHANGES experiments (default
100) run at 400 customers (or units) an arm where the rule is not true:

  - relative and absolute rules: no change at all (A/A), the threshold just above what 400 an
    arm can detect (1.1 times the smallest detectable change at 80% power), so the sample
    safeguard lets the rule be judged rather than calling everything inconclusive;
  - no_worse_than: the treatment worse by exactly the margin (non-inferiority's null).

Their events go in through `verdict ingest`, and the verdicts come out of `verdict report --all
--json`. A verdict that passes there is a false pass, and each combination's share is held to its
nominal rate:

  - with `confidence = "interval"`, 2.5%: the interval's one side (a 95% two-sided interval wholly
    past the threshold);
  - with point confidence, relative and absolute rules: 5% (alpha), what the sample safeguard
    allows where the truth is no change;
  - with point confidence, no_worse_than at its margin: 50%. A point rule judges the estimate, and
    an estimate falls on either side of a truth at the margin about equally often; that is what
    point confidence means, and why docs/lua-api.md advises the interval for non-inferiority.

A share counts as above its nominal rate when a one-sided binomial test says so at 1% (so that
100 experiments of a combination whose true rate is the nominal one do not fail by chance).
AA_SEED changes the simulation's seed.
"""
import json
import math
import os
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
from scipy.stats import binomtest

from decisions import verdict  # the same CLI runner as the decisions benchmark

START = datetime(2026, 9, 7, tzinfo=timezone.utc)
N = 400  # units an arm
Z = 1.959964 + 0.841621  # two-sided 5%, 80% power

SCRIPT = """local kpi = require "verdict.kpi"
return experiment {{
  change_id  = "{change}",
  title      = "A/A {number}",
  hypothesis = "Nothing the customer notices changes.",
  design     = ab {{ flag = "flag_{number}", split = 0.5 }},
  window     = days(7),
  primary    = {primary},
  leading    = kpi.daily_count {{ event = "page_load" }},
  guardrails = {{}},
  confidence = "{confidence}",
  if_inconclusive = "rollback",
}}
"""


def arcsine_lift(p, n, up):
    h = Z / math.sqrt(n / 2)
    angle = math.asin(math.sqrt(p)) + (h / 2 if up else -h / 2)
    return math.sin(angle) ** 2 / p - 1


def kinds():
    """Each KPI kind: its Lua, whether higher is better, and a generator of one arm's events
    given a 'worse by' factor (0: the control's truth)."""
    p_book, p_error, clicks, p_noshow, mean, sd, latency = 0.25, 0.05, 400, 0.15, 300.0, 200.0, 600.0
    sigma = math.sqrt(math.log(1 + (sd / mean) ** 2))
    mu = math.log(mean) - sigma ** 2 / 2
    rel = {
        "conversion": 1.1 * arcsine_lift(p_book, N, True),
        "error_rate": 1.1 * -arcsine_lift(p_error, N, False),
        "daily_count": 1.1 * Z * math.sqrt(2 / clicks),
        "rate": 1.1 * Z * math.sqrt(2 / (p_noshow * N)),
        "mean": 1.1 * Z * (sd / mean) * math.sqrt(2 / N),
        # The bootstrap's p95 of a lognormal (σ 0.5): the log quantile's standard error is
        # σ √(p(1 − p)/n) / φ(z_p), √2 of it for two arms.
        "quantile": 1.1 * Z * 0.5 * math.sqrt(2 * 0.95 * 0.05 / N) / 0.103136,
    }
    per_day = clicks / (0.5 * 7)  # the report's count per day at full traffic
    q95 = latency * math.exp(1.6449 * 0.5)  # lognormal(σ 0.5) scaled so its median is `latency`
    return {
        "conversion": dict(better="higher", base=p_book, rel=rel["conversion"], margin=p_book * rel["conversion"],
                           lua='kpi.conversion {{ from = "quote_viewed", to = "appointment_booked", pass = {rule} }}'),
        "error_rate": dict(better="lower", base=p_error, rel=rel["error_rate"], margin=p_error * rel["error_rate"],
                           lua='kpi.error_rate {{ event = "booking_submit", pass = {rule} }}'),
        "daily_count": dict(better="higher", base=per_day, rel=rel["daily_count"], margin=per_day * rel["daily_count"],
                            lua='kpi.daily_count {{ event = "book_now_click", pass = {rule} }}'),
        "rate": dict(better="lower", base=p_noshow, rel=rel["rate"], margin=p_noshow * rel["rate"],
                     lua='kpi.rate {{ numerator = "no_show", denominator = "appointment_due", better = "lower", pass = {rule} }}'),
        "mean": dict(better="higher", base=mean, rel=rel["mean"], margin=mean * rel["mean"], mu=mu, sigma=sigma,
                     lua='kpi.mean {{ event = "job_completed", of = "value", pass = {rule} }}'),
        "quantile": dict(better="lower", base=q95, rel=rel["quantile"], margin=q95 * rel["quantile"], latency=latency,
                         lua='kpi.quantile {{ event = "booking_submit", of = "latency_ms", p = 0.95, better = "lower", pass = {rule} }}'),
    }


def rule_text(kind, spec, rule):
    lower = spec["better"] == "lower"
    if rule == "relative":
        return f"drop_at_least({spec['rel']:.6f})" if lower else f"lift_at_least({spec['rel']:.6f})"
    if rule == "absolute":
        level = spec["base"] * (1 - spec["rel"]) if lower else spec["base"] * (1 + spec["rel"])
        return f"at_most({level:.6f})" if lower else f"at_least({level:.6f})"
    return f"no_worse_than({spec['margin']:.6f})"


def events(kind, spec, change, arm, worse, rng):
    """One arm's events: `worse` is how much worse than the control's truth (in the KPI's own
    unit: a rate's points, a count per day, dollars, or a latency's share)."""
    lines = []
    def emit(event, user, seconds, **extra):
        seen = START + timedelta(seconds=int(seconds))
        lines.append(json.dumps({"event": event, "timestamp": seen.isoformat(), "change_id": change, "version_flag": arm,
                                 "user_id": user, **extra}))
    seconds = rng.integers(0, 7 * 86400 - 3600, N)
    sign = -1 if spec["better"] == "higher" else 1
    for index in range(N):
        user = f"{change}-{arm}-{index}"
        emit("page_load", user, seconds[index])
        if kind == "conversion":
            emit("quote_viewed", user, seconds[index])
            if rng.random() < spec["base"] + sign * worse:
                emit("appointment_booked", user, seconds[index] + 60)
        elif kind == "error_rate":
            failed = rng.random() < spec["base"] + sign * worse
            emit("booking_submit", user, seconds[index], status="error:timeout" if failed else "success")
        elif kind == "rate":
            emit("appointment_due", user, seconds[index])
            if rng.random() < spec["base"] + sign * worse:
                emit("no_show", user, seconds[index] + 60)
        elif kind == "mean":
            emit("job_completed", user, seconds[index], value=round(float(rng.lognormal(spec["mu"], spec["sigma"])) + sign * worse, 2))
        elif kind == "quantile":
            scale = 1 + worse
            emit("booking_submit", user, seconds[index], status="success", latency_ms=round(float(spec["latency"] * scale * rng.lognormal(0, 0.5)), 1))
    if kind == "daily_count":
        expected = N * (1 + sign * worse / spec["base"])
        for index, at in enumerate(rng.integers(0, 7 * 86400 - 3600, rng.poisson(expected))):
            emit("book_now_click", f"{change}-{arm}-click-{index}", at)
    return lines


def main():
    binary, root = sys.argv[1], sys.argv[2]
    changes = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    rng = np.random.default_rng(int(os.environ.get("AA_SEED", "20261207")))
    workspace = os.path.join(root, "aa-all")
    verdict(binary, root, "init", workspace, "--name", "A/A", "--time-zone", "UTC")
    os.makedirs(os.path.join(workspace, "experiments"), exist_ok=True)
    combos = []
    number = 0
    with open(os.path.join(workspace, "events.jsonl"), "w") as out:
        for kind, spec in kinds().items():
            for rule in ("relative", "absolute", "no_worse_than"):
                for confidence in ("point", "interval"):
                    ids = []
                    for _ in range(changes):
                        number += 1
                        change = f"AA-{number:05d}"
                        primary = spec["lua"].format(rule=rule_text(kind, spec, rule))
                        with open(os.path.join(workspace, "experiments", f"a{number:05d}.lua"), "w") as script:
                            script.write(SCRIPT.format(change=change, number=number, primary=primary, confidence=confidence))
                        worse = spec["margin"] if rule == "no_worse_than" else 0.0
                        if kind == "quantile" and rule == "no_worse_than":
                            worse = spec["rel"]  # a latency worse by the margin's share
                        for arm, arm_worse in (("off", 0.0), ("on", worse)):
                            out.write("\n".join(events(kind, spec, change, arm, arm_worse, rng)) + "\n")
                        ids.append(change)
                    combos.append((kind, rule, confidence, ids))
    verdict(binary, workspace, "ingest", "events.jsonl")
    documents = json.loads(verdict(binary, workspace, "report", "--all", "--from", START.date().isoformat(), "--json"))
    by_change = {d["change_id"]: d for d in documents}
    print(f"  {changes} experiments per combination at {N} an arm, each where its rule is not true "
          "(A/A; no_worse_than: worse by exactly the margin)")
    print(f"  {'KPI kind':<12} {'rule':<14} {'confidence':<10} {'pass':>6} {'fail':>6} {'inconcl.':>8}  against")
    above = []
    for kind, rule, confidence, ids in combos:
        outcomes = [by_change[c]["verdict"]["outcome"] for c in ids]
        passes = outcomes.count("pass")
        nominal = 0.025 if confidence == "interval" else (0.5 if rule == "no_worse_than" else 0.05)
        p_above = binomtest(passes, len(ids), nominal, alternative="greater").pvalue
        flag = "ABOVE" if p_above < 0.01 else "ok"
        if p_above < 0.01:
            above.append(f"{kind} {rule} {confidence}")
        print(f"  {kind:<12} {rule:<14} {confidence:<10} {passes / len(ids):>6.1%} {outcomes.count('fail') / len(ids):>6.1%} "
              f"{outcomes.count('inconclusive') / len(ids):>8.1%}  nominal {nominal:.1%}: {flag}")
    print(f"  {len(combos) - len(above)} of {len(combos)} combinations pass at or below their nominal rate"
          + ("" if not above else f"; above it: {', '.join(above)}"))
    if above:
        sys.exit(1)


if __name__ == "__main__":
    main()
