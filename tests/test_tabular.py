"""Reading exports however they were saved, and writing CSV that spreadsheets cannot run."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participatie import UnreadableTableError
from participatie.tabular import (
    DELIMITERS,
    decode,
    read_csv_text,
    read_table,
    safe_cell,
    sniff_delimiter,
    write_csv,
)

TEXT = "Naam;Plaats\r\nChloë;Den Haag\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_recognises_the_encoding(data: bytes, encoding: str) -> None:
    assert decode(data) == (TEXT, encoding)


def test_decode_with_a_named_encoding() -> None:
    assert decode(TEXT.encode("latin-1"), "latin-1")[0] == TEXT
    assert decode(codecs.BOM_UTF8 + b"a;b", "utf8") == ("a;b", "utf-8-sig")
    with pytest.raises(UnreadableTableError, match="not utf-8"):
        decode(b"\xff\xfe\xfa", "utf-8")


def test_decode_refuses_what_no_encoding_reads() -> None:
    with pytest.raises(UnreadableTableError, match="not recognised"):
        decode(b"\x81\x8d\x8f\x90\x9d\xff")  # undefined in cp1252, invalid UTF-8
    with pytest.raises(UnreadableTableError, match="UTF-16"):
        decode(codecs.BOM_UTF16_LE + b"\x00\xd8")


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_sniff_finds_the_separator_despite_other_characters(delimiter: str) -> None:
    rows = [["Naam", "Organisatie", "Opmerking"], ["Jansen, P.", "Raad; Noord", "a|b"]] * 3
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    assert sniff_delimiter(buffer.getvalue()) == delimiter


def test_rows_keep_the_line_they_start_on() -> None:
    table = read_csv_text('\n\nName,Note\nA,"two\nlines"\n,\nB,x\n', name="t.csv", delimiter=",")
    assert table.headers == ("Name", "Note")
    assert [(row.line, row.values) for row in table.rows] == [
        (4, ("A", "two lines")),
        (7, ("B", "x")),
    ]


def test_short_and_long_rows_fit_the_header() -> None:
    table = read_csv_text("a;b;c\n1\n1;2;3;4\n", delimiter=";")
    assert [row.values for row in table.rows] == [("1", "", ""), ("1", "2", "3")]


def test_excel_sep_line_is_not_a_header() -> None:
    table = read_csv_text("sep=|\nNaam|E-mail\nNoor|noor@example.org\n")
    assert table.delimiter == "|"
    assert table.headers == ("Naam", "E-mail")
    assert table.rows[0].line == 3


def test_empty_and_broken_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableTableError, match="no header row"):
        read_csv_text("\n ; \n", name="leeg.csv")
    (tmp_path / "oud.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UnreadableTableError, match=r"\.xls files cannot be read"):
        read_table(tmp_path / "oud.xls")
    (tmp_path / "kapot.xlsx").write_bytes(b"not a zip")
    with pytest.raises(UnreadableTableError, match=r"not a readable \.xlsx"):
        read_table(tmp_path / "kapot.xlsx")
    with pytest.raises(UnreadableTableError, match="cannot read"):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(UnreadableTableError, match="line 2"):
        read_csv_text('a,b\n"' + "x" * 200_000 + '",z\n', delimiter=",")


def test_an_empty_spreadsheet_is_refused(tmp_path: Path) -> None:
    import openpyxl

    openpyxl.Workbook().save(tmp_path / "leeg.xlsx")
    with pytest.raises(UnreadableTableError, match="no header row"):
        read_table(tmp_path / "leeg.xlsx")


def test_spreadsheet_values_become_text(tmp_path: Path) -> None:
    from datetime import date, datetime, time

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Wanneer", "Dag", "Tijd", "Telefoon", "Akkoord", "Naam"])
    sheet.append(
        [datetime(2021, 5, 3, 9, 10), date(2021, 5, 3), time(9, 10), 612345678.0, True, " Zoë "]
    )
    workbook.save(tmp_path / "waarden.xlsx")
    table = read_table(tmp_path / "waarden.xlsx")
    assert table.rows[0].values == (
        "2021-05-03 09:10:00",
        "2021-05-03 00:00:00",  # a spreadsheet has no dates without a time
        "09:10:00",
        "612345678",
        "true",
        "Zoë",
    )
    assert table.rows[0].line == 2


def test_reading_xlsx_without_openpyxl_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    (tmp_path / "x.xlsx").write_bytes(b"")
    with pytest.raises(UnreadableTableError, match=r"participatie\[xlsx\]"):
        read_table(tmp_path / "x.xlsx")


@given(st.text())
def test_safe_cells_never_start_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in {text, "'" + text}


@given(st.lists(st.lists(st.text(), min_size=3, max_size=3), max_size=5))
def test_written_csv_reads_back_with_only_formulas_defused(rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    write_csv(buffer, ["a", "b", "c"], rows)
    back = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert back[0] == ["a", "b", "c"]
    assert back[1:] == [[safe_cell(cell) for cell in row] for row in rows]
