"""The gate's reports: the table, the failures, the summary, JUnit XML and JSON (strings)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from checker.core.words import plural
from checker.export.result_json import document, gate_fields
from checker.gate.cases import GateReport
from checker.traces.context import seamcheck_version

COLUMNS = ("spec", "variant", "property", "expect", "verdict", "status", "cache")


def table_rows(report: GateReport) -> list[tuple[str, ...]]:
    return [(r.spec, r.variant or "-", r.prop, r.expect or "-", r.verdict,
             {"ok": "ok", "failed": "FAIL", "inconclusive": "??", "error": "ERROR"}[r.status],
             "hit" if r.cached else "") for r in report.results]


def table_text(report: GateReport) -> str:
    """The result table as plain text (cli.py draws it with rich on a terminal)."""
    rows = [COLUMNS, *table_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def summary(report: GateReport) -> str:
    n = {s: sum(1 for r in report.results if r.status == s) for s in ("ok", "failed", "inconclusive", "error")}
    skipped = f", {plural(len(report.skipped), 'unchanged spec')} skipped" if report.skipped else ""
    return (f"{plural(report.specs, 'spec')} ({report.cache_hits} from cache{skipped}), "
            f"{plural(len(report.results), 'check')}: "
            f"{n['ok']} as expected, {n['failed']} failed, {n['inconclusive']} inconclusive, "
            f"{n['error']} spec errors (exit {report.exit_code})\n")


def failures_text(report: GateReport) -> str:
    """Each failed, inconclusive or erroneous case with its detail and trace."""
    out = []
    for r in report.results:
        if r.status == "ok":
            continue
        out.append(f"{r.status.upper()} {r.case_id}: {r.detail}\n")
        if r.trace:
            out.append("".join(f"    {line}\n" for line in r.trace.splitlines()))
    return "".join(out)


def junit_xml(report: GateReport) -> str:
    """JUnit XML: a testsuite per spec file, a testcase per variant x property."""
    root = ET.Element("testsuites", name="seamcheck")
    suites: dict[str, ET.Element] = {}
    for r in report.results:
        suite = suites.get(r.spec)
        if suite is None:
            suite = suites[r.spec] = ET.SubElement(root, "testsuite", name=r.spec)
        name = f"{r.variant}.{r.prop}" if r.variant else r.prop
        case = ET.SubElement(suite, "testcase", classname=f"{r.name or r.spec}", name=name,
                             file=r.spec, time=f"{r.elapsed_s:.3f}")
        body = f"{r.detail}\n\n{r.trace}" if r.trace else r.detail
        if r.status == "failed":
            el = ET.SubElement(case, "failure", message=f"{r.prop}: {r.detail}", type=r.verdict)
            el.text = body
        elif r.status in ("inconclusive", "error"):
            el = ET.SubElement(case, "error", message=f"{r.prop}: {r.detail}", type=r.status)
            el.text = body
        elif r.cached:
            ET.SubElement(case, "system-out").text = "verdict from the seamcheck cache"
    for el in [root, *suites.values()]:
        rs = [r for r in report.results if el is root or r.spec == el.get("name")]
        el.set("tests", str(len(rs)))
        el.set("failures", str(sum(r.status == "failed" for r in rs)))
        el.set("errors", str(sum(r.status in ("inconclusive", "error") for r in rs)))
        el.set("time", f"{sum(r.elapsed_s for r in rs):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def gate_json(report: GateReport) -> str:
    """The seamcheck/result document (checker/export/result_json.py): each case's record as
    `check --json` writes it, plus cached and changed; the gate's counts under `gate`."""
    changed = True if report.changed_since is not None else None   # only changed specs are checked
    results = [gate_fields(json.loads(r.record), r.cached, changed) for r in report.results
               if r.status != "error"]
    errors = [e for r in report.results if r.status == "error" for e in json.loads(r.record or "[]")]
    gate = {"specs": report.specs, "cache_hits": report.cache_hits, "skipped": list(report.skipped),
            "changed_since": report.changed_since}
    doc = document("ci", seamcheck_version(), report.exit_code, results, errors, gate=gate)
    return json.dumps(doc, sort_keys=True, indent=2) + "\n"


def rich_table(report: GateReport) -> object:
    """The result table as a rich Table, coloured by status (cli.py prints it on a terminal)."""
    from rich.markup import escape
    from rich.table import Table
    table = Table(*COLUMNS)
    styles = {"ok": "green", "FAIL": "bold red", "??": "yellow", "ERROR": "bold red"}
    for row in table_rows(report):
        table.add_row(*(escape(c) for c in row), style=styles.get(row[5]))
    return table
