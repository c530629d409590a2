"""Hostile spreadsheets for the import tests: zip bombs, lying dimension tags and sizes, odd members.

Each builder keeps the test's own memory small: huge members are written to the zip in pieces,
so only the compressed file (well under the upload limit) is ever held whole.
"""
from __future__ import annotations

import io
import struct
import zipfile

import openpyxl

MB = 1024 * 1024
HEADINGS = ["姓名", "手机号"]


def workbook(rows=(HEADINGS, ["张三", "13900139000"])) -> bytes:
    """A real, small workbook saved by openpyxl: the base every bomb is made from."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(base: bytes, replace: dict | None = None, add: dict | None = None) -> bytes:
    """``base`` with some members replaced or added. A value is bytes, or a function that writes
    the member in pieces to the file object it is given."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            _write(target, info.filename, replace.get(info.filename, source.read(info)))
        for name, content in add.items():
            _write(target, name, content)
    return out.getvalue()


def _write(target: zipfile.ZipFile, name: str, content) -> None:
    if callable(content):
        with target.open(name, "w", force_zip64=True) as member:
            content(member)
    else:
        target.writestr(name, content)


def with_shared_strings(strings) -> bytes:
    """A workbook whose headings are shared strings 0 and 1 of the part ``strings`` writes (bytes or
    a writer function), wired in as Excel does (content type and workbook relationship)."""
    base = workbook()
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        types = source.read("[Content_Types].xml").replace(b"</Types>", (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        rels = source.read("xl/_rels/workbook.xml.rels").replace(b"</Relationships>", (
            b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/sharedStrings"/></Relationships>'))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c>'
             '<c r="B2" t="inlineStr"><is><t>13900139000</t></is></c></row></sheetData></worksheet>').encode()
    return rewrite(base, replace={"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels,
                                  "xl/worksheets/sheet1.xml": sheet},
                   add={"xl/sharedStrings.xml": strings})


SST_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<si><t>姓名</t></si><si><t>手机号</t></si>").encode()


def shared_strings_bomb(unpacked: int = 200 * MB) -> bytes:
    """Shared strings that unpack to ``unpacked`` bytes (two million long strings) from a small file."""
    one = b"<si><t>" + b"A" * 100 + b"</t></si>"
    piece = one * (MB // len(one))

    def write(member):
        member.write(SST_OPEN)
        for _ in range(unpacked // len(piece)):
            member.write(piece)
        member.write(b"</sst>")

    return with_shared_strings(write)


def sheet_xml(rows: int, cells_per_row: int, dimension: str = "A1:B2") -> callable:
    """A sheet whose dimension tag says ``dimension`` but which holds ``rows`` x ``cells_per_row``
    numbers after a first row of headings."""
    cells = b"<c><v>1</v></c>" * cells_per_row

    def write(member):
        member.write(('<?xml version="1.0" encoding="UTF-8"?>'
                     '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     f'<dimension ref="{dimension}"/><sheetData>'
                     '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
                     '<c r="B1" t="inlineStr"><is><t>手机号</t></is></c></row>').encode())
        for number in range(2, rows + 2):
            member.write(b'<row r="%d">' % number + cells + b"</row>")
        member.write(b"</sheetData></worksheet>")

    return write


def wide_sheet(rows: int, cells_per_row: int) -> bytes:
    return rewrite(workbook(), replace={"xl/worksheets/sheet1.xml": sheet_xml(rows, cells_per_row)})


def lying_size(base: bytes, name: str, declared: int) -> bytes:
    """``base`` with member ``name`` claiming to unpack to ``declared`` bytes (local header and
    central directory alike), though it really unpacks to more."""
    data = bytearray(base)
    encoded = name.encode()
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 26)[0]
        if bytes(data[at + 30:at + 30 + name_length]) == encoded:
            struct.pack_into("<I", data, at + 22, declared)
        at += 4
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, at + 24, declared)
        at += 4
    return bytes(data)


def flagged_encrypted(base: bytes, name: str) -> bytes:
    """``base`` with member ``name`` marked as encrypted (general purpose flag bit 0)."""
    data = bytearray(base)
    encoded = name.encode()
    for signature, flag_at, name_length_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            length = struct.unpack_from("<H", data, at + name_length_at)[0]
            if bytes(data[at + name_at:at + name_at + length]) == encoded:
                flags = struct.unpack_from("<H", data, at + flag_at)[0]
                struct.pack_into("<H", data, at + flag_at, flags | 0x1)
            at += 4
    return bytes(data)


def many_members(count: int) -> bytes:
    return rewrite(workbook(), add={f"customXml/item{i}.xml": b"<a/>" for i in range(count)})


def nested_zip() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.xml", b"<a/>" * 1000)
    return rewrite(workbook(), add={"xl/embeddings/inner.zip": inner.getvalue()})


def entity_bomb() -> bytes:
    """Shared strings with a DOCTYPE that expands entities (the "billion laughs")."""
    entities = "".join('<!ENTITY e{} "{}">'.format(i, f"&e{i - 1};" * 10) for i in range(1, 10))
    return with_shared_strings(('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e0 "lol">' + entities + ']>'
                                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                '<si><t>姓名</t></si><si><t>手机号</t></si><si><t>&e9;</t></si></sst>').encode())
