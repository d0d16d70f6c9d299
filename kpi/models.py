"""Fitted statistical models: sBG retention, Kaplan-Meier, log-rank, BG/NBD and Gamma-Gamma.

Every model is fitted by maximum likelihood with ``scipy.optimize.minimize`` on the logarithms
of the parameters (BFGS with analytic gradients where the speed matters, L-BFGS-B within
bounds otherwise or when BFGS fails) and checked in ``tests/test_models.py`` against the
published numbers of its paper:

- :func:`fit_sbg`: shifted-beta-geometric retention (Fader and Hardie 2007), with DERL
  (Fader and Hardie 2010).
- :func:`kaplan_meier` and :func:`logrank_test`: survival with censoring, matching R's
  ``survfit`` and ``survdiff`` on the ``aml`` data.
- :func:`rfm_summary`, :func:`fit_bgnbd`, :func:`fit_gamma_gamma`,
  :func:`customer_lifetime_value`: the non-contractual models of Fader, Hardie and Lee (2005),
  checked on the CDNOW sample.
- :func:`calibration_holdout` and :func:`holdout_by_frequency`: the calibration/holdout check
  of Fader, Hardie and Lee (2005) (conditional expectations by calibration frequency).

A fit that does not converge, whose estimate runs into the edge of the parameter space, or
whose likelihood is flat at the optimum (a parameter's standard error on the log scale above
5, from the numerical Hessian) raises :class:`~kpi.errors.ConvergenceError` with a message
saying what to try; it never returns silent garbage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize

# The two normal and chi-squared values below come from scipy.special, the functions
# scipy.stats.norm.ppf and scipy.stats.chi2.sf evaluate: importing scipy.stats takes longer
# than a whole report's model fits.
from scipy.special import betaln, chdtrc, digamma, expit, gammaln, hyp2f1, ndtri

from kpi.base import customer_codes, sorted_unique
from kpi.errors import ConvergenceError, InsufficientDataError, KpiError, SchemaError

__all__ = [
    "DAYS_PER_UNIT",
    "BgNbdFit",
    "GammaGammaFit",
    "KaplanMeier",
    "LogRank",
    "SbgFit",
    "calibration_holdout",
    "customer_lifetime_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_sbg",
    "holdout_by_frequency",
    "kaplan_meier",
    "logrank_test",
    "rfm_summary",
    "sbg_log_likelihood",
]

TimeUnit = Literal["D", "W", "M"]
DAYS_PER_UNIT: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
"""Length of the time units of :func:`rfm_summary` in days (a month is 365.25 / 12 days)."""

# Parameters are fitted on the log scale inside these bounds; an estimate that ends within
# _EDGE of a bound has run off to 0 or infinity and is reported as not converged.
_LOG_LOW, _LOG_HIGH = np.log(1e-6), np.log(1e6)
_EDGE = 1e-3
_MAX_LOG_SE = 5.0

ArrayLike = float | Sequence[float] | np.ndarray | pd.Series


def _out(values: np.ndarray) -> float | np.ndarray:
    """A 0-d result as a float, anything else as an array."""
    return float(values) if np.ndim(values) == 0 else values


def _minimise(
    negative_ll: Callable[[np.ndarray], tuple[float, np.ndarray]] | Callable[[np.ndarray], float],
    start: np.ndarray,
    *,
    model: str,
    names: Sequence[str],
    advice: str,
    jac: bool,
    n_obs: float,
) -> np.ndarray:
    """Minimise a mean negative log-likelihood over log-parameters; return the parameters.

    With an analytic gradient (``jac``) BFGS runs first (see :func:`_quasi_newton`); without
    one, or when BFGS fails, L-BFGS-B within [1e-6, 1e6]. Raises ConvergenceError when the
    optimiser fails, a parameter reaches a bound, or the likelihood is flat in some direction
    at the optimum: the Hessian of the total log-likelihood (``n_obs`` times the mean) is not
    positive definite there, or a parameter's standard error on the log scale exceeds
    _MAX_LOG_SE (a factor of e^5, about 150, at one standard error). Such a "fit" is an
    artefact of where the optimiser stopped, not an estimate.
    """
    with np.errstate(all="ignore"):
        result = _quasi_newton(negative_ll, start) if jac else None
        if result is None:
            bounds = [(_LOG_LOW, _LOG_HIGH)] * len(start)
            result = optimize.minimize(
                negative_ll,
                start,
                jac=jac,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 500},
            )
    at_edge = [
        name
        for name, value in zip(names, result.x, strict=True)
        if value < _LOG_LOW + _EDGE or value > _LOG_HIGH - _EDGE
    ]
    if at_edge:
        raise ConvergenceError(
            f"The {model} fit did not settle: {', '.join(at_edge)} ran off to 0 or infinity, so "
            f"the data cannot pin the model down. {advice}"
        )
    if not result.success or not np.isfinite(result.fun):
        raise ConvergenceError(f"The {model} fit did not converge ({result.message}). {advice}")
    with np.errstate(all="ignore"):
        if jac:
            hessian = n_obs * _hessian_from_gradient(lambda theta: negative_ll(theta)[1], result.x)
        else:
            hessian = n_obs * _hessian(negative_ll, result.x)
        log_se = _log_standard_errors(hessian)
    loose = [name for name, se in zip(names, log_se, strict=True) if not se <= _MAX_LOG_SE]
    if loose:
        raise ConvergenceError(
            f"The {model} fit did not settle: the data hardly constrain {', '.join(loose)} "
            f"(the likelihood is flat there), so the estimates would be arbitrary. {advice}"
        )
    return np.exp(result.x)


def _quasi_newton(
    negative_ll: Callable[[np.ndarray], tuple[float, np.ndarray]], start: np.ndarray
) -> optimize.OptimizeResult | None:
    """Unbounded BFGS with an analytic gradient; None unless it converged inside the bounds.

    L-BFGS-B calls threaded OpenBLAS routines at every step: on a machine whose cores are
    busy, waking the worker threads can take milliseconds a step, and a fit of 8,000
    customers that needs 5 ms took 0.2 s. scipy's BFGS does its small linear algebra in numpy
    and does not stall. It also stops on a tighter gradient (1e-7), so it reaches the maximum
    where L-BFGS-B's default stop can leave a flat likelihood some 1e-4 short of it. When it
    fails, or a parameter runs towards 0 or infinity, the caller falls back to L-BFGS-B
    within the bounds, which reports those cases.
    """
    result = optimize.minimize(
        negative_ll, start, jac=True, method="BFGS", options={"gtol": 1e-7, "maxiter": 500}
    )
    inside = np.all((result.x > _LOG_LOW + _EDGE) & (result.x < _LOG_HIGH - _EDGE))
    if result.success and np.isfinite(result.fun) and inside:
        return result
    return None


def _log_standard_errors(hessian: np.ndarray) -> np.ndarray:
    """sqrt(diag(H^-1)) = sqrt(sum_k v_ik^2 / lambda_k) over the eigenpairs of the Hessian H.

    Where the likelihood is flat or curves down in some direction (lambda_k <= 0), the
    parameters that move along it (|v_ik| > 1e-3) get an infinite error and the others keep
    theirs, so that the message names the parameters the data cannot pin down. A flat
    direction's eigenvalue is zero up to rounding, and may come out on either side of it.
    """
    if not np.all(np.isfinite(hessian)):
        return np.full(len(hessian), np.inf)
    eigenvalues, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
    flat = ~(eigenvalues > 0)
    variance = np.sum(vectors[:, ~flat] ** 2 / eigenvalues[~flat], axis=1)
    moves_along_flat = np.any(np.abs(vectors[:, flat]) > 1e-3, axis=1)
    return np.where(moves_along_flat, np.inf, np.sqrt(variance))


def _hessian_from_gradient(
    gradient: Callable[[np.ndarray], np.ndarray], theta: np.ndarray
) -> np.ndarray:
    """Central differences of an analytic gradient (step 1e-4 on the log scale), symmetrised.

    2 k gradient evaluations for k parameters, where differencing the function itself takes
    4 per pair of parameters (40 for BG/NBD's four): most of a fit's time went there.
    """
    h = 1e-4
    steps = np.eye(len(theta)) * h
    columns = [(gradient(theta + step) - gradient(theta - step)) / (2 * h) for step in steps]
    hessian = np.column_stack(columns)
    return (hessian + hessian.T) / 2


def _hessian(value: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray:
    """Central finite-difference Hessian of a scalar function (step 1e-3 on the log scale)."""
    h = 1e-3
    k = len(theta)
    steps = np.eye(k) * h
    hessian = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            hessian[i, j] = hessian[j, i] = (
                value(theta + steps[i] + steps[j])
                - value(theta + steps[i] - steps[j])
                - value(theta - steps[i] + steps[j])
                + value(theta - steps[i] - steps[j])
            ) / (4 * h * h)
    return hessian


# --------------------------------------------------------------------------------------------
# sBG: shifted-beta-geometric retention (contractual setting)
# --------------------------------------------------------------------------------------------


def _sbg_counts(survivors: Sequence[float]) -> np.ndarray:
    n = np.asarray(survivors, dtype=float)
    if n.ndim != 1 or np.isnan(n).any() or (n < 0).any():
        raise SchemaError(
            "sBG needs the number of customers alive at the start of each period, as "
            "non-negative numbers without blanks; found "
            f"{np.asarray(survivors).tolist()!r}. Check the cohort counts."
        )
    if len(n) < 3 or n[0] <= 0:
        # One observed period gives one churn share, which any alpha / (alpha + beta) fits:
        # telling heterogeneity from churn needs at least two.
        raise InsufficientDataError(
            "sBG needs a cohort of at least one customer followed for at least two periods "
            f"(three counts: the cohort size and the survivors after periods 1 and 2); found "
            f"{len(n)} count(s) with cohort size {n[0] if len(n) else 0:g}. Choose an older "
            "cohort."
        )
    if (np.diff(n) > 0).any():
        raise SchemaError(
            "sBG needs survivor counts that never increase (a cohort only loses customers); "
            f"found {n.tolist()!r}. Count the customers of one cohort alive in each period."
        )
    return n


def sbg_log_likelihood(survivors: Sequence[float], alpha: float, beta: float) -> float:
    """LL = sum_t lost_t * ln P(T = t) + alive_k * ln S(k), the sBG log-likelihood.

    ``P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)`` and
    ``S(t) = B(alpha, beta + t) / B(alpha, beta)``; ``lost_t`` are the customers lost in
    period t and ``alive_k`` those still alive after the last observed period k.
    Source: Fader and Hardie (2007), "How to Project Customer Retention", equation (7).

    >>> round(sbg_log_likelihood([1000, 869, 743, 653, 593, 551, 517, 491], 1, 1), 1)
    -2115.5
    """
    n = _sbg_counts(survivors)
    t = np.arange(1, len(n))
    lost = n[:-1] - n[1:]
    base = betaln(alpha, beta)
    log_p = betaln(alpha + 1, beta + t - 1) - base
    log_s = betaln(alpha, beta + t[-1]) - base
    return float(np.sum(lost * log_p) + n[-1] * log_s)


@dataclass(frozen=True)
class SbgFit:
    """A fitted shifted-beta-geometric model (Fader and Hardie 2007).

    Each customer churns at the end of a period with a constant probability theta, and theta
    is beta(alpha, beta) distributed over the cohort. ``n_periods`` is the number of observed
    periods (the number of counts minus one); ``cohort_size`` the first count.
    """

    alpha: float
    beta: float
    log_likelihood: float
    n_periods: int
    cohort_size: float

    def survival(self, t: ArrayLike) -> float | np.ndarray:
        """S(t) = B(alpha, beta + t) / B(alpha, beta): share of the cohort alive after t periods.

        >>> SbgFit(1.0, 1.0, 0.0, 1, 100.0).survival([0, 1, 3]).round(4).tolist()
        [1.0, 0.5, 0.25]
        """
        t = np.asarray(t, dtype=float)
        return _out(np.exp(betaln(self.alpha, self.beta + t) - betaln(self.alpha, self.beta)))

    def retention(self, t: ArrayLike) -> float | np.ndarray:
        """r(t) = (beta + t - 1) / (alpha + beta + t - 1): retention from period t-1 to t, t >= 1.

        NaN for t < 1. Rises with t: the customers most likely to churn leave first.

        >>> SbgFit(1.0, 1.0, 0.0, 1, 100.0).retention([1, 2])
        array([0.5       , 0.66666667])
        """
        t = np.asarray(t, dtype=float)
        r = (self.beta + t - 1) / (self.alpha + self.beta + t - 1)
        return _out(np.where(t >= 1, r, np.nan))

    def derl(self, renewals: float = 0, discount_rate: float = 0.1) -> float:
        """DERL = (beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; z).

        With z = 1 / (1 + d): the discounted expected residual lifetime, in payments, of a
        customer who has made ``renewals`` = n - 1 renewals, evaluated just before her n-th
        renewal decision: the sum over t >= n of S(t) / S(n - 1) / (1 + d)^(t - n). Multiply by
        the payment per period for the residual value. ``renewals=0`` is a customer just
        acquired, whose first payment is already made (so DEL = 1 + DERL(0)). ``discount_rate``
        is per period and must be positive: undiscounted sBG lifetime is infinite when
        alpha <= 1.
        Source: Fader and Hardie (2010), "Customer-Base Valuation in a Contractual Setting: The
        Perils of Ignoring Heterogeneity", Marketing Science 29(1), equation (6).

        >>> round(SbgFit(1.0, 1.0, 0.0, 1, 100.0).derl(0, 0.1), 4)
        1.8015
        """
        if not discount_rate > 0:
            raise KpiError(
                f"derl needs a positive discount rate per period; got {discount_rate!r}. "
                "Undiscounted sBG lifetime can be infinite: use e.g. 0.1."
            )
        n = float(renewals) + 1
        z = 1 / (1 + discount_rate)
        a, b = self.alpha, self.beta
        series = hyp2f1(1, b + n, a + b + n, z)
        if not np.isfinite(series):
            # scipy's hyp2f1 gives NaN for large alpha and beta (a nearly homogeneous cohort):
            # sum the series, whose terms shrink at least as fast as z^k.
            k = np.arange(int(np.ceil(np.log(1e-17) / np.log(z))) + 1)
            log_terms = np.cumsum(np.log(b + n + k) - np.log(a + b + n + k) + np.log(z))
            series = 1 + float(np.sum(np.exp(log_terms[:-1])))
        return float((b + n - 1) / (a + b + n - 1) * series)

    def projected_survivors(self, horizon: int) -> np.ndarray:
        """cohort_size * S(t) for t = 0, 1, ..., horizon (length horizon + 1, fractional counts).

        >>> SbgFit(1.0, 1.0, 0.0, 1, 100.0).projected_survivors(2).round(2).tolist()
        [100.0, 50.0, 33.33]
        """
        return self.cohort_size * np.asarray(self.survival(np.arange(int(horizon) + 1)))


def fit_sbg(survivors: Sequence[float]) -> SbgFit:
    """argmax over alpha, beta of the sBG log-likelihood of a cohort's survivor counts.

    ``survivors`` are the customers alive at the start of periods 0, 1, ..., k; the first is the
    cohort size. Counts may be per 1,000 or fractional. Raises InsufficientDataError for fewer
    than two counts or an empty cohort, SchemaError for counts that increase, and
    ConvergenceError when the optimiser fails or a parameter runs off to 0 or infinity (for
    example when nobody, or everybody, churned).
    Source: Fader and Hardie (2007), "How to Project Customer Retention", Journal of
    Interactive Marketing 21(1); catalogue KPI ``sbg_alpha``, ``sbg_beta``.

    >>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(fit.alpha, 3), round(fit.beta, 3)
    (0.704, 1.182)
    """
    n = _sbg_counts(survivors)
    advice = (
        "Follow the cohort for more periods, or pick a cohort in which some, but not all, "
        "customers churned."
    )
    if n[-1] == n[0]:
        raise ConvergenceError(
            f"sBG cannot be fitted: none of the {n[0]:g} customers churned in {len(n) - 1} "
            f"period(s), so churn cannot be projected. {advice}"
        )
    if n[-1] == 0 and n[1] == 0:
        raise ConvergenceError(
            f"sBG cannot be fitted: all {n[0]:g} customers churned in the first period. {advice}"
        )
    t = np.arange(1, len(n))
    lost = n[:-1] - n[1:]

    def negative_ll(theta: np.ndarray) -> float:
        a, b = np.exp(theta)
        base = betaln(a, b)
        ll = np.sum(lost * (betaln(a + 1, b + t - 1) - base)) + n[-1] * (
            betaln(a, b + t[-1]) - base
        )
        return -float(ll) / n[0]

    alpha, beta = _minimise(
        negative_ll,
        np.zeros(2),
        model="sBG",
        names=("alpha", "beta"),
        advice=advice,
        jac=False,
        n_obs=n[0],
    )
    return SbgFit(
        alpha=float(alpha),
        beta=float(beta),
        log_likelihood=sbg_log_likelihood(n, alpha, beta),
        n_periods=len(n) - 1,
        cohort_size=float(n[0]),
    )


# --------------------------------------------------------------------------------------------
# Kaplan-Meier and the log-rank test
# --------------------------------------------------------------------------------------------


def _durations(durations: ArrayLike, observed: ArrayLike, name: str) -> tuple[np.ndarray, ...]:
    t = np.asarray(durations, dtype=float).ravel()
    e = np.asarray(pd.array(np.asarray(observed).ravel(), dtype="boolean").fillna(False), bool)
    if len(t) != len(e):
        raise SchemaError(
            f"{name} needs one observed flag per duration; found {len(t)} durations and "
            f"{len(e)} flags."
        )
    if np.isnan(t).any() or (t < 0).any():
        raise SchemaError(
            f"{name} needs durations of 0 or more without blanks; found "
            f"{int(np.isnan(t).sum())} blank and {int((t < 0).sum())} negative. Check the start "
            "and end dates."
        )
    if len(t) == 0:
        raise InsufficientDataError(f"{name} needs at least one customer; found none.")
    return t, e


def _risk_table(t: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distinct times, and at each: at risk just before, events, censored."""
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=e, minlength=len(times))
    removed = np.bincount(inverse, minlength=len(times)).astype(float)
    at_risk = len(t) - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    return times, at_risk, events, removed - events


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier survival curve with Greenwood standard errors and a 95 % band.

    ``table`` is indexed by every distinct observed time ``t`` (events or censorings), with
    columns ``at_risk`` (customers at risk just before t), ``events``, ``censored``,
    ``survival`` (S just after t), ``std_error`` (Greenwood standard error of S), ``lower``
    and ``upper`` (95 % band). ``median`` is NaN when survival never drops to 0.5.
    """

    table: pd.DataFrame
    median: float

    def survival_at(self, t: ArrayLike) -> float | np.ndarray:
        """S(t): the curve at time t (1 before the first time; the last value after the last).

        >>> kaplan_meier([1, 2, 3], [True, True, True]).survival_at([0, 1.5, 9]).round(4).tolist()
        [1.0, 0.6667, 0.0]
        """
        t = np.asarray(t, dtype=float)
        times = self.table.index.to_numpy(dtype=float)
        survival = np.concatenate([[1.0], self.table["survival"].to_numpy(dtype=float)])
        return _out(survival[np.searchsorted(times, t, side="right")])


def kaplan_meier(durations: ArrayLike, observed: ArrayLike) -> KaplanMeier:
    """S(t) = prod over event times t_i <= t of (1 - d_i / n_i), with Greenwood's variance.

    Greenwood: Var S(t) = S(t)^2 * sum d_i / (n_i (n_i - d_i)). The 95 % band uses the log
    transform, R's ``survfit`` default (``conf.type = "log"``):
    S * exp(+-1.96 * sqrt(sum d_i / (n_i (n_i - d_i)))), the upper limit capped at 1. Once S
    reaches 0 its standard error and band are NaN. The median is the first time S <= 0.5 (the
    midpoint to the next event time when S is exactly 0.5 there), as R prints it.
    ``observed`` is True for a churn (event) and False for a customer still active (censored);
    blank flags count as censored. Source: Kaplan and Meier (1958); Greenwood (1926); checked
    against R's ``summary(survfit(Surv(time, status) ~ 1, data = aml))``. Catalogue KPI
    ``median_customer_lifetime``.

    >>> kaplan_meier([2, 3, 3, 5], [True, True, False, True]).table["survival"].tolist()
    [0.75, 0.5, 0.0]
    """
    t, e = _durations(durations, observed, "kaplan_meier")
    times, at_risk, events, censored = _risk_table(t, e)
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1 - events / at_risk)
        greenwood = np.cumsum(events / (at_risk * (at_risk - events)))
        std_error = survival * np.sqrt(greenwood)
        half_width = ndtri(0.975) * np.sqrt(greenwood)  # the normal's 97.5 % quantile
        lower = survival * np.exp(-half_width)
        upper = np.minimum(1.0, survival * np.exp(half_width))
    dead = survival <= 0
    std_error[dead] = lower[dead] = upper[dead] = np.nan
    table = pd.DataFrame(
        {
            "at_risk": at_risk,
            "events": events,
            "censored": censored,
            "survival": survival,
            "std_error": std_error,
            "lower": lower,
            "upper": upper,
        },
        index=pd.Index(times, name="t"),
    )
    return KaplanMeier(table=table, median=_median(times[events > 0], survival[events > 0]))


def _median(event_times: np.ndarray, survival: np.ndarray) -> float:
    below = np.flatnonzero(survival <= 0.5 + 1e-12)
    if len(below) == 0:
        return float("nan")
    i = below[0]
    if abs(survival[i] - 0.5) < 1e-12 and i + 1 < len(event_times):
        return float((event_times[i] + event_times[i + 1]) / 2)
    return float(event_times[i])


@dataclass(frozen=True)
class LogRank:
    """The log-rank test of two survival curves: chi-square statistic on 1 df, and its p-value.

    ``observed_a`` and ``expected_a`` are group A's events and their expectation under the
    null hypothesis of equal hazards.
    """

    statistic: float
    p_value: float
    observed_a: float
    expected_a: float


def logrank_test(
    durations_a: ArrayLike,
    observed_a: ArrayLike,
    durations_b: ArrayLike,
    observed_b: ArrayLike,
) -> LogRank:
    """chi2 = (O_a - E_a)^2 / V, with E_a = sum d_i n_ai / n_i and the hypergeometric variance V.

    V = sum d_i (n_ai / n_i) (1 - n_ai / n_i) (n_i - d_i) / (n_i - 1) over the distinct event
    times of both groups; p from the chi-square distribution with 1 degree of freedom. The same
    test as R's ``survdiff`` (rho = 0). Source: Mantel (1966); Peto and Peto (1972).
    Raises InsufficientDataError when there is no event to compare.

    >>> round(logrank_test([1, 2, 3], [1, 1, 1], [4, 5, 6], [1, 1, 1]).statistic, 3)
    5.052
    """
    ta, ea = _durations(durations_a, observed_a, "logrank_test (group A)")
    tb, eb = _durations(durations_b, observed_b, "logrank_test (group B)")
    t = np.concatenate([ta, tb])
    e = np.concatenate([ea, eb])
    in_a = np.concatenate([np.ones(len(ta)), np.zeros(len(tb))])
    times, inverse = np.unique(t, return_inverse=True)
    removed = np.bincount(inverse, minlength=len(times)).astype(float)
    removed_a = np.bincount(inverse, weights=in_a, minlength=len(times))
    d = np.bincount(inverse, weights=e, minlength=len(times))
    d_a = np.bincount(inverse, weights=e * in_a, minlength=len(times))
    n = len(t) - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    n_a = len(ta) - np.concatenate([[0.0], np.cumsum(removed_a)[:-1]])
    share = n_a / n
    expected = float(np.sum(d * share))
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(n > 1, d * share * (1 - share) * (n - d) / (n - 1), 0.0)
    variance = float(np.sum(v))
    if variance <= 0:
        raise InsufficientDataError(
            "The log-rank test needs churn events while both groups still have customers at "
            f"risk; found {int(d.sum())} event(s) and no variance. Compare larger groups."
        )
    statistic = (float(d_a.sum()) - expected) ** 2 / variance
    return LogRank(
        statistic=statistic,
        p_value=float(chdtrc(1, statistic)),  # chi-squared (1 df) upper tail
        observed_a=float(d_a.sum()),
        expected_a=expected,
    )


# --------------------------------------------------------------------------------------------
# RFM summary, calibration and holdout
# --------------------------------------------------------------------------------------------


def _unit_days(freq: str) -> float:
    if freq not in DAYS_PER_UNIT:
        raise KpiError(f"freq must be one of D, W, M (days, weeks, months); got {freq!r}.")
    return DAYS_PER_UNIT[freq]


def _order_columns(
    orders: pd.DataFrame, customer_col: str, date_col: str, amount_col: str
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The customer ids, order times and amounts (float; all NaN without an amount column)."""
    missing = [c for c in (customer_col, date_col) if c not in orders.columns]
    if missing:
        raise SchemaError(
            f"The purchase models need an orders table with columns {customer_col} and "
            f"{date_col}; {', '.join(missing)} is missing. Map the columns on the Data page."
        )
    amounts = (
        pd.to_numeric(orders[amount_col], errors="coerce").astype(float)
        if amount_col in orders.columns
        else pd.Series(np.nan, index=orders.index)
    )
    return orders[customer_col], pd.to_datetime(orders[date_col]), amounts


def _no_orders() -> InsufficientDataError:
    return InsufficientDataError(
        "The purchase models need orders with a customer and a date; found none. "
        "Upload an orders table with customer_id and order_date."
    )


def _nobody_by(end: pd.Timestamp) -> InsufficientDataError:
    return InsufficientDataError(
        f"The purchase models need customers who ordered by {end.date()}; found none. "
        "Choose a later date."
    )


def _daily(orders: pd.DataFrame, customer_col: str, date_col: str, amount_col: str) -> pd.DataFrame:
    """One row per customer and order day: customer, day, amount (summed; NaN if no amounts)."""
    customers, dates, amounts = _order_columns(orders, customer_col, date_col, amount_col)
    frame = pd.DataFrame({"customer": customers, "day": dates.dt.normalize(), "amount": amounts})
    frame = frame.dropna(subset=["customer", "day"])
    grouped = frame.groupby(["customer", "day"], sort=True, observed=True)["amount"]
    return grouped.sum(min_count=1).reset_index()


def _summary_from_daily(
    daily: pd.DataFrame, end: pd.Timestamp, unit_days: float, customer_col: str
) -> pd.DataFrame:
    daily = daily[daily["day"] <= end]
    if daily.empty:
        raise _nobody_by(end)
    grouped = daily.groupby("customer", sort=True, observed=True)
    first = grouped["day"].min()
    last = grouped["day"].max()
    count = grouped["day"].size()
    repeat = daily[daily["day"] > daily["customer"].map(first)]
    frequency = (count - 1).astype(float)
    # mean() skips blank amounts; a customer whose repeat amounts are all blank gets NaN.
    monetary = repeat.groupby("customer", observed=True)["amount"].mean().reindex(count.index)
    monetary = monetary.where(frequency > 0, 0.0)
    day = pd.Timedelta(days=1)
    summary = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (last - first) / day / unit_days,
            "T": (end - first) / day / unit_days,
            "monetary_value": monetary.astype(float),
        }
    )
    summary.index.name = customer_col
    return summary


def rfm_summary(
    orders: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    end: pd.Timestamp | None = None,
    freq: TimeUnit = "W",
) -> pd.DataFrame:
    """frequency = order days - 1; recency = last - first order day; T = end - first order day.

    The per-customer summary the BG/NBD and Gamma-Gamma models take, as in Fader, Hardie and
    Lee (2005): purchases are counted per distinct day (several orders on one day are one
    purchase, their amounts summed), the first purchase is not a repeat purchase, and times
    are in units of ``freq``: "D" days, "W" weeks (7 days), "M" months (365.25 / 12 days),
    fractional. ``monetary_value`` is the mean value of the repeat purchase days (the first
    day excluded); 0.0 when frequency is 0, as in the ``lifetimes`` package (the
    Gamma-Gamma model ignores those customers). NaN amounts are ignored; without an amount
    column monetary_value is NaN. Orders after ``end`` (default: the last order day) are
    ignored, and so are customers whose first order is after it.

    Returns a DataFrame indexed by customer (named ``customer_col``, sorted) with float columns
    frequency, recency, T, monetary_value.

    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-15", "2025-01-08"]),
    ...     "amount": [10.0, 5.0, 30.0, 20.0]})
    >>> rfm_summary(orders, end=pd.Timestamp("2025-01-29"))
                 frequency  recency    T  monetary_value
    customer_id
    a                  1.0      2.0  4.0            30.0
    b                  0.0      0.0  3.0             0.0
    """
    unit_days = _unit_days(freq)
    customers, dates, amounts = _order_columns(orders, customer_col, date_col, amount_col)
    if _codes_apply(customers, dates, end):
        codes, ids = _sorted_codes(orders, customers, customer_col)
        return _summary_on_codes(codes, ids, dates, amounts, end, unit_days, customer_col)
    daily = _daily(orders, customer_col, date_col, amount_col)
    if daily.empty:
        raise _no_orders()
    end = daily["day"].max() if end is None else pd.Timestamp(end).normalize()
    return _summary_from_daily(daily, end, unit_days, customer_col)


def _codes_apply(customers: pd.Series, dates: pd.Series, end: pd.Timestamp | None) -> bool:
    """Whether :func:`_summary_on_codes` gives rfm_summary's table for these columns.

    It needs dates without a time zone (where every day is 86,400 s long, so that a day is an
    integer) and customer ids that are strings or numbers (a categorical column sorts by its
    categories' order, and an object column may mix types that do not sort). Anything else
    takes the group-by path, which handles every column pandas can group.
    """
    dtype = customers.dtype
    plain_ids = isinstance(dtype, pd.StringDtype) or (
        isinstance(dtype, np.dtype) and dtype.kind in "biuf"
    )
    naive_dates = isinstance(dates.dtype, np.dtype) and dates.dtype.kind == "M"
    return plain_ids and naive_dates and (end is None or pd.Timestamp(end).tz is None)


def _sorted_codes(
    orders: pd.DataFrame, customers: pd.Series, customer_col: str
) -> tuple[np.ndarray, pd.Index]:
    """The customers as sorted integer codes and their ids (``ids[code]``, -1 for blanks).

    For ``customer_id``, the codes :func:`kpi.base.customer_codes` remembers per table (and
    a filtered table takes from the whole one); another column is factorised here.
    """
    if customer_col == "customer_id":
        cc = customer_codes(orders)
        return cc.codes, cc.ids
    codes, ids = pd.factorize(customers, sort=True)
    return codes, pd.Index(ids)


def _summary_on_codes(
    codes: np.ndarray,
    ids: pd.Index,
    dates: pd.Series,
    amounts: pd.Series,
    end: pd.Timestamp | None,
    unit_days: float,
    customer_col: str,
) -> pd.DataFrame:
    """rfm_summary's table computed on integer customer codes (:func:`_sorted_codes`) and day
    numbers.

    The same table as the group-by path (``_daily`` and ``_summary_from_daily``), to the bit,
    in a third of the time on a million orders: the customer ids are factorised once (sorted,
    as group-by sorts them), times become day numbers, and one sort by customer and day
    replaces the group-bys on strings and timestamps, whose hashing and re-indexing took most
    of the time. Amounts are summed per day as pandas sums them (see :func:`_order_days`) and
    averaged per customer by pandas itself, over the same values in the same order as the
    group-by path, because the last digit of a sum depends on how it is added up.
    """
    times = dates.to_numpy()
    known = (codes >= 0) & ~np.isnat(times)
    code = codes[known]
    day = times[known].astype("datetime64[D]").astype(np.int64)  # floor to the day
    amount = amounts.to_numpy(dtype=float)[known]
    if len(day) == 0:
        raise _no_orders()
    code, day, amount = _order_days(code, day, amount)
    if end is None:
        end_day = int(day.max())
    else:
        end = pd.Timestamp(end).normalize()
        end_day = (end - pd.Timestamp(0)) // pd.Timedelta(days=1)
        by_end = day <= end_day
        if not by_end.any():
            raise _nobody_by(end)
        code, day, amount = code[by_end], day[by_end], amount[by_end]
    first_row = np.flatnonzero(np.diff(code, prepend=-1) != 0)
    last_row = np.append(first_row[1:], len(code)) - 1
    first, last = day[first_row], day[last_row]
    count = last_row - first_row + 1
    summary = pd.DataFrame(
        {
            "frequency": (count - 1).astype(float),
            "recency": (last - first).astype(float) / unit_days,
            "T": (end_day - first).astype(float) / unit_days,
            "monetary_value": _mean_repeat_amount(code, amount, first_row),
        },
        index=ids.take(code[first_row]).rename(customer_col),
    )
    return summary


def _sorted_by_key(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The keys sorted, and the rows they came from; ties keep their row order (stable).

    Folding the row number into the key (key * n + row) makes every key distinct, so numpy's
    default sort of plain numbers, several times faster than a stable argsort of a million
    keys, gives the stable order and the rows at once. When the folded key could overflow
    63 bits, the stable argsort is used instead.
    """
    n = len(key)
    if (int(key.max()) + 1) * n < 2**62:
        folded = np.sort(key * n + np.arange(n))
        sorted_key = folded // n
        return sorted_key, folded - sorted_key * n
    rows = np.argsort(key, kind="stable")
    return key[rows], rows


def _order_days(
    code: np.ndarray, day: np.ndarray, amount: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One entry per customer and order day, sorted by customer then day: code, day, amount.

    A day's amount is the sum of its orders' amounts, NaN when none is known. A day with one
    order, by far the most common, keeps that order's amount. The days with several are summed
    as pandas' group-by sums them in the group-by path, so that the last digit agrees too:
    pandas (3.1) adds the rows of a table already sorted by its groups, without a blank
    amount, one after the other with np.add.reduceat, and any other table with compensated
    summation in row order.
    """
    low = int(day.min())
    span = int(day.max()) - low + 1
    key = code * span + (day - low)  # sorts like (customer, day)
    in_order = bool(np.all(key[1:] >= key[:-1]))
    key, rows = _sorted_by_key(key)
    amount = amount[rows]
    new_day = np.ones(len(key), dtype=bool)
    new_day[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(new_day)
    sizes = np.diff(np.append(starts, len(key)))
    day_amount = amount[starts]
    shared = sizes > 1
    if shared.any():
        if in_order and not np.isnan(amount).any():
            day_amount[shared] = np.add.reduceat(amount, starts)[shared]
        else:
            day_amount[shared] = _compensated_sums(amount, starts[shared], sizes[shared])
    day_code, day_offset = np.divmod(key[starts], span)
    return day_code, day_offset + low, day_amount


def _compensated_sums(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Sums of the runs values[start : start + size] by Kahan's compensated summation.

    NaN values are skipped, and a run without a number sums to NaN. The arithmetic is that of
    pandas' group-by sum kernel (``group_sum``), step for step, so the results agree to the
    bit: the k-th value of every run is added in the k-th pass.
    """
    total = np.zeros(len(starts))
    compensation = np.zeros(len(starts))
    seen = np.zeros(len(starts), dtype=bool)
    for k in range(int(sizes.max())):
        runs = np.flatnonzero(sizes > k)
        value = values[starts[runs] + k]
        number = ~np.isnan(value)
        runs, value = runs[number], value[number]
        y = value - compensation[runs]
        t = total[runs] + y
        with np.errstate(invalid="ignore"):  # inf - inf, after an infinite value
            error = (t - total[runs]) - y
        compensation[runs] = np.where(np.isnan(error), 0.0, error)
        total[runs] = t
        seen[runs] = True
    return np.where(seen, total, np.nan)


def _mean_repeat_amount(code: np.ndarray, amount: np.ndarray, first_row: np.ndarray) -> np.ndarray:
    """Per customer, the mean amount of the order days after the first: NaN amounts skipped,
    NaN when all are blank, 0.0 without a repeat day (rows sorted by customer, then day)."""
    repeat = np.ones(len(code), dtype=bool)
    repeat[first_row] = False
    counts = np.diff(np.append(first_row, len(code)))
    means = np.zeros(len(first_row))
    means[counts > 1] = pd.Series(amount[repeat]).groupby(code[repeat]).mean().to_numpy()
    return means


def calibration_holdout(
    orders: pd.DataFrame,
    *,
    cutoff: pd.Timestamp,
    end: pd.Timestamp,
    freq: TimeUnit = "W",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Calibration summary up to ``cutoff`` and repeat purchase days in (cutoff, end].

    For every customer whose first order is on or before ``cutoff``: ``frequency_cal``,
    ``recency_cal``, ``T_cal``, ``monetary_value_cal`` as :func:`rfm_summary` computes them
    with ``end=cutoff``, ``frequency_holdout`` (distinct order days after cutoff up to end) and
    ``duration_holdout`` ((end - cutoff) in units of ``freq``, the same for everyone).
    Customers first seen after the cutoff are left out, as in Fader, Hardie and Lee (2005).

    Returns a DataFrame indexed by customer (named ``customer_col``, sorted), float columns.
    """
    unit_days = _unit_days(freq)
    cutoff = pd.Timestamp(cutoff).normalize()
    end = pd.Timestamp(end).normalize()
    if end <= cutoff:
        raise KpiError(
            f"The holdout check needs an end after the cut-off; got cut-off {cutoff.date()} and "
            f"end {end.date()}. Choose an earlier cut-off."
        )
    customers, dates, _ = _order_columns(orders, customer_col, date_col, amount_col)
    if _codes_apply(customers, dates, cutoff):
        # integer customer codes and day numbers, as rfm_summary's fast path
        codes, ids = _sorted_codes(orders, customers, customer_col)
        times = dates.to_numpy()
        known = (codes >= 0) & ~np.isnat(times)
        day = times[known].astype("datetime64[D]").astype(np.int64)
        code = codes[known]
        cutoff_day, end_day = (np.datetime64(t.date(), "D").astype(np.int64) for t in (cutoff, end))
        if not (day <= cutoff_day).any():
            raise _nobody_by_cutoff(cutoff)
        calibration = rfm_summary(
            orders, end=cutoff, freq=freq, customer_col=customer_col, date_col=date_col,
            amount_col=amount_col,
        )  # fmt: skip
        later = (day > cutoff_day) & (day <= end_day)
        span = end_day - cutoff_day  # holdout days are cutoff + 1 ... cutoff + span
        visits = sorted_unique(code[later] * span + (day[later] - cutoff_day - 1))
        per_customer = np.bincount(visits // span, minlength=len(ids))
        counts = pd.Series(per_customer, index=ids)
    else:
        daily = _daily(orders, customer_col, date_col, amount_col)
        if not (daily["day"] <= cutoff).any():
            raise _nobody_by_cutoff(cutoff)
        calibration = _summary_from_daily(daily, cutoff, unit_days, customer_col)
        holdout = daily[(daily["day"] > cutoff) & (daily["day"] <= end)]
        counts = holdout.groupby("customer", observed=True).size()
    result = calibration.add_suffix("_cal")
    result["frequency_holdout"] = counts.reindex(result.index, fill_value=0).astype(float)
    result["duration_holdout"] = (end - cutoff) / pd.Timedelta(days=1) / unit_days
    return result


def _nobody_by_cutoff(cutoff: pd.Timestamp) -> InsufficientDataError:
    return InsufficientDataError(
        f"The holdout check needs customers who ordered by the cut-off {cutoff.date()}; "
        "found none. Choose a later cut-off."
    )


def holdout_by_frequency(
    fit: BgNbdFit, calibration: pd.DataFrame, *, max_frequency: int = 7
) -> pd.DataFrame:
    """Mean actual and BG/NBD-predicted holdout purchases, by number of calibration repeats.

    ``calibration`` is a :func:`calibration_holdout` table. Customers with ``max_frequency``
    or more calibration repeat purchases are pooled in the last row ("7+"), as in the
    conditional-expectation plot of Fader, Hardie and Lee (2005). Returns a DataFrame indexed
    by ``frequency_cal`` (0 .. max_frequency, int) with columns ``customers`` (int),
    ``actual`` and ``predicted`` (float means; NaN for a row without customers).
    """
    group = np.minimum(calibration["frequency_cal"].to_numpy(dtype=float), max_frequency)
    predicted = fit.expected_purchases(
        calibration["duration_holdout"].to_numpy(dtype=float),
        calibration["frequency_cal"].to_numpy(dtype=float),
        calibration["recency_cal"].to_numpy(dtype=float),
        calibration["T_cal"].to_numpy(dtype=float),
    )
    frame = pd.DataFrame(
        {
            "frequency_cal": group.astype(int),
            "actual": calibration["frequency_holdout"].to_numpy(dtype=float),
            "predicted": np.asarray(predicted, dtype=float),
        }
    )
    index = pd.RangeIndex(max_frequency + 1, name="frequency_cal")
    grouped = frame.groupby("frequency_cal")
    return pd.DataFrame(
        {
            "customers": grouped.size().reindex(index, fill_value=0).astype(int),
            "actual": grouped["actual"].mean().reindex(index),
            "predicted": grouped["predicted"].mean().reindex(index),
        }
    )


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------


def _rft(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, *, check: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, tx, big_t = np.broadcast_arrays(
        np.asarray(frequency, dtype=float),
        np.asarray(recency, dtype=float),
        np.asarray(T, dtype=float),
    )
    if check:
        bad = np.isnan(x) | np.isnan(tx) | np.isnan(big_t) | (x < 0) | (tx < 0)
        bad |= tx > big_t + 1e-9
        bad |= (x == 0) & (tx > 0)
        if bad.any():
            raise SchemaError(
                "BG/NBD needs, per customer, frequency >= 0, 0 <= recency <= T and recency 0 "
                f"when frequency is 0; {int(bad.sum())} customer(s) break this. Build the "
                "summary with rfm_summary."
            )
    return x, tx, big_t


@dataclass(frozen=True)
class BgNbdFit:
    """A fitted BG/NBD model (Fader, Hardie and Lee 2005, "Counting Your Customers" the Easy Way).

    While alive, a customer buys at a Poisson rate lambda ~ gamma(r, alpha); after each
    purchase she drops out with probability p ~ beta(a, b). Times are in the unit of the
    summary it was fitted on. ``n_customers`` is the number of customers fitted.
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int

    def expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> float | np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next t units of a customer with history.

        E = (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))^(r + x)
        * 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))] / P, with
        P = 1 + [x > 0] a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x).
        Source: Fader, Hardie and Lee (2005), equation (10).
        """
        x, tx, big_t = _rft(frequency, recency, T, check=False)
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        with np.errstate(all="ignore"):
            head = (a + b + x - 1) / (a - 1)
            z = t / (alpha + big_t + t)
            tail = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(
                r + x, b + x, a + b + x - 1, z
            )
        return _out(head * tail / self._alive_odds(x, tx, big_t))

    def _alive_odds(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            log_odds = (
                np.log(self.a)
                - np.log(np.maximum(self.b + x - 1, 1e-300))
                + (self.r + x) * (np.log(self.alpha + big_t) - np.log(self.alpha + tx))
            )
        return 1 + np.where(x > 0, np.exp(np.where(x > 0, log_odds, 0.0)), 0.0)

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> float | np.ndarray:
        """P(alive) = 1 / (1 + [x>0] a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)).

        1 for customers without repeat purchases (the model lets a customer drop out only
        right after a purchase). Source: Fader, Hardie and Lee (2005), equation (11).
        """
        x, tx, big_t = _rft(frequency, recency, T, check=False)
        return _out(1 / self._alive_odds(x, tx, big_t))

    def expected_purchases_new(self, t: ArrayLike) -> float | np.ndarray:
        """E[X(t)] = (a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t))^r * 2F1(r, b; a+b-1; z)].

        With z = t / (alpha + t): expected purchases in t units by a customer just acquired
        (the first purchase not counted). Source: Fader, Hardie and Lee (2005), equation (9).
        """
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        with np.errstate(all="ignore"):
            value = (
                (a + b - 1)
                / (a - 1)
                * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
            )
        return _out(value)


def _weighted_counts(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, and the total weight of the rows holding each."""
    distinct, index = np.unique(values, return_inverse=True)
    return distinct, np.bincount(index, weights=weights, minlength=len(distinct))


class _BgNbdTerms:
    """The BG/NBD log-likelihood of a set of customers, prepared once so that each step is cheap.

    The optimiser evaluates the likelihood and its gradient some 30 times, and the fit's
    Hessian a few more. Most of the work is in the gamma, beta and digamma functions, and they
    depend on a customer's frequency x alone: they are evaluated once per distinct x and
    weighted by how many customers have it. Customers without repeat purchases (x = 0, so
    t_x = 0) differ only in T and are pooled by T. Only the terms that mix x, t_x and T are
    evaluated per repeat customer, using

        B(a + 1, b + x - 1) / B(a, b + x) = a / (b + x - 1),

    so that L = A (1 + e^d) with A the first term of :func:`fit_bgnbd`'s L and
    d = ln a - ln(b + x - 1) + (r + x) (ln(alpha + T) - ln(alpha + t_x)); the second term's
    share of L is the logistic function of d.
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, w: np.ndarray) -> None:
        repeat = x > 0
        self.total = float(w.sum())
        self.t_once, self.w_once = _weighted_counts(big_t[~repeat], w[~repeat])
        self.x, self.tx, self.big_t, self.w = x[repeat], tx[repeat], big_t[repeat], w[repeat]
        self.x_values, self.x_weights = _weighted_counts(self.x, self.w)
        # A repeat customer's x, t_x and T each take few distinct values (whole days in the
        # time unit): the terms of one value alone are evaluated once per distinct value and
        # gathered per customer, the same numbers as evaluated per customer.
        self.x_at = np.searchsorted(self.x_values, self.x)
        self.t_values, self.t_at = np.unique(self.big_t, return_inverse=True)
        self.tx_values, self.tx_at = np.unique(self.tx, return_inverse=True)
        # With unit weights (every fit but a weighted one) w * v is v: the products are skipped.
        self.unit = bool(np.all(self.w == 1.0))

    def negative_ll(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative mean log-likelihood at log-parameters theta, and its gradient in theta."""
        params = np.exp(theta)
        r, alpha, a, b = params
        once = self._one_time_customers(r, alpha)
        by_x = self._frequency_terms(r, a, b)
        per_row = self._repeat_customers(r, alpha, a, b)
        ll = self.total * r * np.log(alpha) + once[0] + by_x[0] + per_row[0]
        gradient = np.array(
            [
                self.total * np.log(alpha) + once[1] + by_x[1] + per_row[1],
                self.total * r / alpha + once[2] + per_row[2],
                by_x[2] + per_row[3],
                by_x[3] + per_row[4],
            ]
        )
        return -float(ll) / self.total, -gradient * params / self.total

    def _one_time_customers(self, r: float, alpha: float) -> tuple[float, float, float]:
        """ln L - r ln(alpha) = -r ln(alpha + T) for x = 0; the term and its r, alpha slopes."""
        log_t = np.log(alpha + self.t_once)
        return (
            -r * float(np.sum(self.w_once * log_t)),
            -float(np.sum(self.w_once * log_t)),
            -r * float(np.sum(self.w_once / (alpha + self.t_once))),
        )

    def _frequency_terms(self, r: float, a: float, b: float) -> tuple[float, float, float, float]:
        """ln G(r + x) - ln G(r) + ln B(a, b + x) - ln B(a, b), summed; its r, a, b slopes."""
        u, c = self.x_values, self.x_weights
        psi_ab = digamma(a + b)
        psi_abx = digamma(a + b + u)
        ll = gammaln(r + u) - gammaln(r) + betaln(a, b + u) - betaln(a, b)
        d_r = digamma(r + u) - digamma(r)
        d_a = psi_ab - psi_abx
        d_b = digamma(b + u) - psi_abx - digamma(b) + psi_ab
        ll_sum, d_r_sum, d_a_sum, d_b_sum = (float(np.sum(c * t)) for t in (ll, d_r, d_a, d_b))
        return ll_sum, d_r_sum, d_a_sum, d_b_sum

    def _repeat_customers(
        self, r: float, alpha: float, a: float, b: float
    ) -> tuple[float, float, float, float, float]:
        """-(r + x) ln(alpha + T) + ln(1 + e^d) for x > 0, summed; its r, alpha, a, b slopes.

        Evaluated some 55 times a fit over every repeat customer: each term is the same
        arithmetic as written out in :func:`fit_bgnbd`'s formula, in place where a step
        allows (the same operations on the same numbers, so the same bits), and the terms
        of one frequency alone (ln a - ln(b + x - 1), b + x - 1) once per distinct x.
        """
        x = self.x

        def weighted(values: np.ndarray) -> np.ndarray:
            return values if self.unit else self.w * values

        rx = r + x
        log_t = np.log(alpha + self.t_values).take(self.t_at)  # ln(alpha + T), per customer
        log_tx = np.log(alpha + self.tx_values).take(self.tx_at)
        log_ratio = np.subtract(log_t, log_tx)
        # d = ln a - ln(b + x - 1) + (r + x) (ln(alpha + T) - ln(alpha + t_x))
        d = (np.log(a) - np.log(b + self.x_values - 1)).take(self.x_at)
        d += rx * log_ratio
        share = expit(d)  # of the second term (dropped out after the last purchase) in L
        term = np.logaddexp(0.0, d)
        term -= rx * log_t
        ll = np.sum(weighted(term))
        np.multiply(share, log_ratio, out=term)
        np.subtract(log_t, term, out=term)
        d_r = -np.sum(weighted(term))
        # (1 - share) / (alpha + T) + share / (alpha + t_x)
        np.subtract(1, share, out=term)
        term /= (alpha + self.t_values).take(self.t_at)
        other = np.divide(share, (alpha + self.tx_values).take(self.tx_at), out=log_tx)
        term += other
        d_alpha = -np.sum(weighted(rx) * term)
        d_a = np.sum(weighted(share)) / a
        d_b = -np.sum(weighted(share) / (b + self.x_values - 1).take(self.x_at))
        return float(ll), float(d_r), float(d_alpha), float(d_a), float(d_b)


def _bgnbd_negative_ll(
    theta: np.ndarray, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    """Negative mean log-likelihood of BG/NBD and its gradient in log-parameters (customers
    weighted by w)."""
    return _BgNbdTerms(x, tx, big_t, w).negative_ll(theta)


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BgNbdFit:
    """argmax over r, alpha, a, b of the BG/NBD log-likelihood of (x, t_x, T) per customer.

    L = B(a, b + x) / B(a, b) * G(r + x) alpha^r / (G(r) (alpha + T)^(r + x))
      + [x > 0] B(a + 1, b + x - 1) / B(a, b) * G(r + x) alpha^r / (G(r) (alpha + t_x)^(r + x)).

    Inputs are the columns of :func:`rfm_summary` (repeat purchase days, time of the last one
    and age, from the first purchase, in one time unit). The gamma-function terms are computed
    once per distinct frequency and the gradient is analytic (see ``_BgNbdTerms``), so 100,000
    customers fit in a few hundredths of a second. Raises
    SchemaError for impossible summaries, InsufficientDataError without repeat purchases, and
    ConvergenceError when the fit fails (the page then falls back to the formula LTV).
    Source: Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way: An
    Alternative to the Pareto/NBD Model", Marketing Science 24(2), equation (6).
    Catalogue KPI ``clv_model_mean`` (with :func:`fit_gamma_gamma`).
    """
    x, tx, big_t = _rft(frequency, recency, T)
    x, tx, big_t = x.ravel(), tx.ravel(), big_t.ravel()
    if len(x) < 2 or not (x > 0).any():
        raise InsufficientDataError(
            "BG/NBD needs customers with repeat purchases (orders on a second day); found "
            f"{int((x > 0).sum())} of {len(x)} customers. Use a longer period, or the formula "
            "LTV."
        )
    terms = _BgNbdTerms(x, tx, big_t, np.ones(len(x)))
    # Start at the purchase rate of an average customer, scaled to the data's time unit.
    start = np.log([1.0, max(float(np.mean(big_t)), 1e-3) / max(float(np.mean(x)), 0.1), 1.0, 1.0])
    params = _minimise(
        terms.negative_ll,
        start,
        model="BG/NBD",
        names=("r", "alpha", "a", "b"),
        advice="Use a longer history with more repeat customers, or the formula LTV.",
        jac=True,
        n_obs=terms.total,
    )
    mean_ll, _ = terms.negative_ll(np.log(params))
    r, alpha, a, b = (float(p) for p in params)
    return BgNbdFit(r, alpha, a, b, log_likelihood=-mean_ll * terms.total, n_customers=len(x))


# --------------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GammaGammaFit:
    """A fitted Gamma-Gamma spend model (Fader, Hardie and Lee 2005, "RFM and CLV").

    Transaction values of a customer are gamma(p, nu) and nu ~ gamma(q, v) over customers;
    the mean transaction value of the population is p v / (q - 1). ``n_customers`` is the
    number of customers with repeat purchases that were fitted.
    """

    p: float
    q: float
    v: float
    log_likelihood: float
    n_customers: int

    def expected_average_value(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> float | np.ndarray:
        """E[Z | x, zbar] = p (v + x zbar) / (p x + q - 1).

        A weighted mean of the population mean p v / (q - 1) and the customer's own mean
        zbar, the weight on zbar growing with x; customers without repeat purchases (x = 0)
        get the population mean. Source: Fader, Hardie and Lee (2005), "RFM and CLV", equation
        (5); Fader and Hardie (2013), "The Gamma-Gamma Model of Monetary Value", equation (5).

        >>> GammaGammaFit(6.0, 4.0, 15.0, 0.0, 1).expected_average_value([0, 2], [0.0, 40.0])
        array([30., 38.])
        """
        x = np.asarray(frequency, dtype=float)
        zbar = np.where(x > 0, np.asarray(monetary_value, dtype=float), 0.0)
        return _out(self.p * (self.v + x * zbar) / (self.p * x + self.q - 1))


def fit_gamma_gamma(frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaFit:
    """argmax over p, q, v of sum ln f(zbar | x; p, q, v) over customers with x > 0.

    f(zbar | x) = G(p x + q) / (G(p x) G(q)) * v^q x^(p x) zbar^(p x - 1) / (v + x zbar)^(p x + q),
    the density of a customer's mean repeat-transaction value zbar over x transactions.
    Customers without repeat purchases carry no spend information and are left out. Raises
    SchemaError if a repeat customer's mean value is not positive (refunds, free orders),
    InsufficientDataError with fewer than two repeat customers, ConvergenceError if the fit
    fails. The model assumes spend is independent of purchase frequency: check the
    correlation of frequency and monetary_value before trusting it.
    Source: Fader, Hardie and Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer
    Base Analysis", Journal of Marketing Research 42(4); Fader and Hardie (2013), "The
    Gamma-Gamma Model of Monetary Value", equation (3).
    """
    x = np.asarray(frequency, dtype=float).ravel()
    m = np.asarray(monetary_value, dtype=float).ravel()
    if len(x) != len(m):
        raise SchemaError(
            f"Gamma-Gamma needs one monetary value per customer; found {len(x)} frequencies "
            f"and {len(m)} values."
        )
    repeat = x > 0
    bad = repeat & ~(m > 0)
    if bad.any():
        raise SchemaError(
            "Gamma-Gamma needs a positive mean repeat-purchase value for every repeat customer; "
            f"found {int(bad.sum())} with 0, a negative or a blank value. Remove refunds and "
            "free orders from the amounts, or use the formula LTV."
        )
    x, m = x[repeat], m[repeat]
    if len(x) < 2:
        raise InsufficientDataError(
            "Gamma-Gamma needs at least two customers with repeat purchases; found "
            f"{len(x)}. Use a longer period, or the formula LTV."
        )
    terms = _GammaGammaTerms(x, m)
    start = np.log([1.0, 1.0, max(float(np.mean(m)), 1e-3)])
    params = _minimise(
        terms.negative_ll,
        start,
        model="Gamma-Gamma",
        names=("p", "q", "v"),
        advice="Use a longer history with more repeat customers, or the formula LTV.",
        jac=True,
        n_obs=terms.n,
    )
    mean_ll, _ = terms.negative_ll(np.log(params))
    p, q, v = (float(value) for value in params)
    return GammaGammaFit(p, q, v, log_likelihood=-mean_ll * terms.n, n_customers=len(x))


class _GammaGammaTerms:
    """The Gamma-Gamma log-likelihood of repeat customers, prepared once so each step is cheap.

    The gamma and digamma functions of ln f depend on the frequency x alone (through p x): they
    are evaluated once per distinct x and weighted by how many customers have it. The sums of
    ln zbar and ln x, which do not depend on the parameters, are taken once. Only
    ln(v + x zbar) and 1 / (v + x zbar) are evaluated per customer.
    """

    def __init__(self, x: np.ndarray, m: np.ndarray) -> None:
        self.n = float(len(x))
        self.x = x
        self.spend = x * m  # x zbar: the customer's total repeat spend
        self.x_values, self.x_counts = _weighted_counts(x, np.ones(len(x)))
        log_m, log_x = np.log(m), np.log(x)
        self.sum_log_m = float(np.sum(log_m))
        self.sum_x_log_mx = float(np.sum(x * (log_m + log_x)))

    def negative_ll(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative mean log-likelihood at log-parameters theta, and its gradient in theta.

        ln f = ln G(p x + q) - ln G(p x) - ln G(q) + q ln v + p x ln(x zbar) - ln zbar
        - (p x + q) ln(v + x zbar), summed over customers.
        """
        params = np.exp(theta)
        p, q, v = params
        u, c = self.x_values, self.x_counts
        pu = p * u
        psi = digamma(pu + q)
        ll_x = np.sum(c * (gammaln(pu + q) - gammaln(pu))) - self.n * gammaln(q)
        d_p_x = np.sum(c * u * (psi - digamma(pu)))
        d_q_x = np.sum(c * psi) - self.n * digamma(q)

        total = v + self.spend
        log_total = np.log(total)
        sum_log_total = float(np.sum(log_total))
        sum_x_log_total = float(np.sum(self.x * log_total))
        ll = (
            ll_x
            + self.n * q * np.log(v)
            + p * self.sum_x_log_mx
            - self.sum_log_m
            - p * sum_x_log_total
            - q * sum_log_total
        )
        inverse = 1 / total
        gradient = np.array(
            [
                d_p_x + self.sum_x_log_mx - sum_x_log_total,
                d_q_x + self.n * np.log(v) - sum_log_total,
                self.n * q / v - p * float(np.sum(self.x * inverse)) - q * float(np.sum(inverse)),
            ]
        )
        return -float(ll) / self.n, -gradient * params / self.n


# --------------------------------------------------------------------------------------------
# Customer lifetime value
# --------------------------------------------------------------------------------------------


def customer_lifetime_value(
    bgnbd: BgNbdFit,
    gg: GammaGammaFit,
    summary: pd.DataFrame,
    *,
    horizon_months: int = 12,
    discount_rate_monthly: float = 0.01,
    time_unit: TimeUnit = "W",
) -> pd.Series:
    """CLV = sum over months m = 1..H of E[Z] * (E[Y(m)] - E[Y(m - 1)]) / (1 + d)^m.

    Per customer of ``summary`` (an :func:`rfm_summary` table in ``time_unit``): the BG/NBD
    expected repeat purchases in each month of the horizon, times the Gamma-Gamma expected
    value per purchase, discounted monthly at ``discount_rate_monthly``. A month is
    365.25 / 12 days. Money is in the data's units; the value is revenue, not margin (multiply
    by the gross margin for profit). Adapted from the ``customer_lifetime_value`` of the
    lifetimes package (Davidson-Pilon, MIT license) and Fader, Hardie and Lee (2005),
    "RFM and CLV". Catalogue KPI ``clv_model_mean`` (its mean over customers).

    Returns a float Series named ``clv`` with the summary's index.
    """
    missing = [c for c in ("frequency", "recency", "T", "monetary_value") if c not in summary]
    if missing:
        raise SchemaError(
            "customer_lifetime_value needs a summary with columns frequency, recency, T and "
            f"monetary_value; {', '.join(missing)} is missing. Build it with rfm_summary."
        )
    if horizon_months < 0 or discount_rate_monthly <= -1:
        raise KpiError(
            f"customer_lifetime_value needs a horizon of 0 months or more and a discount rate "
            f"above -100 %; got {horizon_months} and {discount_rate_monthly}."
        )
    units_per_month = DAYS_PER_UNIT["M"] / _unit_days(time_unit)
    x = summary["frequency"].to_numpy(dtype=float)
    tx = summary["recency"].to_numpy(dtype=float)
    big_t = summary["T"].to_numpy(dtype=float)
    value = np.asarray(
        gg.expected_average_value(x, summary["monetary_value"].to_numpy(dtype=float)), float
    )
    clv = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for month in range(1, int(horizon_months) + 1):
        cumulative = np.asarray(
            bgnbd.expected_purchases(month * units_per_month, x, tx, big_t), dtype=float
        )
        clv += value * (cumulative - previous) / (1 + discount_rate_monthly) ** month
        previous = cumulative
    return pd.Series(clv, index=summary.index, name="clv")
