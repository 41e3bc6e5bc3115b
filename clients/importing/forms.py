"""The upload form of the file import: the file is refused here, next to the field, if it is empty,
too large or not really a CSV or XLSX file."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clients.importing import parsing
from clients.importing.services import import_file_check

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8, or GB18030 as saved by Chinese Excel) or Excel workbook (.xlsx), up to %(size)s MB. "
            "The first row holds the column headers."
        ) % {"size": f"{settings.IMPORT_MAX_UPLOAD_BYTES / 1048576:g}"}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("upload", _("Upload and check"), css_class="btn-primary"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; files up to %(limit)s MB are accepted.")
                % {"size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"}
            )
        try:
            import_file_check(stream=upload)
        except parsing.FileRejected as rejection:
            raise forms.ValidationError(str(rejection)) from rejection
        upload.seek(0)
        return upload
