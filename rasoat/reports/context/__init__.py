"""The contexts the .docx templates are filled with: one builder per report kind."""

from rasoat.reports.context.department import province_context, reminder_context, request_context
from rasoat.reports.context.units import commune_context, unit_context

__all__ = ["commune_context", "province_context", "reminder_context", "request_context", "unit_context"]
