#!/usr/bin/env python3
"""Writes docs/axodesk-pack.md, a readable summary of the built-in pack, from
model/packs/axodesk.toml.

    python3 docs/tools/pack_summary.py          # regenerate docs/axodesk-pack.md
    python3 docs/tools/pack_summary.py --check  # exit 1 if the file is out of date
    python3 docs/tools/pack_summary.py --stdout # print instead of writing

Needs Python 3.11 or later (tomllib). The summary only restates the TOML: change the pack,
then rerun this script.
"""

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "model" / "packs" / "axodesk.toml"
OUTPUT = ROOT / "docs" / "axodesk-pack.md"
COMMAND = "python3 docs/tools/pack_summary.py"


def cell(value):
    """A Markdown table cell: lists joined, pipes escaped, missing values as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        value = ", ".join(value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def code(values):
    """Ids as inline code, comma-separated."""
    if not values:
        return "—"
    if isinstance(values, str):
        values = [values]
    return ", ".join(f"`{value}`" for value in values)


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render(pack):
    groups = pack.get("groups", {})
    categories = pack.get("categories", {})
    purposes = pack.get("purposes", {})
    subjects = pack.get("subjects", {})
    sinks = pack.get("sinks", {})
    rules = pack.get("rules", [])

    out = [
        "# The built-in `axodesk` pack",
        "",
        f"Generated from `model/packs/axodesk.toml` by `{COMMAND}`; do not edit by hand.",
        "",
        "The pack is AxoDesk's published privacy policy (`axodesk-privacy-policy.txt`) written",
        "as a privflow policy. It is the policy in force when no `privflow.toml` is found, and",
        "the base a `privflow.toml` is merged over (see [the policy file](policy.md)).",
        "`cargo privflow explain pack` prints the TOML itself. Section numbers (§) are the",
        "privacy policy's.",
        "",
        f"It declares {len(subjects)} subjects, {len(groups)} groups, {len(categories)} categories, "
        f"{len(purposes)} purposes, {len(sinks)} sinks and {len(rules)} rules.",
        "",
        "## Subjects",
        "",
        table(
            ["id", "description", "fides"],
            [[f"`{sid}`", cell(s.get("description")), cell(s.get("fides"))]
             for sid, s in subjects.items()],
        ),
        "",
        "## Categories",
        "",
        "Role: `controller` data is the operator's own; `processor` data is processed for a",
        "customer (§2). Fides: the fideslang data category.",
    ]

    by_group = {}
    for cid, category in categories.items():
        by_group.setdefault(cid.split(".")[0], []).append((cid, category))
    for gid in list(groups) + [g for g in by_group if g not in groups]:
        group = groups.get(gid, {})
        out += ["", f"### `{gid}.*` — {cell(group.get('description', gid))}", ""]
        if group.get("policy_heading"):
            out += [f"Privacy-policy heading: *{group['policy_heading']}*.", ""]
        members = by_group.get(gid, [])
        if not members:
            out.append("No categories.")
            continue
        out.append(table(
            ["id", "role", "subjects", "fides", "description"],
            [[f"`{cid}`", cell(c.get("role")), cell(c.get("subjects")),
              cell(c.get("fides")), cell(c.get("description"))]
             for cid, c in members],
        ))

    out += [
        "",
        "## Purposes",
        "",
        "Purposes nest by id: a rule for `customer_features` also covers its sub-purposes.",
        "",
        table(
            ["id", "fides", "description"],
            [[f"`{pid}`", cell(p.get("fides")), cell(p.get("description"))]
             for pid, p in purposes.items()],
        ),
        "",
        "## Sinks",
        "",
        "All pack sinks are `disclosed = true`." if all(s.get("disclosed") for s in sinks.values())
        else "Sinks marked *no* under disclosed are not named in the published policy.",
        "",
        table(
            ["id", "vendor", "kind", "region", "disclosed", "description"],
            [[f"`{sid}`", cell(s.get("vendor")), cell(s.get("kind")), cell(s.get("region")),
              "yes" if s.get("disclosed") else "no", cell(s.get("description"))]
             for sid, s in sinks.items()],
        ),
    ]

    reached = [(sid, s) for sid, s in sinks.items() if s.get("functions") or s.get("macros")]
    if reached:
        out += ["", "Code that reaches a sink without an attribute:", ""]
        for sid, s in reached:
            paths = s.get("functions", []) + [f"{m}!" for m in s.get("macros", [])]
            out.append(f"- `{sid}`: {code(paths)}")

    denies = sum(1 for r in rules if "deny" in r)
    out += [
        "",
        "## Rules",
        "",
        f"{denies} deny rules and {len(rules) - denies} allow rules. A flow is allowed when an allow "
        "rule applies and no deny rule does. *any* under purposes: the rule has no `purposes` and "
        "applies whatever the purposes of the code, including none.",
        "",
        table(
            ["id", "effect", "categories", "sinks", "purposes", "source", "reason"],
            [[f"`{r.get('id', '—')}`", "deny" if "deny" in r else "allow",
              code(r.get("deny", r.get("allow"))), code(r.get("to")),
              code(r.get("purposes")) if r.get("purposes") else "any",
              cell(r.get("source")), cell(r.get("reason"))]
             for r in rules],
        ),
        "",
    ]
    return "\n".join(out)


def main(args):
    with PACK.open("rb") as file:
        text = render(tomllib.load(file))
    if "--stdout" in args:
        sys.stdout.write(text)
        return 0
    if "--check" in args:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
