"""Benchmark: BG/NBD + Gamma-Gamma fits on 100,000 synthetic customers.

    python -m bench.value [--customers 100000] [--repeat 3] [--seed 5] [--save summary.csv]

Target (issue 5, Speed): both fits on 100,000 customers in under 2 s. The customers are drawn
from the models themselves (seeded), with the CDNOW estimates of Fader, Hardie and Lee (2005)
as true parameters (r 0.243, alpha 4.414, a 0.793, b 2.426; p 6.25, q 3.74, v 15.44), times
in weeks counted in whole days as :func:`kpi.models.rfm_summary` gives them. Prints the median
of ``--repeat`` runs after one warm-up run, and the estimates next to the true values.
``--save`` writes the synthetic summary to a CSV file, so that another package (the
``lifetimes`` package, in a throwaway environment: it is never a dependency of the app) can be
timed on the very same customers.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from bench.ingest import timed

TRUE_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GG = {"p": 6.25, "q": 3.74, "v": 15.44}


def synthetic_summary(customers: int, *, seed: int = 5, weeks: float = 78.0) -> pd.DataFrame:
    """Seeded frequency, recency, T (weeks) and monetary_value drawn from BG/NBD + Gamma-Gamma.

    Each customer arrives uniformly in the first half of ``weeks``, buys at a Poisson rate
    lambda ~ gamma(r, alpha) and drops out after each purchase with probability
    p ~ beta(a, b); the mean of x repeat values is gamma(p x, scale 1 / (nu x)) with
    nu ~ gamma(q, scale 1 / v).
    """
    rng = np.random.default_rng(seed)
    r, alpha, a, b = TRUE_BGNBD.values()
    days_total = rng.integers(int(weeks * 7 / 2), int(weeks * 7) + 1, customers)
    big_t = days_total / 7.0
    rate = rng.gamma(r, 1.0 / alpha, customers)  # purchases per week
    drop = rng.beta(a, b, customers)
    x = np.zeros(customers)
    last = np.zeros(customers)
    now = np.zeros(customers)
    alive = np.ones(customers, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0, len(idx)) / np.maximum(rate[idx], 1e-12)
        inside = now[idx] <= big_t[idx]
        bought = idx[inside]
        x[bought] += 1
        last[bought] = now[bought]
        alive[idx[~inside]] = False
        alive[bought[rng.random(len(bought)) < drop[bought]]] = False
    recency = np.floor(last * 7.0) / 7.0  # whole days, as rfm_summary counts them
    p, q, v = TRUE_GG.values()
    nu = rng.gamma(q, 1.0 / v, customers)
    shape = np.maximum(p * x, 1e-9)
    monetary = np.where(x > 0, rng.gamma(shape, 1.0 / (nu * np.maximum(x, 1))), 0.0)
    return pd.DataFrame(
        {"frequency": x, "recency": recency, "T": big_t, "monetary_value": monetary}
    )


def main() -> None:
    from kpi.models import fit_bgnbd, fit_gamma_gamma

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--save", help="write the synthetic summary to this CSV file")
    args = parser.parse_args()

    s = synthetic_summary(args.customers, seed=args.seed)
    if args.save:
        s.to_csv(args.save, index=False)
    f, rec, big_t, m = (s[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
    fit_bgnbd(f, rec, big_t)  # warm-up: imports, first allocations

    def both() -> tuple[object, object]:
        return fit_bgnbd(f, rec, big_t), fit_gamma_gamma(f, m)

    seconds, (bg, gg) = timed(both, args.repeat)  # type: ignore[misc]
    bg_seconds, _ = timed(lambda: fit_bgnbd(f, rec, big_t), args.repeat)
    gg_seconds, _ = timed(lambda: fit_gamma_gamma(f, m), args.repeat)
    print(f"{'step':<48}{'median s':>10}{'target s':>10}")
    print(
        f"{f'BG/NBD + Gamma-Gamma, {args.customers:,} customers':<48}{seconds:>10.2f}{2.0:>10.1f}"
    )
    print(f"{'  BG/NBD alone':<48}{bg_seconds:>10.2f}{'':>10}")
    print(f"{'  Gamma-Gamma alone':<48}{gg_seconds:>10.2f}{'':>10}")
    repeat = int((f > 0).sum())
    print(f"{repeat:,} customers with repeat purchases")
    print(
        "BG/NBD " + ", ".join(f"{k} {getattr(bg, k):.3f} (true {t})" for k, t in TRUE_BGNBD.items())
    )
    print(
        "Gamma-Gamma "
        + ", ".join(f"{k} {getattr(gg, k):.2f} (true {t})" for k, t in TRUE_GG.items())
    )


if __name__ == "__main__":
    main()
