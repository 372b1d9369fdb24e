"""The upload form: one workbook file, its size checked before anything reads it.

The type is not judged by the file's name: the reader tells a workbook by its content
(`limits.check_file`) and says why it refuses anything else.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from rasoat.spreadsheets import limits
from rasoat.upload_limits import UploadLimitMixin
from rasoat.workbooks.reading.results import WorkbookRejected
from rasoat.workbooks.uploads import ACCEPTED_EXTENSIONS


class UploadForm(UploadLimitMixin, forms.Form):
    file = forms.FileField(
        label=_("Workbook"),
        help_text=_("An Excel (.xlsx, .xlsm, .xls) or LibreOffice (.ods) file."),
        widget=forms.FileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        # Browsers may send long names; the file is stored under a generated name anyway.
        max_length=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "data-testid": "upload-file"})

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded is None:  # the request was cut for its size: UploadLimitMixin says so
            return uploaded
        # First of all checks: nothing looks at a file past the size limit.
        try:
            limits.check_size(uploaded.size, uploaded.name)
        except WorkbookRejected as rejected:
            raise forms.ValidationError(rejected.message) from None
        return uploaded
