"""The data of the sheets of the appendix, per (campaign, unit) assignment.

The typed fields of the six sheets' models come from the 2026.1 declaration (`fields.add_sheet_fields`);
columns a later version adds live in each record's `extra`, and sheets it adds in `CustomRow` (see
`storage`, the one place that knows which is which). The models add only what the declaration
does not know: which assignment a record belongs to, its
position in the sheet, an optimistic-lock version, and the mark of rows carried forward from a
previous campaign until someone confirms or edits them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rasoat.campaigns.models import Assignment
from rasoat.inventory.fields import STORAGE_APPENDIX, add_sheet_fields


class Record(models.Model):
    """What every stored record of the appendix has."""

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised on every save; a save naming an older version is refused."),
    )
    carried_forward = models.BooleanField(
        _("carried forward"),
        default=False,
        help_text=_("Copied from the previous campaign and not yet confirmed or edited."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    extra = models.JSONField(
        _("other values"),
        default=dict,
        blank=True,
        help_text=_("Values of the columns a version adds, by key (see inventory.storage)."),
    )

    class Meta:
        abstract = True


class GeneralInfo(Record):
    """Sheet B01 (Thông tin chung): one record per assignment."""

    SHEET = "B01"
    assignment = models.OneToOneField(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="general_info"
    )

    class Meta:
        verbose_name = _("general information (B01)")
        verbose_name_plural = _("general information (B01)")

    def __str__(self) -> str:
        return f"B01 · {self.assignment}"


class SheetRow(Record):
    """A row of a repeating sheet (B02–B06)."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["assignment", "position"], name="%(class)s_assignment_pos")]

    def __str__(self) -> str:
        return f"{self.SHEET} #{self.position} · {self.assignment_id}"


class NetworkLink(SheetRow):
    """Sheet B02 (Kết nối mạng)."""

    SHEET = "B02"

    class Meta(SheetRow.Meta):
        verbose_name = _("network link (B02)")
        verbose_name_plural = _("network links (B02)")


class InfraDevice(SheetRow):
    """Sheet B03 (Thiết bị hạ tầng)."""

    SHEET = "B03"

    class Meta(SheetRow.Meta):
        verbose_name = _("infrastructure device (B03)")
        verbose_name_plural = _("infrastructure devices (B03)")


class Software(SheetRow):
    """Sheet B04 (Nền tảng, phần mềm)."""

    SHEET = "B04"

    class Meta(SheetRow.Meta):
        verbose_name = _("platform or software (B04)")
        verbose_name_plural = _("platforms and software (B04)")


class EndDevice(SheetRow):
    """Sheet B05 (Thiết bị đầu cuối)."""

    SHEET = "B05"

    class Meta(SheetRow.Meta):
        verbose_name = _("end-user device (B05)")
        verbose_name_plural = _("end-user devices (B05)")


class Proposal(SheetRow):
    """Sheet B06 (Đề xuất nhu cầu)."""

    SHEET = "B06"

    class Meta(SheetRow.Meta):
        verbose_name = _("proposal (B06)")
        verbose_name_plural = _("proposals (B06)")


class CustomRow(SheetRow):
    """A record of a sheet that a version adds (any code but B01–B06): its values live in `extra`.

    A label/value sheet keeps its single record at position 0.
    """

    SHEET = ""
    sheet = models.CharField(_("sheet"), max_length=20)

    class Meta(SheetRow.Meta):
        verbose_name = _("row of an added sheet")
        verbose_name_plural = _("rows of added sheets")
        indexes = [models.Index(fields=["assignment", "sheet", "position"], name="customrow_sheet_pos")]

    def __str__(self) -> str:
        return f"{self.sheet} #{self.position} · {self.assignment_id}"


SHEET_MODELS: dict[str, type[Record]] = {
    model.SHEET: model for model in (GeneralInfo, NetworkLink, InfraDevice, Software, EndDevice, Proposal)
}
ROW_MODELS: dict[str, type[SheetRow]] = {code: m for code, m in SHEET_MODELS.items() if code != "B01"}

for _code, _model in SHEET_MODELS.items():
    add_sheet_fields(_model, STORAGE_APPENDIX.sheet(_code))

ALL_MODELS: tuple[type[Record], ...] = (*SHEET_MODELS.values(), CustomRow)
"""Every table that holds appendix data, for what concerns all of a unit's records alike."""
