#!/usr/bin/env python3
"""Reference values for VerdictStats' one-arm intervals (OneArm), computed with scipy and
statsmodels. Run it to regenerate intervals.json:

    pip install scipy statsmodels
    python3 Tests/VerdictStatsTests/Fixtures/make_interval_reference.py > Tests/VerdictStatsTests/Fixtures/intervals.json

Wilson for a proportion (statsmodels' proportion_confint), the t interval of a mean from its
sample variance (scipy's stats.t.interval), and the exact Garwood interval of a Poisson rate
(scipy's chi2.ppf); and the two-sample t test's power and sample size (statsmodels' TTestIndPower,
the noncentral t, as R's pwr.t.test). The Swift tests read the JSON; they never need Python.
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

# The two-sample t test's power, sample size and smallest detectable effect: the noncentral t,
# as R's pwr.t.test and statsmodels' TTestIndPower compute it (n = 63.77 for d = 0.5 at 5% and
# 80%, the pwr vignette's 64). Written with scipy's nct directly, and solved within a bracket
# found by doubling: far past the answer (noncentrality in the tens) scipy's nct returns NaN.
from scipy.optimize import brentq


def bracketed(f, low, start):
    high = start
    while f(high) < 0:
        low, high = high, high * 2
    return brentq(f, low, high, xtol=1e-14, rtol=1e-14)


def t_power(effect, n, alpha):
    df = 2 * n - 2
    ncp = effect * math.sqrt(n / 2)
    critical = stats.t.isf(alpha / 2, df)
    return stats.nct.sf(critical, df, ncp) + stats.nct.cdf(-critical, df, ncp)


cases["t_power"] = []
for effect, alpha, target in [(0.5, 0.05, 0.8), (0.2, 0.05, 0.8), (0.8, 0.05, 0.9), (1.2, 0.1, 0.9), (0.05, 0.05, 0.8), (2.0, 0.05, 0.8)]:
    n = bracketed(lambda m: t_power(effect, m, alpha) - target, 2.5, 3.0)
    cases["t_power"].append({"effect": effect, "alpha": alpha, "power": target, "n": n, "power_at_40": t_power(effect, 40, alpha)})
cases["t_mde"] = []
for n, alpha, target in [(30, 0.05, 0.8), (64, 0.05, 0.8), (120, 0.05, 0.8), (8, 0.1, 0.9)]:
    effect = bracketed(lambda d: t_power(d, n, alpha) - target, 1e-6, 0.01)
    cases["t_mde"].append({"n": n, "alpha": alpha, "power": target, "effect": effect})

json.dump(cases, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
