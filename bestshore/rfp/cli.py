"""``bestshore rfp template | import | award``: the tender workflow on the command line.

Registered on the main app by :mod:`bestshore.cli` (``app.add_typer``); the exit codes
and one-line errors are the main app's: 2 for bad input (every bid error listed, one per
line, and nothing written), 3 when no award meets every rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# Made before bestshore.cli is imported: `python -m bestshore.cli` runs that module as
# __main__ and imports it again as bestshore.cli, whose last lines import rfp_app from
# this module while it is still loading; the commands are added to the same object below.
rfp_app = typer.Typer(
    name="rfp",
    help="Tenders: bid workbooks out, bids in with cell-level errors, the award under rules.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

from bestshore import progress  # noqa: E402
from bestshore.cli import EXIT_INPUT, Quiet, _guarded, _progress  # noqa: E402
from bestshore.scenario import load_scenario  # noqa: E402
from bestshore.scenario.errors import one_line  # noqa: E402


@rfp_app.command("template")
@_guarded
def template_command(
    scenario: Annotated[Path, typer.Argument(help="The tender's base scenario (YAML): its lots.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Bid workbook to write (.xlsx).")],
) -> None:
    """Write the bid workbook of a tender: read-only lots, bidder sheets with drop-downs."""
    from bestshore.result.files import atomic_write, check_file_target
    from bestshore.rfp.template import lot_rows, template_workbook, workbook_bytes

    check_file_target(out)
    loaded = load_scenario(scenario)
    atomic_write(out, workbook_bytes(template_workbook(loaded)))
    typer.echo(f"wrote {out} ({len(lot_rows(loaded))} lots)")


@rfp_app.command("import")
@_guarded
def import_command(
    bids: Annotated[list[Path], typer.Argument(help="Filled bid workbooks, one bidder each.")],
    scenario: Annotated[Path, typer.Option("--scenario", help="The tender's base scenario.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Tender scenario to write (YAML).")],
    quiet: Quiet = False,
) -> None:
    """Read bids into one tender scenario; every error listed (file, sheet, cell), exit 2
    and nothing written if there is any."""
    from bestshore.result.files import atomic_write, check_file_target
    from bestshore.rfp.bids import BidErrors, import_bids

    check_file_target(out)
    with _progress(quiet):
        progress.report(f"reading {len(bids)} bid workbook(s)")
        try:
            tender = import_bids(bids, scenario)
        except BidErrors as exc:
            errors = exc.issues
        else:
            errors = []
    if errors:
        for issue in errors:
            typer.echo(f"error: {issue}", err=True)
        files = len({i.file for i in errors})
        typer.echo(f"error: {len(errors)} error(s) in {files} file(s); nothing written", err=True)
        raise typer.Exit(EXIT_INPUT)
    atomic_write(out, tender.yaml_text().encode("utf-8"))
    typer.echo(
        f"wrote {out}: {len(tender.bids)} bid(s), "
        f"{sum(1 for s in tender.scenario.sites if s.vendor in tender.bids)} bid site(s)"
    )


@rfp_app.command("award")
@_guarded
def award_command(
    tender: Annotated[Path, typer.Argument(help="Tender scenario (from `rfp import`).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for award.xlsx and award.json (replaced whole)."),
    ] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Award rules (YAML; docs/rfp.md).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print award.json on stdout.")] = False,
    price_rules: Annotated[
        bool,
        typer.Option(
            "--price-rules/--no-price-rules",
            help="Price each rule by re-solving without it (one solve per rule).",
        ),
    ] = True,
    quiet: Quiet = False,
) -> None:
    """The award under business rules: per bidder lots, volume, FTE, spend, share; the
    price of each rule."""
    from bestshore.result.files import check_folder, write_folder
    from bestshore.rfp.award import AwardRules, award, load_rules

    if out is not None:
        check_folder(out)
    chosen = load_rules(rules) if rules is not None else AwardRules()
    with _progress(quiet):
        progress.report(f"loading {tender}")
        loaded = load_scenario(tender)
        progress.report("solving the award")
        made = award(loaded, chosen, price_rules=price_rules)
        if out is not None:
            progress.report(f"writing {out}/")
            write_folder(
                out, {"award.xlsx": made.workbook_bytes(), "award.json": made.json_bytes()}
            )
    if as_json:
        typer.echo(made.json_bytes().decode("utf-8"), nl=False)
        return
    cur = made.currency
    typer.echo(
        f"{made.result.scenario_name}: {made.result.status}, {made.result.total_cost:,.0f} {cur}/yr"
    )
    for row in made.by_vendor.itertuples(index=False):
        spend = getattr(row, f"spend_{cur}_per_yr")
        typer.echo(
            one_line(
                f"  {row.vendor_name}: {spend:,.0f} {cur}/yr ({row.spend_share:.0%} of spend), "
                f"{row.volume_contacts_per_yr:,.0f} contacts/yr, {row.fte:,.1f} FTE"
                + (f"; lots {row.lots_won}" if row.lots_won else "; no lot")
            )
        )
    for text in made.binding_rules():
        typer.echo(one_line(f"  binding: {text}"))
    if out is not None:
        typer.echo(f"wrote {Path(out) / 'award.xlsx'} and {Path(out) / 'award.json'}")
