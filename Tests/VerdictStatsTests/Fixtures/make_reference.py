#!/usr/bin/env python3
"""Reference values for VerdictStats, computed with scipy (and, for the tests that follow the
distributions, statsmodels and gbstats). Run it to regenerate reference.json:

    python3 Tests/VerdictStatsTests/Fixtures/make_reference.py > Tests/VerdictStatsTests/Fixtures/reference.json

The Swift tests read the JSON; they never need Python.
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats

cases = {"versions": {"scipy": scipy.__version__, "numpy": np.__version__}}

# Distributions: arguments chosen to reach far into the tails and to cover tiny and huge parameters.
normal = []
for z in [-38, -30, -20, -10, -8.5, -5, -3, -1.96, -1, -0.5, -1e-8, 0, 1e-8, 0.3, 1, 1.6448536269514722, 2.5, 4, 7, 9.5, 20, 37]:
    normal.append({"x": z, "cdf": stats.norm.cdf(z), "sf": stats.norm.sf(z), "pdf": stats.norm.pdf(z)})
normal_quantiles = []
for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.02425, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-10]:
    normal_quantiles.append({"p": p, "x": stats.norm.ppf(p)})

student = []
for df in [1, 2, 3.5, 5, 10, 29, 30, 100, 1e4]:
    for t in [-50, -10, -4, -2.1, -1, -0.1, 0, 0.5, 1.5, 3, 8, 60]:
        student.append({"df": df, "x": t, "cdf": stats.t.cdf(t, df), "sf": stats.t.sf(t, df), "pdf": stats.t.pdf(t, df)})
student_quantiles = []
for df in [1, 2, 4.5, 10, 30, 250]:
    for p in [1e-12, 1e-6, 0.001, 0.025, 0.05, 0.2, 0.5, 0.8, 0.95, 0.975, 0.999]:
        student_quantiles.append({"df": df, "p": p, "x": stats.t.ppf(p, df)})

chi2 = []
for df in [1, 2, 3, 5.5, 10, 50, 300]:
    for x in [1e-6, 0.01, 0.5, 1, 2, 5, 10, 40, 100, 400, 1500]:
        chi2.append({"df": df, "x": x, "cdf": stats.chi2.cdf(x, df), "sf": stats.chi2.sf(x, df), "pdf": stats.chi2.pdf(x, df)})
chi2_quantiles = []
for df in [1, 2, 7, 30, 200]:
    for p in [1e-10, 0.001, 0.05, 0.5, 0.95, 0.999, 1 - 1e-9]:
        chi2_quantiles.append({"df": df, "p": p, "x": stats.chi2.ppf(p, df)})

binomial = []
for n, p in [(1, 0.5), (10, 0.3), (20, 0.01), (30, 0.99), (100, 0.5), (1000, 0.03), (50000, 0.2), (7, 0.0), (7, 1.0)]:
    for k in sorted({0, 1, n // 10, n // 3, n // 2, int(n * p), n - 1, n}):
        binomial.append({"n": n, "p": p, "k": k, "pmf": stats.binom.pmf(k, n, p), "cdf": stats.binom.cdf(k, n, p), "sf": stats.binom.sf(k, n, p)})
binomial_quantiles = []
for n, p in [(10, 0.3), (100, 0.5), (1000, 0.03)]:
    for q in [0.001, 0.05, 0.5, 0.95, 0.999]:
        binomial_quantiles.append({"n": n, "p": p, "q": q, "k": int(stats.binom.ppf(q, n, p))})

poisson = []
for mu in [0.001, 0.5, 3, 10, 42.5, 1000, 1e5]:
    for k in sorted({0, 1, 2, int(mu / 2), int(mu), int(mu * 1.5) + 1, int(mu * 3) + 5}):
        poisson.append({"mean": mu, "k": k, "pmf": stats.poisson.pmf(k, mu), "cdf": stats.poisson.cdf(k, mu), "sf": stats.poisson.sf(k, mu)})
poisson_quantiles = []
for mu in [0.5, 10, 1000]:
    for q in [0.001, 0.05, 0.5, 0.95, 0.999]:
        poisson_quantiles.append({"mean": mu, "q": q, "k": int(stats.poisson.ppf(q, mu))})

cases["normal"] = normal
cases["normal_quantiles"] = normal_quantiles
cases["student_t"] = student
cases["student_t_quantiles"] = student_quantiles
cases["chi2"] = chi2
cases["chi2_quantiles"] = chi2_quantiles
cases["binomial"] = binomial
cases["binomial_quantiles"] = binomial_quantiles
cases["poisson"] = poisson
cases["poisson_quantiles"] = poisson_quantiles

# ---- comparisons ---------------------------------------------------------------------------
import statsmodels
import gbstats
from importlib.metadata import version
from statsmodels.stats.proportion import (test_proportions_2indep, confint_proportions_2indep, proportion_confint,
                                          proportion_effectsize)
from statsmodels.stats.rates import test_poisson_2indep
from statsmodels.stats.weightstats import DescrStatsW, CompareMeans
from statsmodels.stats.power import NormalIndPower
from gbstats.frequentist.tests import TwoSidedTTest, FrequentistConfig
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic
from scipy.optimize import brentq

cases["versions"]["statsmodels"] = statsmodels.__version__
cases["versions"]["gbstats"] = version("gbstats")

def gb_relative(stat_a, stat_b, alpha):
    test = TwoSidedTTest(stat_a, stat_b, FrequentistConfig(alpha=alpha, difference_type="relative"))
    if stat_a.mean == 0 or test._has_zero_variance():
        return None
    r = test.compute_result()
    return {"lift": r.expected, "lift_low": r.ci[0], "lift_high": r.ci[1], "lift_p": r.p_value, "lift_dof": test.dof}

proportions = []
pairs = [
    # (control successes, trials, treatment successes, trials, alpha)
    (0, 10, 0, 10, 0.05), (0, 12, 3, 12, 0.05), (12, 12, 10, 12, 0.05), (5, 20, 5, 20, 0.05), (1, 3, 2, 3, 0.05),
    (3, 28, 9, 29, 0.05), (7, 25, 2, 19, 0.1), (40, 200, 58, 210, 0.05), (100, 1000, 130, 1000, 0.05),
    (100, 1000, 100, 1000, 0.05), (510, 5000, 600, 5100, 0.05), (2000, 40000, 2300, 41000, 0.01),
    (5, 100000, 30, 100000, 0.05), (99990, 100000, 99950, 100000, 0.05), (300, 300, 299, 300, 0.05),
    (1, 2, 0, 2, 0.05), (45, 90, 70, 110, 0.2), (1500, 3000, 1000, 3000, 0.05), (8, 50, 20, 60, 0.05),
    (250, 10000, 330, 10000, 0.05), (60, 400, 61, 400, 0.05), (17, 31, 4, 29, 0.05), (0, 50, 1, 8, 0.05),
]
rng = np.random.default_rng(11)
for _ in range(40):
    n0, n1 = int(rng.integers(5, 5000)), int(rng.integers(5, 5000))
    p0 = rng.uniform(0.01, 0.6)
    p1 = min(0.99, p0 * rng.uniform(0.7, 1.5))
    pairs.append((int(rng.binomial(n0, p0)), n0, int(rng.binomial(n1, p1)), n1, 0.05))
for x0, n0, x1, n1, alpha in pairs:
    row = {"x0": x0, "n0": n0, "x1": x1, "n1": n1, "alpha": alpha}
    p0, p1 = x0 / n0, x1 / n1
    se = np.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
    if se > 0:
        test = test_proportions_2indep(x1, n1, x0, n0, method="wald", compare="diff", return_results=True)
        low, high = confint_proportions_2indep(x1, n1, x0, n0, method="wald", compare="diff", alpha=alpha)
        row.update({"diff": p1 - p0, "diff_se": se, "diff_low": low, "diff_high": high, "diff_p": test.pvalue})
    row["fisher_p"] = stats.fisher_exact([[x1, n1 - x1], [x0, n0 - x0]]).pvalue
    # Newcombe's hybrid score interval of the difference (early safety checks).
    low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff", alpha=alpha)
    row.update({"newcombe_low": low, "newcombe_high": high})
    # The relative change as a risk ratio with statsmodels' default for ratios: the Wald test on
    # the log ratio with 0.5 added to each count and total ("log-adjusted"), interval and p-value.
    if not (x0 == n0 and x1 == n1):
        low, high = confint_proportions_2indep(x1, n1, x0, n0, method="log-adjusted", compare="ratio", alpha=alpha)
        test = test_proportions_2indep(x1, n1, x0, n0, method="log-adjusted", compare="ratio", return_results=True)
        row.update({"ratio_low": low, "ratio_high": high, "ratio_p": test.pvalue})
    rel = gb_relative(ProportionStatistic(n=n0, sum=x0), ProportionStatistic(n=n1, sum=x1), alpha)
    if rel:
        row.update(rel)
    proportions.append(row)
cases["proportions"] = proportions

means = []
for index in range(45):
    n0, n1 = [(2, 3), (3, 3), (5, 8), (12, 9), (29, 30)][index] if index < 5 else (int(rng.integers(4, 3000)), int(rng.integers(4, 3000)))
    a = rng.lognormal(5, rng.uniform(0.2, 1.2), n0)     # revenue-like
    b = rng.lognormal(5 + rng.uniform(-0.2, 0.3), rng.uniform(0.2, 1.2), n1)
    if index % 7 == 3:
        b = np.resize(a, n1)  # ties: the control's values again, repeated to the treatment's size
    alpha = 0.05 if index % 5 else 0.1
    compare = CompareMeans(DescrStatsW(b), DescrStatsW(a))
    tstat, pvalue, dof = compare.ttest_ind(usevar="unequal")
    low, high = compare.tconfint_diff(alpha=alpha, usevar="unequal")
    row = {"n0": n0, "mean0": float(a.mean()), "var0": float(a.var(ddof=1)), "n1": n1, "mean1": float(b.mean()),
           "var1": float(b.var(ddof=1)), "alpha": alpha, "diff": float(b.mean() - a.mean()), "diff_low": low,
           "diff_high": high, "diff_p": pvalue, "diff_dof": dof}
    rel = gb_relative(SampleMeanStatistic(n=n0, sum=float(a.sum()), sum_squares=float((a * a).sum())),
                      SampleMeanStatistic(n=n1, sum=float(b.sum()), sum_squares=float((b * b).sum())), alpha)
    if rel:
        row.update(rel)
    means.append(row)
cases["means"] = means

rates = []
for c0, e0, c1, e1 in [(0, 7, 3, 7), (3, 7, 0, 7), (10, 7, 10, 7), (10, 7, 25, 7), (120, 7, 150, 7), (5, 2, 9, 5),
                       (1, 1, 1, 1), (400, 14, 470, 14), (2000, 30, 1800, 30), (30, 3.5, 60, 7), (7, 7, 30, 7),
                       (15000, 7, 15500, 7), (2, 10, 12, 10), (50, 1, 80, 2), (0, 3, 0.0 + 1, 3), (6, 7, 6, 14),
                       (90, 7, 60, 7), (13, 7, 27, 7), (300, 5, 260, 5), (1, 7, 11, 7)]:
    c1 = int(c1)
    res = test_poisson_2indep(c1, e1, c0, e0, method="exact-cond", compare="ratio")
    total = c0 + c1
    low_share, high_share = proportion_confint(c1, total, alpha=0.05, method="beta")
    to_ratio = lambda pi: np.inf if pi >= 1 else pi / (1 - pi) * e0 / e1
    rates.append({"c0": c0, "e0": e0, "c1": c1, "e1": e1, "p": res.pvalue,
                  "ratio": (c1 / e1) / (c0 / e0) if c0 else None,
                  "low": to_ratio(low_share), "high": to_ratio(high_share) if high_share < 1 else None})
cases["rate_ratios"] = [{k: v for k, v in r.items() if v is not None} for r in rates]

srm = []
for counts, shares in [([500, 500], [0.5, 0.5]), ([520, 480], [0.5, 0.5]), ([5000, 5300], [0.5, 0.5]),
                       ([100, 300], [0.25, 0.75]), ([100, 290], [0.25, 0.75]), ([3, 9], [0.5, 0.5]),
                       ([10000, 10450], [0.5, 0.5]), ([50000, 53000], [0.5, 0.5]), ([1, 1], [0.5, 0.5]),
                       ([700, 300], [0.7, 0.3]), ([330, 330, 340], [1 / 3, 1 / 3, 1 / 3]), ([90, 110], [0.5, 0.5]),
                       ([12000, 8000], [0.5, 0.5]), ([4, 0], [0.5, 0.5]), ([2500, 2450], [0.5, 0.5])]:
    total = sum(counts)
    result = stats.chisquare(counts, f_exp=[total * s for s in shares])
    srm.append({"counts": counts, "shares": shares, "statistic": result.statistic, "p": result.pvalue})
cases["srm"] = srm

power = []
analysis = NormalIndPower()
for p0, lift, alpha, target in [(0.1, 0.05, 0.05, 0.8), (0.1, 0.1, 0.05, 0.8), (0.02, 0.2, 0.05, 0.8),
                                 (0.5, 0.02, 0.05, 0.9), (0.3, -0.1, 0.05, 0.8), (0.05, 0.5, 0.1, 0.8),
                                 (0.8, 0.05, 0.01, 0.95), (0.001, 1.0, 0.05, 0.8), (0.25, 0.15, 0.05, 0.5),
                                 (0.6, 0.01, 0.05, 0.8), (0.12, 0.08, 0.05, 0.8), (0.4, 0.25, 0.05, 0.99)]:
    h = proportion_effectsize(p0 * (1 + lift), p0)
    n = brentq(lambda m: analysis.power(effect_size=h, nobs1=m, alpha=alpha, ratio=1.0) - target, 1e-3, 1e13, xtol=1e-12, rtol=1e-15)
    power.append({"baseline": p0, "lift": lift, "alpha": alpha, "power": target, "effect": h, "n": n})
mde = []
for n, alpha, target, p0 in [(100, 0.05, 0.8, 0.1), (1000, 0.05, 0.8, 0.1), (5000, 0.05, 0.8, 0.02), (20, 0.1, 0.8, 0.5),
                             (250, 0.05, 0.9, 0.3), (10000, 0.01, 0.8, 0.05), (400, 0.05, 0.5, 0.25), (35000, 0.05, 0.8, 0.12)]:
    # statsmodels' own solver stops near 1e-5; solve its power function to full precision instead.
    effect = brentq(lambda h: analysis.power(effect_size=h, nobs1=n, alpha=alpha, ratio=1.0) - target, 1e-9, 10, xtol=1e-15, rtol=1e-15)
    p1 = np.sin(np.arcsin(np.sqrt(p0)) + effect / 2) ** 2
    mde.append({"n": n, "alpha": alpha, "power": target, "effect": effect, "baseline": p0, "lift": p1 / p0 - 1,
                "power_at_n": analysis.power(effect_size=effect * 0.7, nobs1=n, alpha=alpha, ratio=1.0)})
cases["power"] = power
cases["mde"] = mde

json.dump(cases, sys.stdout, indent=1, allow_nan=False)
print()
