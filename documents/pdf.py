"""PDF rendering with WeasyPrint, with the project's own CJK font so Chinese renders on any machine."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

# Shipped with the project (SIL OFL): no system font package is needed. Outside static/ on purpose: only WeasyPrint
# reads them, by file:// URL; under static/ collectstatic made 85 MB of hashed and compressed copies of them and the
# site served them to anyone.
FONT_DIR = Path(__file__).resolve().parent / "fonts" / "noto-sans-sc"
CJK_FONT_NAME = "Noto Sans SC"


def font_face_css():
    """@font-face rules pointing at the shipped font files."""
    regular = (FONT_DIR / "NotoSansSC_400Regular.ttf").as_uri()
    bold = (FONT_DIR / "NotoSansSC_700Bold.ttf").as_uri()
    return (
        f"@font-face {{ font-family: '{CJK_FONT_NAME}'; src: url('{regular}'); font-weight: 400; }}\n"
        f"@font-face {{ font-family: '{CJK_FONT_NAME}'; src: url('{bold}'); font-weight: 700; }}\n"
    )


def render_html(template_name, context):
    """The finished HTML of a PDF template (kept separate so benchmarks can time WeasyPrint alone)."""
    return render_to_string(template_name, {**context, "font_face_css": font_face_css()})


def html_to_pdf(html):
    """WeasyPrint on finished HTML; file:// URLs resolve against the project root."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_pdf(template_name, context):
    """Render a template under templates/pdf/ to PDF bytes."""
    return html_to_pdf(render_html(template_name, context))
