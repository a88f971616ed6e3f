"""Reading a transcript PDF back: its text (pypdf) and the fonts it embeds."""

import io
import unicodedata

import pypdf


def pdf_text(data):
    """The PDF's text, NFKC-normalised: shaped Arabic comes out as presentation forms,
    which NFKC folds back to the letters that were written."""
    assert data.startswith(b"%PDF-"), data[:40]
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFKC", text)


def embedded_fonts(data):
    """The base names of every font the PDF's pages use (subset tags stripped)."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").rpartition("+")[2])
    return names


def contains(text, words):
    """words appear in text, Arabic read in either order: a PDF stores a right-to-left
    run in the order it is drawn, and extractors differ in whether they turn it back."""
    flat = " ".join(text.split())
    words = unicodedata.normalize("NFKC", words)
    if words in flat:
        return True
    return " ".join(reversed(words.split())) in flat or words[::-1] in flat
