"""Reading a spreadsheet someone uploaded (.xlsx or .csv) at a cost we chose, for every import.

An .xlsx file is a zip of XML parts, and both layers can lie. A 0.5 MB file can unpack to
gigabytes (a zip bomb in the shared strings), a member can say it is small and be large, the
dimension tag can say "A1:D10" over millions of cells, and openpyxl's ``max_col`` trims what it
hands back but still parses every cell of a row. So before openpyxl opens anything we read the
zip's own directory (member count, declared sizes, compression ratio, encryption, odd members),
then stream every XML part once with expat, counting elements and cells per row without keeping
any of them; reading each member to its end also checks its CRC, which is how a member that lied
about its size is caught. Only then does openpyxl stream the rows, and we stop at the row and
column caps ourselves. CSV keeps the decoding people's files need (UTF-8 with or without a BOM,
GB18030 from Chinese Windows Excel, UTF-16 "Unicode text") with byte, row and cell caps.

Every refusal is a ``ServiceError`` with a plain message and a 4xx status. Feature-free: accounts
import people with it today; class rosters and schedules will use the same reader.
"""
from __future__ import annotations

import csv
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from xml.parsers import expat

from flask_babel import lazy_gettext as _l

from .errors import ServiceError
from .utils import format_size

ZIP_MAGIC = b"PK\x03\x04"
ZIP_DIRECTORY_ENTRY = b"PK\x01\x02"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls, and also a password-locked .xlsx
TEXT_SUFFIXES = {"csv", "txt", "tsv"}
#: Archives inside the workbook: openpyxl never opens them, and an import has no use for them.
NESTED_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".xlsb", ".xls", ".docx", ".pptx", ".jar", ".gz", ".7z", ".rar")
XML_SUFFIXES = (".xml", ".rels", ".vml")
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What reading one file may cost. The defaults suit an import of up to 5000 people."""

    max_bytes: int = 5 * 1024 * 1024
    #: Filled rows the caller takes, plus ``headroom`` for a title line and the headings.
    max_rows: int = 5000
    headroom: int = 10
    #: Columns handed back; cells further right are ignored.
    max_columns: int = 50
    #: Cells one row may hold at all (openpyxl parses a whole row before we can trim it).
    max_cells_per_row: int = 1024
    max_members: int = 200
    max_member_bytes: int = 16 * 1024 * 1024
    max_unpacked_bytes: int = 48 * 1024 * 1024
    #: Real workbooks compress 5-30 times; a bomb compresses a thousand times.
    max_ratio: int = 100
    #: XML elements in the parts openpyxl reads whole (shared strings, styles, the workbook).
    max_elements: int = 300_000
    #: A run of this many empty rows ends a sheet: a stray cell far below must not cost a long walk.
    empty_run: int = 1000

    @property
    def max_cells(self) -> int:
        """Cells a whole workbook may hold: what the row and column caps could ever return."""
        return (self.max_rows + self.headroom) * self.max_columns


DEFAULT_LIMITS = Limits()


# ---------------------------------------------------------------- refusals

def not_a_spreadsheet() -> ServiceError:
    return ServiceError("not_a_spreadsheet", _l(
        "This file is not a spreadsheet we can read. Please upload an Excel file (.xlsx) or a .csv file."), status=415)


def too_big() -> ServiceError:
    return ServiceError("spreadsheet_too_big", _l(
        "This spreadsheet is too large or damaged. Please split it into a few smaller files and import them "
        "one by one."), status=413)


def damaged() -> ServiceError:
    return ServiceError("spreadsheet_damaged", _l(
        "This spreadsheet is damaged and could not be read. Please open it in Excel, save it again and upload "
        "the new file."), status=400)


def odd_parts() -> ServiceError:
    return ServiceError("spreadsheet_odd_parts", _l(
        "This spreadsheet contains parts we do not read (a password, or other files packed inside it). "
        "Please copy the table into a new Excel file and upload that."), status=400)


def too_large_file(limits: Limits) -> ServiceError:
    return ServiceError("file_too_large", _l(
        "The file is larger than %(size)s. Please split it into smaller files.",
        size=format_size(limits.max_bytes)), status=413)


def too_many_rows(limits: Limits) -> ServiceError:
    return ServiceError("too_many_rows", _l(
        "The file has more than %(n)d rows. Please split it into smaller files.", n=limits.max_rows), status=413)


# ---------------------------------------------------------------- the one entry point

def read_sheets(filename: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Iterator[list[list]]:
    """Each sheet of the file in turn, as rows of at most ``max_columns`` cell values, trailing empty
    rows dropped. A CSV file is one sheet. Raises ServiceError before or while yielding."""
    if len(data) > limits.max_bytes:
        raise too_large_file(limits)
    if not data.strip():
        raise ServiceError("empty_file", _l("The file is empty."))
    suffix = filename.rsplit(".", 1)[-1].lower()
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, limits)
    if data.startswith(OLE_MAGIC):
        if suffix in ("xlsx", "xlsm"):
            raise ServiceError("locked_excel", _l(
                "This Excel file is protected with a password. Please open it in Excel, remove the password, "
                "save it and upload it again."), status=400)
        raise ServiceError("old_excel", _l(
            "This is an old Excel file (.xls). In Excel choose Save As, pick “Excel Workbook (.xlsx)”, "
            "and upload that file."), status=415)
    # Anything else must at least be named as text: a picture or a PDF is not a CSV.
    if suffix not in TEXT_SUFFIXES:
        raise not_a_spreadsheet()
    return (sheet for sheet in [_read_csv(data, limits)])  # a generator, like the .xlsx path


def is_blank(row) -> bool:
    return all(value is None or str(value).strip() == "" for value in row)


def bounded(rows, limits: Limits) -> list[list]:
    """Rows up to the row cap (an empty run ends the sheet), each cut to ``max_columns``."""
    kept: list[list] = []
    filled = empty_run = 0
    for row in rows:
        if is_blank(row):
            empty_run += 1
            if empty_run >= limits.empty_run:
                break
        else:
            empty_run = 0
            filled += 1
            if filled > limits.max_rows + limits.headroom:
                raise too_many_rows(limits)
        kept.append(list(row[:limits.max_columns]))
    while kept and is_blank(kept[-1]):
        kept.pop()
    return kept


# ---------------------------------------------------------------- .xlsx

def _read_xlsx(data: bytes, limits: Limits) -> Iterator[list[list]]:
    # Counting directory entries in the raw bytes first: ZipFile builds an object for each entry,
    # and 5 MB holds 70,000 of them.
    if data.count(ZIP_DIRECTORY_ENTRY) > limits.max_members:
        raise too_big()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise not_a_spreadsheet() from None
    with archive:
        _check_directory(archive.infolist(), limits)
        _scan_members(archive, limits)
    return _stream_rows(data, limits)


def _check_directory(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """What the zip says about itself, before a byte is unpacked."""
    if len(members) > limits.max_members:
        raise too_big()
    names = set()
    for info in members:
        name = info.filename
        if (info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                or name.lower().endswith(NESTED_SUFFIXES) or name in names
                or name.startswith("/") or "\\" in name or ".." in name.split("/")):
            raise odd_parts()
        names.add(name)
        if info.file_size > limits.max_member_bytes:
            raise too_big()
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise too_big()
    if sum(info.file_size for info in members) > limits.max_unpacked_bytes:
        raise too_big()


def _scan_members(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Unpack every member once, in small pieces, keeping nothing: XML parts are counted as they
    stream past, and reaching each member's end checks its CRC against what it unpacked to."""
    counter = _Counter(limits)
    for info in archive.infolist():
        if info.is_dir():
            continue
        parser = counter.parser(info.filename) if info.filename.lower().endswith(XML_SUFFIXES) else None
        try:
            with archive.open(info) as member:
                while chunk := member.read(READ_CHUNK):
                    if parser is not None:
                        parser.Parse(chunk, False)
                if parser is not None:
                    parser.Parse(b"", True)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise damaged() from None  # RuntimeError: zipfile's word for "encrypted"
        except expat.ExpatError:
            raise not_a_spreadsheet() from None


class _Counter:
    """expat handlers that bound a workbook's cells (all sheets together), each row's cells, and the
    elements of the parts openpyxl loads whole. No tree is built, so memory stays flat."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.cells = 0
        self.row_cells = 0
        self.elements = 0

    def parser(self, name: str):
        parser = expat.ParserCreate()
        # A DOCTYPE is where entity bombs live; Excel never writes one.
        parser.StartDoctypeDeclHandler = self._refuse_doctype
        is_sheet = posixpath.dirname(name).lower().endswith(("worksheets", "chartsheets", "dialogsheets"))
        parser.StartElementHandler = self._sheet_element if is_sheet else self._part_element
        return parser

    @staticmethod
    def _refuse_doctype(*_args):
        raise odd_parts()

    def _sheet_element(self, tag: str, _attrs) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == "row":
            self.row_cells = 0
        elif local == "c":
            self.cells += 1
            self.row_cells += 1
            if self.row_cells > self.limits.max_cells_per_row or self.cells > self.limits.max_cells:
                raise too_big()

    def _part_element(self, _tag: str, _attrs) -> None:
        self.elements += 1
        if self.elements > self.limits.max_elements:
            raise too_big()


def _stream_rows(data: bytes, limits: Limits) -> Iterator[list[list]]:
    import openpyxl

    # The file passed every check above, so what openpyxl may still raise (XML, key and value
    # errors on a file that only looks like a workbook) means "not a spreadsheet" to the person.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise not_a_spreadsheet() from None
    with closing(book):
        for sheet in book.worksheets:
            try:
                sheet.reset_dimensions()  # the dimension tag can lie; read what is really there
                rows = bounded(sheet.iter_rows(values_only=True, max_col=limits.max_columns), limits)
            except ServiceError:
                raise
            except Exception:
                raise not_a_spreadsheet() from None
            yield rows


# ---------------------------------------------------------------- .csv

def _read_csv(data: bytes, limits: Limits) -> list[list]:
    text = decode_text(data)
    lines = text.splitlines()
    first_line = next((line for line in lines if line.strip()), "")
    delimiter = max(",\t;", key=first_line.count)
    # csv builds a whole row before we see it: bound the cells per line first.
    if any(line.count(delimiter) >= limits.max_cells_per_row for line in lines):
        raise too_big()
    try:
        return bounded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), limits)
    except csv.Error:
        raise not_a_spreadsheet() from None


def decode_text(data: bytes) -> str:
    """Text from a file saved by Excel or a text editor; refuses binary files and unreadable text."""
    # Excel on Chinese Windows saves CSV as GB18030 (GBK); elsewhere it is UTF-8, often with a
    # BOM; its "Unicode text" is UTF-16 with a BOM.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    elif b"\x00" in data[:4096]:
        raise not_a_spreadsheet()
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ServiceError("unreadable_text", _l(
        "The text in this file could not be read. In Excel, save it as “CSV UTF-8” and try again."),
        status=415)
