"""The ``uncertainty:`` section of a scenario: what ``bestshore risk`` draws.

Each **factor** multiplies one kind of parameter by a random factor around 1::

    uncertainty:
      factors:
        - {name: volume, parameter: volume, distribution: {kind: lognormal, sigma: 0.08}}
        - name: aht
          parameter: aht
          call_types: [n1_billing, n1_tech]
          distribution: {kind: triangular, low: 0.95, mode: 1.0, high: 1.15}
        - name: wages
          parameter: rate
          countries: [MA, TN]            # the sites of these countries
          correlation: 0.8               # sites of one country move together
          distribution: {kind: normal, sd: 0.05}
        - {name: mad, parameter: fx, currency: MAD, countries: [MA],
           distribution: {kind: uniform, low: 0.92, high: 1.10}}
        - {name: tnd, parameter: fx, currency: TND, countries: [TN],
           distribution: {kind: uniform, low: 0.92, high: 1.10}}
        - {name: shrinkage, parameter: shrinkage, distribution: {kind: normal, sd: 0.1}}
      correlations:
        - {factors: [mad, tnd], rho: 0.6}  # the two currencies move together

Parameters and what a factor ``f`` does to them:

- ``volume``: each listed call type's (default: every call type) yearly ``volume`` x f;
- ``aht``: each listed call type's ``aht_seconds`` x f;
- ``rate``: each listed site's price (``sites``, or the sites of ``countries``; default
  every site) x f: ``cost_per_hour``, its rate card, ``price_per_fte_month`` or
  ``price_per_contact``, whichever it gives (a site without a price of its own is an
  error: give it one);
- ``fx``: the value of ``currency`` against the scenario's currency, x f, for every
  site in ``countries`` (required): their prices x f (prices taken as wholly paid in the
  local currency);
- ``shrinkage``: each listed site's shrinkage (its own, else ``settings.shrinkage``)
  x f, kept at most 0.89.

**Items and correlation.** A factor of ``volume``/``aht`` draws one factor per call
type, of ``rate``/``shrinkage`` one per site, of ``fx`` one for its currency. Within a
factor, items of the same group (``group_by: country``: sites of one country;
``all``, the default: every item) share a common shock: their correlation (of the
underlying normals) is ``correlation`` (0: independent, 1: one draw for all).
``correlations`` sets the correlation between every item of two factors. The draws
come from a **Gaussian copula**: correlated standard normals ``z`` (Cholesky of the
a square root of the correlation matrix, which must be positive semi-definite), each mapped through the
normal CDF to its factor's distribution (inverse CDF).

**Distributions** of the factor (dimensionless, around 1): ``normal`` (mean 1, ``sd``;
a factor below 0.01 is raised to 0.01), ``lognormal`` (median 1, ``sigma`` the standard
deviation of ln f), ``triangular`` (``low``, ``mode``, ``high``), ``uniform`` (``low``,
``high``).

**Seeds.** Draw ``i`` uses the ``i``-th child of ``numpy.random.SeedSequence(seed)``:
the same seed gives the same draws whatever order or process they are drawn in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bestshore.scenario import Scenario, ScenarioError

__all__ = [
    "Distribution",
    "Factor",
    "Uncertainty",
    "Variates",
    "apply_factors",
    "draw_factors",
    "parse_uncertainty",
    "variates",
]

_FLOOR = 0.01  # least factor a normal draw gives
_MAX_SHRINKAGE = 0.89


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Distribution(_Strict):
    """A random factor around 1 (dimensionless)."""

    kind: Literal["normal", "lognormal", "triangular", "uniform"] = Field(
        description="normal (mean 1, sd), lognormal (median 1, sigma), triangular "
        "(low, mode, high) or uniform (low, high)."
    )
    sd: float | None = Field(None, gt=0, le=0.5, description="normal: standard deviation [-].")
    sigma: float | None = Field(
        None, gt=0, le=1, description="lognormal: standard deviation of ln(factor) [-]."
    )
    low: float | None = Field(None, gt=0, le=10, description="Least factor [-].")
    mode: float | None = Field(None, gt=0, le=10, description="triangular: likeliest factor [-].")
    high: float | None = Field(None, gt=0, le=10, description="Greatest factor [-].")

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Distribution:
        needed = {
            "normal": ("sd",),
            "lognormal": ("sigma",),
            "triangular": ("low", "mode", "high"),
            "uniform": ("low", "high"),
        }[self.kind]
        given = {k for k in ("sd", "sigma", "low", "mode", "high") if getattr(self, k) is not None}
        missing = [k for k in needed if k not in given]
        extra = sorted(given - set(needed))
        if missing:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(missing)}")
        if extra:
            raise ValueError(f"a {self.kind} distribution takes no {', '.join(extra)}")
        if self.kind == "triangular" and not (
            self.low <= self.mode <= self.high and self.low < self.high  # type: ignore[operator]
        ):
            raise ValueError(
                f"triangular needs low <= mode <= high and low < high, got "
                f"{self.low}, {self.mode}, {self.high}"
            )
        if self.kind == "uniform" and not self.low < self.high:  # type: ignore[operator]
            raise ValueError(f"uniform needs low < high, got {self.low}, {self.high}")
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The factor at probabilities ``u`` in (0, 1) (inverse CDF)."""
        if self.kind == "normal":
            z = np.array([NormalDist().inv_cdf(float(p)) for p in u])
            return np.maximum(1.0 + float(self.sd) * z, _FLOOR)  # type: ignore[arg-type]
        if self.kind == "lognormal":
            z = np.array([NormalDist().inv_cdf(float(p)) for p in u])
            return np.exp(float(self.sigma) * z)  # type: ignore[arg-type]
        low, high = float(self.low), float(self.high)  # type: ignore[arg-type]
        if self.kind == "uniform":
            return low + (high - low) * u
        mode = float(self.mode)  # type: ignore[arg-type]
        cut = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
        return np.where(u < cut, left, right)


class Factor(_Strict):
    """One uncertain parameter (module docstring)."""

    name: str = Field(min_length=1, max_length=100, description="Unique name of the factor.")
    parameter: Literal["volume", "aht", "rate", "fx", "shrinkage"]
    call_types: list[str] | None = Field(
        None, description="volume, aht: call type ids; default every call type."
    )
    sites: list[str] | None = Field(None, description="rate, shrinkage: site ids.")
    countries: list[str] | None = Field(
        None, description="rate, shrinkage: the sites of these countries; fx: required."
    )
    currency: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="fx: ISO 4217 code (required)."
    )
    group_by: Literal["all", "country"] = Field(
        "all", description="Items sharing the common shock: all, or sites of one country."
    )
    correlation: float = Field(
        0.0, ge=0, le=1, description="Correlation between items of one group [-], 0 to 1."
    )
    distribution: Distribution

    @model_validator(mode="after")
    def _scope(self) -> Factor:
        by_call_type = self.parameter in ("volume", "aht")
        if by_call_type and (self.sites or self.countries):
            raise ValueError(f"a {self.parameter} factor takes call_types, not sites or countries")
        if not by_call_type and self.call_types:
            raise ValueError(f"a {self.parameter} factor takes sites or countries, not call_types")
        if self.parameter == "fx" and (not self.currency or not self.countries or self.sites):
            raise ValueError("an fx factor needs currency and countries (and no sites)")
        if self.parameter != "fx" and self.currency:
            raise ValueError("currency is for fx factors only")
        if self.sites and self.countries:
            raise ValueError("give sites or countries, not both")
        if by_call_type and self.group_by == "country":
            raise ValueError("group_by: country is for rate and shrinkage factors")
        return self


class Correlation(_Strict):
    """Correlation between the items of two factors."""

    factors: list[str] = Field(min_length=2, max_length=2, description="Two factor names.")
    rho: float = Field(ge=-1, le=1, description="Correlation of their normals [-], -1 to 1.")


class Uncertainty(_Strict):
    """The ``uncertainty:`` section."""

    factors: list[Factor] = Field(min_length=1, max_length=200)
    correlations: list[Correlation] = Field(default_factory=list, max_length=1000)


@dataclass(frozen=True)
class Variates:
    """The drawn items in a fixed order, and their copula.

    ``items``: one (factor index, item id, group) per variate: a call type id, a site
    id, or the currency of an fx factor. ``cholesky``: a square root ``L`` of their
    correlation matrix ``R = L L'`` (from its eigen-decomposition, so a correlation of 1,
    which makes ``R`` singular, is allowed).
    """

    uncertainty: Uncertainty
    items: list[tuple[int, str, str]]
    cholesky: np.ndarray

    @property
    def names(self) -> list[str]:
        """Column name of each variate: ``<factor>:<item>``."""
        return [f"{self.uncertainty.factors[f].name}:{item}" for f, item, _ in self.items]


def parse_uncertainty(scenario: Scenario) -> Uncertainty:
    """The scenario's ``uncertainty:`` section, checked (one-line :class:`ScenarioError`
    naming the file, the key path and the problem)."""
    file = scenario.source
    if not scenario.uncertainty:
        raise ScenarioError(
            file=file,
            message="uncertainty: missing; bestshore risk needs an uncertainty section "
            "(factors with their distributions, see bestshore.analysis.uncertainty)",
        )
    try:
        parsed = Uncertainty.model_validate(scenario.uncertainty)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = ".".join(str(p) for p in ("uncertainty", *first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        raise ScenarioError(
            file=file, message=f"{path}: {message} (got {first.get('input')!r})"
        ) from None
    names = [f.name for f in parsed.factors]
    duplicate = sorted({n for n in names if names.count(n) > 1})
    if duplicate:
        raise ScenarioError(
            file=file, message=f"uncertainty.factors: duplicate name {duplicate[0]!r}"
        )
    known = {
        "call_types": {c.id for c in scenario.call_types},
        "sites": {s.id for s in scenario.sites},
        "countries": {s.country for s in scenario.sites},
    }
    for number, factor in enumerate(parsed.factors):
        for key, valid in known.items():
            for value in getattr(factor, key) or []:
                if value not in valid:
                    raise ScenarioError(
                        file=file,
                        message=f"uncertainty.factors.{number}.{key}: {value!r} is not one of "
                        f"the scenario's {key.replace('_', ' ')} ({', '.join(sorted(valid))})",
                    )
    for number, pair in enumerate(parsed.correlations):
        for name in pair.factors:
            if name not in names:
                raise ScenarioError(
                    file=file,
                    message=f"uncertainty.correlations.{number}.factors: unknown factor "
                    f"{name!r} (factors: {', '.join(names)})",
                )
    return parsed


def _factor_sites(scenario: Scenario, factor: Factor) -> list[tuple[str, str]]:
    """(site id, country) of each site a rate, fx or shrinkage factor moves."""
    return [
        (s.id, s.country)
        for s in scenario.sites
        if (factor.sites is None or s.id in factor.sites)
        and (factor.countries is None or s.country in factor.countries)
    ]


def variates(scenario: Scenario, uncertainty: Uncertainty) -> Variates:
    """The variates of ``uncertainty`` on ``scenario`` and the Cholesky factor of their
    correlation matrix; a :class:`ScenarioError` when the correlations given are not a
    valid (positive semi-definite) matrix."""
    items: list[tuple[int, str, str]] = []
    for index, factor in enumerate(uncertainty.factors):
        if factor.parameter in ("volume", "aht"):
            ids = factor.call_types or [c.id for c in scenario.call_types]
            items += [(index, i, "all") for i in ids]
        elif factor.parameter == "fx":
            items.append((index, str(factor.currency), "all"))
        else:
            for site, country in _factor_sites(scenario, factor):
                group = country if factor.group_by == "country" else "all"
                items.append((index, site, group))
    size = len(items)
    matrix = np.eye(size)
    names = {f.name: i for i, f in enumerate(uncertainty.factors)}
    pairs = {
        frozenset((names[c.factors[0]], names[c.factors[1]])): c.rho
        for c in uncertainty.correlations
    }
    for a in range(size):
        for b in range(a + 1, size):
            (fa, _, ga), (fb, _, gb) = items[a], items[b]
            if fa == fb:
                rho = uncertainty.factors[fa].correlation if ga == gb else 0.0
            else:
                rho = pairs.get(frozenset((fa, fb)), 0.0)
            matrix[a, b] = matrix[b, a] = rho
    values, vectors = np.linalg.eigh(matrix)
    if values.min() < -1e-9:
        raise ScenarioError(
            file=scenario.source,
            message="uncertainty.correlations: the correlations given are not a valid correlation "
            f"matrix (smallest eigenvalue {values.min():.3g}); lower them",
        )
    # A PSD square root (a correlation of 1 makes the matrix singular: no plain Cholesky).
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    return Variates(uncertainty, items, root)


def draw_factors(variates_: Variates, seed: np.random.SeedSequence) -> np.ndarray:
    """One draw: the factor of each variate (in :attr:`Variates.items` order), from the
    Gaussian copula, with its own generator seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    z = variates_.cholesky @ rng.standard_normal(len(variates_.items))
    u = np.clip(
        np.array([NormalDist().cdf(float(v)) for v in z]), 1e-12, 1 - 1e-12
    )  # the copula's uniforms
    factors = np.empty(len(z))
    for index, factor in enumerate(variates_.uncertainty.factors):
        mask = np.array([f == index for f, _, _ in variates_.items], dtype=bool)
        if mask.any():
            factors[mask] = factor.distribution.quantile(u[mask])
    return factors


def _scale_price(site: dict[str, Any], factor: float, where: str) -> None:
    priced = False
    for key in ("cost_per_hour", "price_per_fte_month", "price_per_contact"):
        if site.get(key) is not None:
            site[key] = site[key] * factor
            priced = True
    if site.get("rates"):
        site["rates"] = {k: v * factor for k, v in site["rates"].items()}
        priced = True
    if not priced:
        raise ScenarioError(
            message=f"{where}: site {site['id']} has no price of its own (it takes its country's "
            "indicative cost); give it cost_per_hour to put a rate or fx factor on it",
        )


def apply_factors(scenario: Scenario, variates_: Variates, factors: np.ndarray) -> Scenario:
    """``scenario`` with each variate's factor applied (module docstring), validated."""
    from bestshore.scenario.loader import parse_scenario

    data = scenario.model_dump(warnings=False)
    call_types = {c["id"]: c for c in data["call_types"]}
    sites = {s["id"]: s for s in data["sites"]}
    default_shrinkage = data["settings"]["shrinkage"]
    for (index, item, _), value in zip(variates_.items, factors, strict=True):
        factor = variates_.uncertainty.factors[index]
        where = f"uncertainty.factors.{index} ({factor.name})"
        if factor.parameter == "volume":
            call_types[item]["volume"] *= value
        elif factor.parameter == "aht":
            call_types[item]["aht_seconds"] *= value
        elif factor.parameter == "rate":
            _scale_price(sites[item], value, where)
        elif factor.parameter == "fx":
            for site, _ in _factor_sites(scenario, factor):
                _scale_price(sites[site], value, where)
        else:
            own = sites[item].get("shrinkage")
            base = default_shrinkage if own is None else own
            sites[item]["shrinkage"] = min(base * value, _MAX_SHRINKAGE)
    if not math.isfinite(float(np.sum(factors))):
        raise ScenarioError("uncertainty: a draw gave a factor that is not finite")
    return parse_scenario(data, file=scenario.source)
