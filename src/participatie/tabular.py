"""Reading the exports of registration forms, and writing CSV that is safe to open.

Real exports are messy. Excel on Windows writes CSV with ``;`` between the
columns (where the decimal separator is a comma, as in the Netherlands), in
the Windows code page or UTF-8 with a byte-order mark, sometimes with a
``sep=;`` line first; "Unicode text" is UTF-16 with tabs; form tools add empty
rows, trailing spaces and headers that are whole questions; a Mac writes "é"
as "e" plus a combining accent. :func:`read_table` takes all of that and
gives clean text cells with the line each row started on, so every refusal
can point at the row in the organiser's own file.

Spreadsheets (``.xlsx``) are read with openpyxl, installed with the ``xlsx``
extra (``pip install participatie[xlsx]``).

Writing goes through :func:`safe_cell`: a cell that starts with ``=``, ``+``,
``-`` or ``@`` is run as a formula by spreadsheet programs (CSV injection), so
such cells are written with a leading apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO

import attrs

from participatie.exceptions import UnreadableTableError

__all__ = ["DELIMITERS", "Row", "Table", "read_csv_text", "read_table", "safe_cell", "write_csv"]

#: The column separators :func:`read_table` recognises.
DELIMITERS = (",", ";", "\t", "|")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SNIFF_LINES = 50


@attrs.frozen
class Row:
    """One data row of an export.

    Attributes:
        line: Where the row starts in the file: the line number in a CSV file
            (counting the header and any empty lines), the row number in a
            spreadsheet.
        values: The cells, trimmed, one per header.
    """

    line: int
    values: tuple[str, ...]


@attrs.frozen
class Table:
    """An export as headers and rows of text.

    Attributes:
        name: The file name, for messages.
        headers: The column headers, trimmed.
        rows: The rows that hold anything (empty rows are left out).
        encoding: The character encoding the text was read with (CSV only).
        delimiter: The column separator (CSV only).
    """

    name: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str | None = None
    delimiter: str | None = None


def _clean(value: str) -> str:
    """NFC, trimmed, with inner runs of whitespace (also no-break spaces) made one space."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of an export and the encoding it was read with.

    A byte-order mark decides (UTF-8 or UTF-16); otherwise UTF-8 is tried,
    then the Windows code page Excel uses in Western Europe (cp1252).
    """
    if encoding is not None:
        name = codecs.lookup(encoding).name
        if name == "utf-8":
            name = "utf-8-sig"  # a BOM is never part of the first header
        try:
            return data.decode(name), name
        except UnicodeDecodeError as error:
            raise UnreadableTableError(f"the file is not {encoding}: {error}") from error
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise UnreadableTableError(f"the file is not valid UTF-16: {error}") from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise UnreadableTableError(
            "the character encoding of the file is not recognised (not UTF-8, UTF-16 or "
            "Windows-1252); save it as CSV UTF-8 or name the encoding"
        ) from error


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines into the most consistent columns."""
    best = ","
    best_score: tuple[bool, float, int] = (False, 0.0, 0)
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    for delimiter in DELIMITERS:
        rows = [row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(row)]
        if not rows:
            continue
        width = len(rows[0])
        same = sum(1 for row in rows if len(row) == width) / len(rows)
        score = (width >= 2, same, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_text(text: str, *, name: str = "", delimiter: str | None = None) -> Table:
    """Read the text of a CSV export (see :func:`read_table`)."""
    lines_before = 0
    first_line, _, rest = text.partition("\n")
    marker = first_line.strip().lower()
    if marker.startswith("sep=") and len(marker) == 5:
        # Excel's "sep=;" line names the separator; it is not the header.
        delimiter = delimiter or first_line.strip()[4]
        text = rest
        lines_before = 1
    if delimiter is None:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: tuple[str, ...] | None = None
    rows: list[Row] = []
    consumed = 0
    try:
        for cells in reader:
            line = lines_before + consumed + 1
            consumed = reader.line_num
            values = tuple(_clean(cell) for cell in cells)
            if not any(values):
                continue
            if headers is None:
                headers = values
                continue
            rows.append(Row(line, _fit(values, len(headers))))
    except csv.Error as error:
        raise UnreadableTableError(
            f"{name or 'the file'}: line {lines_before + reader.line_num}: {error}"
        ) from error
    if headers is None:
        raise UnreadableTableError(f"{name or 'the file'} is empty: there is no header row")
    return Table(name, headers, tuple(rows), delimiter=delimiter)


def _fit(values: tuple[str, ...], width: int) -> tuple[str, ...]:
    if len(values) >= width:
        return values[:width]
    return values + ("",) * (width - len(values))


def read_table(
    path: str | Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Read a registration export: ``.csv`` (or ``.txt``/``.tsv``) or ``.xlsx``.

    For CSV the encoding and the separator are detected unless given; the
    first row that holds anything is the header row; rows without any value
    are left out; every cell is trimmed and put in Unicode NFC form. A file
    that cannot be read raises
    :class:`~participatie.exceptions.UnreadableTableError`.
    """
    file = Path(path)
    if file.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(file, sheet)
    if file.suffix.lower() in {".xls", ".ods", ".numbers"}:
        raise UnreadableTableError(
            f"{file.name}: {file.suffix} files cannot be read; save the sheet as .xlsx or .csv"
        )
    try:
        data = file.read_bytes()
    except OSError as error:
        raise UnreadableTableError(f"cannot read {file}: {error.strerror}") from error
    text, used = decode(data, encoding)
    table = read_csv_text(text, name=file.name, delimiter=delimiter)
    return attrs.evolve(table, encoding=used)


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return _clean(str(value))


def _read_xlsx(file: Path, sheet: str | None) -> Table:
    try:
        import openpyxl
    except ImportError as error:
        raise UnreadableTableError(
            f"{file.name}: reading .xlsx files needs the xlsx extra: "
            "pip install 'participatie[xlsx]' (or save the sheet as CSV)"
        ) from error
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and XML errors alike
        raise UnreadableTableError(f"{file.name} is not a readable .xlsx file: {error}") from error
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise UnreadableTableError(
                f"{file.name} has no sheet {sheet!r}; it has: {', '.join(workbook.sheetnames)}"
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        headers: tuple[str, ...] | None = None
        rows: list[Row] = []
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            values = tuple(_xlsx_text(cell) for cell in cells)
            if not any(values):
                continue
            if headers is None:
                headers = values
                continue
            rows.append(Row(number, _fit(values, len(headers))))
    finally:
        workbook.close()
    if headers is None:
        raise UnreadableTableError(f"{file.name} is empty: there is no header row")
    return Table(file.name, headers, tuple(rows))


def safe_cell(value: object) -> str:
    """A cell value that a spreadsheet program shows as text, never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading apostrophe (the OWASP advice against CSV injection), so
    ``=HYPERLINK(...)`` typed into a form's name field stays a name.
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(
    stream: TextIO,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
) -> None:
    """Write rows as CSV with every cell made safe by :func:`safe_cell`."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(header) for header in headers])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
