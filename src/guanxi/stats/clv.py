"""Customer lifetime value: BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the
easy way") and Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"), fitted by maximum
likelihood. No Django: plain numpy/scipy, scikit-learn estimator conventions (``__init__``
keeps hyperparameters, ``fit`` returns self, fitted attributes end in ``_``).

Inputs per customer, in one time unit (the paper counts weeks):
  x   — repeat purchases (distinct purchase days after the first, as the paper counts),
  t_x — time of the last purchase since the first (recency), 0 when x = 0,
  T   — time from the first purchase to the calibration end (age).

Decisions:
- The log-likelihood is vectorised with ``gammaln``/``betaln`` and its gradient is analytic;
  L-BFGS-B works on log-parameters (positivity without bounds, better conditioning: α is
  ~20× r). Identical (x, t_x, T) rows are merged with weights first: on weekly or daily data
  many customers share their figures, and the fit then costs per distinct row.
- Start values: r = 0.5 and α from the mean purchase rate, a = 1, b = 3 — inside the basin
  on every data set tried; when the optimiser does not converge from there, a second start
  from (1, 1, 1, 1) is tried and the better optimum kept.
- On many customers most of the cost is the special functions; they depend on x alone (a
  whole number with few distinct values) and are computed once per distinct x; customers
  without repeats need one logarithm each and are summed apart.
- Above 200,000 customers: a fit on a 5 % sample gives the start and its information,
  scaled up, whitens the problem (Hessian ≈ identity), so the fit on everyone takes a few
  iterations; then a polish in the plain coordinates confirms the optimum.
- Standard errors come from the observed information (a forward-difference Hessian of the
  analytic gradient); the simulate-and-recover test uses them as its tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

Array = NDArray[np.float64]


WARM_START_ABOVE = 200_000  # customers; above, the fit starts from a 5 % sample's optimum


class ConvergenceError(RuntimeError):
    """The optimiser stopped without reaching an optimum (the message says why)."""


@dataclass(frozen=True)
class FitReport:
    converged: bool
    iterations: int
    message: str
    log_likelihood: float  # the sum over customers, at the optimum


def _as_arrays(*columns: ArrayLike) -> list[Array]:
    arrays = [np.asarray(c, dtype=np.float64).ravel() for c in columns]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError("frequency, recency and T must have the same length")
    return arrays


def _compress(columns: list[Array], weights: Array | None) -> tuple[list[Array], Array]:
    """Merge identical rows; return the distinct rows and their weights."""
    stacked = np.ascontiguousarray(np.column_stack(columns))
    # One 1-D unique over each row's bytes (much faster than unique(axis=0)); the rows come
    # back as floats through the same view.
    rows = stacked.view(np.dtype((np.void, stacked.dtype.itemsize * stacked.shape[1]))).ravel()
    distinct, inverse = np.unique(rows, return_inverse=True)
    unique = distinct.view(stacked.dtype).reshape(-1, stacked.shape[1])
    w = np.ones(len(stacked)) if weights is None else np.asarray(weights, dtype=np.float64)
    counts = np.bincount(inverse.ravel(), weights=w, minlength=len(unique))
    return [unique[:, i].copy() for i in range(unique.shape[1])], counts


def _repeats_often(*columns: Array, sample: int = 20_000) -> bool:
    """Whether merging identical rows pays: a sample of rows has under half distinct ones
    (days or weeks from a shop: yes; continuous simulated times: no, and the merge's sort
    would cost more than it saves)."""
    n = len(columns[0])
    if n <= sample:
        return True
    pick = np.random.default_rng(0).choice(n, sample, replace=False)
    rows = np.ascontiguousarray(np.column_stack([c[pick] for c in columns]))
    view = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    return len(np.unique(view)) < sample // 2


def _hessian(grad: Any, theta: Array, step: float = 1e-6) -> Array:
    """Forward differences of an analytic gradient (symmetrised): k + 1 gradients instead
    of 2k; ample for standard errors (two significant digits)."""
    k = len(theta)
    h = np.zeros((k, k))
    base = grad(theta)
    for i in range(k):
        e = np.zeros(k)
        e[i] = step * max(1.0, abs(theta[i]))
        h[i] = (grad(theta + e) - base) / e[i]
    return (h + h.T) / 2


def _standard_errors(neg_ll_grad: Any, params: Array) -> Array:
    """Standard errors of the natural parameters from the observed information."""
    return _standard_errors_from(_hessian(neg_ll_grad, params))


def _standard_errors_from(information: Array) -> Array:
    try:
        cov = np.linalg.inv(information)
        return np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        return np.full(len(information), np.nan)


def _minimise_whitened(
    objective: Any, centre: Array, information: Array, max_iter: int
) -> tuple[Array, int] | None:
    """Minimise ``objective`` (of log-parameters) near ``centre`` in coordinates where its
    Hessian is about the identity: φ = ln centre + L⁻ᵀ z with L Lᵀ the information (of the
    natural parameters, per customer) carried to log-parameters. Returns the natural
    parameters, or None when that information is unusable or the optimiser did not
    converge (the caller then starts from ``centre`` the plain way)."""
    d = np.diag(centre)
    try:
        lower = np.linalg.cholesky(d @ information @ d)
    except np.linalg.LinAlgError:
        return None
    phi0 = np.log(centre)
    upper_inv = np.linalg.inv(lower.T)

    def in_z(z: Array) -> tuple[float, Array]:
        value, grad = objective(phi0 + upper_inv @ z)
        return value, upper_inv.T @ grad

    res = minimize(
        in_z, np.zeros(len(centre)), jac=True, method="L-BFGS-B",
        options={"maxiter": max_iter, "ftol": 1e-13, "gtol": 1e-8},
    )  # fmt: skip
    if not res.success:
        return None
    return np.exp(phi0 + upper_inv @ res.x), int(res.nit)


def _minimise(objective: Any, starts: list[Array], max_iter: int) -> tuple[Array, FitReport]:
    """L-BFGS-B on log-parameters from the first start; the next starts only while no
    start has converged (then the best optimum wins)."""
    best: Any = None
    for start in starts:
        if best is not None and best.success:
            break
        res = minimize(
            objective,
            np.log(start),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": max_iter, "ftol": 1e-13, "gtol": 1e-8},
        )
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    assert best is not None
    # Converged means: the optimiser says so and the gradient is small at the optimum.
    grad_norm = float(np.max(np.abs(best.jac))) if best.jac is not None else np.inf
    converged = bool(best.success) or grad_norm < 1e-4
    report = FitReport(
        converged=converged,
        iterations=int(best.nit),
        message=str(best.message),
        log_likelihood=float(-best.fun),
    )
    return np.exp(best.x), report


class BetaGeoFitter:
    """BG/NBD: Poisson purchasing at rate λ ~ Gamma(r, α) while alive; after each repeat
    purchase the customer drops out with probability p ~ Beta(a, b).

    Fitted attributes: ``r_``, ``alpha_``, ``a_``, ``b_``, ``standard_errors_`` (dict),
    ``log_likelihood_``, ``converged_``, ``n_customers_``, ``report_``.
    """

    r_: float
    alpha_: float
    a_: float
    b_: float
    information_: Array  # observed information (natural parameters) at the optimum
    standard_errors_: dict[str, float]
    log_likelihood_: float
    converged_: bool
    n_customers_: int
    report_: FitReport

    def __init__(self, max_iter: int = 500, raise_on_failure: bool = True) -> None:
        self.max_iter = max_iter
        self.raise_on_failure = raise_on_failure

    # -- likelihood ---------------------------------------------------------------------
    @staticmethod
    def individual_log_likelihood(
        params: ArrayLike, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
    ) -> Array:
        r, alpha, a, b = np.asarray(params, dtype=np.float64)
        x, t_x, t = _as_arrays(frequency, recency, age)
        return _bgnbd_ll_and_grad(r, alpha, a, b, x, t_x, t)[0]

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        age: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> BetaGeoFitter:
        # One BLAS thread: the fit's vectors are summed by numpy itself, and L-BFGS-B's
        # tiny BLAS calls only wait on the other threads (measured: a quarter of the time
        # of a 1M-customer fit on a busy 2-core machine). threadpoolctl comes with
        # scikit-learn.
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(frequency, recency, age, weights)

    def _fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        age: ArrayLike,
        weights: ArrayLike | None,
    ) -> BetaGeoFitter:
        x, t_x, t = _as_arrays(frequency, recency, age)
        _check_rfm(x, t_x, t)
        frequency_all, recency_all, age_all = x, t_x, t
        given = None if weights is None else np.asarray(weights, dtype=np.float64)
        merged = _repeats_often(x, t_x, t)
        if merged:
            (x, t_x, t), w = _compress([x, t_x, t], given)
        else:
            w = np.ones(len(x)) if given is None else given
        # unit weights need no multiplying on every evaluation
        plain = not merged and given is None
        total = float(w.sum())
        # Customers without repeat purchases (most, in shop data) contribute
        # r·(ln α − ln(α+T)) only: they are handled apart with one logarithm each.
        zero = x == 0
        t0, w0 = t[zero], w[zero]
        x, t_x, t, w = x[~zero], t_x[~zero], t[~zero], w[~zero]
        distinct = _distinct(x)
        w_rep = None if plain else w

        def ll_and_grad(theta: Array) -> tuple[float, Array]:
            r, alpha, a, b = (float(v) for v in theta)
            ll, grad = _bgnbd_ll_and_grad(
                r, alpha, a, b, x, t_x, t, w=w_rep, distinct=distinct, per_row=False
            )
            ll0, grad0 = _bgnbd_no_repeat(theta[0], theta[1], t0, w0)
            return float(ll[0]) + ll0, grad + grad0

        def objective(log_theta: Array) -> tuple[float, Array]:
            theta = np.exp(log_theta)
            ll, grad = ll_and_grad(theta)
            # Mean per customer keeps the scale of the tolerances independent of n.
            return -ll / total, -(grad * theta) / total

        rate = float(np.sum(w * x) / max(np.sum(w * t) + np.sum(w0 * t0), 1e-12))
        first = np.array([0.5, 0.5 / max(rate, 1e-6), 1.0, 3.0])
        starts = [first, np.ones(4)]
        before = 0  # iterations spent before the final polish (whitened, on everyone)
        if total > WARM_START_ABOVE and not merged and weights is None:
            # Many customers: most iterations are spent far from the optimum; take them
            # on a 5 % sample, then finish on everyone from there (about half the time).
            pick = np.random.default_rng(0).random(len(frequency_all)) < 0.05
            warm = BetaGeoFitter(self.max_iter, raise_on_failure=False)
            warm._fit(frequency_all[pick], recency_all[pick], age_all[pick], None)
            if warm.converged_:
                centre = np.array([warm.r_, warm.alpha_, warm.a_, warm.b_])
                starts = [centre, *starts]
                # The sample's information, scaled to everyone, makes the problem round:
                # in whitened coordinates L-BFGS-B needs a few steps instead of a dozen.
                scaled = warm.information_ * (total / warm.n_customers_)
                whitened = _minimise_whitened(objective, centre, scaled / total, self.max_iter)
                if whitened is not None:
                    starts, before = [whitened[0]], whitened[1]
        params, report = _minimise(objective, starts, self.max_iter)
        report = replace(report, iterations=report.iterations + before)
        report = FitReport(
            report.converged, report.iterations, report.message, report.log_likelihood * total
        )
        if not report.converged and self.raise_on_failure:
            raise ConvergenceError(f"BG/NBD fit did not converge: {report.message}")
        self.r_, self.alpha_, self.a_, self.b_ = (float(v) for v in params)

        def total_grad(theta: Array) -> Array:
            return -ll_and_grad(theta)[1]

        self.information_ = _hessian(total_grad, params)
        se = _standard_errors_from(self.information_)
        self.standard_errors_ = dict(
            zip(("r", "alpha", "a", "b"), (float(s) for s in se), strict=True)
        )
        self.log_likelihood_ = report.log_likelihood
        self.converged_ = report.converged
        self.n_customers_ = round(total)
        self.report_ = report
        return self

    @property
    def params_(self) -> dict[str, float]:
        return {"r": self.r_, "alpha": self.alpha_, "a": self.a_, "b": self.b_}

    # -- predictions ---------------------------------------------------------------------
    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
    ) -> Array:
        """P(alive | x, t_x, T) = 1 / (1 + [x>0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))."""
        x, t_x, t = _as_arrays(frequency, recency, age)
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = (
                np.log(a)
                - np.log(np.maximum(b + x - 1, 1e-300))
                + (r + x) * (np.log(alpha + t) - np.log(alpha + t_x))
            )
        odds = np.where(x > 0, np.exp(np.minimum(log_ratio, 700)), 0.0)
        return 1.0 / (1.0 + odds)

    def conditional_expected_purchases(
        self, t: float | ArrayLike, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
    ) -> Array:
        """E[Y(t) | x, t_x, T] — eq. (10) of the paper:
        (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
        · P(alive | x, t_x, T)."""
        x, t_x, age = _as_arrays(frequency, recency, age)
        h = np.asarray(t, dtype=np.float64)
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        z = h / (alpha + age + h)
        power = np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + age + h)))
        bracket = 1.0 - power * hyp2f1(r + x, b + x, a + b + x - 1, z)
        factor = (a + b + x - 1) / (a - 1)
        return factor * bracket * self.conditional_probability_alive(x, t_x, age)

    def expected_purchases(self, t: float | ArrayLike) -> Array:
        """E[X(t)] for a new customer — eq. (9) of the paper."""
        h = np.asarray(t, dtype=np.float64)
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        z = h / (alpha + h)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + h)) ** r * hyp2f1(r, b, a + b - 1, z))


def _check_rfm(x: Array, t_x: Array, t: Array) -> None:
    if len(x) == 0:
        raise ValueError("no customers to fit")
    if not np.all(np.isfinite(x) & np.isfinite(t_x) & np.isfinite(t)):
        raise ValueError("frequency, recency and T must be finite numbers")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > t + 1e-9):
        raise ValueError("need frequency >= 0 and 0 <= recency <= T for every customer")


def _dot(u: Array, v: Array) -> float:
    """Σ u·v over customers. Not ``u @ v``: BLAS's threaded dot is slower than a multiply
    and a sum on a busy machine (measured 30 ms against 1.5 ms on a million rows)."""
    return float(np.multiply(u, v).sum())


def _bgnbd_no_repeat(r: float, alpha: float, t: Array, w: Array) -> tuple[float, Array]:
    """The BG/NBD log-likelihood of customers with x = 0, summed with weights ``w``:
    LL = r (ln α − ln(α+T)) (the gamma and beta terms cancel), and its gradient
    (ln α − ln(α+T), r/α − r/(α+T), 0, 0)."""
    if len(t) == 0:
        return 0.0, np.zeros(4)
    total = float(w.sum())
    sum_log = _dot(w, np.log(alpha + t))
    sum_inv = _dot(w, 1.0 / (alpha + t))
    ll = r * (total * np.log(alpha) - sum_log)
    grad = np.array([total * np.log(alpha) - sum_log, r * (total / alpha - sum_inv), 0.0, 0.0])
    return float(ll), grad


def _distinct(x: Array) -> tuple[Array, NDArray[np.intp]]:
    """The distinct values of x and each row's index into them."""
    xs, at = np.unique(x, return_inverse=True)
    return xs, at.ravel()


def _bgnbd_ll_and_grad(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: Array,
    t_x: Array,
    t: Array,
    w: Array | None = None,
    distinct: tuple[Array, NDArray[np.intp]] | None = None,
    per_row: bool = True,
) -> tuple[Array, Array]:
    """Per-customer log-likelihood (eq. 6 of the paper; times ``w`` when given; with
    ``per_row=False`` only its weighted sum, as a 1-element array) and the weighted
    gradient summed over customers with respect to (r, α, a, b).

    LL = A1 + A2 + log(exp(A3) + [x>0] exp(A4)) with
      A1 = lnΓ(r+x) − lnΓ(r) + r ln α
      A2 = ln B(a, b+x) − ln B(a, b)
      A3 = −(r+x) ln(α+T)
      A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x)

    The special functions depend on x alone, a whole number with few distinct values: they
    are computed once per distinct x and gathered (on 1M customers this is most of the
    saving); only the logarithms of α+T and α+t_x are per customer.
    """
    xs, at = _distinct(x) if distinct is None else distinct
    rep_s = xs > 0
    bx1_s = np.where(rep_s, b + xs - 1, 1.0)
    # per distinct x
    a12_s = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs) - betaln(a, b)
    log_a4c_s = np.where(rep_s, np.log(a) - np.log(bx1_s), -np.inf)  # ln a − ln(b+x−1)
    d_r_s = digamma(r + xs) - digamma(r) + np.log(alpha)
    psi_abx = digamma(a + b + xs)
    d_a_s = digamma(a + b) - psi_abx
    d_b_s = digamma(a + b) + digamma(b + xs) - digamma(b) - psi_abx
    # per customer. With d = A4 − A3 (−∞ when x = 0) and e = exp(−|d|): the weight of the
    # "alive" term w4 = 1/(1+e^−d) is 1/(1+e) for d ≥ 0 and e/(1+e) below, w3 = 1 − w4, and
    # log(e^A3 + e^A4) = A3 + max(d, 0) + log(1+e) — safe for any d, and plain numpy
    # (scipy's expit/log_expit are several times slower on a million rows).
    rx = r + x
    alpha_t = alpha + t
    alpha_tx = alpha + t_x
    log_alpha_t = np.log(alpha_t)
    log_alpha_tx = np.log(alpha_tx)
    a3 = -rx * log_alpha_t
    d = log_a4c_s[at] - rx * log_alpha_tx - a3
    e = np.exp(-np.abs(d))
    inv = 1.0 / (1.0 + e)
    w4 = np.where(d >= 0, inv, e * inv)
    w3 = 1.0 - w4
    mix = a3 + np.maximum(d, 0.0) - np.log(inv)
    if w is None:
        ww3, ww4, total = w3, w4, float(len(x))
        w_s = np.bincount(at, minlength=len(xs)).astype(np.float64)
        ll_sum = float(w_s @ a12_s + mix.sum())
    else:
        ww3, ww4, total = w * w3, w * w4, float(w.sum())
        w_s = np.bincount(at, weights=w, minlength=len(xs))
        ll_sum = float(w_s @ a12_s + _dot(w, mix))
    w4_s = np.bincount(at, weights=ww4, minlength=len(xs))
    grad = np.array(
        [
            w_s @ d_r_s - _dot(ww3, log_alpha_t) - _dot(ww4, log_alpha_tx),
            total * r / alpha - _dot(ww3, rx / alpha_t) - _dot(ww4, rx / alpha_tx),
            w_s @ d_a_s + w4_s.sum() / a,
            w_s @ d_b_s - w4_s @ (1.0 / bx1_s),
        ]
    )
    if not per_row:
        return np.array([ll_sum]), grad
    ll = a12_s[at] + mix
    return (ll if w is None else ll * w), grad


class GammaGammaFitter:
    """Gamma-Gamma spend model: a customer's transaction values are Gamma(p, ν) around their
    mean, ν ~ Gamma(q, γ) across customers; fitted on repeat customers' mean spend.

    Fitted attributes: ``p_``, ``q_``, ``gamma_``, ``standard_errors_``, ``log_likelihood_``,
    ``converged_``, ``n_customers_``, ``report_``.
    """

    def __init__(self, max_iter: int = 500, raise_on_failure: bool = True) -> None:
        self.max_iter = max_iter
        self.raise_on_failure = raise_on_failure

    def fit(self, frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaFitter:
        x, m = _as_arrays(frequency, monetary_value)
        keep = x > 0
        x, m = x[keep], m[keep]
        if len(x) < 2:
            raise ValueError("the spend model needs at least two repeat customers")
        if not np.all(np.isfinite(m)) or np.any(m <= 0):
            raise ValueError("mean spend must be a positive number for every repeat customer")
        (x, m), w = _compress([x, m], None)
        total = float(w.sum())

        def objective(log_theta: Array) -> tuple[float, Array]:
            theta = np.exp(log_theta)
            ll, grad = _gg_ll_and_grad(theta[0], theta[1], theta[2], x, m, w)
            return -ll / total, -(grad * theta) / total

        mean = float(np.sum(w * m) / total)
        params, report = _minimise(
            objective, [np.array([1.0, 1.0, mean]), np.array([5.0, 3.0, 2 * mean])], self.max_iter
        )
        report = FitReport(
            report.converged, report.iterations, report.message, report.log_likelihood * total
        )
        if not report.converged and self.raise_on_failure:
            raise ConvergenceError(f"Gamma-Gamma fit did not converge: {report.message}")
        self.p_, self.q_, self.gamma_ = (float(v) for v in params)
        se = _standard_errors(lambda th: -_gg_ll_and_grad(th[0], th[1], th[2], x, m, w)[1], params)
        self.standard_errors_ = dict(zip(("p", "q", "gamma"), (float(s) for s in se), strict=True))
        self.log_likelihood_ = report.log_likelihood
        self.converged_ = report.converged
        self.n_customers_ = round(total)
        self.report_ = report
        return self

    @property
    def params_(self) -> dict[str, float]:
        return {"p": self.p_, "q": self.q_, "gamma": self.gamma_}

    def conditional_expected_average_profit(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> Array:
        """E[M | x, m̄] = (p(γ + x m̄)) / (p x + q − 1); the population mean p γ/(q − 1)
        for customers without repeat purchases (x = 0)."""
        x, m = _as_arrays(frequency, monetary_value)
        p, q, g = self.p_, self.q_, self.gamma_
        m = np.where(x > 0, m, 0.0)
        return (p * (g + x * m)) / (p * x + q - 1)


def _gg_ll_and_grad(
    p: float, q: float, g: float, x: Array, m: Array, w: Array
) -> tuple[float, Array]:
    """Sum of weighted log-likelihoods (eq. 4 of "RFM and CLV", up to the data-only terms)
    LL = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(x m̄ + γ)
    and its gradient with respect to (p, q, γ)."""
    px = p * x
    log_xm_g = np.log(x * m + g)
    psi_pxq = digamma(px + q)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_xm_g
    )
    d_p = x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_xm_g)
    d_q = psi_pxq - digamma(q) + np.log(g) - log_xm_g
    d_g = q / g - (px + q) / (x * m + g)
    grad = np.array([np.dot(w, d_p), np.dot(w, d_q), np.dot(w, d_g)])
    return float(np.dot(w, ll)), grad


def discounted_clv(
    bgf: BetaGeoFitter,
    expected_value: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    *,
    months: int = 12,
    days_per_unit: float = 7.0,
    margin: float = 1.0,
    annual_discount_rate: float = 0.1,
) -> Array:
    """CLV over ``months`` months: Σ_m margin · E[value] · (E[Y(m)] − E[Y(m−1)]) / (1+d)^m,
    with E[Y(m)] the expected purchases in the next m·30 days and d the monthly rate
    equivalent to the annual one, (1+annual)^(1/12) − 1. Purchases are valued at the
    Gamma-Gamma expected spend and discounted to the end of the month they fall in."""
    if months < 1:
        raise ValueError("months must be at least 1")
    if not 0 <= annual_discount_rate < 10:
        raise ValueError("annual_discount_rate must be between 0 and 10 (0.1 = 10 %)")
    value = np.asarray(expected_value, dtype=np.float64)
    monthly = (1 + annual_discount_rate) ** (1 / 12) - 1
    total = np.zeros_like(value)
    previous = np.zeros_like(value)
    for month in range(1, months + 1):
        cumulative = bgf.conditional_expected_purchases(
            month * 30.0 / days_per_unit, frequency, recency, age
        )
        total += margin * value * (cumulative - previous) / (1 + monthly) ** month
        previous = cumulative
    return total


def simulate_bgnbd(
    r: float,
    alpha: float,
    a: float,
    b: float,
    age: ArrayLike,
    seed: int = 0,
) -> tuple[Array, Array]:
    """Draw (frequency, recency) for customers of ages ``T`` from the BG/NBD process.

    Exact and vectorised: a customer with λ ~ Gamma(r, 1/α) and p ~ Beta(a, b) makes
    J ~ Geometric(p) repeat purchases before dropping out (dropout right after a repeat
    purchase, as in the likelihood); N ~ Poisson(λT) purchases would fall in (0, T] if
    alive throughout, so x = min(N, J). Given N = n, the arrival times are n uniform order
    statistics on (0, T]; the x-th of them is T · Beta(x, n − x + 1).
    """
    rng = np.random.default_rng(seed)
    age = np.asarray(age, dtype=np.float64)
    n = len(age)
    lam = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    repeats = rng.geometric(np.clip(drop, 1e-12, 1.0))
    arrivals = rng.poisson(lam * age)
    x = np.minimum(arrivals, repeats)
    recency = np.zeros(n)
    has = x > 0
    recency[has] = age[has] * rng.beta(x[has], arrivals[has] - x[has] + 1)
    return x.astype(np.float64), recency


@dataclass(frozen=True)
class RFM:
    """Per-customer model inputs, in the order of ``customers``."""

    customers: NDArray[Any]
    frequency: Array
    recency: Array
    T: Array
    monetary_value: Array  # mean spend of the repeat purchase days; 0 when x = 0


def summarise_transactions(
    customers: ArrayLike,
    days: ArrayLike,
    amounts: ArrayLike | None,
    calibration_end: int,
    days_per_unit: float = 7.0,
) -> RFM:
    """Transactions → (x, t_x, T, m̄) as the paper counts them: purchases on one day are one
    purchase (amounts summed), x is the number of distinct days after the first, t_x and T
    are the last and the calibration end since the first, in ``days_per_unit`` days; days
    after ``calibration_end`` (a day number, like ``days``) are left out (the hold-out)."""
    cust = np.asarray(customers)
    day = np.asarray(days, dtype=np.int64)
    amount = np.zeros(len(day)) if amounts is None else np.asarray(amounts, dtype=np.float64)
    keep = day <= calibration_end
    cust, day, amount = cust[keep], day[keep], amount[keep]
    keys, cust_idx = np.unique(cust, return_inverse=True)
    # One purchase per customer and day, amounts summed.
    pairs, pair_idx = np.unique(np.column_stack([cust_idx, day]), axis=0, return_inverse=True)
    day_amount = np.bincount(pair_idx.ravel(), weights=amount, minlength=len(pairs))
    c, d = pairs[:, 0], pairs[:, 1]
    n = len(keys)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, c, d)
    last = np.zeros(n, dtype=np.int64)
    np.maximum.at(last, c, d)
    days_count = np.bincount(c, minlength=n)
    total = np.bincount(c, weights=day_amount, minlength=n)
    first_amount = np.zeros(n)
    is_first = d == first[c]
    first_amount[c[is_first]] = day_amount[is_first]
    x = (days_count - 1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(x > 0, (total - first_amount) / np.maximum(x, 1), 0.0)
    return RFM(
        customers=keys,
        frequency=x,
        recency=(last - first) / days_per_unit,
        T=(calibration_end - first) / days_per_unit,
        monetary_value=m,
    )
