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


def system_font(family: str, *, bold: bool = False) -> str | None:
    """The TrueType file of `family` as fontconfig finds it, or None. fc-match always answers
    with its nearest match, so an answer from another family counts as not found."""
    import os
    import shutil
    import subprocess

    executable = shutil.which("fc-match")
    if executable is None:
        return None
    pattern = f"{family}:bold" if bold else family
    try:
        answer = subprocess.run(
            [executable, "-f", "%{family}\t%{style}\t%{fontformat}\t%{file}", pattern],
            capture_output=True,
            check=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    fields = answer.split("\t")
    if len(fields) != 4:
        return None
    families, styles, fontformat, path = fields
    if family not in families.split(",") or fontformat != "TrueType":
        return None
    if bold != ("Bold" in styles.split(",")[0].split()):
        return None
    return path if path and os.path.isfile(path) else None
