"""Uploads are refused by size while they stream in: nothing too large is spooled to disk."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

# A multipart body carries its boundaries and other fields besides the file.
_OVERHEAD = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: skips any file over UPLOAD_MAX_BYTES before the memory or
    disk handlers see it, and marks the request (``upload_too_large``) so that the form says so.

    A body that announces its size is judged on that, before the file starts; one that does not is
    cut off at the limit. The rest of a skipped file is read and thrown away, never stored."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request.upload_too_large = content_length > settings.UPLOAD_MAX_BYTES + _OVERHEAD

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.request.upload_too_large:
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
