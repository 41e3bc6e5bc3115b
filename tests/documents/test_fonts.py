"""The CJK font files are for WeasyPrint only: never collected as static files, never served, still embedded."""

import io

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from pypdf import PdfReader

from documents.pdf import FONT_DIR, html_to_pdf, render_html

FONT_FILES = ["NotoSansSC_400Regular.ttf", "NotoSansSC_700Bold.ttf"]


def test_the_font_files_ship_outside_the_static_folders():
    assert all((FONT_DIR / name).is_file() for name in FONT_FILES)
    static_names = [path for finder in finders.get_finders() for path, _storage in finder.list([])]
    assert static_names, "the static finders list the site's own files"
    assert not [path for path in static_names if "NotoSansSC" in path or "noto-sans-sc" in path]
    for name in FONT_FILES:
        assert finders.find(f"fonts/noto-sans-sc/{name}") is None


@pytest.mark.parametrize(
    "url",
    [
        "/static/fonts/noto-sans-sc/NotoSansSC_400Regular.ttf",
        "/static/noto-sans-sc/NotoSansSC_700Bold.ttf",
        "/static/fonts/noto-sans-sc/OFL.txt",
    ],
)
def test_the_site_never_serves_the_font_files(settings, url):
    # Served the way `make run` and a container serve static files (whitenoise, straight from the finders), so a
    # font file back under static/ would answer 200 here.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get(url).status_code == 404


def test_a_pdf_still_embeds_noto_sans_sc():
    html = render_html("pdf/base.html", {}).replace("</body>", "<p>陈静的考核表</p></body>")
    reader = PdfReader(io.BytesIO(html_to_pdf(html)))
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in reader.pages
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values()
    }
    assert any(name.endswith("+Noto-Sans-SC") for name in fonts), fonts
