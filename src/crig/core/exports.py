"""Tabular exports shared by every module: CSV and XLSX files, and the HTTP
responses that serve them.

A module builds its rows (a header and one list of values per row) from the same
selectors as its pages, so an export holds exactly what the person may see, then
calls ``export_response``. Values may be ``str``, ``int``, ``float``, ``Decimal``,
``bool``, ``date``, ``datetime``, ``None`` or a list/tuple of those (joined with
", ").

Decisions:

- **Formula injection** (OWASP "CSV Injection"): a spreadsheet evaluates a cell
  whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, so
  a need titled ``=HYPERLINK(…)`` would run in the reader's spreadsheet. Every text
  value starting so gets a leading apostrophe, in CSV and XLSX alike (the same text
  in both; Excel hides an apostrophe typed first, LibreOffice shows it). True
  numbers are written as numbers, untouched: a negative amount stays a number.
- **CSV** is RFC 4180 with commas and CRLF line ends, encoded in UTF-8 **with a
  byte-order mark**: without it Excel reads the file as Windows-1252 and
  "Hérault" arrives as "HÃ©rault"; every CSV reader of note (Python's
  ``utf-8-sig``, pandas, QGIS, LibreOffice) skips the mark. Every text field is
  quoted (``QUOTE_NONNUMERIC``). A spreadsheet whose list separator is the
  semicolon (French Excel) still splits a line on every semicolon, quotes or not
  (a quote opens a quoted field only as a field's first character, and a line's
  first field is often a number): ``1,"x;=1+1"`` gives the cells ``1,"x`` and
  ``=1+1"``; a line break inside such an unrecognised quote starts a new row
  (a description's ``\n- item``). So in CSV a semicolon or a line break followed
  by a formula trigger gets the apostrophe after it too (``x;'=1+1``,
  ``\n'- item``). People who want a spreadsheet take the XLSX, which needs no
  separator guess and keeps the text as it is.
- **XLSX** is written with openpyxl in write-only mode, first row bold and frozen,
  characters XML forbids removed (openpyxl refuses them), texts cut at Excel's
  32,767 characters per cell, dates as dates, aware datetimes in local time (Excel
  has no time zones).
"""

import csv
import datetime
import io
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TabularFormat = Literal["csv", "xlsx"]

#: What makes a spreadsheet read a cell as a formula (OWASP CSV Injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CELL_CHARS = 32_767
LIST_SEPARATOR = ", "
#: A semicolon or a line break a French spreadsheet splits on, before a
#: formula trigger.
_SPLIT_BEFORE_FORMULA = re.compile(r"[;\r\n](?=[=+\-@\t\r])")


def neutralise(value: str) -> str:
    """The text with a leading apostrophe if a spreadsheet would take it for a
    formula."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def cell_value(value):
    """One value as it goes into a cell: numbers, booleans and dates as they are
    (aware datetimes in local time), ``None`` empty, lists joined, every other
    value as neutralised text."""
    if value is None:
        return ""
    if _is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return value
    if isinstance(value, bool | datetime.date):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value)
        return value
    if isinstance(value, list | tuple):
        return neutralise(
            LIST_SEPARATOR.join("" if item is None else str(item) for item in value)
        )
    return neutralise(str(value))


def csv_field(value):
    """One value as it goes into a CSV field (see the module docstring)."""
    value = cell_value(value)
    if _is_number(value):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _SPLIT_BEFORE_FORMULA.sub(lambda split: split.group() + "'", value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """The rows as CSV (see the module docstring), with the byte-order mark."""
    output = io.StringIO()
    writer = csv.writer(output, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([neutralise(str(label)) for label in header])
    for row in rows:
        writer.writerow([csv_field(value) for value in row])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def _xlsx_value(value):
    value = cell_value(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL_CHARS]
    return value


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = ""
) -> bytes:
    """The rows as an XLSX workbook of one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(str(label)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            value = _xlsx_value(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # Never a formula, whatever openpyxl would guess from the text.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join(c for c in title if c not in "[]:*?/\\").strip()
    return cleaned[:31] or "Export"


def export_response(
    *,
    format: TabularFormat,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    sheet_title: str = "",
) -> HttpResponse:
    """An attachment ``<filename>.csv`` or ``<filename>.xlsx`` holding the rows."""
    if format == "csv":
        body, media_type = csv_bytes(header, rows), CSV_MEDIA_TYPE
    elif format == "xlsx":
        body = xlsx_bytes(header, rows, sheet_title=sheet_title or filename)
        media_type = XLSX_MEDIA_TYPE
    else:
        raise ValueError(f"Unknown export format: {format!r}")
    response = HttpResponse(body, content_type=media_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.{format}"
    )
    return response
