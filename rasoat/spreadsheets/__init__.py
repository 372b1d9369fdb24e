"""Spreadsheet files as they arrive: the checks every uploaded workbook passes before it is parsed.

Not an app and not tied to the appendix: the unit registry (orgs) and the appendix workbooks
(workbooks) read their uploads through the same gate, `gate.check_workbook`.
"""
