"""Narrow per-unit summaries of the sheets, one table per family of dashboard figures.

Each table holds, per assignment, the rows of one GROUP BY over that assignment's sheet rows. The
grouped columns keep the names and values of the sheet's own columns, so the dashboard's filters
(`figures.age_q`, `figures.support_q`, `nullable`) apply to a summary row exactly as to a sheet
row, and a sum over the summaries equals the same sum over the rows. `services.refresh` keeps them
current inside the transaction of every change of a unit's data (`inventory.signals.data_changed`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rasoat.campaigns.models import Assignment, Campaign


class Summary(models.Model):
    """What every summary row has: the assignment it summarises."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} · {self.assignment_id}"


class DeviceSummary(Summary):
    """B05 end-user devices of a unit by type × condition × operating system × year acquired."""

    device_type = models.TextField(_("device type"), null=True, blank=True)
    condition = models.TextField(_("condition"), null=True, blank=True)
    os = models.TextField(_("operating system"), null=True, blank=True)
    year_acquired = models.IntegerField(_("year acquired"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), help_text=_("Sheet rows grouped here."))
    quantity = models.BigIntegerField(_("quantity"), help_text=_("Sum of the rows' quantities."))

    class Meta:
        verbose_name = _("end-user device summary (B05)")
        verbose_name_plural = _("end-user device summaries (B05)")


class InfraSummary(Summary):
    """B03 infrastructure devices of a unit by type × condition."""

    device_type = models.TextField(_("device type"), null=True, blank=True)
    condition = models.TextField(_("condition"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), help_text=_("Sheet rows grouped here."))
    quantity = models.BigIntegerField(_("quantity"), help_text=_("Sum of the rows' quantities."))

    class Meta:
        verbose_name = _("infrastructure device summary (B03)")
        verbose_name_plural = _("infrastructure device summaries (B03)")


class SoftwareSummary(Summary):
    """B04 systems of a unit by category × security level."""

    category = models.TextField(_("category"), null=True, blank=True)
    security_level = models.TextField(_("security level"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), help_text=_("Sheet rows grouped here."))

    class Meta:
        verbose_name = _("software summary (B04)")
        verbose_name_plural = _("software summaries (B04)")


class LinkSummary(Summary):
    """B02 of a unit: its total Internet and TSLCD bandwidth (Mbps × number of lines) and whether
    it has a TSLCD line at all. One row per assignment that has B02 rows."""

    internet_mbps = models.DecimalField(
        _("Internet Mbps"), max_digits=24, decimal_places=3, null=True, blank=True,
        help_text=_("Sum of Mbps × lines over the lines that are not TSLCD (empty: none)."),
    )  # fmt: skip
    tslcd_mbps = models.DecimalField(
        _("TSLCD Mbps"), max_digits=24, decimal_places=3, null=True, blank=True,
        help_text=_("Sum of Mbps × lines over the TSLCD lines (empty: none)."),
    )  # fmt: skip
    tslcd_rows = models.PositiveIntegerField(_("TSLCD rows"), help_text=_("B02 rows of the TSLCD."))

    class Meta:
        verbose_name = _("network summary (B02)")
        verbose_name_plural = _("network summaries (B02)")
        constraints = [models.UniqueConstraint(fields=["assignment"], name="linksummary_one_per_assignment")]


class Rollup(models.Model):
    """A summary family summed over a whole campaign's assignments.

    Kept with the data by adding each change's difference (`rollups.apply_change`), so a view of
    the whole campaign reads a few hundred rows instead of every unit's summaries. `key` names the
    group (its values, NULLs included) for the upsert, which a unique constraint over nullable
    columns cannot do on every database.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.TextField(_("group key"), help_text=_("The group's values, as JSON."))
    rows = models.BigIntegerField(_("rows"), help_text=_("Sheet rows grouped here."))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.key}"


class DeviceRollup(Rollup):
    """`DeviceSummary` (B05) summed over a campaign."""

    device_type = models.TextField(_("device type"), null=True, blank=True)
    condition = models.TextField(_("condition"), null=True, blank=True)
    os = models.TextField(_("operating system"), null=True, blank=True)
    year_acquired = models.IntegerField(_("year acquired"), null=True, blank=True)
    quantity = models.BigIntegerField(_("quantity"), help_text=_("Sum of the rows' quantities."))

    class Meta:
        verbose_name = _("end-user device rollup (B05)")
        verbose_name_plural = _("end-user device rollups (B05)")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="devicerollup_one_per_group")]


class InfraRollup(Rollup):
    """`InfraSummary` (B03) summed over a campaign."""

    device_type = models.TextField(_("device type"), null=True, blank=True)
    condition = models.TextField(_("condition"), null=True, blank=True)
    quantity = models.BigIntegerField(_("quantity"), help_text=_("Sum of the rows' quantities."))

    class Meta:
        verbose_name = _("infrastructure device rollup (B03)")
        verbose_name_plural = _("infrastructure device rollups (B03)")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="infrarollup_one_per_group")]


class SoftwareRollup(Rollup):
    """`SoftwareSummary` (B04) summed over a campaign."""

    category = models.TextField(_("category"), null=True, blank=True)
    security_level = models.TextField(_("security level"), null=True, blank=True)

    class Meta:
        verbose_name = _("software rollup (B04)")
        verbose_name_plural = _("software rollups (B04)")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="softwarerollup_one_per_group")
        ]


class ColumnCount(Summary):
    """The rows of a unit per value of each choice or yes/no column of its appendix version
    ("Thống kê theo cột"), weighted by the sheet's quantity column where it has one.

    Which columns are counted comes from the version's declaration (`inventory.summaries.
    countable_columns`), so a version's added columns and sheets are counted like 2026.1's.
    """

    sheet = models.TextField(_("sheet"))
    column_key = models.TextField(_("column"))
    value = models.TextField(_("value"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), help_text=_("Sheet rows holding the value."))
    quantity = models.DecimalField(
        _("quantity"), max_digits=30, decimal_places=6,
        help_text=_("Sum of the rows' quantities (0 on a sheet without a quantity column)."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("column count")
        verbose_name_plural = _("column counts")
        indexes = [models.Index(fields=["sheet", "column_key", "assignment"], name="columncount_by_column")]


class ColumnRollup(Rollup):
    """`ColumnCount` summed over a campaign."""

    sheet = models.TextField(_("sheet"))
    column_key = models.TextField(_("column"))
    value = models.TextField(_("value"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=30, decimal_places=6, help_text=_("Sum of the rows' quantities.")
    )

    class Meta:
        verbose_name = _("column count rollup")
        verbose_name_plural = _("column count rollups")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="columnrollup_one_per_group")]
