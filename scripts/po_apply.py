"""Write translations listed as JSON (see po_missing.py) into the catalogues, clearing fuzzy marks."""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
with open(sys.argv[1], encoding="utf-8") as source:
    items = json.load(source)
by_po: dict[str, list[dict]] = {}
for item in items:
    by_po.setdefault(item["po"], []).append(item)
for po_name, entries in by_po.items():
    po = polib.pofile(str(ROOT / po_name))
    for item in entries:
        entry = po.find(item["msgid"])
        if entry is None:
            continue
        if "msgstr_plural" in item:
            entry.msgstr_plural = dict(enumerate(item["msgstr_plural"]))
        else:
            entry.msgstr = item["msgstr"]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    po.save()
