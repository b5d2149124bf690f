"""The scenario schema: every field a scenario file may carry, with its unit and default.

Units and conventions, written once (see also ``docs/scenario-format.md``):

- volumes are contacts per year; handle times (AHT) are seconds per contact;
- money is in the market's currency; rates are per *productive hour*, i.e. an hour an
  agent is logged in and available for the work (what vendors bill);
- shares and rates are fractions in [0, 1] (0.3 means 30 %);
- opening hours are written in the local time of whoever owns them: the market's time
  zone for call types, the site's country time zone for sites;
- languages are ISO 639-1 codes (``fr``), countries ISO 3166-1 alpha-2 (``FR``),
  proficiency a CEFR level ``A1`` < ``A2`` < ``B1`` < ``B2`` < ``C1`` < ``C2`` < ``native``;
  a site's level may be given spoken and written apart: voice and chat read the spoken
  level, the deferred channels (e-mail, mail, social) the written one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bestshore.scenario.errors import ScenarioError, show_value

__all__ = [
    "DEFAULT_RETENTION_MONTHS",
    "PROFICIENCY_ORDER",
    "CallType",
    "Channel",
    "DataClass",
    "HistoricalCost",
    "Jurisdiction",
    "LanguageLevels",
    "LanguageWindow",
    "Level",
    "LotWinners",
    "Market",
    "Objective",
    "Policies",
    "Proficiency",
    "Quality",
    "Scenario",
    "ServiceLevel",
    "Settings",
    "ShoreRule",
    "Site",
    "SiteProficiency",
    "Vendor",
    "VendorLimit",
]


class Level(StrEnum):
    """Kind of work: level 1, level 2 (escalation), back-office, multilingual desk."""

    N1 = "N1"
    N2 = "N2"
    BACK_OFFICE = "back_office"
    MULTILINGUAL = "multilingual"


class Channel(StrEnum):
    VOICE = "voice"
    EMAIL = "email"
    CHAT = "chat"
    MAIL = "mail"
    SOCIAL = "social"


class Proficiency(StrEnum):
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    NATIVE = "native"


PROFICIENCY_ORDER: dict[Proficiency, int] = {p: i for i, p in enumerate(Proficiency)}

# Recordings of a data class the policy does not list are kept this long [months]: the
# figure the seeds report for French practice (CNIL guidance on quality recordings).
DEFAULT_RETENTION_MONTHS = 6.0


class Jurisdiction(StrEnum):
    """Where a data class may be processed (GDPR chapter V)."""

    MARKET = "market"  # only in the market's own country
    EU_EEA = "eu_eea"  # EU/EEA member states
    ADEQUACY = "adequacy"  # countries with an EU adequacy decision
    SCC = "scc"  # any other country, under standard contractual clauses
    ANY = "any"  # no restriction (e.g. public data)


DataClass = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Shore = Literal["inshore", "nearshore", "offshore"]

# Limits on counts (a scenario past them is refused in one line naming the limit; real ones
# are far below: the demo has 6 call types and 13 sites, the largest benchmark 110 sites).
MAX_CALL_TYPES = 500
"""Most call types in a scenario."""
MAX_SITES = 1_000
"""Most candidate sites in a scenario."""
MAX_VENDORS = 500
"""Most vendors in a scenario."""
MAX_LANGUAGES = 50
"""Most languages in one language mix or one site's language list."""
MAX_ITEMS = 1_000
"""Most entries in any other list or mapping (rules, rate cards, floors, overrides)."""
MAX_TEXT = 200
"""Longest name, city or other short label [characters]."""
MAX_DESCRIPTION = 5_000
"""Longest free-text description [characters]."""
Label = Annotated[str, Field(max_length=MAX_TEXT)]

# Ranges of money figures [currency]: wide enough for any currency's unit (an hour of agent
# time costs about 20 EUR, 2,000 INR or 300,000 IDR), finite enough to keep the LP sound.
MAX_HOURLY_PRICE = 1e7
"""Highest price per productive hour [currency/h]."""
MAX_CONTACT_PRICE = 1e6
"""Highest price per contact [currency/contact]."""
MAX_ONE_OFF_PER_FTE = 1e9
"""Highest one-off or monthly cost per FTE [currency/FTE]."""
MAX_YEARLY_COST = 1e12
"""Highest yearly fixed cost [currency/yr]."""
MAX_VOLUME = 1e9
"""Most contacts per year of one call type [contacts/yr] (a billion)."""
MAX_FTE = 100_000.0
"""Most FTE or agents at one site [FTE]."""

# A weekly opening-hours spec: "24/7", or a mapping of day ranges to "HH:MM-HH:MM" windows
# (a list of windows for split shifts), e.g. {"mon-fri": "08:00-20:00", "sat": "09:00-13:00"}.
HoursSpec = str | dict[str, str | list[str]]


def _weekdays(window: str) -> HoursSpec:
    return {"mon-fri": window}


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=False, validate_assignment=True, allow_inf_nan=False
    )

    def __setattr__(self, name: str, value: Any) -> None:
        """Assignment is validated (``scenario.policies.max_vendor_share = 2``); a bad value
        raises one-line :class:`ScenarioError` naming the model, field and valid range,
        not pydantic's multi-line ValidationError."""
        fields = type(self).model_fields
        if name not in fields and not name.startswith("_"):
            close = difflib.get_close_matches(name, list(fields), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ScenarioError(f"{type(self).__name__}.{name}: unknown field{hint}")
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            raise _assignment_error(type(self), exc) from None


def _assignment_error(model: type[BaseModel], exc: ValidationError) -> ScenarioError:
    from bestshore.scenario.messages import describe  # it reads models as data, not this module

    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(p for p in first["loc"] if isinstance(p, int) or "[" not in p)
    message = describe(first, model, loc)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    field = ".".join(str(p) for p in (model.__name__, *loc))
    return ScenarioError(f"{field}: {message}")


class Market(_Model):
    """The customers' market: where the ordering party's customers live."""

    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code of the customers' country.")
    timezone: str | None = Field(
        None, description="IANA time zone of the market; default: the country's reference zone."
    )
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = Field(
        "EUR", description="ISO 4217 code every money figure in the scenario is written in."
    )
    name: Label | None = Field(None, description="Label for charts; default: the country name.")
    shore_overrides: dict[CountryCode, Shore] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="Shore of a site country when the derived rule does not fit, e.g. {EG: nearshore}.",
    )


class Roster(_Model):
    """How a site's agents are rostered: shift lengths and starts inside its opening hours.

    With a roster, agents work whole shifts (Dantzig's set-covering formulation of shift
    scheduling): every hour's requirement is covered by agents on shift, idle shift
    hours are paid, deferred work fills idle hours, and capacity and seats are measured
    on paid shift hours. Without one (the default), the plan is staffed hour by hour.
    """

    shift_hours: list[Annotated[int, Field(ge=1, le=12)]] = Field(
        default_factory=lambda: [4, 6, 8],
        min_length=1,
        description="Shift lengths allowed [h]; the longest is full time, shorter ones part time.",
    )
    start_every_hours: int = Field(
        1, ge=1, le=12, description="Shifts start on the hour, every this many hours [h]."
    )
    max_part_time_share: Share | None = Field(
        None,
        description="At most this share of the shifts may be shorter than the longest "
        "length [fraction of shifts]; default no cap.",
    )

    @field_validator("shift_hours")
    @classmethod
    def _distinct_lengths(cls, lengths: list[int]) -> list[int]:
        if len(set(lengths)) != len(lengths):
            raise ValueError(f"lengths given twice: {sorted(lengths)}")
        return sorted(lengths)


class Settings(_Model):
    """Workforce conventions shared by every site unless a site overrides them."""

    annual_hours_per_fte: float | None = Field(
        None,
        ge=100,
        le=3000,
        description="Paid hours per full-time equivalent per year [h/FTE/yr], 100 to 3000, for every site "
        "that gives none of its own. Default: each site's country figure, bundled in "
        "bestshore/data/countries.csv (e.g. 1607 h in France, 2023 h in Morocco; see "
        "SOURCES.md). Precedence: sites[].annual_hours_per_fte, then this, then the "
        "country's figure; a site with none of the three is an error.",
    )
    shrinkage: float = Field(
        0.30,
        ge=0,
        lt=0.9,
        description="Share of paid time not spent logged in (breaks, training, absence) [fraction], 0 to below 0.9.",
    )
    occupancy: float = Field(
        0.85,
        ge=0.1,
        le=1,
        description="Share of logged-in time spent handling contacts for real-time channels (voice, chat) [fraction], 0.1 to 1.",
    )
    async_utilisation: float = Field(
        1.0,
        ge=0.1,
        le=1,
        description="Share of logged-in time spent handling work for deferred channels (e-mail, mail, social) [fraction], 0.1 to 1.",
    )
    sizing: Literal["peak", "average"] | Annotated[int, Field(ge=1, le=12)] = Field(
        "peak",
        description="Week the allocation is decided and sized on: the peak month's (default), "
        "the average week, or a month number 1-12. Each month is then staffed at its own "
        "volume and the year costed as the sum of its months; a month busier than this week "
        "may exceed a capacity (reported as a warning).",
    )
    channel_blocking: float = Field(
        0.01,
        gt=0,
        lt=1,
        description="Share of voice calls that may find every channel of a site's platform "
        "busy (Erlang B grade of service) [fraction], above 0 to below 1.",
    )
    staffing_model: Literal["planning", "whole"] = Field(
        "planning",
        description="How real-time queues with a service goal are staffed: 'planning' "
        "(default) in planning agents, Erlang C interpolated between whole agents (a "
        "fraction is part of an hour; a rostered site's whole agents on shift cover the "
        "sum of its queues' agents each hour); 'whole' in whole agents per queue and hour "
        "(small scenarios are then solved step by step, exactly). 'loop' and 'milp', the "
        "names of earlier versions, read as 'planning' and 'whole'.",
    )
    interval_minutes: Literal[15, 30, 60] = Field(
        60,
        description="Length of the intervals service goals are met in [min]: 15, 30 or "
        "60 (default). Shifts and the plan stay hourly; an hour's agents must meet the "
        "goal in each of its intervals, whose calls follow each call type's within_hour "
        "shares (uniform by default, which makes every length give the same answer).",
    )
    peak_factor: float = Field(
        1.5,
        ge=1,
        le=10,
        description="A site without max_agents can staff at most this many times its average "
        "agents (weekly capacity spread over its open hours) in any one hour [-], 1 to 10.",
    )
    reference_week: dt.date = Field(
        dt.date(2026, 1, 12),
        description="Monday of the week used to convert opening hours between time zones (DST matters).",
    )

    roster: Roster | None = Field(
        None,
        description="Roster agents in whole shifts at every site paid by the hour or FTE "
        "(sites and vendors may override it); default none: staffed hour by hour.",
    )
    queue_opening: bool = Field(
        True,
        description="Each Erlang C queue a site opens pays its first agent: one binary per "
        "queue and site in the relaxation (a mixed-integer program), whose bound then sees "
        "that a crumb of a queue at a second site costs most of an agent; false: the "
        "convex envelopes alone (a linear program, faster, a looser bound). Default true.",
    )
    lagrangian_bound: bool = Field(
        True,
        description="After the relaxation, a second proven lower bound that prices each "
        "queue by its exact staffing (each demand unit's shares kept summing to 1, the "
        "rows coupling demand units moved into the objective with the LP's duals, each "
        "site's share in cells); the plan's bound is the larger. About 1.3 s on the demo; "
        "not for quick what-ifs nor rostered sites. Default true.",
    )
    lagrangian_steps: int = Field(
        0,
        ge=0,
        le=200,
        description="Subgradient steps on the Lagrangian bound's multipliers, from the LP's "
        "duals toward the accepted plan's cost (Polyak's step, each step evaluating the "
        "bound on coarser cells, the best multipliers then in full), 0 to 200; a fixed "
        "number, so the bound depends on the scenario alone. About 0.35 s a step and 1 s "
        "more on the demo, whose bound they hardly raise; 10 steps take demo-n2-nearshore's "
        "gap from 2.52 % to 2.15 % (docs/formulation.md). Default 0: none.",
    )
    pooled_hours_milp: bool = Field(
        True,
        description="In the Lagrangian bound, each call type's hour with a language pool "
        "also bounded by a small MILP on its exact staffing (each queue's load cut at its "
        "whole-agent corners, a line under the staffing on each piece), where the vertex "
        "bound puts the staffing over a concave minorant and loses what planning agents "
        "rise inside a step; the higher bound kept. The plan is then solved again with "
        "those hours' languages at the sites their MILPs use, and kept when cheaper. On "
        "the demo a bound 33,000 EUR higher and a plan 35,000 EUR cheaper (gap 1.96 % to "
        "1.10 %), for about 3.5 s more on 2 cores (docs/formulation.md). Default true.",
    )
    pool_languages: bool = Field(
        True,
        description="Skill pooling: at each site, the languages of one real-time call type "
        "with a service goal form one queue each hour, sized by Erlang C on their summed "
        "load (one group of agents, first come first served, every agent taking every "
        "pooled language at the call type's min_proficiency, which the site has for each "
        "language it takes); false: one queue per language. Default true. Precedence: "
        "sites[].pool_languages, then this.",
    )

    @field_validator("staffing_model", mode="before")
    @classmethod
    def _earlier_names(cls, value: object) -> object:
        if isinstance(value, str):
            return {"loop": "planning", "milp": "whole"}.get(value, value)
        return value

    @field_validator("reference_week")
    @classmethod
    def _monday(cls, value: dt.date) -> dt.date:
        if value.weekday() != 0:
            raise ValueError(f"must be a Monday, got {value.isoformat()} ({value:%A})")
        return value


class ServiceLevel(_Model):
    """Answer-time goal of a real-time queue: staffed by Erlang C hour by hour (Erlang A
    when callers abandon, ``patience_seconds``)."""

    target: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Share of calls answered within answer_seconds [fraction], above 0 and below 1.",
    )
    answer_seconds: float | None = Field(
        None, ge=1, le=3600, description="Answer-time threshold [s], 1 to 3600."
    )
    asa_seconds: float | None = Field(
        None,
        ge=1,
        le=3600,
        description="Average speed of answer goal, instead of target [s], 1 to 3600.",
    )

    patience_seconds: float | None = Field(
        None,
        ge=1,
        le=86400,
        description="Mean time a waiting caller holds on before hanging up (exponential "
        "patience) [s], 1 to 86400. With it the queue is staffed by Erlang A (callers "
        "abandon): the service level is then the share of offered calls answered within "
        "answer_seconds, the ASA the mean wait of all offered calls, the occupancy the "
        "carried load (abandoners removed) over the agents, and the abandonment rate is "
        "reported. Default: none, Erlang C (nobody abandons).",
    )
    max_abandon_rate: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Highest share of offered calls that may abandon, each interval "
        "[fraction], above 0 and below 1 (e.g. 0.05); an extra goal beside target or "
        "asa_seconds. Needs patience_seconds.",
    )

    @model_validator(mode="after")
    def _one_goal(self) -> ServiceLevel:
        by_target = self.target is not None and self.answer_seconds is not None
        if by_target == (self.asa_seconds is not None):
            raise ValueError("give target and answer_seconds (e.g. 0.8 and 20), or asa_seconds")
        if self.max_abandon_rate is not None and self.patience_seconds is None:
            raise ValueError(
                f"max_abandon_rate {self.max_abandon_rate:g} needs patience_seconds (the "
                "callers' mean patience, e.g. 120): without it nobody abandons (Erlang C)"
            )
        if (
            self.patience_seconds is not None
            and self.asa_seconds is not None
            and self.asa_seconds >= self.patience_seconds
        ):
            raise ValueError(
                f"asa_seconds {self.asa_seconds:g} is met by any staffing when callers hang "
                f"up after {self.patience_seconds:g} s on average (the mean wait is below "
                "the patience): give an asa_seconds below patience_seconds"
            )
        return self

    @property
    def erlang_a(self) -> bool:
        """Callers abandon: the queue is staffed by Erlang A."""
        return self.patience_seconds is not None


class LanguageWindow(_Model):
    """A language mix that replaces the call type's own in some hours (e.g. at night)."""

    hours: HoursSpec = Field(description="Market-time hours the mix applies to.")
    languages: dict[LanguageCode, Annotated[float, Field(gt=0, le=1)]] = Field(
        max_length=MAX_LANGUAGES,
        description="Share of the volume in each language in those hours [fraction], above 0 "
        f"to 1; sums to 1; at most {MAX_LANGUAGES} languages.",
    )

    @field_validator("languages")
    @classmethod
    def _sums_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        return _shares_sum_to_one(value)


def _shares_sum_to_one(value: dict[str, float]) -> dict[str, float]:
    if not value:
        raise ValueError("must list at least one language")
    total = sum(value.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"language shares must sum to 1, got {total:g}")
    return value


class CallType(_Model):
    """One kind of contact work, as the ordering party forecasts it."""

    id: Identifier = Field(description="Unique key, used in rate cards and results.")
    name: Label | None = Field(None, description=f"Human label (at most {MAX_TEXT} characters).")
    level: Level = Field(description="N1, N2, back_office or multilingual.")
    channel: Channel = Field(Channel.VOICE, description="Contact channel.")
    volume: float = Field(
        ge=0, le=MAX_VOLUME, description="Contacts per year [contacts/yr], 0 to 1e9."
    )
    aht_seconds: float = Field(
        ge=1, le=86400, description="Average handle time [s/contact], 1 to 86400 (a day)."
    )
    languages: dict[LanguageCode, Annotated[float, Field(gt=0, le=1)]] = Field(
        max_length=MAX_LANGUAGES,
        description="Share of the volume in each language [fraction], above 0 to 1; shares "
        f"sum to 1; at most {MAX_LANGUAGES} languages.",
    )
    min_proficiency: Proficiency = Field(
        Proficiency.C1, description="Lowest agent proficiency accepted in each language."
    )
    recording_rate: Share = Field(
        0.3,
        description="Share of voice contacts recorded (quality, disputes, evidence) [fraction]; "
        "capped by the site country's rule (policies.recording_caps); other channels: none.",
    )
    data_class: DataClass = Field(
        "personal", description="Key into policies.data_jurisdictions, e.g. public, personal."
    )
    max_sites: int | None = Field(
        None,
        ge=1,
        le=100,
        description="At most this many sites serve the call type [sites], 1 to 100; default no limit.",
    )
    single_team: bool = Field(
        False,
        description="One site serves the call type's whole opening window (max_sites 1): "
        "no cheap site taking the day and another the evenings.",
    )
    hours: HoursSpec = Field(
        default_factory=lambda: _weekdays("09:00-18:00"),
        description="Opening hours the service must be staffed, in market time ('24/7' or day -> window).",
    )

    arrival_profile: str | list[Annotated[float, Field(ge=0, le=1e9)]] | None = Field(
        None,
        description="Weekly arrival pattern in market time: a bundled profile name (n1_voice, n2, "
        "back_office, multilingual_24_7, flat), 168 hourly weights from Monday 00:00, or a CSV "
        "file of 168 weights (0 to 1e9 each) beside the scenario; default by level. Hours outside "
        "`hours` get none.",
    )
    seasonality: list[Annotated[float, Field(ge=0, le=1e9)]] | None = Field(
        None,
        min_length=12,
        max_length=12,
        description="Relative volume of each month, January first (12 weights, 0 to 1e9 "
        "each); default flat.",
    )
    service_level: ServiceLevel | None = Field(
        None,
        description="Voice and chat only: staff each hour by Erlang C for this goal (Erlang A "
        "with patience_seconds); without it, "
        "hours are sized at settings.occupancy.",
    )
    response_hours: float = Field(
        24.0,
        ge=0.25,
        le=24 * 14,
        description="Deferred channels only: every contact handled within this time [h], "
        "0.25 to 336 (two weeks).",
    )
    fcr_baseline: float | None = Field(
        None,
        ge=0.05,
        le=1,
        description="First-contact resolution the volume forecast assumes [fraction], 0.05 to "
        "1. With it, "
        "a site resolving fewer contacts first time handles more: volume x fcr_baseline / site FCR.",
    )
    hourly_languages: list[LanguageWindow] = Field(
        default_factory=list,
        max_length=168,
        description="Language mixes that replace `languages` in some hours (e.g. at night); "
        "at most 168.",
    )
    interval_minutes: Literal[15, 30, 60] | None = Field(
        None,
        description="Length of the intervals the service goal must be met in [min]: 15, "
        "30 or 60; default settings.interval_minutes. Shifts and the plan stay hourly: an "
        "hour's agents must meet the goal in each of its intervals.",
    )
    within_hour: list[Annotated[float, Field(ge=0, le=1)]] | None = Field(
        None,
        min_length=1,
        max_length=4,
        description="Share of each hour's calls arriving in each of its intervals, in "
        "order [fraction], 0 to 1 each, summing to 1; one share per interval (4 at 15 "
        "minutes, 2 at 30, 1 at 60). Default: uniform (then 15, 30 and 60-minute "
        "intervals need the same agents).",
    )

    @field_validator("languages")
    @classmethod
    def _languages_sum_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        return _shares_sum_to_one(value)

    @field_validator("seasonality")
    @classmethod
    def _some_volume(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and sum(value) <= 0:
            raise ValueError("at least one month must have volume")
        return value

    @field_validator("within_hour")
    @classmethod
    def _within_hour_sums_to_one(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and abs(sum(value) - 1.0) > 1e-6:
            raise ValueError(
                f"the shares of the hour's calls must sum to 1, got {sum(value):g}; e.g. "
                "[0.3, 0.25, 0.25, 0.2] for four 15-minute intervals"
            )
        return value

    @model_validator(mode="after")
    def _service_level_for_real_time(self) -> CallType:
        if self.service_level is not None and not self.real_time:
            raise ValueError(
                f"service_level applies to voice and chat; {self.channel} work uses response_hours"
            )
        return self

    @property
    def real_time(self) -> bool:
        """Voice and chat are answered while the customer waits; the rest can queue."""
        return self.channel in (Channel.VOICE, Channel.CHAT)


class LanguageLevels(_Model):
    """A site's proficiency in one language, spoken and written apart."""

    spoken: Proficiency = Field(description="Level for real-time work (voice, chat).")
    written: Proficiency = Field(description="Level for deferred work (e-mail, mail, social).")


def _one_or_two_levels(value: Any) -> str:
    return "[levels]" if isinstance(value, dict | LanguageLevels) else "[level]"


# One CEFR level for both, or {spoken: C2, written: B1}. The tags are bracketed so that
# the loader drops them from error paths, as it drops pydantic's own union member names.
SiteProficiency = Annotated[
    Annotated[Proficiency, Tag("[level]")] | Annotated[LanguageLevels, Tag("[levels]")],
    Discriminator(_one_or_two_levels),
]


class Quality(_Model):
    """Observed or contracted quality of a site (volume-weighted in results)."""

    csat: float | None = Field(None, ge=0, le=100, description="Customer satisfaction [0-100].")
    fcr: float | None = Field(None, ge=0, le=1, description="First-contact resolution [fraction].")
    nps: float | None = Field(None, ge=-100, le=100, description="Net promoter score [-100..100].")


class Site(_Model):
    """A contact centre that can take work: a vendor's site or an in-house one."""

    id: Identifier = Field(description="Unique key.")
    name: Label | None = Field(None, description=f"Human label (at most {MAX_TEXT} characters).")
    vendor: Identifier | None = Field(
        None, description="Key of the vendor owning the site; omit (or null) for in-house."
    )
    country: CountryCode = Field(
        description="ISO 3166-1 alpha-2 code; must be in the reference data."
    )
    city: Label = Field(description=f"City, for maps and reports (at most {MAX_TEXT} characters).")
    lat: float | None = Field(
        None, ge=-90, le=90, description="Latitude [deg]; default: country's."
    )
    lon: float | None = Field(
        None, ge=-180, le=180, description="Longitude [deg]; default: country's."
    )
    languages: dict[LanguageCode, SiteProficiency] = Field(
        max_length=MAX_LANGUAGES,
        description=f"At most {MAX_LANGUAGES}. "
        "Languages the site's agents work in, with their proficiency: one level "
        "for both (fr: native), or spoken and written apart (nl: {spoken: C1, written: B2}). "
        "Voice and chat read the spoken level; e-mail, mail and social the written one.",
    )
    call_types: list[Identifier] | None = Field(
        None,
        min_length=1,
        max_length=MAX_CALL_TYPES,
        description="Call types the site offers, by id; default: all. A site takes no work of "
        "a call type it does not offer.",
    )
    capacity_fte: float | None = Field(
        None,
        ge=0,
        le=MAX_FTE,
        description="Most full-time equivalents the site can staff for this client [FTE], "
        "0 to 100,000.",
    )
    capacity_hours: float | None = Field(
        None,
        ge=0,
        le=MAX_FTE * 3000,
        description="Most productive hours per year the site can deliver [h/yr], 0 to 3e8.",
    )
    cost_per_hour: float | None = Field(
        None,
        ge=0,
        le=MAX_HOURLY_PRICE,
        description="Price per productive hour [currency/h], 0 to 1e7; default: the country's "
        "indicative cost.",
    )
    rates: dict[Identifier, Annotated[float, Field(ge=0, le=MAX_HOURLY_PRICE)]] = Field(
        default_factory=dict,
        max_length=MAX_CALL_TYPES,
        description="Rate card: price per productive hour by call type id [currency/h], 0 to 1e7.",
    )
    price_per_fte_month: float | None = Field(
        None,
        ge=0,
        le=MAX_ONE_OFF_PER_FTE,
        description="Offer priced per full-time agent per month [currency/FTE-month], 0 to 1e9, instead "
        "of cost_per_hour: converted to a price per productive hour through the site's "
        "paid hours per FTE and shrinkage (12 x price / (annual hours x (1 - shrinkage))).",
    )
    price_per_contact: float | None = Field(
        None,
        ge=0,
        le=MAX_CONTACT_PRICE,
        description="Offer priced per handled contact, repeat contacts included "
        "[currency/contact], 0 to 1e6, instead of by the hour: the vendor carries staffing, idle time "
        "and pay premiums, so the plan pays volume x price whatever the agents needed.",
    )
    hours: HoursSpec = Field(
        default_factory=lambda: _weekdays("08:00-20:00"),
        description="Opening hours in the site's local time ('24/7' or day -> window).",
    )
    timezone: str | None = Field(
        None, description="IANA zone; default: the country's reference zone."
    )
    shrinkage: float | None = Field(
        None, ge=0, lt=0.9, description="Overrides settings.shrinkage [fraction], 0 to below 0.9."
    )
    annual_hours_per_fte: float | None = Field(
        None,
        ge=100,
        le=3000,
        description="Paid hours per FTE per year at this site [h/FTE/yr], 100 to 3000; overrides "
        "settings.annual_hours_per_fte and the country's bundled figure. Needed where "
        "neither exists.",
    )
    fixed_cost: float = Field(
        0.0,
        ge=0,
        le=MAX_YEARLY_COST,
        description="Yearly cost of opening or keeping this site for the client (set-up "
        "annualised, dedicated team leads, telecoms), paid if it takes any work "
        "[currency/yr], 0 to 1e12.",
    )
    night_premium: float = Field(
        0.0,
        ge=0,
        le=3,
        description="Extra pay for hours 22:00-06:00 local [fraction of the rate], 0 to 3.",
    )
    weekend_premium: float = Field(
        0.0,
        ge=0,
        le=3,
        description="Extra pay for Saturday and Sunday hours, local [fraction], 0 to 3.",
    )
    max_agents: float | None = Field(
        None,
        ge=0,
        le=MAX_FTE,
        description="Seats: most agents logged in at once for this client [agents], 0 to "
        "100,000; default "
        "settings.peak_factor x weekly capacity / open hours.",
    )
    channels: int | None = Field(
        None,
        ge=0,
        le=1_000_000,
        description="Telephony platform: concurrent voice calls it carries, in talk and in "
        "queue [channels], 0 to 1,000,000; sized with Erlang B at "
        "settings.channel_blocking; default none: no platform limit.",
    )
    setup_cost_per_fte: float = Field(
        0.0,
        ge=0,
        le=MAX_ONE_OFF_PER_FTE,
        description="One-off cost of each FTE the plan adds at this site beyond the incumbent "
        "FTE (recruiting, 5 days to 3 weeks of initial training, ramp-up to autonomy) "
        "[currency/FTE], 0 to 1e9; spread over objective.amortization_years.",
    )
    transition_cost_per_fte: float = Field(
        0.0,
        ge=0,
        le=MAX_ONE_OFF_PER_FTE,
        description="One-off cost of each incumbent FTE of a call type the plan moves away "
        "from this site (knowledge transfer, parallel running, exit or redundancy) "
        "[currency/FTE], 0 to 1e9; needs `incumbent`; spread over objective.amortization_years.",
    )
    quality: Quality = Field(default_factory=Quality, description="Site-level quality scores.")
    quality_by_call_type: dict[Identifier, Quality] = Field(
        default_factory=dict,
        max_length=MAX_CALL_TYPES,
        description="Scores of one call type at this site, by call type id; a score given "
        "here replaces the site-level one for that call type (a site may resolve N1 well "
        "and N2 poorly). The vendor's bonus/malus stays on the site-level CSAT.",
    )
    roster: Roster | None = Field(
        None, description="This site's shifts; overrides the vendor's and settings.roster."
    )
    pool_languages: bool | None = Field(
        None,
        description="Overrides settings.pool_languages at this site: its agents take the "
        "languages of a call type as one group (true) or one queue per language (false).",
    )
    min_team_fte: float | None = Field(
        None,
        gt=0,
        le=1000,
        description="Overrides policies.min_team_fte at this site [FTE], above 0 to 1000.",
    )
    min_call_type_team_fte: float | None = Field(
        None,
        gt=0,
        le=1000,
        description="Overrides policies.min_call_type_team_fte at this site [FTE], above 0 to 1000.",
    )
    shore: Shore | None = Field(None, description="Forces the site's shore, overriding the rule.")

    def proficiency(self, language: str, *, written: bool) -> Proficiency | None:
        """The site's level in ``language`` for written or spoken work; None if it lacks it."""
        level = self.languages.get(language)
        if isinstance(level, LanguageLevels):
            return level.written if written else level.spoken
        return level

    @model_validator(mode="after")
    def _one_price(self) -> Site:
        given = [
            name
            for name in ("cost_per_hour", "price_per_fte_month", "price_per_contact")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(f"give one pricing model, not {' and '.join(given)}")
        if self.price_per_contact is not None and self.rates:
            raise ValueError("rates are per productive hour; a site priced per contact has none")
        return self

    @model_validator(mode="after")
    def _one_capacity(self) -> Site:
        if self.capacity_fte is None and self.capacity_hours is None:
            raise ValueError("give capacity_fte or capacity_hours")
        if self.capacity_fte is not None and self.capacity_hours is not None:
            raise ValueError("give capacity_fte or capacity_hours, not both")
        return self


class VolumeDiscount(_Model):
    """One tier of a vendor's volume discount ("all units": the whole bill falls)."""

    from_contacts: float = Field(
        gt=0,
        le=10 * MAX_VOLUME,
        description="Yearly contacts handled by the vendor, repeats included, from which "
        "the tier applies [contacts/yr], above 0 to 1e10.",
    )
    discount: float = Field(
        gt=0,
        lt=1,
        description="Cut on the vendor's whole bill once the tier is reached [fraction], "
        "above 0 and below 1.",
    )


class QualityIncentive(_Model):
    """Bonus/malus on a vendor's bill by each site's CSAT against a target."""

    csat_target: float = Field(ge=0, le=100, description="CSAT the contract aims at [points].")
    bonus_per_point: float = Field(
        0.0, ge=0, le=0.2, description="Bill increase per CSAT point above target [fraction]."
    )
    malus_per_point: float = Field(
        0.0, ge=0, le=0.2, description="Bill decrease per CSAT point below target [fraction]."
    )
    cap: float = Field(
        0.1, ge=0, le=0.5, description="Most bonus or malus on a site's bill [fraction]."
    )


class Commitment(_Model):
    """A minimum volume the client commits to give a vendor."""

    contacts: float = Field(
        gt=0,
        le=10 * MAX_VOLUME,
        description="Yearly contacts committed to the vendor, repeats included "
        "[contacts/yr], above 0 to 1e10.",
    )
    shortfall_price: float | None = Field(
        None,
        ge=0,
        le=MAX_CONTACT_PRICE,
        description="Take-or-pay: paid for each committed contact not given "
        "[currency/contact], 0 to 1e6; "
        "omit for a hard minimum every plan must meet.",
    )


class Vendor(_Model):
    """An outsourcer (fictional names in bundled demo data)."""

    id: Identifier = Field(description="Unique key, referred to by sites.")
    name: Label | None = Field(None, description=f"Human label (at most {MAX_TEXT} characters).")
    max_share: Share | None = Field(
        None,
        description="Most share of all the work (handle hours) this vendor may take [fraction].",
    )
    fixed_cost: float = Field(
        0.0,
        ge=0,
        le=MAX_YEARLY_COST,
        description="Yearly cost of having this vendor on the panel at all (account management, "
        "audits, SCC compliance), paid if it takes any work [currency/yr], 0 to 1e12.",
    )
    quality_incentive: QualityIncentive | None = Field(
        None,
        description="Bonus/malus: each of the vendor's sites is billed 1 + bonus (CSAT above "
        "target) or 1 - malus (below), per point, within the cap; sites without CSAT: 1.",
    )
    commitment: Commitment | None = Field(
        None, description="Minimum volume commitment (hard, or take-or-pay with a shortfall price)."
    )
    volume_discounts: list[VolumeDiscount] = Field(
        default_factory=list,
        max_length=100,
        description="Volume tiers, thresholds rising: past a threshold the vendor's whole bill "
        "(hourly and per-contact prices, not fixed costs) falls by the tier's discount.",
    )
    roster: Roster | None = Field(
        None, description="Shifts at this vendor's sites; overrides settings.roster."
    )

    @model_validator(mode="after")
    def _tiers_rise(self) -> Vendor:
        tiers = self.volume_discounts
        for lower, upper in itertools.pairwise(tiers):
            if upper.from_contacts <= lower.from_contacts or upper.discount <= lower.discount:
                raise ValueError("volume_discounts: thresholds and discounts must both rise")
        return self


class ShoreRule(_Model):
    """Restrict some work to some shores, e.g. keep N2 inshore."""

    levels: list[Level] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Levels the rule applies to."
    )
    call_types: list[Identifier] = Field(
        default_factory=list,
        max_length=MAX_CALL_TYPES,
        description="Call type ids the rule applies to.",
    )
    shores: list[Shore] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Shores allowed for that work."
    )

    @model_validator(mode="after")
    def _targets(self) -> ShoreRule:
        if not self.levels and not self.call_types:
            raise ValueError("name the levels or call_types the rule applies to")
        return self


def _default_jurisdictions() -> dict[str, list[Jurisdiction]]:
    return {
        "public": [Jurisdiction.ANY],
        "personal": [Jurisdiction.EU_EEA, Jurisdiction.ADEQUACY, Jurisdiction.SCC],
        "sensitive_financial": [Jurisdiction.EU_EEA, Jurisdiction.ADEQUACY],
    }


class PreferredVendor(_Model):
    """A preferred partner and the least share of the work it must receive."""

    vendor: Identifier = Field(description="Vendor id.")
    min_share: Share = Field(description="Least share of all the work (handle hours) [fraction].")


class LotWinners(_Model):
    """How many vendors win each lot of the tender (a lot: a call type in one language).

    In-house sites are not vendors: they are not counted, and their work does not count
    towards a vendor's share of a lot.
    """

    max: int | None = Field(
        None, ge=1, le=100, description="Most vendors taking work in each lot [vendors], 1 to 100."
    )
    min: int | None = Field(
        None,
        ge=1,
        le=100,
        description="Fewest vendors each taking at least min_share of each lot's work "
        "[vendors], 1 to 100.",
    )
    min_share: Share = Field(
        0.05,
        description="Least share of a lot's work (handle hours) a vendor counted in min "
        "takes [fraction].",
    )
    call_types: list[Identifier] = Field(
        default_factory=list,
        max_length=MAX_CALL_TYPES,
        description="Call type ids whose lots the rule applies to; empty: every lot.",
    )

    @model_validator(mode="after")
    def _bounds(self) -> LotWinners:
        if self.max is None and self.min is None:
            raise ValueError("give max, min or both")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        if self.min is not None and self.min * self.min_share > 1 + 1e-9:
            raise ValueError(
                f"min {self.min} vendors each taking min_share {self.min_share:g} of a lot "
                "need more than the whole lot; lower min or min_share"
            )
        return self


class VendorLimit(_Model):
    """Least and most a vendor, or a group of vendors, takes: a share of the work, a spend,
    or a share of the spend.

    Spend is the bill for the work as the objective prices it: productive hours at the
    site's price (FTE-month prices converted), contacts at a price per contact, night and
    weekend premiums and bonus/malus included; before volume discounts, and without fixed,
    set-up, transition or take-or-pay costs. Shares of the spend are of the whole plan's
    bill for the work, in-house sites included.
    """

    vendor: Identifier | None = Field(None, description="A vendor id (or give group).")
    group: Identifier | None = Field(
        None, description="A group of policies.vendor_groups (or give vendor)."
    )
    min_share: Share | None = Field(
        None, description="Least share of all the work (handle hours) [fraction]."
    )
    max_share: Share | None = Field(
        None, description="Most share of all the work (handle hours) [fraction]."
    )
    min_spend: float | None = Field(
        None,
        ge=0,
        le=MAX_YEARLY_COST,
        description="Least yearly bill for the work [currency/yr], 0 to 1e12.",
    )
    max_spend: float | None = Field(
        None,
        ge=0,
        le=MAX_YEARLY_COST,
        description="Most yearly bill for the work [currency/yr], 0 to 1e12.",
    )
    min_spend_share: Share | None = Field(
        None, description="Least share of the plan's bill for the work [fraction]."
    )
    max_spend_share: Share | None = Field(
        None, description="Most share of the plan's bill for the work [fraction]."
    )

    @model_validator(mode="after")
    def _one_target_some_bound(self) -> VendorLimit:
        if (self.vendor is None) == (self.group is None):
            raise ValueError("give vendor or group (one of them)")
        bounds = ("share", "spend", "spend_share")
        if all(getattr(self, f"{e}_{b}") is None for b in bounds for e in ("min", "max")):
            raise ValueError(
                "give at least one of min_share, max_share, min_spend, max_spend, "
                "min_spend_share, max_spend_share"
            )
        for bound in bounds:
            low, high = getattr(self, f"min_{bound}"), getattr(self, f"max_{bound}")
            if low is not None and high is not None and low > high:
                raise ValueError(f"min_{bound} ({low:g}) is above max_{bound} ({high:g})")
        return self

    @property
    def target(self) -> str:
        """The vendor or group id the limit is on."""
        return str(self.vendor if self.vendor is not None else self.group)


class HistoricalCost(_Model):
    """What one lot costs today: a price per contact, or a yearly cost (give one)."""

    price_per_contact: float | None = Field(
        None,
        ge=0,
        le=MAX_CONTACT_PRICE,
        description="Today's all-in cost of one forecast contact of the lot "
        "[currency/contact], 0 to 1e6; times the lot's volume, today's yearly cost.",
    )
    annual_cost: float | None = Field(
        None,
        ge=0,
        le=MAX_YEARLY_COST,
        description="Today's yearly cost of the lot's work [currency/yr], 0 to 1e12.",
    )
    source: Label | None = Field(
        None,
        description=f"Where the figure comes from, e.g. 2024 invoices (at most {MAX_TEXT} "
        "characters).",
    )

    @model_validator(mode="after")
    def _one_figure(self) -> HistoricalCost:
        if (self.price_per_contact is None) == (self.annual_cost is None):
            raise ValueError("give price_per_contact or annual_cost (one of them)")
        return self


class Policies(_Model):
    """The ordering party's rules."""

    max_vendor_share: Share | None = Field(
        None,
        description="Most share of all the work (handle hours) any one vendor may take [fraction].",
    )
    excluded_vendors: list[Identifier] = Field(
        default_factory=list,
        max_length=MAX_VENDORS,
        description="Vendors that may take no work (e.g. barred after a data incident).",
    )
    preferred_vendor: PreferredVendor | None = Field(
        None, description="A partner that must take at least a share of all the work."
    )
    max_vendors: int | None = Field(
        None,
        ge=1,
        le=100,
        description="Most vendors on the panel (in-house not counted) [vendors], 1 to 100.",
    )
    min_vendors: int | None = Field(
        None,
        ge=1,
        le=100,
        description="Fewest vendors on the panel, each taking at least panel_min_share "
        "[vendors], 1 to 100.",
    )
    panel_min_share: Share = Field(
        0.05,
        description="Least share of the work a vendor counted in min_vendors takes [fraction].",
    )
    lot_winners: LotWinners | None = Field(
        None,
        description="How many vendors win each lot (call type x language): at most max, at "
        "least min each taking min_share of the lot; in-house not counted.",
    )
    max_lot_share: Share | None = Field(
        None,
        description="Most share of any one lot's work (handle hours) a vendor may take [fraction].",
    )
    vendor_groups: dict[
        Identifier, Annotated[list[Identifier], Field(min_length=1, max_length=MAX_VENDORS)]
    ] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="Named groups of vendor ids for vendor_limits, e.g. {new: [gamma, delta]}.",
    )
    vendor_limits: list[VendorLimit] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Least and most a vendor or a group takes: share of the work, spend "
        "[currency/yr] or share of the spend; one entry per vendor or group.",
    )
    max_site_share: Share | None = Field(
        None, description="Most share of all the work any one site may take [fraction]."
    )
    max_country_share: Share | None = Field(
        None, description="Most share of all the work any one country may take [fraction]."
    )
    max_shore_share: dict[Shore, Share] = Field(
        default_factory=dict,
        max_length=3,
        description="Most share of all the work per shore, e.g. {offshore: 0.4} [fraction].",
    )
    min_inshore_share: Share | None = Field(
        None, description="Least share of all the work kept inshore [fraction]."
    )
    min_sites_per_call_type: int | None = Field(
        None,
        ge=2,
        le=20,
        description="Resilience: no site takes more than 1/k of any call type's work, so at "
        "least k sites serve each one [sites], 2 to 20.",
    )
    min_team_fte: float | None = Field(
        None,
        gt=0,
        le=1000,
        description="A site takes work only with a team of at least this many FTE of work "
        "(handle hours, repeats included, over its productive hours per FTE); smaller "
        "teams are not opened. Sites may set their own [FTE], above 0 to 1000.",
    )
    min_call_type_team_fte: float | None = Field(
        None,
        gt=0,
        le=1000,
        description="A site takes a call type only with a team of at least this many FTE "
        "of work on it (as min_team_fte); sites may set their own [FTE], above 0 to 1000.",
    )
    capacity_headroom: float | None = Field(
        None,
        ge=0,
        lt=1,
        description="Share of every site's capacity kept spare [fraction], 0 to below 1.",
    )
    keep_todays_split: bool = Field(
        False,
        description="Keep today's split of the work: each site takes the share of each call "
        "type's work (handle hours) that its FTE in `incumbent` are of that call type's "
        "incumbent FTE; call types with no incumbent FTE are placed freely. Prices today's "
        "allocation with the plan's own staffing and costs (what the savings against today "
        "are measured from). Needs `incumbent`.",
    )
    quality_floors: dict[Identifier, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=dict,
        max_length=MAX_CALL_TYPES,
        description="Least volume-weighted site CSAT per call type id, e.g. {n2: 80} [0-100].",
    )
    quality_gates: dict[Identifier, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=dict,
        max_length=MAX_CALL_TYPES,
        description="Least CSAT a site must report to take any of a call type, per call type "
        "id, e.g. {n2_escalation: 80} [0-100]: the site's score for the call type "
        "(sites[].quality_by_call_type), else its site-level CSAT; a site reporting none is "
        "shut out. Unlike quality_floors (an average over the plan), each site must pass.",
    )
    nps_floors: dict[Identifier, Annotated[float, Field(ge=-100, le=100)]] = Field(
        default_factory=dict,
        max_length=MAX_CALL_TYPES,
        description="Least volume-weighted NPS per call type id, e.g. {retention: 20} "
        "[-100..100]; sites reporting no NPS count as -100.",
    )
    shore_rules: list[ShoreRule] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description=f"Work that may only go to some shores; at most {MAX_ITEMS:,} rules.",
    )
    data_jurisdictions: dict[DataClass, list[Jurisdiction]] = Field(
        default_factory=_default_jurisdictions,
        max_length=MAX_ITEMS,
        description="For each data class, where it may be processed (any of the listed); "
        "classes not given keep their defaults.",
    )

    recording_caps: dict[CountryCode, Share] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="Most share of calls a site in each country may record [fraction], from "
        "the client's legal review; countries not listed: no cap (bestshore ships no legal "
        "figures for recording).",
    )
    recording_retention_months: dict[DataClass, Annotated[float, Field(ge=0, le=1200)]] = Field(
        default_factory=lambda: {"sensitive_financial": 60.0},
        max_length=MAX_ITEMS,
        description="Months recordings are kept, per data class [months], 0 to 1200 (a "
        "century); classes not given "
        "keep 6; by default sensitive_financial keeps 60 (5 years, banking evidence).",
    )
    recording_storage_price: float = Field(
        0.0,
        ge=0,
        le=MAX_CONTACT_PRICE,
        description="Storing one hour of recorded calls for one month [currency/(h x month)], "
        "0 to 1e6 (per GB-month prices: divide by the GB an hour of audio takes); 0: "
        "recordings not priced.",
    )
    scc_compliance_cost: float = Field(
        0.0,
        ge=0,
        le=MAX_YEARLY_COST,
        description="Yearly cost of each country that receives restricted data only under "
        "standard contractual clauses (transfer impact assessment, audits, legal) "
        "[currency/yr per country], 0 to 1e12; paid once per such country used.",
    )
    scc_compliance_costs: dict[CountryCode, Annotated[float, Field(ge=0, le=MAX_YEARLY_COST)]] = (
        Field(
            default_factory=dict,
            max_length=MAX_ITEMS,
            description="Per-country overrides of scc_compliance_cost [currency/yr], 0 to 1e12.",
        )
    )

    @field_validator("data_jurisdictions")
    @classmethod
    def _keep_default_classes(
        cls, value: dict[str, list[Jurisdiction]]
    ) -> dict[str, list[Jurisdiction]]:
        return {**_default_jurisdictions(), **value}


class Objective(_Model):
    """What the optimization minimizes."""

    minimize: Literal["cost"] = Field("cost", description="Annual cost of the plan.")
    csat_point_value: float = Field(
        0.0,
        ge=0,
        le=MAX_CONTACT_PRICE,
        description="Money one CSAT point is worth per contact handled: the objective trades "
        "cost against quality at this rate [currency/point/contact], 0 to 1e6.",
    )
    time_limit_seconds: float | None = Field(
        None,
        ge=1e-6,
        le=7 * 86400,
        description="Solver time limit [s], 1e-6 (stop at once: the first plan found) to "
        "604800 (a week).",
    )
    gap_tolerance: float = Field(
        1e-4,
        ge=1e-9,
        le=0.5,
        description="Relative gap under which a plan is reported optimal: its cost is proven "
        "within this fraction of the best possible plan's; also where the MILP solver stops "
        "[fraction], 1e-9 to 0.5 (default 1e-4: 0.01 %).",
    )
    amortization_years: float = Field(
        3.0,
        gt=0,
        le=30,
        description="Years one-off costs (set-up and training of new FTE, transition) are "
        "spread over in the annual cost: the contract term [yr], above 0 to 30.",
    )


# The shape of a sensitivity range, KIND[:TARGET][@C1+C2]=LOW,HIGH (each change with its
# unit); bestshore.analysis.sensitivity.parse_range reads it and checks the rest.
_RANGE = re.compile(
    r"^(rate|fx|volume|aht|shrinkage)(:[A-Za-z0-9_.\-]+)?(@[A-Z]{2}(\+[A-Z]{2})*)?="
    r"\s*[+-]?\d+(\.\d+)?(%|pt)\s*,\s*[+-]?\d+(\.\d+)?(%|pt)\s*$"
)


def _range_shape(text: str) -> str:
    if not _RANGE.match(text):
        raise ValueError(
            f"{text!r} is not a range: write PARAMETER=LOW,HIGH with a rate, fx, volume, "
            "aht or shrinkage parameter, e.g. rate:MA=-20%,+20%, fx:MAD@MA=-10%,+10%, "
            "shrinkage=-5pt,+5pt"
        )
    return text


SensitivityRange = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_range_shape)]


class Sensitivity(_Model):
    """A one-at-a-time sensitivity study of the annual cost, kept with the scenario so the
    study is reproducible from the file: `bestshore sensitivity` runs these ranges when
    given no `--range`."""

    ranges: list[SensitivityRange] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="The parameters moved one at a time, each written PARAMETER=LOW,HIGH as "
        "`bestshore sensitivity --range` takes it, e.g. rate:MA=-20%,+20%. PARAMETER is "
        "rate:COUNTRY or rate:SITE (the sites' prices x (1 + change)), fx:CURRENCY@COUNTRY "
        "(the currency's value for that country's sites; more countries joined by +, "
        "fx:EUR@PT+ES), volume or volume:CALL_TYPE, aht or aht:CALL_TYPE (changes in %, "
        "e.g. -10%,+10%), shrinkage, shrinkage:COUNTRY or shrinkage:SITE (changes in "
        "percentage points, e.g. -5pt,+5pt); LOW below HIGH; each target one of the "
        "scenario's, each parameter once. 1 to 1,000 ranges.",
    )


class Scenario(_Model):
    """A complete sourcing question: market, work, candidate sites, vendors, rules."""

    name: Label = Field(
        description=f"Short name, shown in reports (at most {MAX_TEXT} characters)."
    )
    description: Annotated[str, Field(max_length=MAX_DESCRIPTION)] | None = Field(
        None, description=f"What the scenario is about (at most {MAX_DESCRIPTION:,} characters)."
    )
    base: str | None = Field(
        None, description="Path of a base scenario (relative to this file) this one overrides."
    )
    market: Market
    settings: Settings = Field(default_factory=Settings)
    call_types: list[CallType] = Field(
        min_length=1,
        max_length=MAX_CALL_TYPES,
        description=f"The work to place: 1 to {MAX_CALL_TYPES} call types.",
    )
    sites: list[Site] = Field(
        min_length=1,
        max_length=MAX_SITES,
        description=f"Candidate sites: 1 to {MAX_SITES:,}.",
    )
    vendors: list[Vendor] = Field(
        default_factory=list,
        max_length=MAX_VENDORS,
        description=f"Outsourcers owning sites: at most {MAX_VENDORS}.",
    )
    policies: Policies = Field(default_factory=Policies)
    objective: Objective = Field(default_factory=Objective)
    incumbent: dict[
        Identifier,
        Annotated[
            dict[Identifier, Annotated[float, Field(ge=0, le=MAX_FTE)]],
            Field(max_length=MAX_CALL_TYPES),
        ],
    ] = Field(
        default_factory=dict,
        max_length=MAX_SITES,
        description="Today's allocation: FTE per site id and call type id, e.g. "
        "{poitiers: {n1: 40, n2: 12}} [FTE], 0 to 100,000 each. New FTE beyond it pay the site's "
        "setup_cost_per_fte, FTE moved away from it its transition_cost_per_fte.",
    )

    history: dict[Identifier, HistoricalCost] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="Today's cost per lot (call type id and language code, e.g. n1.fr), for "
        "the savings of a tender's award (bestshore rfp); the solve ignores it.",
    )

    uncertainty: dict[str, Any] | None = Field(
        None,
        description="Monte Carlo uncertainty for `bestshore risk`: distributions on volumes, "
        "AHT, rates, FX and shrinkage, with their correlations. Read and checked by "
        "bestshore.analysis.uncertainty (its own format, see that module); solve ignores it.",
    )

    sensitivity: Sensitivity | None = Field(
        None,
        description="The ranges `bestshore sensitivity` studies when given no --range "
        "(default: +-10 % on each country's rates, volume and AHT, +-5 points of "
        "shrinkage); solve ignores it.",
    )

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file the scenario was loaded from, if any (for messages and relative paths).

        Set by validation from the context's ``source`` (the loader's file); copies
        (``model_copy``) keep it.
        """
        return self._source

    @model_validator(mode="after")
    def _keep_source(self, info: ValidationInfo) -> Scenario:
        source = (info.context or {}).get("source")
        self._source = Path(source) if source is not None else None
        return self

    def revalidated(self) -> Scenario:
        """This scenario validated again as if loaded, with the same source.

        A scenario changed in code since loading (``scenario.policies.max_site_share =
        0.5``) is checked like a file: a bad value raises one :class:`ScenarioError`
        naming the field, cross-references included.
        """
        from bestshore.scenario.loader import parse_scenario  # the loader imports this module

        # A list or dict changed in place may hold anything (a string where a site was):
        # dumped as it is, without pydantic's serializer warnings, then validated.
        return parse_scenario(self.model_dump(warnings=False), file=self.source)

    @field_validator("call_types", "sites", "vendors")
    @classmethod
    def _unique_ids(cls, items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"duplicate id {item.id!r}")
            seen.add(item.id)
        return items

    def roster_of(self, site: Site) -> Roster | None:
        """The roster a site works under: its own, else its vendor's, else the settings'.

        None for a site paid per contact (the vendor staffs it) or without any roster.
        """
        if site.price_per_contact is not None:
            return None
        vendor = next((v for v in self.vendors if v.id == site.vendor), None)
        return site.roster or (vendor.roster if vendor else None) or self.settings.roster

    def pools_languages(self, site: Site) -> bool:
        """Whether a site pools the languages of each call type (its own
        ``pool_languages``, else the settings')."""
        if site.pool_languages is not None:
            return site.pool_languages
        return self.settings.pool_languages

    def minimum_teams(self, site: Site) -> tuple[float | None, float | None]:
        """A site's minimum team and minimum call-type team [FTE of work]: its own, else
        the policies' (None where neither is set)."""
        policies = self.policies
        whole = site.min_team_fte if site.min_team_fte is not None else policies.min_team_fte
        own = site.min_call_type_team_fte
        return whole, own if own is not None else policies.min_call_type_team_fte

    def call_type(self, call_type_id: str) -> CallType:
        """The call type with this id; a :class:`ScenarioError` naming the known ids if none."""
        found = next((c for c in self.call_types if c.id == call_type_id), None)
        if found is None:
            raise _unknown("call type", call_type_id, [c.id for c in self.call_types])
        return found

    def site(self, site_id: str) -> Site:
        """The site with this id; a :class:`ScenarioError` naming the known ids if none."""
        found = next((s for s in self.sites if s.id == site_id), None)
        if found is None:
            raise _unknown("site", site_id, [s.id for s in self.sites])
        return found


def _unknown(kind: str, key: object, known: list[str]) -> ScenarioError:
    """ "unknown call type 'x' (did you mean 'n1'? call types: n1, n2)"."""
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
    return ScenarioError(f"unknown {kind} {show_value(key)} ({hint}{kind}s: {shown})")
