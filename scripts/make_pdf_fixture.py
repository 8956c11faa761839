#!/usr/bin/env python3
"""Makes tests/fixtures/inu_touroku.pdf: a small Japanese manual in 公用文
numbering, as an office's PDF export would carry it (one text line per line,
an embedded TrueType subset with a ToUnicode map); and
tests/fixtures/scan_only.pdf: a page with graphics and no text layer, as a
scanned manual would be.

Needs: pip install reportlab; apt-get install fonts-ipafont-gothic.
The generated PDF is committed, so tests need neither.
"""
import sys
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
LINES = [
    "犬の登録と狂犬病予防注射 事務取扱要領",
    "第1 犬の登録",
    "1 登録の時期",
    "生後91日以上の犬を飼い始めた日から30日以内に登録してもらう。",
    "2 手数料",
    "登録手数料は1頭3,000円。鑑札を交付する。",
    "第2 狂犬病予防注射",
    "1 注射の時期",
    "(1) 毎年4月から6月までの間に1回受けさせる。",
    "(2) 注射済票の交付手数料は1頭550円。",
]


def main(out: Path) -> None:
    pdfmetrics.registerFont(TTFont("IPAGothic", FONT))
    c = canvas.Canvas(str(out), pagesize=(595, 842))
    c.setTitle("犬の登録と狂犬病予防注射")
    c.setFont("IPAGothic", 11)
    y = 800
    for line in LINES:
        c.drawString(50, y, line)
        y -= 22
    c.showPage()
    c.save()


def scan_only(out: Path) -> None:
    c = canvas.Canvas(str(out), pagesize=(595, 842))
    for i in range(12):
        c.rect(50, 780 - i * 22, 300 + (i * 37) % 150, 12, fill=1)
    c.showPage()
    c.save()


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests/fixtures"
    main(root / "inu_touroku.pdf")
    scan_only(root / "scan_only.pdf")
