"""Request bodies capped while they stream in, and uploads spooled into the process's scratch folder.

Django reads a multipart body whole before a view can look at the file, writing anything past
FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file: a 1 GB body went to /tmp before the 20 MB check.
`LimitedUploadHandler`, first of FILE_UPLOAD_HANDLERS, stops that:

- a body whose declared length (CONTENT_LENGTH) is over the cap — UPLOAD_MAX_BYTES plus
  UPLOAD_BODY_MARGIN for the other fields and the multipart framing — is refused when its first
  file starts, before a byte of the file is stored;
- files whose bytes add up past UPLOAD_MAX_BYTES + UPLOAD_BODY_MARGIN are refused at that chunk,
  whatever the headers said.

The fields before the file (the CSRF token among them: browsers send a form's fields in order) are
read, so the view still runs and shows the refusal on the form (`UploadLimitMixin`) instead of a bare
error. The rest of the body is read and thrown away, up to UPLOAD_DRAIN_MAX_BYTES (default 2 GiB), so
that the browser, which is still sending, receives that page; past it the connection is dropped. The
reverse proxy's `client_max_body_size` should refuse such bodies before they reach rasoat at all.

Files Django keeps on disk while a request is handled go to this process's scratch folder
(`ScratchFileUploadHandler`, `rasoat.tempfiles`), so a worker killed mid-upload leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from rasoat import tempfiles

REFUSAL_ATTRIBUTE = "upload_refused_size"
DRAIN_CHUNK = 256 * 1024


def body_cap() -> int:
    """The largest request body an upload may have."""
    return int(settings.UPLOAD_MAX_BYTES) + int(getattr(settings, "UPLOAD_BODY_MARGIN", 1024 * 1024))


def drain_max() -> int:
    return int(getattr(settings, "UPLOAD_DRAIN_MAX_BYTES", 2 * 1024**3))


class LimitedUploadHandler(FileUploadHandler):
    """Refuse a request body past the cap while it streams in; pass every chunk on otherwise."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Not `content_length`: FileUploadHandler.new_file sets that to the file part's length.
        self.body = input_data
        self.body_length = content_length
        self.received = 0
        if content_length > body_cap():
            self._refuse(content_length)
        return None  # parse as usual: the fields before the file are still read

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if upload_refusal(self.request):
            self._stop()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > body_cap():
            self._refuse(max(self.received, self.body_length))
            self._stop()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self, size: int) -> None:
        setattr(self.request, REFUSAL_ATTRIBUTE, size)

    def _stop(self):
        """Throw the rest of the body away (so the sender receives the answer), then stop parsing."""
        if self.body_length <= drain_max():
            while self.body.read(DRAIN_CHUNK):
                pass
        raise StopUpload(connection_reset=True)


class ScratchUploadedFile(TemporaryUploadedFile):
    """An upload spooled to a file in this process's scratch folder (not FILE_UPLOAD_TEMP_DIR)."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        _stem, extension = os.path.splitext(name)
        file = tempfile.NamedTemporaryFile(suffix=".upload" + extension, dir=tempfiles.process_dir())  # noqa: SIM115 - closed with the upload
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


class ScratchFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for uploads past FILE_UPLOAD_MAX_MEMORY_SIZE, writing into the scratch folder."""

    def new_file(self, *args, **kwargs):
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = ScratchUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )


def upload_refusal(request) -> str | None:
    """The message for the form when `request`'s body was refused for its size, else None."""
    size = getattr(request, REFUSAL_ATTRIBUTE, None)
    if size is None:
        return None
    return _(
        "The file is too large: the request holds %(size)s, and files up to %(limit)s are accepted. "
        "Remove unneeded sheets or pictures, or split the data into several files."
    ) % {"size": filesizeformat(size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}


class UploadLimitMixin(forms.Form):
    """An upload form that shows, on its `file` field, that the request was cut for its size."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = upload_refusal(request) if request is not None else None
        if self.refusal:
            # The file never arrived: say why, instead of "this field is required".
            self.fields["file"].required = False

    def clean(self):
        cleaned = super().clean()
        if self.refusal:
            self.add_error("file", self.refusal)
        return cleaned
