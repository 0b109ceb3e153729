"""Self-tests of the test-side MAPI codec (t/mapihttp.py) against the specs'
example bytes, and cross-checks with the server's C codec through
build/bin/exch-ropdump: the C parser must read what the Python encoder wrote,
and the Python decoder must read what the C writer wrote."""

import json
import os
import struct
import subprocess

import pytest

import mapihttp as m
from conftest import BUILD

ROPDUMP = os.path.join(BUILD, "bin", "exch-ropdump")


def spec(text):
    """Bytes from a spec example ("0000: 15 00 00 ...")."""
    out = []
    for line in text.strip().splitlines():
        line = line.strip()
        if ":" in line[:6]:
            line = line.split(":", 1)[1]
        out += line.replace("-", " ").split()
    return bytes(int(x, 16) for x in out)


def ropdump(buf, *args):
    r = subprocess.run([ROPDUMP] + list(args), input=buf,
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return json.loads(r.stdout)


# --- the specs' examples ----------------------------------------------------

def test_lz77_decompresses_the_ms_xca_examples():
    # MS-OXCRPC 3.1.4.1.1.2 is the plain LZ77 of MS-XCA; its 3.1 examples
    assert m.lz77_decompress(spec(
        "3f 00 00 00 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70"
        " 71 72 73 74 75 76 77 78 79 7a")) == b"abcdefghijklmnopqrstuvwxyz"
    assert m.lz77_decompress(spec("ff ff ff 1f 61 62 63 17 00 0f ff 26 01")) \
        == b"abc" * 100


def test_lz77_refuses_a_reference_before_the_start():
    with pytest.raises(ValueError):
        m.lz77_decompress(spec("00 00 00 80 08 00"))
    with pytest.raises(m.Truncated):
        m.lz77_decompress(spec("ff ff ff 1f 61 62 63 17 00 0f ff 26"))


def test_rpc_header_ext_round_trip_with_xormagic():
    chain = m.rpc_header_ext(b"abc", xor=True, last=False) + \
        m.rpc_header_ext(b"def", last=True)
    assert chain[:8] == struct.pack("<HHHH", 0, m.RHE_XORMAGIC, 3, 3)
    assert chain[8:11] == bytes([0x61 ^ 0xA5, 0x62 ^ 0xA5, 0x63 ^ 0xA5])
    assert m.parse_rpc_header_ext(chain) == \
        (b"abcdef", [m.RHE_XORMAGIC, m.RHE_LAST])


def test_query_rows_request_is_the_ms_oxctabl_example():
    # MS-OXCTABL 4.5.3.1: advance, forward, 50 rows, input handle 0
    assert m.rop_query_rows(0, 50, []).data == \
        spec("0000: 15 00 00 00 01 32 00")


def test_set_properties_request_is_the_ms_oxcprpt_example():
    # MS-OXCPRPT 4.x: subject prefix "" and normalized subject
    rop = m.rop_set_properties(0, [(m.PR_SUBJECT_PREFIX, ""),
                                   (m.PR_NORMALIZED_SUBJECT, "Hello World")])
    assert rop.data == spec("""
        0000: 0A 00 00 24 00 02 00 1F-00 3D 00 00 00 1F 00 1D
        0010: 0E 48 00 65 00 6C 00 6C-00 6F 00 20 00 57 00 6F
        0020: 00 72 00 6C 00 64 00 00-00""")


def test_sort_table_response_of_ms_oxctabl_decodes():
    rops = [m.rop_sort_table(1, [(m.PR_MESSAGE_DELIVERY_TIME, 1)])]
    out = spec("0000: 13 01 00 00 00 00 00")
    rsp, handles = m.parse_rop_responses(m.u16(len(out) + 2) + out, rops)
    assert rsp == [{"rop_id": 0x13, "index": 1, "rv": 0, "table_status": 0}]
    assert handles == []


def test_rules_table_responses_of_ms_oxorule_decode():
    # MS-OXORULE 4.2.2: GetRulesTable, SetColumns, then QueryRows whose
    # header says BOOKMARK_END and one row
    rops = [m.rop_get_rules_table(0, 1), m.rop_set_columns(1, [])]
    out = spec("3f 01 00 00 00 00 12 01 00 00 00 00 00")
    rsp, _ = m.parse_rop_responses(m.u16(len(out) + 2) + out, rops)
    assert [x["rop_id"] for x in rsp] == [0x3F, 0x12]
    assert rsp[1]["table_status"] == 0
    r = m.Reader(spec("""
        0000: 15 01 00 00 00 00 02 01-00 00 01 00 00 00 01 3f
        0010: f8 56 10 00 01 00 00 00-01 00 00 00 55 55 55 55"""))
    assert (r.u8(), r.u8(), r.u32(), r.u8(), r.u16()) == (0x15, 1, 0, 2, 1)


# --- values, rows, restrictions ---------------------------------------------

VALUES = [
    (m.tag(m.PT_SHORT, 0x6601), -2),
    (m.tag(m.PT_LONG, 0x6602), 0x12345678),
    (m.tag(m.PT_DOUBLE, 0x6603), 2.5),
    (m.tag(m.PT_BOOLEAN, 0x6604), True),
    (m.tag(m.PT_I8, 0x6605), -1),
    (m.tag(m.PT_SYSTIME, 0x6606), 130000000000000000),
    (m.tag(m.PT_STRING8, 0x6607), "ascii"),
    (m.tag(m.PT_UNICODE, 0x6608), "caf\u00e9 \U0001F600"),
    (m.tag(m.PT_BINARY, 0x6609), b"\x01\x02"),
    (m.tag(m.PT_CLSID, 0x660A), bytes(range(16))),
    (m.tag(0x1003, 0x660B), [1, 2, 3]),
    (m.tag(0x101F, 0x660C), ["a", "", "b"]),
    (m.tag(0x1102, 0x660D), [b"x", b""]),
]


@pytest.mark.parametrize("ctx", ["rop", "wide", "abk"])
def test_values_round_trip(ctx):
    data = m.encode_tagged_list(VALUES, ctx)
    r = m.Reader(data)
    assert m.decode_tagged_list(r, ctx) == VALUES
    assert r.left() == 0


def test_binary_count_width_depends_on_the_context():
    assert m.encode_value(m.PT_BINARY, b"ab", "rop") == b"\x02\x00ab"
    assert m.encode_value(m.PT_BINARY, b"ab", "wide") == b"\x02\0\0\0ab"
    assert m.encode_value(m.PT_BINARY, b"ab", "abk") == b"\xff\x02\0\0\0ab"
    # multi-value counts are 32 bits everywhere
    assert m.encode_value(0x1003, [7], "rop") == b"\x01\0\0\0\x07\0\0\0"


def test_flagged_row_decodes_values_absent_and_errors():
    cols = [m.PR_MESSAGE_SIZE, m.tag(m.PT_UNSPECIFIED, 0x0037), m.PR_BODY,
            m.PR_IMPORTANCE]
    data = bytes([1, 0]) + m.u32(42) + m.u16(m.PT_UNICODE) + b"\0" + \
        m.wstr("hi") + b"\x0a" + m.u32(m.ecNotFound) + b"\x01"
    assert m.decode_row(m.Reader(data), cols) == \
        [42, "hi", m.Error(m.ecNotFound), m.Absent]


def test_restrictions_round_trip_in_both_widths():
    res = ("and", [
        ("content", 0x00010001, m.PR_SUBJECT, (m.PR_SUBJECT, "hello")),
        ("property", m.RELOP_GE, m.PR_MESSAGE_SIZE,
         (m.PR_MESSAGE_SIZE, 100)),
        ("compare", m.RELOP_LT, m.PR_MESSAGE_DELIVERY_TIME,
         m.tag(m.PT_SYSTIME, 0x3008)),
        ("bitmask", 1, m.PR_MESSAGE_FLAGS, 1),
        ("size", m.RELOP_GT, m.PR_BODY, 10),
        ("exist", m.PR_DISPLAY_NAME),
        ("not", ("exist", m.PR_BODY)),
        ("sub", 0x0E12000D, ("exist", m.PR_EMAIL_ADDRESS)),
        ("comment", [(m.tag(m.PT_LONG, 0x6700), 1)], ("exist", m.PR_BODY)),
        ("count", 5, ("or", [("exist", m.PR_BODY), ("exist", m.PR_MID)])),
    ])
    for ctx in ("rop", "wide"):
        data = m.encode_restriction(res, ctx)
        r = m.Reader(data)
        assert m.decode_restriction(r, ctx) == res
        assert r.left() == 0
    # the And's count: 2 bytes in ROPs, 4 in MAPI/HTTP
    assert m.encode_restriction(("and", []), "rop") == b"\x00\x00\x00"
    assert m.encode_restriction(("and", []), "wide") == b"\x00" + b"\0" * 4


def test_meta_tags_and_bodies():
    body = m.u32(0) + m.u32(0) + m.u32(3) + m.u32(2) + b"\x01\x02" + \
        m.u32(0)
    data = b"PROCESSING\r\nPENDING\r\nDONE\r\nX-ElapsedTime: 4\r\n" \
        b"X-StartTime: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n" + body
    tags, headers, rest = m.split_meta(data)
    assert tags == ["PROCESSING", "PENDING", "DONE"]
    assert headers["X-ElapsedTime"] == "4"
    assert m.parse_execute_response(rest) == \
        {"status": 0, "error": 0, "flags": 3, "rop_buffer": b"\x01\x02",
         "aux": b""}
    assert m.parse_execute_response(m.u32(5) + m.u32(0)) == \
        {"status": 5, "aux": b""}


def test_aux_blocks_build_and_parse():
    aux = m.aux_perf_requestid(1, 7) + \
        m.aux_perf_processinfo(3, bytes(16), "OUTLOOK.EXE") + \
        m.aux_block(m.AUX_SERVER_SESSION_INFO, m.u16(6) + m.wstr("s1"))
    blocks = m.parse_aux(aux)
    assert [b["type"] for b in blocks] == [1, 0x0B, 0x48]
    assert blocks[1]["version"] == 2
    assert blocks[2]["info"] == "s1"


# --- cross-checks with the C codec -------------------------------------------

GUID = bytes(range(16))
COLUMNS = [m.PR_SUBJECT, m.PR_MESSAGE_SIZE, m.PR_MESSAGE_DELIVERY_TIME,
           m.PR_ENTRYID, m.PR_INSTANCE_KEY, m.tag(m.PT_UNICODE, 0x6666),
           m.tag(m.PT_STRING8, 0x001A)]
RCOLS = [m.PR_DISPLAY_NAME, m.PR_RECIPIENT_TYPE]
FID = 0x0600000000000001
MID = 0x2A00000000000001


def session():
    """The ROPs an Outlook-like session sends, one of each, and what the C
    parser must see in them."""
    rrow = m.encode_recipient_row(RCOLS, ["Bob", 1], email="bob@example.com",
                                  display_name="Bob")
    res = ("and", [("content", 0x00010001, m.PR_SUBJECT,
                    (m.PR_SUBJECT, "hello")),
                   ("property", m.RELOP_GE, m.PR_MESSAGE_SIZE,
                    (m.PR_MESSAGE_SIZE, 100))])
    return [
        (m.rop_logon(0, "/o=exch/ou=x/cn=Recipients/cn=u1"),
         {"rop": "RopLogon", "flags": 1, "open_flags": 0x01000000,
          "essdn": "/o=exch/ou=x/cn=Recipients/cn=u1"}),
        (m.rop_open_folder(0, 1, FID), {"fid": FID, "in": 0, "out": 1}),
        (m.rop_get_contents_table(1, 2, flags=0x40), {"flags": 0x40}),
        (m.rop_set_columns(2, COLUMNS), {"columns": COLUMNS}),
        (m.rop_sort_table(2, [(m.PR_MESSAGE_DELIVERY_TIME, 1)]),
         {"keys": [[m.PR_MESSAGE_DELIVERY_TIME, 1]], "categories": 0}),
        (m.rop_restrict(2, res), {"restriction": {
            "type": 0, "sub": [
                {"type": 3, "fuzzy": 0x00010001, "tag": m.PR_SUBJECT,
                 "value": {"tag": m.PR_SUBJECT, "value": "hello"}},
                {"type": 4, "relop": 3, "tag": m.PR_MESSAGE_SIZE,
                 "value": {"tag": m.PR_MESSAGE_SIZE, "value": 100}}]}}),
        (m.rop_query_rows(2, 50, COLUMNS), {"forward": 1, "count": 50}),
        (m.rop_seek_row(2, 0, -3), {"origin": 0, "count": -3}),
        (m.rop_get_hierarchy_table(1, 3), {"flags": 0}),
        (m.rop_open_message(1, 4, FID, MID), {"fid": FID, "mid": MID,
                                              "cpid": 0x0FFF}),
        (m.rop_read_recipients(4, 0), {"row_id": 0}),
        (m.rop_get_properties_specific(4, [m.PR_SUBJECT, m.PR_BODY,
                                           m.tag(m.PT_LONG, 0x6666)]),
         {"tags": [m.PR_SUBJECT, m.PR_BODY, m.tag(m.PT_LONG, 0x6666)]}),
        (m.rop_get_properties_all(4), {"want_unicode": 1}),
        (m.rop_create_message(1, 5, FID), {"fid": FID, "associated": 0}),
        (m.rop_set_properties(5, [(m.PR_SUBJECT, "Hi \u20ac"),
                                  (m.PR_IMPORTANCE, 2),
                                  (m.tag(m.PT_LONG, 0x6666), 1)]),
         {"props": [{"tag": m.PR_SUBJECT, "value": "Hi \u20ac"},
                    {"tag": m.PR_IMPORTANCE, "value": 2},
                    {"tag": m.tag(m.PT_LONG, 0x6666), "value": 1}]}),
        (m.rop_modify_recipients(5, RCOLS, [(0, 1, rrow), (1, 2, None)]),
         {"columns": RCOLS, "rows": [
             {"row_id": 0, "type": 1, "row": {
                 "flags": 0x021B, "email": "bob@example.com",
                 "display_name": "Bob",
                 "props": [{"tag": RCOLS[0], "value": "Bob"},
                           {"tag": RCOLS[1], "value": 1}]}},
             {"row_id": 1, "type": 2, "row": None}]}),
        (m.rop_create_attachment(5, 6), {"in": 5, "out": 6}),
        (m.rop_open_stream(6, 7, m.PR_ATTACH_DATA_BIN, flags=1),
         {"tag": m.PR_ATTACH_DATA_BIN, "flags": 1}),
        (m.rop_write_stream(7, b"\x00data"), {"data": "0064617461"}),
        (m.rop_commit_stream(7), {}),
        (m.rop_read_stream(7, 0, maximum=0x10000),
         {"byte_count": 0xBABE, "max_byte_count": 0x10000}),
        (m.rop_save_changes_attachment(5, 6), {"rsp": 5, "in": 6,
                                                "flags": 0x0A}),
        (m.rop_release(7), {}),
        (m.rop_save_changes_message(1, 5), {"rsp": 1, "in": 5}),
        (m.rop_submit_message(5), {"flags": 0}),
        (m.rop_delete_messages(1, [MID, MID + 1]), {"mids": [MID, MID + 1]}),
        (m.rop_move_copy_messages(1, 3, [MID], copy=True),
         {"mids": [MID], "want_copy": 1, "in": 1, "out": 3}),
        (m.rop_create_folder(1, 8, "Projekte \u00e4"),
         {"name": "Projekte \u00e4", "unicode": 1, "type": 1}),
        (m.rop_delete_folder(1, FID + 1), {"fid": FID + 1, "flags": 5}),
        (m.rop_get_property_ids_from_names(0, [
            m.encode_propname(GUID, lid=0x8554),
            m.encode_propname(GUID, name="Keywords")]),
         {"names": [{"kind": 0, "guid": GUID.hex(), "lid": 0x8554},
                    {"kind": 1, "guid": GUID.hex(), "name": "Keywords"}]}),
        (m.rop_set_read_flags(1, [MID], flags=0x04), {"flags": 4,
                                                      "mids": [MID]}),
        (m.rop_register_notification(1, 9, 0x04, fid=FID, mid=0),
         {"types": 4, "whole_store": 0, "fid": FID}),
    ]


def check_parse(dump, cases):
    assert "error" not in dump, dump
    assert len(dump["rops"]) == len(cases)
    for got, (rop, want) in zip(dump["rops"], cases):
        assert got["id"] == rop.rop_id
        assert got["len"] == len(rop.data)
        for key, value in want.items():
            assert got[key] == value, (got["rop"], key)


@pytest.mark.skipif(not os.path.exists(ROPDUMP), reason="no exch-ropdump")
def test_c_parser_reads_python_requests():
    cases = session()
    buf = m.rop_buffer([c[0] for c in cases], [0xFFFFFFFF] * 10)
    dump = ropdump(buf)
    check_parse(dump, cases)
    assert dump["handles"] == [0xFFFFFFFF] * 10

    # the same inside an RPC_HEADER_EXT with XorMagic
    check_parse(ropdump(m.rpc_header_ext(buf, xor=True), "--chain"), cases)


@pytest.mark.skipif(not os.path.exists(ROPDUMP), reason="no exch-ropdump")
def test_c_parser_reads_the_public_logon_layouts():
    rop = m.Rop(0x11, bytes([0x11, 5, 1, 2, 0x01]) + bytes(24))
    dump = ropdump(m.rop_buffer([rop], []), "--public", "5")
    assert dump["rops"][0]["len"] == 5 + 24
    dump = ropdump(m.rop_buffer([rop], []))
    assert "error" in dump          # 24 stray bytes on a private logon


@pytest.mark.skipif(not os.path.exists(ROPDUMP), reason="no exch-ropdump")
@pytest.mark.parametrize("wrap", [(), ("--xor",), ("--compress", "--xor")])
def test_python_reads_c_responses(wrap):
    cases = session()
    rops = [c[0] for c in cases]
    dump = ropdump(m.rop_buffer(rops, [0xFFFFFFFF] * 10), "--respond", *wrap)
    raw = bytes.fromhex(dump["response"])
    if wrap:
        raw, flags = m.parse_rpc_header_ext(raw)
        assert flags[0] & m.RHE_XORMAGIC
        # the server compresses 1024 bytes and more, this is less
        assert not flags[0] & m.RHE_COMPRESSED
    rsp, handles = m.parse_rop_responses(raw, rops)
    by = {}
    for x in rsp:
        by.setdefault(x["rop_id"], x)

    assert all(x["rv"] == 0 for x in rsp)
    assert len(rsp) == sum(1 for r in rops if r.respond)

    logon = by[0xFE]
    assert logon["fids"][0] == m.global_id(1, 1) == 0x0100000000000001
    assert logon["fids"][12] == m.global_id(1, 13)
    assert logon["mailbox_guid"] == bytes(range(16))
    assert logon["time"] == (56, 34, 12, 6, 1, 6, 2024)
    assert logon["response_flags"] == 0x07

    assert by[0x05]["row_count"] == 3
    rows = by[0x15]["rows"]
    assert by[0x15]["origin"] == 2
    assert len(rows) == 3
    assert rows[1] == ["v0037", 0x0E08 + 1, 0x0E06 * 1000 + 1,
                       b"\x0f\xff", b"\x0f\xf6", m.Error(m.ecNotFound),
                       "v001a"]
    assert by[0x18]["rows_sought"] == -3

    om = by[0x03]
    assert om["normalized_subject"] == "Subject"
    assert om["subject_prefix"] is None
    assert om["recipient_count"] == 1
    rec = om["recipients"][0]
    assert rec["type"] == 1 and rec["cpid"] == 65001
    assert rec["row"]["email"] == "u1@example.com"
    assert rec["row"]["display_name"] == "User One"
    assert rec["row"]["values"] == ["User One", 1]
    assert by[0x0F]["rows"][0]["row_id"] == 0

    assert by[0x07]["values"] == ["v0037", "v1000", m.Error(m.ecNotFound)]
    assert by[0x08]["props"] == [(m.PR_SUBJECT, "v0037"),
                                 (m.PR_IMPORTANCE, 0x17),
                                 (m.PR_MESSAGE_SIZE, 0x0E08)]
    assert by[0x0A]["problems"] == [(2, m.tag(m.PT_LONG, 0x6666),
                                     m.ecAccessDenied)]
    assert by[0x06]["has_mid"] == 1
    assert by[0x06]["mid"] == m.global_id(1, 0x100)
    assert by[0x0C]["in"] == 5
    assert by[0x2B]["size"] == 11
    assert by[0x2C]["data"] == b"hello world"
    assert by[0x2D]["written"] == 5
    assert by[0x1C]["fid"] == m.global_id(1, 0x200)
    assert by[0x1C]["is_existing"] == 0
    assert by[0x56]["ids"] == [0x8000, 0x8001]
    assert by[0x1E]["partial"] == 0 and by[0x33]["partial"] == 0
    assert handles[1] == 0x1001 and handles[9] == 0x1009


@pytest.mark.skipif(not os.path.exists(ROPDUMP), reason="no exch-ropdump")
def test_a_full_output_buffer_ends_in_buffer_too_small():
    tags = [m.tag(m.PT_UNICODE, 0x6700 + i) for i in range(10)]
    rops = [m.rop_logon(0, "/o=exch/cn=u1")] + \
        [m.rop_get_properties_specific(0, tags) for _ in range(8)]
    buf = m.rop_buffer(rops, [0xFFFFFFFF])
    seen = 0
    for max_out in range(100, 1400, 20):
        dump = ropdump(buf, "--respond", "--max-out", str(max_out))
        if "response_error" in dump:
            # not even RopBufferTooSmall and the rest of the requests fit
            continue
        raw = bytes.fromhex(dump["response"])
        assert len(raw) <= max_out
        rsp, handles = m.parse_rop_responses(raw, rops)
        assert handles == [0x1000]
        if rsp[-1]["rop_id"] != 0xFF:
            assert len(rsp) == len(rops)
            continue
        seen += 1
        last = rsp[-1]
        done = len(rsp) - 1
        # the unprocessed requests come back, from a whole request on
        assert last["requests"] == b"".join(r.data for r in rops[done:])
        assert last["size_needed"] == 0x8000     # what exch-ropdump asks
        assert all(x["rv"] == 0 for x in rsp[:-1])
    assert seen >= 3


@pytest.mark.skipif(not os.path.exists(ROPDUMP), reason="no exch-ropdump")
def test_python_decompresses_a_c_compressed_response():
    tags = [m.tag(m.PT_UNICODE, 0x6700 + i) for i in range(10)]
    rops = [m.rop_logon(0, "/o=exch/cn=u1")] + \
        [m.rop_get_properties_specific(0, tags) for _ in range(30)]
    buf = m.rop_buffer(rops, [0xFFFFFFFF])
    plain = bytes.fromhex(ropdump(buf, "--respond")["response"])
    dump = ropdump(buf, "--respond", "--compress", "--xor")
    packed = bytes.fromhex(dump["response"])
    raw, flags = m.parse_rpc_header_ext(packed)
    assert flags == [m.RHE_COMPRESSED | m.RHE_XORMAGIC | m.RHE_LAST]
    assert len(packed) < len(plain) // 2
    assert raw == plain
    rsp, _ = m.parse_rop_responses(raw, rops)
    assert [x["values"] for x in rsp[1:]] == \
        [["v%04x" % (0x6700 + i) for i in range(10)]] * 30


# --- MAPI/HTTP bodies through the C codec -----------------------------------

STATE = m.stat(codepage=1252, container=7, cur_rec=0, delta=-2, num_pos=3,
               total=9)
STATE_D = {"sort_type": 0, "container": 7, "cur_rec": 0, "delta": -2,
           "num_pos": 3, "total": 9, "codepage": 1252,
           "template_locale": 1033, "sort_locale": 1033}
ABCOLS = [m.PR_DISPLAY_NAME, m.PR_ENTRYID, m.tag(m.PT_LONG, 0x3900),
          m.tag(m.PT_UNICODE, 0x6666)]
AUX = m.aux_perf_requestid(1, 2)


def mapihttp(kind, body):
    return ropdump(body, "--mapihttp", kind, "--respond")


def nspi_cases():
    """(request type, body, fields the C parser must see, checks of the
    decoded response)"""
    eph = m.ephemeral_entry_id(bytes(range(16)), 0x1234)
    perm = m.permanent_entry_id("/o=exch/cn=Recipients/cn=u2")
    row0 = ["v3001", b"\x0f\xff", 0x3900, m.Error(m.ecNotFound)]
    row1 = ["v3001", b"\x0f\xff", 0x3901, m.Error(m.ecNotFound)]
    return [
        ("Bind", m.nspi_bind(STATE, flags=0, aux=AUX),
         {"state": STATE_D, "aux": AUX.hex()},
         {"server_guid": bytes(range(16))}),
        ("Unbind", m.nspi_unbind(), {}, {"error": 1}),
        ("CompareMIds", m.nspi_compare_mids(5, 9, STATE),
         {"mid1": 5, "mid2": 9}, {"result": -1}),
        ("DNToMId", m.nspi_dntomid(["/o=exch/cn=a", "/o=exch/cn=b"]),
         {"names": ["/o=exch/cn=a", "/o=exch/cn=b"]},
         {"mids": [0x100, 0x101]}),
        ("GetMatches", m.nspi_get_matches(
            STATE, ABCOLS, row_count=20,
            restriction=("and", [("exist", m.PR_DISPLAY_NAME),
                                 ("content", 0x00010001, m.PR_DISPLAY_NAME,
                                  (m.PR_DISPLAY_NAME, "bo"))])),
         {"state": STATE_D, "row_count": 20, "columns": ABCOLS,
          "filter": {"type": 0, "sub": [
              {"type": 8, "tag": m.PR_DISPLAY_NAME},
              {"type": 3, "fuzzy": 0x00010001, "tag": m.PR_DISPLAY_NAME,
               "value": {"tag": m.PR_DISPLAY_NAME, "value": "bo"}}]}},
         {"mids": [0x100, 0x101], "columns": ABCOLS, "rows": [row0, row1],
          "state": dict(STATE_D, cur_rec=0x100)}),
        ("GetPropList", m.nspi_get_prop_list(0x100, codepage=65001),
         {"mid1": 0x100, "codepage": 65001},
         {"tags": [0x3001001F, 0x0FFF0102, 0x39000003]}),
        ("GetProps", m.nspi_get_props(STATE, ABCOLS),
         {"tags": ABCOLS},
         {"codepage": 1252, "props": [(ABCOLS[0], "v3001"),
                                      (ABCOLS[1], b"\x0f\xff"),
                                      (ABCOLS[2], 0x3900)]}),
        ("GetSpecialTable", m.nspi_get_special_table(STATE, version=3),
         {"version": 3},
         {"version": 4, "rows": [
             [(0x3001001F, "v3001"), (0x0FFF0102, b"\x0f\xff"),
              (0x39000003, 0x3900 + i)] for i in range(2)]}),
        ("GetTemplateInfo", m.nspi_get_template_info(0, dn="/o=exch/x"),
         {"dn": "/o=exch/x", "codepage": 1252, "locale": 1033},
         {"codepage": 1252}),
        ("ModLinkAtt", m.nspi_mod_link_att(0x8009101E, 0x100,
                                           [eph, perm]),
         {"tag": 0x8009101E, "mid1": 0x100, "eids": [
             {"id_type": 0x87, "provider": bytes(range(16)).hex(),
              "display_type": 0, "mid": 0x1234, "dn": ""},
             {"id_type": 0, "provider": m.NSPI_GUID.hex(),
              "display_type": 0, "mid": 0,
              "dn": "/o=exch/cn=Recipients/cn=u2"}]},
         {}),
        ("ModProps", m.nspi_mod_props(STATE, [(m.PR_DISPLAY_NAME, "Bob"),
                                              (0x8010101F, ["a", "b"])],
                                      remove=[m.PR_EMAIL_ADDRESS]),
         {"tags": [m.PR_EMAIL_ADDRESS], "values": [
             {"tag": m.PR_DISPLAY_NAME, "value": "Bob"},
             {"tag": 0x8010101F, "value": ["a", "b"]}]},
         {}),
        ("QueryColumns", m.nspi_query_columns(flags=2),
         {"flags": 2}, {"tags": [0x3001001F, 0x0FFF0102, 0x39000003]}),
        ("QueryRows", m.nspi_query_rows(STATE, ABCOLS, count=7,
                                        explicit=[0x100, 0x200]),
         {"row_count": 7, "explicit": [0x100, 0x200], "columns": ABCOLS},
         {"columns": ABCOLS, "rows": [row0, row1]}),
        ("ResolveNames", m.nspi_resolve_names(STATE, ["bob", "\u00e9ve"],
                                              ABCOLS),
         {"names": ["bob", "\u00e9ve"], "tags": ABCOLS},
         {"mids": [0x100, 0x101], "rows": [row0, row1]}),
        ("ResortRestriction", m.nspi_resort_restriction(STATE, [3, 1, 2]),
         {"mids": [3, 1, 2]}, {"mids": [0x100, 0x101]}),
        ("SeekEntries", m.nspi_seek_entries(
            STATE, (m.PR_DISPLAY_NAME, "m"), ABCOLS, explicit=[0x100]),
         {"target": {"tag": m.PR_DISPLAY_NAME, "value": "m"},
          "explicit": [0x100], "columns": ABCOLS},
         {"rows": [row0, row1]}),
        ("UpdateStat", m.nspi_update_stat(STATE),
         {"delta_requested": 1},
         {"delta": 5, "state": dict(STATE_D, cur_rec=0x100)}),
        ("GetMailboxUrl", m.nspi_get_mailbox_url("/o=exch/cn=Servers/x"),
         {"dn": "/o=exch/cn=Servers/x"},
         {"url": "https://exch.example/mapi/emsmdb/?MailboxId=u1"}),
        ("GetAddressBookUrl", m.nspi_get_address_book_url("/o=exch/cn=u"),
         {"dn": "/o=exch/cn=u"},
         {"url": "https://exch.example/mapi/nspi/?MailboxId=u1"}),
    ]


@pytest.mark.skipif(not os.path.exists(ROPDUMP), reason="no exch-ropdump")
@pytest.mark.parametrize("case", nspi_cases(), ids=lambda c: c[0])
def test_c_reads_python_nspi_requests_and_python_reads_c_responses(case):
    kind, body, want, answer = case
    dump = mapihttp(kind, body)
    assert "error" not in dump, dump
    for key, value in want.items():
        assert dump[key] == value, key
    rsp = m.parse_nspi_response(kind, bytes.fromhex(dump["response"]))
    assert rsp["status"] == 0
    assert rsp["aux"] == b""
    for key, value in answer.items():
        assert rsp[key] == value, key
    # every shorter body is refused, and so is one more byte
    for n in sorted(set(range(0, len(body), 5)) | {len(body) - 1}):
        assert "error" in mapihttp(kind, body[:n]), n
    assert mapihttp(kind, body + b"\0")["error"] == "trailing bytes"


@pytest.mark.skipif(not os.path.exists(ROPDUMP), reason="no exch-ropdump")
def test_mailbox_bodies_through_the_c_codec():
    dn = "/o=exch/ou=Exchange Administrative Group/cn=Recipients/cn=u1"
    dump = mapihttp("Connect", m.connect_request(dn, cpid=1252, aux=AUX))
    assert (dump["user_dn"], dump["cpid"], dump["lcid_sort"],
            dump["aux"]) == (dn, 1252, 1033, AUX.hex())
    rsp = m.parse_connect_response(bytes.fromhex(dump["response"]))
    assert rsp == {"status": 0, "error": 0, "max_polling_interval": 60000,
                   "retry_count": 6, "retry_delay": 10000,
                   "dn_prefix": "/o=exch/ou=Exchange Administrative Group",
                   "display_name": "User One \u00e9\U0001F600", "aux": AUX}

    chain = m.rpc_header_ext(m.rop_buffer([m.rop_release(0)], [1]))
    dump = mapihttp("Execute", m.execute_request(chain, flags=3,
                                                 max_rop_out=0x10000))
    assert (dump["flags"], dump["max_rop_out"], dump["rop_buffer"]) == \
        (3, 0x10000, chain.hex())
    assert m.parse_execute_response(bytes.fromhex(dump["response"])) == \
        {"status": 0, "error": 0, "flags": 3, "rop_buffer": chain,
         "aux": b""}

    dump = mapihttp("Disconnect", m.disconnect_request(AUX))
    assert dump["aux"] == AUX.hex()
    assert m.parse_disconnect_response(bytes.fromhex(dump["response"])) == \
        {"status": 0, "error": 0, "aux": b""}

    dump = mapihttp("NotificationWait", m.notification_wait_request())
    assert m.parse_notification_wait_response(
        bytes.fromhex(dump["response"])) == \
        {"status": 0, "error": 0, "event_pending": 1, "aux": b""}
