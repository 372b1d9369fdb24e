"""Forms of the package pages: an attachment upload, a return with a preset reason, the campaign
setting and a trusted certificate. The file's type is never judged by its name (see `gate`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rasoat.packages import gate
from rasoat.packages.models import Attachment, Requirement
from rasoat.packages.services import PRESET_REASONS
from rasoat.upload_limits import UploadLimitMixin


class AttachmentForm(UploadLimitMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices, initial=Attachment.Kind.REPORT)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "The signed report: a PDF. Other attachments: PDF, PNG/JPEG pictures, Word or Excel files."
        ),
        max_length=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs.update({"class": "form-select", "data-testid": "attachment-kind"})
        self.fields["file"].widget.attrs.update(
            {
                "class": "form-control",
                "data-testid": "attachment-file",
                "accept": ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx",
            }
        )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded is None:
            return uploaded
        try:
            gate.check_size(uploaded.size, uploaded.name)
        except gate.AttachmentRejected as rejected:
            raise forms.ValidationError(rejected.message) from None
        return uploaded


class ReturnForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Problem with the report"),
        choices=[("", _("(none: explain below)")), *((k, v) for k, v in PRESET_REASONS.items())],
        required=False,
    )
    note = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].widget.attrs.update({"class": "form-select", "data-testid": "return-preset"})
        self.fields["note"].widget.attrs.update({"class": "form-control", "data-testid": "return-note"})

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("preset") and not (cleaned.get("note") or "").strip():
            raise forms.ValidationError(_("Pick the problem with the report or explain it."))
        return cleaned


class SettingForm(forms.Form):
    requirement = forms.ChoiceField(label=_("Signed report"), choices=Requirement.choices)
    allow_unsigned = forms.BooleanField(
        label=_("Accept a scanned report without a digital signature"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].widget.attrs.update({"class": "form-select", "data-testid": "requirement"})
        self.fields["allow_unsigned"].widget.attrs.update({"class": "form-check-input"})


class CertificateForm(forms.Form):
    file = forms.FileField(
        label=_("Certificate"),
        help_text=_("A root or intermediate CA certificate, PEM (.pem, .crt) or DER (.cer)."),
        max_length=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "data-testid": "certificate-file"})
