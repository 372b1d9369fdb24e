"""Data entry (entry.py) and the review workflow (workflow.py)."""
