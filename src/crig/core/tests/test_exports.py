"""CSV and XLSX exports: round trips, formula neutralisation, numbers, unicode."""

import csv
import datetime
import io
from decimal import Decimal
from http import HTTPStatus

import pytest
from openpyxl import load_workbook

from crig.core import exports

HEADER = ["id", "titre", "montant"]


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx_rows(body: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil.example","clic")', '\'=HYPERLINK("http://evil.example","clic")'),
        ("+33 5 61 00 00 00", "'+33 5 61 00 00 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Orthophotographie = 5 cm", "Orthophotographie = 5 cm"),
        ("", ""),
    ],
)  # fmt: skip
def test_neutralise_prefixes_formula_triggers_only(text, expected):
    assert exports.neutralise(text) == expected


def test_csv_round_trip_with_bom_quotes_and_unicode():
    # Given rows with accents, a comma, a quote, a newline and an empty value
    rows = [
        [1, "Orthophotographie de l'Hérault, 5 cm", 12500],
        [2, 'PCRS « Toulouse » "v2"\nligne 2', None],
    ]

    # When exported as CSV
    body = exports.csv_bytes(HEADER, rows)

    # Then it reads back identical (numbers as their text), with CRLF line ends
    assert _csv_rows(body) == [
        ["id", "titre", "montant"],
        ["1", "Orthophotographie de l'Hérault, 5 cm", "12500"],
        ["2", 'PCRS « Toulouse » "v2"\nligne 2', ""],
    ]
    assert body.decode("utf-8-sig").splitlines(keepends=True)[0] == (
        '"id","titre","montant"\r\n'
    )


def test_csv_quotes_every_text_but_not_numbers():
    body = exports.csv_bytes(["a", "b", "c"], [["x;y", -12, Decimal("3.50")]])

    assert body.decode("utf-8-sig").splitlines()[1] == '"x;y",-12,3.50'


def test_csv_semicolon_before_a_formula_is_neutralised_too():
    # A French Excel splits every line on semicolons, quotes or not when the
    # quote is not a field's first character: 1,"x;=1+1" would give a cell
    # "=1+1", and a line break there a row starting "- c". The XLSX keeps the
    # text as it is.
    row = [1, "x;=1+1;+2;-3;@4;\t=5", "a;b\n- c\r\n=d"]

    body = exports.csv_bytes(["id", "t", "u"], [row])
    xlsx = exports.xlsx_bytes(["id", "t", "u"], [row])
    sheet = load_workbook(io.BytesIO(xlsx)).active

    assert body.decode("utf-8-sig").split("\r\n", 1)[1] == (
        "1,\"x;'=1+1;'+2;'-3;'@4;'\t=5\",\"a;b\n'- c\r\n'=d\"\r\n"
    )
    for line in body.decode("utf-8-sig").splitlines():
        for cell in line.split(";"):
            assert not cell.startswith(exports.FORMULA_TRIGGERS)
    assert sheet["B2"].value == "x;=1+1;+2;-3;@4;\t=5"


def test_csv_neutralises_formulas_and_leaves_numbers():
    body = exports.csv_bytes(
        HEADER, [[-5, '=HYPERLINK("http://evil.example")', -1.5], [2, "-3", 0]]
    )

    assert _csv_rows(body)[1:] == [
        ["-5", '\'=HYPERLINK("http://evil.example")', "-1.5"],
        ["2", "'-3", "0"],
    ]


def test_csv_writes_dates_booleans_and_lists():
    moment = datetime.datetime(2024, 3, 1, 8, 30, tzinfo=datetime.UTC)

    body = exports.csv_bytes(
        ["a", "b", "c", "d", "e"],
        [[datetime.date(2024, 6, 30), moment, True, ["31555", "31069"], ["=x", 2]]],
    )

    # Times in the project's time zone (Europe/Paris: UTC+1 in March).
    assert _csv_rows(body)[1] == [
        "2024-06-30",
        "2024-03-01T09:30:00+01:00",
        "true",
        "31555, 31069",
        "'=x, 2",
    ]


def test_xlsx_round_trip_keeps_types_and_unicode():
    # Given typed values
    rows = [
        [1, "Adresses des communes de la Lozère — Mende", Decimal("1500.5")],
        [2, "Ωmega 日本 ✓", -250],
        [3, None, 0.25],
    ]

    # When exported as XLSX
    body = exports.xlsx_bytes(HEADER, rows, sheet_title="Besoins")

    # Then openpyxl reads the same values and types back
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Besoins"]
    assert _xlsx_rows(body) == [
        ["id", "titre", "montant"],
        [1, "Adresses des communes de la Lozère — Mende", 1500.5],
        [2, "Ωmega 日本 ✓", -250],
        [3, None, 0.25],
    ]
    assert workbook.active.freeze_panes == "A2"
    assert workbook.active["A1"].font.bold is True


def test_xlsx_neutralises_formulas_and_stores_them_as_text():
    body = exports.xlsx_bytes(
        HEADER, [[1, '=HYPERLINK("http://evil.example","clic")', -3], [2, "@A1", 4]]
    )

    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet["B2"].value == '\'=HYPERLINK("http://evil.example","clic")'
    assert sheet["B2"].data_type == "s"
    assert sheet["B3"].value == "'@A1"
    assert sheet["C2"].value == -3
    assert sheet["C2"].data_type == "n"


def test_xlsx_writes_dates_in_local_time_and_drops_forbidden_characters():
    moment = datetime.datetime(2024, 7, 14, 10, 0, tzinfo=datetime.UTC)

    body = exports.xlsx_bytes(
        ["quand", "jour", "texte"],
        [[moment, datetime.date(2025, 1, 31), "bip\x07 et\x00 fin"]],
    )

    # Excel has no time zones: naive Europe/Paris time (summer: UTC+2); openpyxl
    # reads a date back as a datetime at midnight.
    assert [
        value.isoformat() if hasattr(value, "isoformat") else value
        for value in _xlsx_rows(body)[1]
    ] == ["2024-07-14T12:00:00", "2025-01-31T00:00:00", "bip et fin"]


def test_xlsx_cuts_texts_at_the_excel_cell_limit():
    body = exports.xlsx_bytes(["texte"], [["a" * 40_000]])

    assert len(_xlsx_rows(body)[1][0]) == 32_767


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Besoins: 2024/[v1]?", "Besoins 2024v1"), ("", "Export"), ("x" * 40, "x" * 31)],
)
def test_xlsx_sheet_titles_follow_excel_rules(title, expected):
    body = exports.xlsx_bytes(["a"], [], sheet_title=title)

    assert load_workbook(io.BytesIO(body)).sheetnames == [expected]


def test_export_response_csv_is_an_attachment_with_a_unicode_filename():
    response = exports.export_response(
        format="csv", filename="besoins-hérault", header=["a"], rows=[["é"]]
    )

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''besoins-h%C3%A9rault.csv"
    )
    assert _csv_rows(response.content) == [["a"], ["é"]]


def test_export_response_xlsx():
    response = exports.export_response(
        format="xlsx", filename="besoins", header=["a"], rows=[[1]]
    )

    assert response["Content-Type"] == exports.XLSX_MEDIA_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="besoins.xlsx"'
    assert _xlsx_rows(response.content) == [["a"], [1]]
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["besoins"]


def test_export_response_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="ods"):
        exports.export_response(format="ods", filename="x", header=[], rows=[])
