#!/usr/bin/env python3
"""Reference values for VerdictStats' RelativePosterior, computed with scipy. Run it to
regenerate posteriors.json:

    pip install scipy
    python3 Tests/VerdictStatsTests/Fixtures/make_posterior_reference.py > Tests/VerdictStatsTests/Fixtures/posteriors.json

The relative change of a treatment against a control, treatment / control - 1, when each arm's
value has its own exact posterior:

- rates: Beta(successes + 1, failures + 1) (the uniform prior);
- counts over an exposure: Gamma(count + 1, rate = exposure) (the flat prior).

For each case: the distribution of the change at 0 (so the chance the treatment is higher), its
2.5% and 97.5% quantiles, the expected gain E[max(0, change)] and drop E[max(0, -change)], and
the 2.5% and 97.5% quantiles of the absolute change, treatment - control.
Rates are integrated by scipy's adaptive quadrature over the control's value; for counts the
change's distribution is also closed (lambda1/lambda0 scaled is beta prime), and its quantiles
come from betaprime.ppf. The Swift tests read the JSON; they never need Python.
"""
import json
import math
import sys

import scipy
from scipy import integrate, optimize, stats

TIGHT = dict(epsabs=1e-13, epsrel=1e-11, limit=400)


def arm_dist(kind, arm):
    if kind == "rates":
        s, n = arm
        return stats.beta(s + 1, n - s + 1)
    c, e = arm
    return stats.gamma(c + 1, scale=1 / e)


def upper_partial(dist, shape_up, x):
    """E[max(0, Y - x)] = E[Y] P(Y' > x) - x P(Y > x), Y' the size-biased law."""
    return dist.mean() * shape_up.sf(x) - x * dist.sf(x)


def size_biased(kind, arm):
    if kind == "rates":
        s, n = arm
        return stats.beta(s + 2, n - s + 1)
    c, e = arm
    return stats.gamma(c + 2, scale=1 / e)


def case(kind, control, treatment):
    d0, d1 = arm_dist(kind, control), arm_dist(kind, treatment)
    up1 = size_biased(kind, treatment)
    lo, hi = d0.ppf(1e-15), d0.isf(1e-15)
    points = [d0.ppf(q) for q in (0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999)]

    if kind == "counts":
        (c0, e0), (c1, e1) = control, treatment
        bp = stats.betaprime(c1 + 1, c0 + 1)
        scale = e1 / e0  # (lambda1/lambda0) * e1/e0 = X1/X0

        def cdf(r):
            return bp.cdf((1 + r) * scale)

        def quantile(p):
            return bp.ppf(p) / scale - 1
    else:
        def cdf(r):
            f = lambda x: d0.pdf(x) * d1.cdf((1 + r) * x)
            return integrate.quad(f, lo, hi, points=points, **TIGHT)[0]

        def quantile(p):
            return optimize.brentq(lambda r: cdf(r) - p, -1 + 1e-12, 1e6, xtol=1e-13, rtol=1e-12)

    gain = integrate.quad(lambda x: d0.pdf(x) * upper_partial(d1, up1, x) / x, lo, hi, points=points, **TIGHT)[0]
    drop = integrate.quad(
        lambda x: d0.pdf(x) * (x - d1.mean() + upper_partial(d1, up1, x)) / x, lo, hi, points=points, **TIGHT)[0]
    def diff_cdf(d):
        f = lambda x: d0.pdf(x) * d1.cdf(x + d)
        return integrate.quad(f, lo, hi, points=points, **TIGHT)[0]

    def diff_quantile(p):
        span = d1.isf(1e-15) + hi
        return optimize.brentq(lambda d: diff_cdf(d) - p, -span, span, xtol=1e-15, rtol=1e-12)

    below = cdf(0.0)
    return {
        "c0": control[0], "n0": control[1], "c1": treatment[0], "n1": treatment[1],
        "below_zero": below, "low": quantile(0.025), "high": quantile(0.975),
        "gain": gain, "drop": drop, "diff_low": diff_quantile(0.025), "diff_high": diff_quantile(0.975),
    }


out = {"versions": {"scipy": scipy.__version__}}
out["rates"] = [case("rates", c, t) for c, t in [
    ((9, 45), (2, 40)), ((2, 40), (9, 45)), ((1, 10), (0, 10)), ((1, 10), (3, 10)), ((5, 5), (4, 5)),
    ((30, 120), (38, 118)), ((30, 120), (30, 120)), ((117, 4337), (149, 4479)), ((1, 400), (4, 410)),
    ((250, 1000), (270, 1000)), ((999, 1000), (1000, 1000)), ((12, 100), (7, 100)),
]]
out["counts"] = [case("counts", c, t) for c, t in [
    ((9, 3.5), (18, 3.5)), ((1, 7.0), (0, 7.0)), ((2, 40.0), (9, 45.0)), ((30, 7.0), (36, 7.0)),
    ((120, 14.0), (100, 14.0)), ((300, 5.0), (260, 5.0)), ((4, 3.5), (4, 3.5)), ((5, 0.3), (11, 0.7)),
]]
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
