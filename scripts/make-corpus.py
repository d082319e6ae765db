#!/usr/bin/env python3
"""Writes the hostile-file corpus in tests/corpus/ (committed; rerun only to change it).

Each file is written byte by byte here, with fixed timestamps, so a rerun gives the same bytes
(the .xls and .ods come from LibreOffice and the password-protected workbook from msoffcrypto-tool,
which are not byte-stable; they are kept as committed). What each file must get is in
tests/corpus/manifest.toml, which the tests read.

    python3 scripts/make-corpus.py [--with-office]   # --with-office: also the .xls, .ods, password files
"""
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "corpus")
HEADER = ["事業番号", "事業名", "区分", "統合プロジェクト", "前年度予算額", "要求額", "うち重要政策推進枠", "疾患領域", "開発目的", "新規・継続"]
GOOD = [
    ["C-1", "（架空）良い事業", "AMED対象経費", "医薬品", 1000, 1200, 100, "がん:60;難病:40", "治療", "継続"],
    ["C-2", "（架空）別の事業", "インハウス研究機関経費", "", 500, 500, "", "", "", "継続"],
]
STAMP = (2023, 4, 1, 0, 0, 0)


def col(c):
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(v):
    return str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(r, c, v, style=None):
    ref = f"{col(c)}{r + 1}"
    s = f' s="{style}"' if style is not None else ""
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"{s}><v>{v}</v></c>'
    if isinstance(v, tuple):  # (formula, cached value or None)
        f, cached = v
        return f'<c r="{ref}"{s}><f>{esc(f)}</f>' + (f"<v>{cached}</v>" if cached is not None else "") + "</c>"
    return f'<c r="{ref}" t="inlineStr"{s}><is><t>{esc(v)}</t></is></c>'


def rows_xml(rows, hidden=()):
    out = []
    for r, row in enumerate(rows):
        cells = "".join(cell(r, c, v) for c, v in enumerate(row) if v != "")
        h = ' hidden="1"' if r in hidden else ""
        out.append(f'<row r="{r + 1}"{h}>{cells}</row>')
    return "".join(out)


def sheet(body, extra_before="", extra_after=""):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{extra_before}<sheetData>{body}</sheetData>{extra_after}</worksheet>"
    )


STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)


def xlsx(sheet_xml, shared=None, sheet_name="要求一覧", stored=False):
    """A minimal workbook: one sheet, optional shared strings, the date style as style 1."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else "")
        + "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        + ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared else "")
        + "</Relationships>",
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared:
        parts["xl/sharedStrings.xml"] = shared
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8") if isinstance(text, str) else text, compresslevel=9)
    return buf.getvalue()


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def csv_text(rows, nl="\r\n"):
    return nl.join(",".join(str(v) for v in r) for r in [HEADER] + rows) + nl


def lie_about_size(data, member, declared):
    """Rewrites the uncompressed size `member` declares, in its local header and the central directory."""
    data = bytearray(data)
    name = member.encode()
    i = data.find(b"PK\x03\x04" + b"")
    while i != -1:
        n = struct.unpack_from("<H", data, i + 26)[0]
        if bytes(data[i + 30 : i + 30 + n]) == name:
            struct.pack_into("<I", data, i + 22, declared)
        i = data.find(b"PK\x03\x04", i + 4)
    i = data.find(b"PK\x01\x02")
    while i != -1:
        n = struct.unpack_from("<H", data, i + 28)[0]
        if bytes(data[i + 46 : i + 46 + n]) == name:
            struct.pack_into("<I", data, i + 24, declared)
        i = data.find(b"PK\x01\x02", i + 4)
    return bytes(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    good = [HEADER] + GOOD

    # Zip bombs: 300 MiB of white space inside the sheet, declared honestly, and declared as 4 KiB.
    pad = " " * (300 << 20)
    bomb = xlsx(sheet(rows_xml(good) + pad))
    write("zip-bomb.xlsx", bomb)
    write("zip-bomb-lying.xlsx", lie_about_size(bomb, "xl/worksheets/sheet1.xml", 4096))
    del pad, bomb

    # XML entities: exponential expansion, and an external entity naming a local file.
    lol = '<!DOCTYPE sst [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    ) + "]>"
    sst = '<?xml version="1.0" encoding="UTF-8"?>' + lol + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    body = rows_xml([HEADER]) + '<row r="2"><c r="A2" t="inlineStr"><is><t>C-1</t></is></c><c r="B2" t="s"><v>0</v></c></row>'
    write("xml-billion-laughs.xlsx", xlsx(sheet(body), shared=sst))
    sst = '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    write("xml-external-entity.xlsx", xlsx(sheet(body), shared=sst))

    # The last row Excel has, and a 10 MB cell.
    write("row-1048576.xlsx", xlsx(sheet(rows_xml(good) + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')))
    big = [HEADER, ["C-1", "a" * 10_000_000] + GOOD[0][2:]]
    write("cell-10mb.xlsx", xlsx(sheet(rows_xml(big))))

    # One shared string of 32,000 characters named by 9,000 cells: 300 KB of sheet, 288 MB of text.
    sst = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9000" uniqueCount="1"><si><t>' + "x" * 32_000 + "</t></si></sst>"
    body = rows_xml([HEADER]) + "".join(f'<row r="{r}"><c r="B{r}" t="s"><v>0</v></c></row>' for r in range(2, 9002))
    write("shared-string-amplification.xlsx", xlsx(sheet(body), shared=sst))

    # Formulas in amount cells: with cached values (read), and without (refused).
    f = [HEADER, ["C-1", "（架空）数式の事業", "AMED対象経費", "医薬品", ("600+400", 1000), ("E2*1.2", 1200), "", "", "", "継続"]]
    write("formulas-cached.xlsx", xlsx(sheet(rows_xml(f))))
    f[1][5] = ("E2*1.2", None)
    write("formula-uncached.xlsx", xlsx(sheet(rows_xml(f))))

    # Merged cells: the name stands once for two rows, so the second row has none.
    merged = [HEADER, GOOD[0], ["C-3", ""] + GOOD[0][2:]]
    write("merged-cells.xlsx", xlsx(sheet(rows_xml(merged), extra_after='<mergeCells count="1"><mergeCell ref="B2:B3"/></mergeCells>')))
    # Hidden rows are data: read them. A value in a hidden column without a header is refused.
    write("hidden-rows.xlsx", xlsx(sheet(rows_xml(good + [["C-3", "（架空）隠れた行", "AMED対象経費", "医薬品", 1, 2, "", "", "", "新規"]], hidden={2}))))
    hid = [HEADER, GOOD[0] + ["", "隠し列の値"]]
    write("hidden-column.xlsx", xlsx(sheet(rows_xml(hid), extra_before='<cols><col min="12" max="12" hidden="1"/></cols>')))

    # A date where an amount belongs (the number 45017 shown as 2023-04-01).
    d = rows_xml([HEADER]) + '<row r="2">' + "".join(cell(1, c, v) for c, v in enumerate(GOOD[0][:5]) if v != "") + cell(1, 5, 45017, style=1) + cell(1, 9, "継続") + "</row>"
    write("date-in-amount.xlsx", xlsx(sheet(d)))
    # A dimension claiming the whole sheet, around two lines.
    write("huge-dimension.xlsx", xlsx(sheet(rows_xml(good), extra_before='<dimension ref="A1:XFD1048576"/>')))

    good_csv = csv_text(GOOD)
    write("nul-bytes.csv", good_csv.replace("良い", "良\x00い").encode("utf-8"))
    write("invalid-utf8.csv", good_csv.encode("utf-8").replace("別の".encode(), b"\x95\xca\xff\xfe"))
    sj = [
        ["C-1", "（架空）①㈱髙橋ﾊﾝｶｸｶﾅ研究", "AMED対象経費", "医薬品", 1000, 1200, "", "", "", "継続"],
        ["C-2", "（架空）№Ⅲ∵≒", "インハウス研究機関経費", "", 500, 500, "", "", "", "継続"],
    ]
    write("shift-jis-nec-ibm.csv", csv_text(sj).encode("cp932"))
    write("crlf-mixed.csv", (",".join(HEADER) + "\r\n" + ",".join(map(str, GOOD[0])) + "\n" + ",".join(map(str, GOOD[1])) + "\r\n").encode("utf-8"))
    write("utf16.csv", good_csv.encode("utf-16"))
    write("bom-only.csv", b"\xef\xbb\xbf")
    write("empty.xlsx", b"")
    write("empty.csv", b"")
    write("whitespace.csv", b"  \r\n\t\r\n")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    write("png-named.xlsx", png)
    write("random-bytes.csv", bytes((i * 7919 + 13) % 256 for i in range(4096)))
    ok = xlsx(sheet(rows_xml(good)))
    write("truncated.xlsx", ok[: len(ok) // 2])
    write("column-100.csv", (",".join(HEADER) + "\r\n" + ",".join(map(str, GOOD[0])) + "," * 90 + "x\r\n").encode("utf-8"))
    write("unclosed-quote.csv", (",".join(HEADER) + '\r\nC-1,"（架空）閉じない引用符,AMED対象経費,医薬品,1,2,,,,継続\r\n').encode("utf-8"))

    # Fund instances (JSON) for the optimiser: nested past any parser's depth, and not JSON.
    write("fund-deep.json", b"[" * 100_000 + b"]" * 100_000)
    write("fund-not-json.json", b"\xff\xfe{\x00")

    # Good seeds for the fuzzer's RS readers (the other seeds it writes itself).
    seeds = os.path.join(OUT, "seeds")
    os.makedirs(seeds, exist_ok=True)
    rs21 = ["予算事業ID", "事業年度", "事業名", "府省庁", "予算年度", "当初予算（合計）", "補正予算（合計）",
            "前年度からの繰越し（合計）", "予備費等（合計）", "計（歳出予算現額合計）", "執行額（合計）", "執行率",
            "翌年度への繰越し（合計）", "翌年度要求額（合計）", "主な増減理由", "会計区分"]
    rows = [["0001-01", "2023", "（架空）創薬支援事業", "文部科学省", "2023", "1000000000", "50000000", "0", "0",
             "1050000000", "990000000", "94.3", "-20000000", "1100000000.0", '"症例の追加, 解析体制の強化"', ""],
            ["0001-01", "2023", "（架空）創薬支援事業", "文部科学省", "2023", "", "", "", "", "", "", "", "", "", "", "一般会計"]]
    with open(os.path.join(seeds, "rs-2-1.csv"), "wb") as fh:
        fh.write(("\ufeff" + "\r\n".join(",".join(r) for r in [rs21] + rows) + "\r\n").encode("utf-8"))
    head = ["予算事業ID", "事業名", "アクティビティ・アウトプット・アウトカムの番号", "種別（アクティビティ・アウトプット・アウトカム）",
            "アウトカムの期間", "成果目標の種類", "アクティビティ／活動目標／成果目標", "活動指標／成果指標", "単位",
            "改善の上向き／下向き", "成果実績及び目標値の根拠として用いた統計・データ名（出典）", "目標年度／目標値／実績値／達成率",
            "2022", "2023", "2024"]
    lines = [",".join(head)]
    for number, kind, term, quant, direction in [("1", "アクティビティ", "", "定量的", "上向き"), ("1", "アウトカム", "1.短期", "定量的", "下向き")]:
        for label, cells in [("1.目標年度", ",1,"), ("2.目標値", ",10,12"), ("3.実績値", ",9,"), ("4.達成率", ",,")]:
            lines.append(f"0001-01,（架空）創薬支援事業,{number},{kind},{term},{quant},目標,指標{number},件,{direction},文科省調べ,{label}{cells}")
    with open(os.path.join(seeds, "rs-3-1.csv"), "wb") as fh:
        fh.write(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))

    if "--with-office" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "good.csv")
            with open(src, "w", encoding="utf-8") as fh:
                fh.write(good_csv)
            for fmt, out in [("xls:MS Excel 97", "xls-renamed.xlsx"), ("ods", "ods-renamed.xlsx")]:
                subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/lo", "--infilter=CSV:44,34,76,1",
                                "--convert-to", fmt, "--outdir", tmp, src], check=True, capture_output=True)
                ext = fmt.split(":")[0]
                shutil.copy(os.path.join(tmp, f"good.{ext}"), os.path.join(OUT, out))
        from msoffcrypto.format.ooxml import OOXMLFile  # from PyPI: msoffcrypto-tool

        out = io.BytesIO()
        OOXMLFile(io.BytesIO(ok)).encrypt("haibun", out)
        write("password.xlsx", out.getvalue())


if __name__ == "__main__":
    main()
