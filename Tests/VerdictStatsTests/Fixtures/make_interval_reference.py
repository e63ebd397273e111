#!/usr/bin/env python3
"""Reference values for VerdictStats' one-arm intervals (OneArm), computed with scipy and
statsmodels. Run it to regenerate intervals.json:

    pip install scipy statsmodels
    python3 Tests/VerdictStatsTests/Fixtures/make_interval_reference.py > Tests/VerdictStatsTests/Fixtures/intervals.json

Wilson for a proportion (statsmodels' proportion_confint), the t interval of a mean from its
sample variance (scipy's stats.t.interval), and the exact Garwood interval of a Poisson rate
(scipy's chi2.ppf). The Swift tests read the JSON; they never need Python.
"""
import json
import math
import sys

import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

cases = {"versions": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__}}

cases["proportion"] = []
for successes, trials in [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (30, 120), (32, 118), (1, 400), (250, 1000), (999, 1000)]:
    for alpha in (0.05, 0.1):
        low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
        cases["proportion"].append({"successes": successes, "trials": trials, "alpha": alpha, "low": low, "high": high})

cases["mean"] = []
for n, mean, variance in [(2, 100.0, 50.0), (3, 6.667, 4.0), (12, 412.5, 18000.0), (120, 844.06, 250000.0), (40, -3.5, 2.25), (5000, 1.0, 0.01), (30, 7.0, 0.0)]:
    for alpha in (0.05, 0.1):
        low, high = stats.t.interval(1 - alpha, n - 1, loc=mean, scale=math.sqrt(variance / n)) if variance > 0 else (mean, mean)
        cases["mean"].append({"n": n, "mean": mean, "variance": variance, "alpha": alpha, "low": low, "high": high})

cases["poisson"] = []
for count, exposure in [(0, 7.0), (1, 7.0), (9, 3.5), (30, 7.0), (120, 14.0), (2, 40.0), (9, 45.0), (1000, 7.0)]:
    for alpha in (0.05, 0.1):
        low = stats.chi2.ppf(alpha / 2, 2 * count) / 2 if count > 0 else 0.0
        high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
        cases["poisson"].append({"count": count, "exposure": exposure, "alpha": alpha, "low": low / exposure, "high": high / exposure})

json.dump(cases, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
