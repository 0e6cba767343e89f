"""PDFs from HTML templates with WeasyPrint; fonts come from the system (DejaVu, with
full Lithuanian diacritics), nothing is fetched from the network."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def _refuse_network(url: str, *args, **kwargs):
    from weasyprint.urls import URLFetchingError, default_url_fetcher

    if url.startswith(("data:", "file:")):
        return default_url_fetcher(url, *args, **kwargs)
    raise URLFetchingError(f"Kvalis PDFs load nothing from the network: {url}")


def render_html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=html, base_url=base_url or str(settings.BASE_DIR), url_fetcher=_refuse_network
    ).write_pdf()


def render_pdf(template: str, context: dict, *, language: str | None = None) -> bytes:
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return render_html_to_pdf(html)
