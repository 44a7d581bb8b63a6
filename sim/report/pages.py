"""Printed pages of the briefing and the policy pages: the A4 print style, with the CJK font on the body and in
the page-margin boxes, and the fetcher that lets WeasyPrint read local files only."""

from __future__ import annotations

import functools

FONT = '"Noto Sans CJK SC", sans-serif'


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def css(footer: str, page: str, image_scale: float = 1.0, font_pt: float = 9.5) -> str:
    """The briefing's print style (A4), with the CJK font on the body and in the page-margin boxes; ``font_pt`` is
    the body text's size (English prose runs longer than Chinese and is set half a point smaller)."""
    return f"""
@page {{ size: A4; margin: 1.5cm 1.6cm 1.7cm 1.6cm;
  @bottom-left {{ content: {_css_string(footer)}; font-family: {FONT}; font-size: 7pt; color: #555;
                  width: 80%; }}
  @bottom-right {{ content: {page}; font-family: {FONT}; font-size: 7pt; color: #555; }} }}
html {{ font-family: {FONT}; }}
body {{ font-family: {FONT}; font-size: {font_pt}pt; line-height: 1.45; color: #111; }}
h1 {{ font-size: 16pt; margin: 0 0 2pt 0; color: #1f4e79; }}
h2 {{ font-size: 11.5pt; margin: 10pt 0 4pt 0; color: #1f4e79; border-bottom: 1px solid #1f4e79;
      break-after: avoid; }}
p.sub {{ margin: 0 0 6pt 0; color: #444; font-size: 8.5pt; }}
ol.findings {{ margin: 0 0 4pt 0; padding-left: 1.3em; }}
ol.findings li {{ margin-bottom: 3pt; }}
figure {{ margin: 4pt 0 6pt 0; break-inside: avoid; text-align: center; }}
figure img {{ width: {100 * image_scale:.0f}%; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8pt; margin-bottom: 3pt; }}
tr {{ break-inside: avoid; }}
th, td {{ border-bottom: 1px solid #ccc; padding: 1.5pt 3pt; text-align: right; vertical-align: top; }}
td {{ white-space: nowrap; }}
td.name {{ white-space: normal; width: 27%; }}
th {{ background: #eef3f8; font-weight: bold; }}
td.name, th.name {{ text-align: left; }}
td small {{ color: #555; }}
td small.uncertain {{ color: #c00000; font-weight: bold; }}
td.sig {{ font-weight: bold; }}
p.note {{ font-size: 7.5pt; color: #555; margin: 0 0 6pt 0; }}
ul.assumptions li {{ margin-bottom: 2pt; }}
ul.mechanisms {{ font-size: 8pt; line-height: 1.3; padding-left: 1.2em; margin: 0 0 4pt 0; }}
ul.mechanisms li {{ margin-bottom: 1pt; }}
.keep {{ break-inside: avoid; }}
.pair {{ display: flex; gap: 8pt; align-items: flex-start; break-inside: avoid; }}
.pair > * {{ flex: 1 1 50%; margin: 0; }}
.pair figure img {{ width: 100%; }}
h3 {{ font-size: 10pt; margin: 2pt 0 2pt 0; color: #1f4e79; }}
.policy {{ font-size: 8.5pt; line-height: 1.3; }}
.policy h1 {{ font-size: 13pt; }}
.policy h2 {{ font-size: 10.5pt; margin: 6pt 0 3pt 0; }}
.policy table {{ font-size: 7.3pt; }}
.policy ul {{ margin: 0 0 3pt 0; padding-left: 1.2em; }}
"""


@functools.cache
def local_fetcher():
    """One WeasyPrint URL fetcher for every rendering, reading local files and data URLs only: a briefing never
    fetches from the network (and a new fetcher per rendering loads the system's certificates each time)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("file", "data"))
