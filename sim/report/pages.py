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


SERIF = '"Noto Serif CJK SC", "Noto Sans CJK SC", serif'
"""The memo's body face (宋体-like); headings and tables use the sans face (黑体-like), as official documents do."""


def memo_css(page: str, zh: bool = True) -> str:
    """The memo's print style (A4): masthead in red, a boxed summary, numbered parts, annexes on pages of their own;
    ``page`` is the CSS content of the page number at the foot of each page."""
    body_pt = 11.0 if zh else 10.5
    return f"""
@page {{ size: A4; margin: 2.2cm 2.3cm 2.0cm 2.3cm;
  @bottom-center {{ content: {page}; font-family: {FONT}; font-size: 9pt; color: #333; }} }}
html {{ font-family: {SERIF}; }}
body {{ font-family: {SERIF}; font-size: {body_pt}pt; line-height: 1.6; color: #111; }}
.masthead {{ text-align: center; border-bottom: 2px solid #c00000; margin-bottom: 10pt; padding-bottom: 4pt; }}
.masthead .series {{ font-family: {FONT}; font-size: 30pt; font-weight: bold; color: #c00000; letter-spacing: 6pt; }}
.masthead .issue {{ font-size: 10.5pt; min-height: 1em; }}
table.mast {{ width: 100%; border: none; margin: 0; font-size: 10pt; }}
table.mast td {{ border: none; padding: 0; }}
table.mast td.left {{ text-align: left; }}
table.mast td.right {{ text-align: right; }}
h1 {{ font-family: {FONT}; font-size: 17pt; text-align: center; margin: 6pt 0 10pt 0; }}
h2 {{ font-family: {FONT}; font-size: 13pt; margin: 12pt 0 4pt 0; break-after: avoid; }}
h3 {{ font-family: {FONT}; font-size: 11pt; margin: 8pt 0 3pt 0; break-after: avoid; }}
p {{ margin: 0 0 5pt 0; text-align: {"justify" if zh else "left"}; }}
.summary {{ border: 1.2px solid #333; padding: 6pt 10pt 4pt 10pt; margin: 4pt 0 8pt 0; }}
.summary .head {{ font-family: {FONT}; font-weight: bold; font-size: 12pt; text-align: center; margin-bottom: 3pt; }}
.summary p {{ text-indent: 2em; margin-bottom: 3pt; }}
p.rec {{ text-indent: 2em; }}
.owners {{ color: #333; }}
table {{ border-collapse: collapse; width: 100%; font-family: {FONT}; font-size: 8.2pt; line-height: 1.35;
         margin: 3pt 0 4pt 0; }}
tr {{ break-inside: avoid; }}
th, td {{ border-bottom: 1px solid #bbb; padding: 2pt 3pt; text-align: right; vertical-align: top; }}
th {{ background: #f0f0f0; font-weight: bold; }}
td.name, th.name {{ text-align: left; }}
td.wide {{ width: 55%; }}
tr.total td {{ font-weight: bold; border-top: 1px solid #333; }}
td.sig {{ font-weight: bold; }}
td.worse {{ font-weight: bold; color: #c00000; }}
small.uncertain {{ color: #c00000; font-weight: bold; }}
small.ok {{ color: #555; }}
table.compare {{ font-size: 7.6pt; }}
table.contents {{ font-size: 7.6pt; }}
table.small {{ width: auto; font-size: 7.6pt; }}
p.note {{ font-size: 8.5pt; color: #444; line-height: 1.4; }}
ul {{ margin: 0 0 5pt 0; padding-left: 1.4em; }}
ul.explain li, ul.tech li {{ margin-bottom: 3pt; }}
ul.tech {{ font-size: 9pt; }}
.annex {{ break-before: page; }}
figure {{ margin: 4pt 0 8pt 0; break-inside: avoid; text-align: center; }}
figure img {{ width: 100%; }}
"""
