"""An overview as tables: one XLSX sheet per table, one long CSV, one JSON document.

Amounts are DKK as numbers (øre summed exactly, then divided by 100), rates are fractions (0.25 = 25 %),
as in the other exports.
"""

from __future__ import annotations

import csv
import io
import json

from fundtrack import spreadsheets
from fundtrack.applications.models import OPEN_STAGES
from fundtrack.money import kroner
from fundtrack.reports.figures import Figures
from fundtrack.reports.services import Overview

FIGURE_COLUMNS = [
    "submitted",
    "requested",
    "decided",
    "decided_requested",
    "granted",
    "granted_amount",
    "reclaimed",
    "granted_net",
    "received",
    "allocated",
    "rejected",
    "rejected_requested",
    "withdrawn",
    "repeat",
    "repeat_granted",
    "new",
    "new_granted",
    "success_rate",
    "success_rate_amount",
    "golden_share",
]
MONEY = {
    "requested_ore": "requested",
    "decided_requested_ore": "decided_requested",
    "granted_ore": "granted_amount",
    "reclaimed_ore": "reclaimed",
    "net_ore": "granted_net",
    "received_ore": "received",
    "allocated_ore": "allocated",
    "rejected_ore": "rejected_requested",
    "repeat_ore": "repeat_granted",
    "new_ore": "new_granted",
}


def _rate(value):
    return None if value is None else round(value, 4)


def _value(name: str, value):
    """A figure as exported: øre as DKK, rates to four decimals, counts as they are."""
    if name.endswith("_ore"):
        return kroner(value)
    if isinstance(value, float):
        return _rate(value)
    return value


def _figure_record(figures: Figures) -> dict:
    values = figures.as_dict()
    return {MONEY.get(name, name): _value(name, value) for name, value in values.items()}


def tables(overview: Overview, label) -> dict[str, tuple[list[str], list[dict]]]:
    """{table name: (columns, records)}; `label` translates the labels marked in the code."""
    summary = [
        {
            "figure": MONEY.get(c.field, c.field),
            "label": label(c.label),
            "this_period": _value(c.field, c.value),
            "previous_period": _value(c.field, c.previous),
            "same_period_last_year": _value(c.field, c.year_before),
        }
        for c in overview.comparisons
    ]
    result: dict[str, tuple[list[str], list[dict]]] = {
        "summary": (["figure", "label", "this_period", "previous_period", "same_period_last_year"], summary),
    }
    for dimension, rows in overview.breakdowns.items():
        records = [{"key": key, "name": name, **_figure_record(figures)} for key, name, figures in rows]
        result[f"by_{dimension}"] = (["key", "name", *FIGURE_COLUMNS], records)
    result["by_quarter"] = (
        ["quarter", "decided", "granted", "granted_amount", "success_rate", "success_rate_amount"],
        [
            {
                "quarter": quarter.code,
                "decided": f.decided,
                "granted": f.granted,
                "granted_amount": kroner(f.granted_ore),
                "success_rate": _rate(f.success_rate),
                "success_rate_amount": _rate(f.success_rate_amount),
            }
            for quarter, f in overview.series
        ],
    )
    stage_columns = [f"{stage}_{what}" for stage in OPEN_STAGES for what in ("count", "requested")]
    result["forecast"] = (
        ["quarter", *stage_columns, "count", "requested", "weighted"],
        [
            {
                "quarter": row.quarter.code if row.quarter else row.bucket,
                "count": row.count,
                "requested": kroner(row.requested_ore),
                "weighted": kroner(row.weighted_ore),
                **{f"{stage}_count": n for stage, (n, _) in row.by_stage.items()},
                **{f"{stage}_requested": kroner(amount) for stage, (_, amount) in row.by_stage.items()},
            }
            for row in overview.forecast
        ],
    )
    result["deadlines"] = (
        ["due_on", "kind", "application", "application_id", "organisation", "funder", "done"],
        [
            {
                "due_on": d.due_on,
                "kind": d.kind,
                "application": d.application.title,
                "application_id": d.application_id,
                "organisation": d.application.organisation.name,
                "funder": d.application.funder.name,
                "done": d.done_at is not None,
            }
            for d in overview.deadlines
        ],
    )
    result["outcomes"] = (
        ["indicator", "value"],
        [{"indicator": indicator, "value": value} for indicator, value in sorted(overview.outcomes.items())],
    )
    if overview.business is not None:
        b = overview.business
        rows = [
            ("unit_cost", kroner(b.cost_ore) if b.cost_ore else None),
            ("granted_net_per_krone", round(b.granted_per_krone, 4) if b.granted_per_krone is not None else None),
            ("received_per_krone", round(b.received_per_krone, 4) if b.received_per_krone is not None else None),
        ]
        if b.fees_ore is not None:
            rows += [("net_to_enterprises", kroner(b.net_to_enterprises_ore)), ("fee_share", _rate(b.fee_share))]
        rows += [(f"social_{indicator}", value) for indicator, value in sorted(b.social_totals.items())]
        result["business_case"] = (["figure", "value"], [{"figure": name, "value": value} for name, value in rows])
        result["social_bottom_line"] = (
            ["organisation", "indicator", "value"],
            [
                {"organisation": name, "indicator": indicator, "value": value}
                for name, values in b.social
                for indicator, value in sorted(values.items())
            ],
        )
    if overview.fees is not None:
        result["fees"] = (
            ["earned", "invoiced", "paid", "written_off"],
            [{name: kroner(amount) for name, amount in overview.fees.items()}],
        )
    return result


def to_xlsx(overview: Overview, label) -> bytes:
    return spreadsheets.to_xlsx(tables(overview, label))


def to_csv(overview: Overview, label) -> bytes:
    """Every number in one long table (table; key; name; measure; value), for pivoting in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["period", "table", "key", "name", "measure", "value"])
    for table, (columns, records) in tables(overview, label).items():
        keys = [c for c in columns if c in ("figure", "key", "quarter", "indicator", "due_on")][:1]
        names = [c for c in columns if c in ("label", "name", "application")][:1]
        for record in records:
            key = record.get(keys[0]) if keys else ""
            name = record.get(names[0]) if names else ""
            for column in columns:
                if column in keys or column in names:
                    continue
                value = record.get(column)
                cells = [overview.period.code, table, key, name, column, "" if value is None else spreadsheets.flat_value(value)]
                writer.writerow([spreadsheets.safe_cell(cell) for cell in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(overview: Overview, label) -> bytes:
    document = {
        "period": overview.period.code,
        "start": overview.period.start.isoformat(),
        "end": overview.period.end.isoformat(),
        "organisation": overview.organisation.name if overview.organisation else None,
        "organisation_id": overview.organisation.id if overview.organisation else None,
    }
    for table, (_, records) in tables(overview, label).items():
        document[table] = [{k: spreadsheets.json_value(v) for k, v in r.items()} for r in records]
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
