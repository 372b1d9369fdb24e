"""`{{ value|amount }}`: a quantity or an amount of money the Vietnamese way (1.234,5), without the
trailing zeros of the stored scale (227,5 rather than 227,500)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def amount(value) -> str:
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number_format(number.normalize(), force_grouping=True)
