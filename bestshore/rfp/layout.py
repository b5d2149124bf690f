"""The bid workbook's layout: the stable contract between the template, bidders' scripts
and the import (``docs/rfp.md`` documents the same tables).

Every sheet has one header row of stable ids (row 1, from column A, no gaps) and one
record per row below it. Sheet and column ids never change meaning; new columns are only
ever added at the end of a sheet. ``Lots`` and ``Codes`` are the purchaser's (read-only,
protected); ``Bidder``, ``Sites``, ``Languages``, ``Prices``, ``VolumeTiers`` and
``Quality`` are the bidder's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BIDDER_SHEETS",
    "INPUT_ROWS",
    "LAYOUT_VERSION",
    "LOT_COLUMNS",
    "PRICE_MODELS",
    "PRICE_UNITS",
    "SHEETS",
    "Column",
]

LAYOUT_VERSION = "1"
"""Version of this layout, written in the Instructions sheet (cell B2)."""

INPUT_ROWS = 500
"""Rows below the header that carry drop-downs and are unlocked on the bidder sheets."""

Kind = Literal["id", "text", "number", "integer", "code"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its stable id, what it holds, and its bounds.

    ``kind``: ``id`` (a key: letters, digits, ``_ . -``, at most 64), ``text``, ``number``
    (a real number), ``integer``, ``code`` (one of the list ``codes`` names in the
    ``Codes`` sheet). ``low`` / ``high``: inclusive bounds of a number; ``unit``: its unit
    (``{currency}`` stands for the tender's currency).
    """

    id: str
    kind: Kind
    required: bool
    description: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    codes: str | None = None
    below: bool = False  # high is exclusive

    def valid(self, currency: str) -> str:
        """What a valid value is, in words (for error messages and the docs)."""
        unit = self.unit.replace("{currency}", currency)
        if self.kind in ("number", "integer"):
            what = "a whole number" if self.kind == "integer" else "a number"
            if self.low is not None and self.high is not None:
                top = f"below {self.high:g}" if self.below else f"{self.high:g}"
                what += f" from {self.low:g} to {top}"
            elif self.low is not None:
                what += f" >= {self.low:g}"
            return f"{what} [{unit}]" if unit else what
        if self.kind == "code":
            return f"one of the {self.codes} codes of the Codes sheet (drop-down)"
        if self.kind == "id":
            return "an id: letters, digits, _ . - (at most 64 characters, starting with a letter or digit)"
        return "text (at most 200 characters)"


PRICE_MODELS = ("per_productive_hour", "per_fte_month", "per_handled_contact")
"""Price models a bid may use, one per site (the scenario's three site price models)."""
PRICE_UNITS = {
    "per_productive_hour": "{currency}/productive h",
    "per_fte_month": "{currency}/FTE-month",
    "per_handled_contact": "{currency}/contact",
}

LOT_COLUMNS = (
    Column("lot", "id", True, "Lot id: call type id and language code, e.g. n1_billing.fr."),
    Column("call_type", "id", True, "Call type id in the tender's scenario."),
    Column("call_type_name", "text", True, "Call type name."),
    Column("language", "code", True, "ISO 639-1 language code.", codes="language"),
    Column("level", "text", True, "N1, N2, back_office or multilingual."),
    Column("channel", "text", True, "voice, email, chat, mail or social."),
    Column("volume_contacts_per_yr", "number", True, "Contacts a year in this language.", "contacts/yr"),
    Column("language_share", "number", True, "Share of the call type's volume in this language.", "fraction"),
    Column("aht_seconds", "number", True, "Average handle time.", "s/contact"),
    Column("hours", "text", True, "Opening hours to staff, market time (24/7 or days and windows)."),
    Column("timezone", "text", True, "IANA time zone of the market (the hours' clock)."),
    Column("service_level", "text", False, "Voice and chat: answer-time goal, e.g. 80% in 20 s."),
    Column("response_hours", "number", False, "E-mail, mail, social: every contact handled within.", "h"),
    Column("min_proficiency", "code", True, "Lowest agent level accepted in the language.", codes="level"),
    Column("data_class", "text", True, "Data class (where it may be processed: the tender's policies)."),
    Column("data_jurisdictions", "text", True, "Where this data class may be processed."),
)  # fmt: skip

BIDDER_SHEETS: dict[str, tuple[Column, ...]] = {
    "Bidder": (
        Column("vendor_id", "id", True, "Your vendor id (unique in the tender; given by the purchaser or chosen)."),
        Column("vendor_name", "text", True, "Your company name as shown in the award."),
        Column("currency", "code", True, "Currency of every price in this workbook: the tender's.", codes="currency"),
        Column("vendor_fixed_cost_per_yr", "number", False, "Yearly cost of having you on the panel (account management, audits).", "{currency}/yr", 0, 1e12),
        Column("min_commitment_contacts_per_yr", "number", False, "Least yearly contacts you require, repeats included.", "contacts/yr", 1, 1e10),
        Column("commitment_shortfall_price", "number", False, "Take-or-pay: price of each committed contact not given; empty: a hard minimum.", "{currency}/contact", 0, 1e6),
        Column("csat_target", "number", False, "Bonus/malus: the CSAT target of the incentive.", "points", 0, 100),
        Column("bonus_per_csat_point", "number", False, "Bill increase per CSAT point above target.", "fraction", 0, 0.2),
        Column("malus_per_csat_point", "number", False, "Bill decrease per CSAT point below target.", "fraction", 0, 0.2),
        Column("incentive_cap", "number", False, "Most bonus or malus on a site's bill.", "fraction", 0, 0.5),
    ),
    "Sites": (
        Column("site_id", "id", True, "Site id, unique across the whole tender."),
        Column("site_name", "text", False, "Site name as shown in the award."),
        Column("country", "code", True, "ISO 3166-1 alpha-2 country code.", codes="country"),
        Column("city", "text", True, "City."),
        Column("timezone", "text", False, "IANA time zone of the site; empty: the country's main zone."),
        Column("capacity_fte", "number", True, "Most full-time equivalents the site can staff for this client.", "FTE", 0, 100_000),
        Column("seats", "number", False, "Most agents logged in at once for this client.", "agents", 0, 100_000),
        Column("hours", "text", True, "Opening hours, site local time: 24/7, or e.g. mon-fri 08:00-20:00; sat 09:00-13:00."),
        Column("annual_hours_per_fte", "number", False, "Paid hours per FTE a year; needed where bestshore has no figure for the country.", "h/FTE/yr", 100, 3000),
        Column("setup_cost_per_fte", "number", False, "One-off set-up and training cost of each new FTE.", "{currency}/FTE", 0, 1e9),
        Column("site_fixed_cost_per_yr", "number", False, "Yearly cost of opening the site for this client.", "{currency}/yr", 0, 1e12),
        Column("night_premium", "number", False, "Extra pay for 22:00-06:00 local.", "fraction", 0, 3),
        Column("weekend_premium", "number", False, "Extra pay for Saturday and Sunday.", "fraction", 0, 3),
    ),
    "Languages": (
        Column("site_id", "id", True, "A site of the Sites sheet."),
        Column("language", "code", True, "ISO 639-1 language code.", codes="language"),
        Column("spoken", "code", True, "Spoken level (voice, chat).", codes="level"),
        Column("written", "code", True, "Written level (e-mail, mail, social).", codes="level"),
    ),
    "Prices": (
        Column("site_id", "id", True, "A site of the Sites sheet."),
        Column("lot", "code", True, "A lot of the Lots sheet.", codes="lot"),
        Column("price_model", "code", True, "How the price is expressed; one model per site.", codes="price_model"),
        Column("price", "number", True, "Price in the price model's unit.", "{currency} per unit of the price model", 0, 1e7),
    ),
    "VolumeTiers": (
        Column("from_contacts_per_yr", "number", True, "Yearly contacts (repeats included) from which the tier applies.", "contacts/yr", 1, 1e10),
        Column("discount", "number", True, "Cut on your whole bill once the tier is reached.", "fraction", 0, 1, below=True),
    ),
    "Quality": (
        Column("site_id", "id", True, "A site of the Sites sheet."),
        Column("call_type", "code", False, "A call type id; empty: the site's score for all its work.", codes="call_type"),
        Column("csat", "number", False, "Committed customer satisfaction.", "points 0-100", 0, 100),
        Column("fcr", "number", False, "Committed first-contact resolution.", "fraction", 0, 1),
        Column("nps", "number", False, "Committed net promoter score.", "points -100..100", -100, 100),
    ),
}  # fmt: skip

SHEETS = ("Instructions", "Lots", *BIDDER_SHEETS, "Codes")
"""Every sheet of a bid workbook, in order."""
