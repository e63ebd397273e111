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

json.dump(cases, sys.stdout, indent=1, allow_nan=False)
print()
