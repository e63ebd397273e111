#!/usr/bin/env python3
"""Reference values for VerdictStats' Bayesian comparison, computed with GrowthBook's engine,
gbstats 0.8.0 (EffectBayesianABTest, relative differences). Run it to regenerate bayesian.json:

    pip install gbstats==0.8.0
    python3 Tests/VerdictStatsTests/Fixtures/make_bayesian_reference.py > Tests/VerdictStatsTests/Fixtures/bayesian.json

Each case gives both arms as (n, mean, variance), the prior (flat, or GrowthBook's proper
Gaussian prior on the relative effect) and whether lower is better (`inverse`), and what gbstats
computes: the posterior of the relative effect (`expected`, `stddev`), its credible interval,
the chance to win, and the risk of each choice (`risk_control`: expected loss of keeping
control; `risk_treatment`: expected loss of shipping the treatment). The Swift tests read the
JSON; they never need Python.
"""
import json
import sys
from importlib.metadata import version

import numpy as np
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic

PRIORS = {
    "flat": GaussianPrior(mean=0, variance=1, proper=False),
    # GrowthBook's proper prior on the relative effect: mean 0, standard deviation 0.3.
    "proper": GaussianPrior(mean=0, variance=0.09, proper=True),
    "skeptical": GaussianPrior(mean=0.02, variance=0.01, proper=True),
}


def mean_statistic(n, mean, variance):
    total = n * mean
    return SampleMeanStatistic(n=n, sum=total, sum_squares=variance * (n - 1) + total * total / n)


def case(kind, a, b, prior, inverse, alpha=0.05):
    test = EffectBayesianABTest(
        a, b, EffectBayesianConfig(difference_type="relative", prior_effect=PRIORS[prior], inverse=inverse, alpha=alpha))
    result = test.compute_result()
    row = {
        "kind": kind, "prior": prior, "inverse": inverse, "alpha": alpha,
        "n0": a.n, "mean0": a.mean, "var0": a.variance, "n1": b.n, "mean1": b.mean, "var1": b.variance,
    }
    if result.error_message:
        row["error"] = result.error_message
        return row
    row.update({
        "expected": result.expected, "stddev": result.uplift.stddev, "ci_low": result.ci[0], "ci_high": result.ci[1],
        "chance_to_win": result.chance_to_win, "risk_control": result.risk[0], "risk_treatment": result.risk[1],
    })
    return row


cases = []
proportions = [
    # contractor scale: a few dozen to a few hundred customers per arm
    (30, 120, 38, 120), (30, 120, 24, 120), (30, 120, 30, 120), (12, 60, 19, 61), (62, 250, 55, 248),
    (8, 40, 3, 42), (2, 35, 9, 33), (45, 100, 70, 110),
    # larger and lopsided
    (100, 1000, 130, 1000), (510, 5000, 600, 5100), (2000, 40000, 2300, 41000), (5, 100000, 30, 100000),
    (99990, 100000, 99950, 100000), (1, 3, 2, 3),
    # far tails: the chance to win is 1e-10 or closer to 1
    (300, 1000, 120, 1000), (120, 1000, 300, 1000),
]
rng = np.random.default_rng(12)
for _ in range(12):
    n0, n1 = int(rng.integers(30, 400)), int(rng.integers(30, 400))
    p0 = rng.uniform(0.05, 0.5)
    p1 = min(0.95, p0 * rng.uniform(0.6, 1.5))
    proportions.append((int(rng.binomial(n0, p0)), n0, int(rng.binomial(n1, p1)), n1))
for index, (x0, n0, x1, n1) in enumerate(proportions):
    for prior in PRIORS:
        for inverse in (False, True):
            alpha = 0.1 if index % 5 == 4 else 0.05
            cases.append(case("proportion", ProportionStatistic(n=n0, sum=x0), ProportionStatistic(n=n1, sum=x1), prior, inverse, alpha))

means = [(120, 310.0, 9000.0, 118, 335.0, 11000.0), (40, 2.5, 1.1, 45, 2.2, 0.9), (300, 1.0, 4.0, 290, 1.3, 5.0),
         (5000, 80.0, 400.0, 5100, 80.5, 410.0), (3, 10.0, 2.0, 3, 13.0, 1.0)]
for _ in range(10):
    n0, n1 = int(rng.integers(10, 500)), int(rng.integers(10, 500))
    m0 = float(rng.lognormal(4, 1))
    means.append((n0, m0, float((m0 * rng.uniform(0.2, 1.5)) ** 2), n1, m0 * float(rng.uniform(0.7, 1.4)),
                  float((m0 * rng.uniform(0.2, 1.5)) ** 2)))
for n0, m0, v0, n1, m1, v1 in means:
    for prior in PRIORS:
        for inverse in (False, True):
            cases.append(case("mean", mean_statistic(n0, m0, v0), mean_statistic(n1, m1, v1), prior, inverse))

json.dump({"versions": {"gbstats": version("gbstats"), "numpy": np.__version__}, "bayesian": cases}, sys.stdout, indent=1,
          allow_nan=False)
print()
