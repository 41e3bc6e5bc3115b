"""Imported workbooks are untrusted XML: openpyxl must parse them with defusedxml, so an XLSX that declares
entities (the "billion laughs" bomb, or external entities that read server files) is refused, never expanded."""

import io
import zipfile

import openpyxl
import openpyxl.xml
import pytest

from clients.importing.parsing import FileRejected, iter_rows, sniff


def workbook_declaring_an_entity():
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "code"
    workbook.active["A2"] = "placeholder"
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = text.replace("<worksheet", '<!DOCTYPE worksheet [<!ENTITY a "EXPANDED">]><worksheet', 1)
                assert "<t>placeholder</t>" in text
                data = text.replace("<t>placeholder</t>", "<t>&a;</t>").encode("utf-8")
            archive.writestr(item, data)
    return out.getvalue()


def test_openpyxl_parses_with_defusedxml():
    import defusedxml  # noqa: F401 - installed from requirements.txt

    assert openpyxl.xml.DEFUSEDXML is True


def test_an_import_workbook_that_declares_entities_is_refused_not_expanded():
    stream = io.BytesIO(workbook_declaring_an_entity())
    info = sniff(stream)
    assert info.format == "xlsx"
    with pytest.raises(FileRejected) as refused:
        rows = list(iter_rows(stream, info))
        assert ("EXPANDED",) not in [tuple(cells) for _, cells in rows]
    assert "EXPANDED" not in str(refused.value)
