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
rfp_app: typer.Typer = typer.Typer(
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
    lots = len(lot_rows(loaded))
    typer.echo(f"wrote {out} ({lots} lot{'s' if lots != 1 else ''})")


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
        typer.Option(
            "--out", "-o", help="Folder for award.xlsx, award.json and charts (replaced whole)."
        ),
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
    bids: Annotated[
        bool,
        typer.Option(
            "--bids/--no-bids",
            help="Add the bid comparison (each bid normalised to a cost per contact).",
        ),
    ] = True,
    quiet: Quiet = False,
) -> None:
    """The award under business rules: per bidder lots, volume, FTE, spend, share and
    savings; the price of each rule; the bids compared."""
    from bestshore.result.files import check_folder, write_folder
    from bestshore.rfp.award import AwardRules, award, load_rules
    from bestshore.rfp.bidcost import compare_bids
    from bestshore.rfp.outputs import award_files

    if out is not None:
        check_folder(out)
    chosen = load_rules(rules) if rules is not None else AwardRules()
    with _progress(quiet):
        progress.report(f"loading {tender}")
        loaded = load_scenario(tender)
        progress.report("solving the award")
        made = award(loaded, chosen, price_rules=price_rules)
        compared = compare_bids(loaded) if bids else None
        if out is not None:
            progress.report(f"writing {out}/")
            write_folder(out, award_files(made, compared))
    if as_json:
        typer.echo(made.json_bytes().decode("utf-8"), nl=False)
        return
    cur = made.currency
    gap = made.result.stamp.get("gap")
    proven = f", proven within {gap:.2%}" if isinstance(gap, float) else ""
    typer.echo(
        f"{made.result.scenario_name}: {made.result.status}{proven}, "
        f"{made.result.total_cost:,.0f} {cur}/yr"
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
    saving = made.savings.get("saving")
    if saving is not None:
        typer.echo(
            f"  saving: {saving:,.0f} {cur}/yr against today's {made.savings['today_cost']:,.0f} "
            f"({made.savings['basis']})"
        )
    for text in made.binding_rules():
        typer.echo(one_line(f"  binding: {text}"))
    if out is not None:
        typer.echo(f"wrote {Path(out) / 'award.xlsx'}, {Path(out) / 'award.json'} and charts")


@rfp_app.command("compare")
@_guarded
def compare_command(
    tender: Annotated[Path, typer.Argument(help="Tender scenario (from `rfp import`).")],
    variants: Annotated[
        Path,
        typer.Option("--variants", help="Named award variants: variant name -> rules (YAML)."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Folder for compare.xlsx, compare.json and charts (replaced whole)."
        ),
    ] = None,
    price_rules: Annotated[
        bool,
        typer.Option(
            "--price-rules/--no-price-rules",
            help="Also price each variant's rules (one more solve per rule and variant).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print compare.json on stdout.")] = False,
    quiet: Quiet = False,
) -> None:
    """Award variants (named rule sets) solved in one run: cost, winners, shares,
    quality and savings side by side."""
    from bestshore.result.files import check_folder, write_folder
    from bestshore.rfp.variants import compare_variants, comparison_files, load_variants

    if out is not None:
        check_folder(out)
    chosen = load_variants(variants)
    with _progress(quiet):
        progress.report(f"loading {tender}")
        loaded = load_scenario(tender)
        made = compare_variants(loaded, chosen, price_rules=price_rules)
        if out is not None:
            progress.report(f"writing {out}/")
            write_folder(out, comparison_files(loaded, made))
    if as_json:
        typer.echo(made.json_bytes().decode("utf-8"), nl=False)
        return
    cur = made.currency
    first = str(made.variants["variant"].iloc[0])
    for row in made.variants.itertuples(index=False):
        cost = getattr(row, f"total_cost_{cur}_per_yr")
        if cost is None or cost != cost:
            typer.echo(one_line(f"{row.variant}: no plan: {row.message}"))
            continue
        saving = getattr(row, f"saving_{cur}_per_yr")
        saved = "" if saving is None or saving != saving else f", saving {saving:,.0f} {cur}/yr"
        diff = getattr(row, f"vs_first_{cur}_per_yr")
        against = ""
        if row.variant != first and diff == diff and diff is not None:
            proof = "proven" if row.vs_first_proven else "within the solves' gaps: not proven"
            against = f" ({diff:+,.0f} against {first}, {proof})"
        typer.echo(
            one_line(
                f"{row.variant}: {row.status}, {cost:,.0f} {cur}/yr{against}{saved}; "
                f"{row.winners} winner(s): {row.winner_names}"
            )
        )
    if out is not None:
        typer.echo(f"wrote {Path(out) / 'compare.xlsx'}, {Path(out) / 'compare.json'} and charts")


@rfp_app.command("example")
@_guarded
def example_command(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the worked tender (replaced whole).")
    ],
) -> None:
    """Write a worked tender: a base scenario, six fictional bids filled in the bid
    workbook, award rules and variants; its README says the commands to run."""
    from bestshore.result.files import check_folder, write_folder
    from bestshore.rfp.example import example_files

    check_folder(out)
    files = example_files()
    write_folder(out, files)
    bids = sum(1 for name in files if name.startswith("bids/"))
    typer.echo(f"wrote {out}/: base.yaml, template.xlsx, {bids} bids, rules.yaml, variants.yaml")
