#!/usr/bin/env python3
"""The decisions benchmark: how much of a portfolio's gain each weekly decision rule keeps, at
contractor scale.

    decisions.py VERDICT WORKDIR [CHANGES]

For 60, 120 and 250 customers per arm it simulates CHANGES changes (default 1000) with known
true effects on appointment conversion: -40%, -20%, 0, +20% and +40%, as many of each, on
baselines between 20% and 30%. Each change is an experiment in a workspace of its own size,
its events go in through `verdict ingest`, and Verdict's decision comes out of
`verdict report --all --json` (`recommendation.action`: keep, or not). The same counts are
decided by three reference rules in the same run:

  - p < 0.05: a two-sided two-proportion z test, kept when significant and up;
  - GrowthBook: chance to win >= 95%, computed by gbstats (EffectBayesianABTest, relative);
  - observed lift >= 5%: the rule's own threshold, on the point estimate (a spreadsheet).

For each rule it prints the net share of the available gain kept (the sum of the true effects
of the changes kept, a harmful one counting against it, over the sum of the helpful ones) and
the share of harmful changes kept. Verdict is also shown after two weeks: the changes it
recommended extending run a second week, and are judged on both (`--to` the 14th day).

Last, an A/A portfolio at a sample large enough to decide its rule (1,500 customers per arm,
lift >= 20%): the share of verdicts that pass must stay at or below alpha (0.05). DECISION_SEED
changes the simulation's seed.
"""
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig
from gbstats.models.statistics import ProportionStatistic
from scipy.stats import norm

EFFECTS = [-0.4, -0.2, 0.0, 0.2, 0.4]
START = datetime(2026, 9, 7, tzinfo=timezone.utc)

SCRIPT = """local kpi = require "verdict.kpi"
return experiment {{
  change_id  = "{change}",
  title      = "Simulated change {number}",
  hypothesis = "The change raises appointment conversion.",
  design     = ab {{ flag = "flag_{number}", split = 0.5 }},
  window     = days(7),
  primary    = kpi.conversion {{ from = "quote_viewed", to = "appointment_booked", pass = lift_at_least({threshold}) }},
  leading    = kpi.daily_count {{ event = "quote_viewed" }},
  guardrails = {{}},
  if_inconclusive = "extend",
}}
"""


def verdict(binary, workspace, *args):
    done = subprocess.run([binary, *args], cwd=workspace, capture_output=True, text=True)
    if done.returncode not in (0, 3):
        sys.exit(f"verdict {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def simulate(binary, root, name, per_arm, changes, rng, effects=EFFECTS, threshold=0.05, weeks=2):
    """A workspace with `changes` experiments and `weeks` weeks of events each; returns the
    changes' true effects and their per-arm counts week by week."""
    workspace = os.path.join(root, name)
    verdict(binary, root, "init", workspace, "--name", name, "--time-zone", "UTC")
    os.makedirs(os.path.join(workspace, "experiments"), exist_ok=True)
    truth = []
    with open(os.path.join(workspace, "events.jsonl"), "w") as out:
        for number in range(1, changes + 1):
            change = f"CHG-{number:04d}"
            effect = effects[(number - 1) % len(effects)]
            baseline = rng.uniform(0.2, 0.3)
            with open(os.path.join(workspace, "experiments", f"c{number:04d}.lua"), "w") as script:
                script.write(SCRIPT.format(change=change, number=number, threshold=threshold))
            counts = []
            for week in range(weeks):
                week_counts = {}
                for arm, rate in (("off", baseline), ("on", baseline * (1 + effect))):
                    booked = rng.random(per_arm) < rate
                    seconds = rng.integers(0, 7 * 86400 - 3600, per_arm)
                    for index in range(per_arm):
                        user = f"{change}-{arm}-{week}-{index}"
                        seen = START + timedelta(days=7 * week, seconds=int(seconds[index]))
                        base = {"change_id": change, "version_flag": arm, "user_id": user}
                        out.write(json.dumps({"event": "quote_viewed", "timestamp": seen.isoformat(), **base}) + "\n")
                        if booked[index]:
                            later = seen + timedelta(minutes=30)
                            out.write(json.dumps({"event": "appointment_booked", "timestamp": later.isoformat(), **base}) + "\n")
                    week_counts[arm] = (int(booked.sum()), per_arm)
                counts.append(week_counts)
            truth.append({"change": change, "effect": effect, "counts": counts})
    verdict(binary, workspace, "ingest", "events.jsonl")
    return workspace, truth


def report(binary, workspace, days, changes=None):
    """Each experiment's report over the first `days` days, by change_id."""
    last = (START + timedelta(days=days - 1)).date().isoformat()
    names = ["--all"] if changes is None else [f"c{int(c[4:]):04d}" for c in changes]
    if not names:
        return {}
    documents = json.loads(verdict(binary, workspace, "report", *names, "--from", START.date().isoformat(), "--to", last, "--json"))
    if isinstance(documents, dict):
        documents = [documents]
    return {document["change_id"]: document for document in documents}


def totals(change, weeks):
    x0 = sum(change["counts"][w]["off"][0] for w in range(weeks))
    n0 = sum(change["counts"][w]["off"][1] for w in range(weeks))
    x1 = sum(change["counts"][w]["on"][0] for w in range(weeks))
    n1 = sum(change["counts"][w]["on"][1] for w in range(weeks))
    return x0, n0, x1, n1


def p_value_rule(x0, n0, x1, n1):
    p0, p1, pooled = x0 / n0, x1 / n1, (x0 + x1) / (n0 + n1)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    return se > 0 and p1 > p0 and 2 * norm.sf(abs(p1 - p0) / se) < 0.05


def gbstats_rule(x0, n0, x1, n1):
    if x0 == 0 or x0 == n0 or x1 == 0 or x1 == n1:
        return False
    test = EffectBayesianABTest(ProportionStatistic(n=n0, sum=x0), ProportionStatistic(n=n1, sum=x1),
                                EffectBayesianConfig(difference_type="relative"))
    return test.compute_result().chance_to_win >= 0.95


def lift_rule(x0, n0, x1, n1, threshold=0.05):
    return x0 > 0 and (x1 / n1) / (x0 / n0) - 1 >= threshold


def score(truth, kept):
    effects = np.array([change["effect"] for change in truth])
    kept = np.array(kept)
    available = effects[effects > 0].sum()
    return (effects * kept).sum() / available, kept[effects < 0].mean()


def check_counts(truth, documents, weeks):
    """Verdict's per-arm figures are the simulation's: the same customers and conversions."""
    for change in truth:
        document = documents.get(change["change"])
        if document is None:
            continue
        arms = document["kpis"][0]["arms"]
        x0, n0, x1, n1 = totals(change, weeks)
        if (arms["control"]["n"], arms["treatment"]["n"]) != (n0, n1) or \
                abs(arms["control"]["value"] - x0 / n0) > 1e-12 or abs(arms["treatment"]["value"] - x1 / n1) > 1e-12:
            sys.exit(f"{change['change']}: verdict's arms {arms} are not the simulation's {x0}/{n0}, {x1}/{n1}")


def main():
    binary, root = sys.argv[1], sys.argv[2]
    changes = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    rng = np.random.default_rng(int(os.environ.get("DECISION_SEED", "20261130")))
    rows = []
    goal = None
    for per_arm in (60, 120, 250):
        workspace, truth = simulate(binary, root, f"arm{per_arm}", per_arm, changes, rng)
        week1 = report(binary, workspace, 7)
        check_counts(truth, week1, 1)
        actions = [week1[c["change"]]["recommendation"]["action"] for c in truth]
        extended = [c["change"] for c, action in zip(truth, actions) if action == "extend"]
        week2 = report(binary, workspace, 14, extended)
        check_counts(truth, week2, 2)
        two_weeks = [action == "keep" or (action == "extend" and week2[c["change"]]["recommendation"]["action"] == "keep")
                     for c, action in zip(truth, actions)]
        decided = {
            "verdict, week 1": [action == "keep" for action in actions],
            "verdict, two weeks (extend)": two_weeks,
            "p < 0.05": [p_value_rule(*totals(c, 1)) for c in truth],
            "gbstats chance to win >= 95%": [gbstats_rule(*totals(c, 1)) for c in truth],
            "observed lift >= 5%": [lift_rule(*totals(c, 1)) for c in truth],
        }
        scores = {rule: score(truth, kept) for rule, kept in decided.items()}
        for rule, (gain, harmful) in scores.items():
            rows.append((per_arm, rule, gain, harmful))
        if per_arm == 120:
            ours_gain, ours_harm = scores["verdict, week 1"]
            both_gain, both_harm = scores["verdict, two weeks (extend)"]
            careful = [gain for rule, (gain, harm) in scores.items() if not rule.startswith("verdict") and harm <= 0.02]
            goal = (ours_gain, ours_harm, max(careful) if careful else None, both_gain, both_harm)
        print(f"  {per_arm} per arm: {len(extended)} of {changes} extended to a second week", file=sys.stderr)

    print(f"  {changes} simulated changes per portfolio; true effects {', '.join(f'{e:+.0%}' for e in EFFECTS)} "
          "on conversion, baselines 20-30%; rule lift >= 5%")
    print(f"  {'per arm':>7}  {'decision rule':<30} {'gain kept':>9}  {'harmful kept':>12}")
    for per_arm, rule, gain, harmful in rows:
        print(f"  {per_arm:>7}  {rule:<30} {gain:>9.1%}  {harmful:>12.1%}")
    ours_gain, ours_harm, best_careful, both_gain, both_harm = goal
    met = ours_gain >= 0.65 and ours_harm <= 0.02 and both_gain >= 0.80 and both_harm <= 0.02 \
        and (best_careful is None or ours_gain > best_careful)
    careful_text = "no reference rule keeps at most 2% of harmful changes" if best_careful is None else \
        f"the best reference rule keeping at most 2% of harmful changes keeps {best_careful:.1%}"
    print(f"  at 120 per arm: verdict keeps {ours_gain:.1%} of the gain and {ours_harm:.1%} of harmful changes after one week, "
          f"{both_gain:.1%} and {both_harm:.1%} with the extension week; {careful_text}")
    print("  goal (one week: at least 65% of the gain, at most 2% harmful, more than every careful reference; "
          f"with the extension: at least 80%, at most 2%): {'met' if met else 'NOT met'}")

    # A/A at a sample large enough to decide the rule: the verdict's passes stay at or below alpha.
    aa_changes = max(100, changes // 2)
    workspace, truth = simulate(binary, root, "aa", 1500, aa_changes, rng, effects=[0.0], threshold=0.2, weeks=1)
    documents = report(binary, workspace, 7)
    check_counts(truth, documents, 1)
    passes = sum(document["verdict"]["outcome"] == "pass" for document in documents.values())
    decided = sum(document["verdict"]["outcome"] != "inconclusive" for document in documents.values())
    kept = sum(document["recommendation"]["action"] == "keep" for document in documents.values())
    print(f"  A/A: {aa_changes} changes with no effect at 1500 per arm, rule lift >= 20%: {decided} decided, "
          f"{passes} pass ({passes / aa_changes:.1%}; alpha 5%: {'ok' if passes / aa_changes <= 0.05 else 'TOO MANY'}); "
          f"{kept} kept on risk (no effect, so no loss)")
    if not met or passes / aa_changes > 0.05:
        sys.exit(1)


if __name__ == "__main__":
    main()
