"""The assessment of a campaign: its configuration, and per unit the findings, scores and needs.

The rules themselves are plain functions (rules.py, scores.py, needs.py); these tables hold the
per-campaign settings an admin edits and the results `services` stores, so that pages, dashboards
and reports read them and aggregate them in SQL.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rasoat.appendix.v2026_1 import OPERATING_SYSTEMS
from rasoat.assessment import indicators, rules
from rasoat.campaigns.models import Assignment, Campaign

_DEFAULTS = rules.Config()


def _price(verbose: str, key: str):
    return models.DecimalField(
        verbose,
        max_digits=12,
        decimal_places=3,
        default=rules.DEFAULT_PRICES[key],
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1_000_000))],
        help_text=_("Million VND."),
    )


def _weight(verbose: str):
    return models.DecimalField(
        verbose,
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Weight in the overall score; 0 leaves this score out."),
    )


def _target(verbose: str):
    return models.DecimalField(
        verbose,
        max_digits=4,
        decimal_places=1,
        default=indicators.DEFAULT_TARGET,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Percent, from 0 to 100."),
    )


def _minimum(verbose: str, default: int):
    return models.PositiveSmallIntegerField(
        verbose,
        default=default,
        validators=[MaxValueValidator(100)],
        help_text=_("Minimum number at a one-stop desk (P-ONESTOP)."),
    )


class AssessmentConfig(models.Model):
    """The thresholds, prices and score weights of one campaign (one row, created with the defaults of
    ASSESSMENT.md on first use). Saving validates every value."""

    campaign = models.OneToOneField(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="assessment_config",
    )
    computer_max_age = models.PositiveSmallIntegerField(
        _("service life of a computer (years)"),
        default=_DEFAULTS.computer_max_age,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("D-AGE: a computer this many years old or older is past its service life."),
    )
    other_max_age = models.PositiveSmallIntegerField(
        _("age of an old printer, scanner or projector (years)"),
        default=_DEFAULTS.other_max_age,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("D-AGE-OTHER: printers, scanners, copiers, multi-function devices and projectors."),
    )
    min_ram_gb = models.DecimalField(
        _("minimum RAM (GB)"),
        max_digits=6,
        decimal_places=1,
        default=_DEFAULTS.min_ram_gb,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(1024))],
        help_text=_("D-RAM: a computer with less is under-configured."),
    )
    min_bandwidth_province_mbps = models.DecimalField(
        _("minimum Internet bandwidth, provincial level (Mbps)"),
        max_digits=9,
        decimal_places=1,
        default=_DEFAULTS.min_bandwidth_province_mbps,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100000))],
        help_text=_("N-BW: total Internet bandwidth of a provincial unit below this is low."),
    )
    min_bandwidth_commune_mbps = models.DecimalField(
        _("minimum Internet bandwidth, commune level (Mbps)"),
        max_digits=9,
        decimal_places=1,
        default=_DEFAULTS.min_bandwidth_commune_mbps,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100000))],
        help_text=_("N-BW: total Internet bandwidth of a commune-level unit below this is low."),
    )
    staff_ratio = models.DecimalField(
        _("computers per staff member"),
        max_digits=4,
        decimal_places=2,
        default=_DEFAULTS.staff_ratio,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(5))],
        help_text=_("P-RATIO: working computers should be at least the staff total times this."),
    )
    one_stop_computers = _minimum(_("one-stop desk: working computers"), _DEFAULTS.one_stop_computers)
    one_stop_scanners = _minimum(
        _("one-stop desk: scanners or multi-function devices"), _DEFAULTS.one_stop_scanners
    )
    one_stop_printers = _minimum(
        _("one-stop desk: printers or multi-function devices"), _DEFAULTS.one_stop_printers
    )
    one_stop_kiosks = _minimum(_("one-stop desk: queue kiosks"), _DEFAULTS.one_stop_kiosks)
    one_stop_rating_devices = _minimum(
        _("one-stop desk: satisfaction-rating devices"), _DEFAULTS.one_stop_rating_devices
    )
    weight_connectivity = _weight(_("weight of connectivity"))
    weight_devices = _weight(_("weight of end-user devices"))
    weight_infrastructure = _weight(_("weight of infrastructure devices"))
    weight_software = _weight(_("weight of platforms and software"))
    price_desktop = _price(_("price of a desktop computer"), "desktop")
    price_laptop = _price(_("price of a laptop"), "laptop")
    price_printer = _price(_("price of a printer"), "printer")
    price_scanner = _price(_("price of a scanner"), "scanner")
    price_multifunction = _price(_("price of a multi-function device"), "multifunction")
    price_kiosk = _price(_("price of a queue kiosk"), "kiosk")
    price_rating_device = _price(_("price of a satisfaction-rating device"), "rating_device")
    price_ram_upgrade = _price(_("price of a RAM upgrade"), "ram_upgrade")
    price_os_licence = _price(_("price of an OS licence"), "os_licence")
    # The targets of the indicators (campaigns on appendix 2026.2); one field per code of
    # indicators.INDICATORS, named by Indicator.target_field.
    target_mt = _target(_("target: staff with a computer (%)"))
    target_cks = _target(_("target: staff with a personal digital signature (%)"))
    target_kns = _target(_("target: staff trained in digital skills (%)"))
    target_tslcd = _target(_("target: units connected to the special-purpose network (%)"))
    target_motcua = _target(_("target: one-stop desks with the minimum set of devices (%)"))
    target_hdh = _target(_("target: computers on a supported operating system (%)"))
    target_vb = _target(_("target: units using a document management system (%)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    WEIGHT_FIELDS = {area: f"weight_{area}" for area in rules.AREAS}
    PRICE_FIELDS = {key: f"price_{key}" for key in rules.DEFAULT_PRICES}

    class Meta:
        verbose_name = _("assessment settings")
        verbose_name_plural = _("assessment settings")

    def __str__(self) -> str:
        return f"{self.campaign.code}"

    def save(self, *args, **kwargs):
        # Validated here too, so that no path (form, shell, a future API) stores a bad threshold.
        self.full_clean(exclude=["campaign"], validate_unique=False)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if all(getattr(self, name) in (None, 0) for name in self.WEIGHT_FIELDS.values()):
            raise ValidationError(_("At least one score weight must be greater than 0."))

    def as_rules_config(self, windows: dict | None = None) -> rules.Config:
        """The plain configuration the rules read; `windows` is {OS label: end of support}."""
        if windows is None:
            windows = {row.os: row.end_of_support for row in self.windows.all()}
        return rules.Config(
            computer_max_age=self.computer_max_age,
            other_max_age=self.other_max_age,
            min_ram_gb=self.min_ram_gb,
            min_bandwidth_province_mbps=self.min_bandwidth_province_mbps,
            min_bandwidth_commune_mbps=self.min_bandwidth_commune_mbps,
            staff_ratio=self.staff_ratio,
            one_stop_computers=self.one_stop_computers,
            one_stop_scanners=self.one_stop_scanners,
            one_stop_printers=self.one_stop_printers,
            one_stop_kiosks=self.one_stop_kiosks,
            one_stop_rating_devices=self.one_stop_rating_devices,
            windows_end=windows,
            prices={key: getattr(self, name) for key, name in self.PRICE_FIELDS.items()},
            weights={area: getattr(self, name) for area, name in self.WEIGHT_FIELDS.items()},
        )


class WindowsSupport(models.Model):
    """When vendor support of an operating system of B05 ended, kept as data per campaign.

    A computer whose OS support ended on or before the campaign's reference date is out of support
    (D-OS); an OS label with no row counts as supported.
    """

    config = models.ForeignKey(
        AssessmentConfig, verbose_name=_("settings"), on_delete=models.CASCADE, related_name="windows"
    )
    os = models.CharField(
        _("operating system"),
        max_length=100,
        choices=[(label, label) for label in OPERATING_SYSTEMS],
        help_text=_("As written in B05 (Hệ điều hành)."),
    )
    end_of_support = models.DateField(_("end of vendor support"))

    class Meta:
        verbose_name = _("end of operating system support")
        verbose_name_plural = _("end of operating system support")
        ordering = ["end_of_support", "os"]
        constraints = [models.UniqueConstraint(fields=["config", "os"], name="windows_support_unique")]

    def __str__(self) -> str:
        return f"{self.os}: {self.end_of_support:%d/%m/%Y}"


class Severity(models.TextChoices):
    LOW = rules.LOW, _("Low")
    MEDIUM = rules.MEDIUM, _("Medium")
    HIGH = rules.HIGH, _("High")


class Area(models.TextChoices):
    """The score a finding lowers; NONE for findings outside the four scores."""

    CONNECTIVITY = rules.CONNECTIVITY, _("Connectivity")
    DEVICES = rules.DEVICES, _("End-user devices")
    INFRASTRUCTURE = rules.INFRASTRUCTURE, _("Infrastructure devices")
    SOFTWARE = rules.SOFTWARE, _("Platforms and software")
    NONE = rules.NO_AREA, _("Not in a score")


class Finding(models.Model):
    """One finding of a rule of ASSESSMENT.md about a unit, or about one row of its data."""

    # No database constraint (here, on FindingCount and on Need): PostgreSQL checks a deferred
    # foreign key row by row at commit, which took half the time of a national recompute (two
    # million rows). Django still deletes them with their assignment (on_delete), and only
    # `services` writes them, for assignments it has just read.
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="findings",
        db_constraint=False,
    )
    rule = models.CharField(_("rule"), max_length=16, help_text=_("The code of ASSESSMENT.md (D-AGE, ...)."))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    area = models.CharField(
        _("score"),
        max_length=16,
        choices=Area.choices,
        blank=True,
        help_text=_("The score this finding lowers."),
    )
    sheet = models.CharField(_("sheet"), max_length=3, blank=True)
    row = models.PositiveIntegerField(
        _("row"), null=True, blank=True, help_text=_("1-based position in the sheet; empty for the unit.")
    )
    record_id = models.PositiveBigIntegerField(
        _("record id"), null=True, blank=True, help_text=_("The stored row, for a link to it.")
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, help_text=_("The row's quantity, or how many are missing.")
    )
    message = models.CharField(_("message"), max_length=300)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["pk"]
        # Only the index of the foreign key: pages read a unit's findings, counts come from
        # FindingCount, and every index slows the recompute of a campaign (millions of rows).

    def __str__(self) -> str:
        return f"{self.rule} · {self.assignment_id}"


class FindingCount(models.Model):
    """Per unit and rule: how many findings and the quantity they affect (the sum of theirs).

    A summary written with the findings, so that counting findings over a province (millions of rows
    at national scale) reads at most one row per rule and unit.
    """

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="finding_counts",
        db_index=False,
        db_constraint=False,
    )
    rule = models.CharField(_("rule"), max_length=16)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    findings = models.PositiveIntegerField(_("findings"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("finding count")
        verbose_name_plural = _("finding counts")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "rule"], name="finding_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} × {self.findings} · {self.assignment_id}"


class IndicatorCount(models.Model):
    """Per unit and target indicator: its numerator and denominator (see `indicators`).

    Written with the findings (same data, same moment), so that an indicator over a province is a
    sum of one row per unit; a denominator of 0 means the unit is left out of that indicator.
    """

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="indicator_counts",
        db_index=False,
        db_constraint=False,
    )
    code = models.CharField(
        _("indicator"), max_length=16, help_text=_("The code of ASSESSMENT.md (CT-MT, ...).")
    )
    numerator = models.PositiveBigIntegerField(_("numerator"))
    denominator = models.PositiveBigIntegerField(_("denominator"))

    class Meta:
        verbose_name = _("indicator count")
        verbose_name_plural = _("indicator counts")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "code"], name="indicator_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.numerator}/{self.denominator} · {self.assignment_id}"


class UnitScore(models.Model):
    """The four scores (0–100) and the overall score of an assignment; None where nothing is assessed."""

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="score"
    )
    connectivity = models.DecimalField(_("connectivity"), max_digits=4, decimal_places=1, null=True)
    devices = models.DecimalField(_("end-user devices"), max_digits=4, decimal_places=1, null=True)
    infrastructure = models.DecimalField(
        _("infrastructure devices"), max_digits=4, decimal_places=1, null=True
    )
    software = models.DecimalField(_("platforms and software"), max_digits=4, decimal_places=1, null=True)
    overall = models.DecimalField(_("overall"), max_digits=4, decimal_places=1, null=True)
    details = models.JSONField(
        _("components"), default=dict, help_text=_("The components of each score (scores.py).")
    )
    reference_date = models.DateField(_("reference date"), help_text=_("The date the scores are for."))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("unit score")
        verbose_name_plural = _("unit scores")

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.overall}"


class NeedKind(models.TextChoices):
    REPLACE = "replace", _("Replace")
    UPGRADE = "upgrade", _("Upgrade")
    ADD = "add", _("Add")


class Need(models.Model):
    """A line of a unit's investment-needs estimate, summed per kind, item and rule."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="needs",
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=8, choices=NeedKind.choices)
    item = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_mvnd = models.DecimalField(
        _("unit price (million VND)"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Empty when the price list has no price for the item."),
    )
    cost_mvnd = models.DecimalField(_("cost (million VND)"), max_digits=15, decimal_places=3, null=True)
    rule = models.CharField(_("rule"), max_length=16, help_text=_("The finding it answers."))

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.item} × {self.quantity}"
