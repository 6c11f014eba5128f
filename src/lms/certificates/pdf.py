"""The certificate as a PDF (reportlab; the QR code drawn as vector squares from segno's matrix)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

NAVY = colors.HexColor("#1f3a5f")
GOLD = colors.HexColor("#b8860b")


@dataclass(frozen=True)
class CertificateFacts:
    institution: str
    site_name: str
    student_name: str
    course_title: str
    instructors: list[str]
    completed_at: datetime
    code: str
    verify_url: str
    key_id: str


def _fit(canvas: Canvas, text: str, font: str, size: float, max_width: float) -> float:
    while size > 8 and canvas.stringWidth(text, font, size) > max_width:
        size -= 1
    return size


def _qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m")
    matrix = [list(row) for row in qr.matrix]
    border = 2
    modules = len(matrix) + 2 * border
    cell = size / modules
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + (c + border) * cell, y + size - (r + border + 1) * cell, cell, cell, stroke=0, fill=1)


def render_pdf(facts: CertificateFacts) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    canvas.setTitle(f"Certificate {facts.code}")
    canvas.setAuthor(facts.institution)
    canvas.setSubject(f"{facts.student_name} completed {facts.course_title}")
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(6)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.5)
    canvas.rect(36, 36, width - 72, height - 72)
    center = width / 2
    usable = width - 160

    canvas.setFillColor(NAVY)
    size = _fit(canvas, facts.institution, "Helvetica-Bold", 16, usable)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(center, height - 90, facts.institution)
    canvas.setFont("Times-Bold", 34)
    canvas.drawCentredString(center, height - 150, "Certificate of Completion")
    canvas.setFillColor(colors.black)
    canvas.setFont("Times-Italic", 15)
    canvas.drawCentredString(center, height - 190, "This certifies that")
    size = _fit(canvas, facts.student_name, "Times-Bold", 30, usable)
    canvas.setFont("Times-Bold", size)
    canvas.drawCentredString(center, height - 232, facts.student_name)
    canvas.setFont("Times-Italic", 15)
    canvas.drawCentredString(center, height - 266, "has successfully completed the course")
    size = _fit(canvas, facts.course_title, "Helvetica-Bold", 24, usable)
    canvas.setFillColor(NAVY)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(center, height - 302, facts.course_title)
    canvas.setFillColor(colors.black)
    if facts.instructors:
        line = "Instructor" + ("s" if len(facts.instructors) > 1 else "") + ": " + ", ".join(facts.instructors)
        size = _fit(canvas, line, "Helvetica", 13, usable)
        canvas.setFont("Helvetica", size)
        canvas.drawCentredString(center, height - 334, line)
    canvas.setFont("Helvetica", 13)
    canvas.drawCentredString(center, height - 358, "Completed on " + facts.completed_at.strftime("%d %B %Y"))

    qr_size = 110
    _qr(canvas, facts.verify_url, width - 80 - qr_size, 64, qr_size)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(80, 120, f"Certificate code: {facts.code}")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(80, 104, f"Verify at {facts.verify_url}")
    canvas.drawString(80, 90, f"Digitally signed (Ed25519, key {facts.key_id}); the signed record is available there.")
    canvas.drawString(80, 76, facts.site_name)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
