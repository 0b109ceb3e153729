"""The ROP layer over MAPI/HTTP: chains, per-ROP errors, handles,
RopRelease, output limits (QueryRows and ReadStream return what fits,
RopBufferTooSmall), bad ROP input, ROPs answered with ecNotSupported,
folders, properties, named properties, tables, permissions between users,
rules, and a message created another way read property by property."""

import struct

import pytest

import mapiclient as mc
import mapihttp as mh
from conftest import exchctl
from test_mapihttp import (ALICE, BOB, CAROL, DELETED, INBOX, IPM, OUTBOX,
                           PR_ATTACH_LONG_FILENAME, PR_ATTACH_METHOD,
                           PR_ATTACH_MIME_TAG, PR_CONTENT_COUNT,
                           PR_CONTENT_UNREAD, PR_DISPLAY_TO, PR_HASATTACH,
                           PR_MEMBER_ID, PR_MEMBER_NAME, PR_MEMBER_RIGHTS,
                           PR_SENT_REPRESENTING_NAME, ROOT, T, deliver,
                           messages, one, open_folder, read_stream, session)

ecNullObject = 0x000004B9
ecRpcFormat = 0x000004B6
ecNotFound = 0x8004010F
ecAccessDenied = 0x80070005
ecLoginPerm = 0x000003F2
ecNotSupported = 0x80040102
ecNotImplemented = 0x80040FFF
ecInvalidParam = 0x80070057
ecMAPIOOM = 0x8007000E
ecBufferTooSmall = 0x0000047D

PS_PUBLIC_STRINGS = bytes.fromhex("2903020000000000C000000000000046")
PSETID_COMMON = bytes.fromhex("0820060000000000C000000000000046")

RIGHTS_READ = 0x001
RIGHTS_CREATE = 0x002
RIGHTS_VISIBLE = 0x400
ROW_ADD, ROW_MODIFY, ROW_REMOVE = 0x01, 0x02, 0x04


@pytest.fixture
def srv(make_nginx):
    return make_nginx()


def table(mb, parent, rop, columns, name="t", count=100):
    rsp, rs, _ = mb.run([
        (rop(0, 1), {"in": parent, "out": name}),
        (mh.rop_set_columns(1, columns), {"in": name}),
        (mh.rop_query_rows(1, count, columns), {"in": name}),
    ], slots=[parent, name])
    assert [r["rv"] for r in rs] == [0, 0, 0], [hex(r["rv"]) for r in rs]
    return rs[2]["rows"]


def test_a_chain_runs_in_order_and_errors_stay_with_their_rop(srv):
    mb = session(srv)
    bogus = mh.global_id(1, 0xABCDEF)
    rsp, rs, handles = mb.run([
        (mh.rop_open_folder(0, 1, bogus), {"in": "logon", "out": "nope"}),
        (mh.rop_get_contents_table(1, 2), {"in": "nope", "out": "t1"}),
        (mh.rop_open_folder(0, 3, mb.fids[INBOX]),
         {"in": "logon", "out": "inbox"}),
        (mh.rop_get_contents_table(3, 2), {"in": "inbox", "out": "t1"}),
        (mh.rop_get_properties_specific(3, [PR_CONTENT_COUNT]),
         {"in": "inbox"}),
    ], slots=["logon", "nope", "t1", "inbox"])
    assert [r["rv"] for r in rs] == [ecNotFound, ecNullObject, 0, 0, 0]
    assert rs[4]["values"] == [0]
    assert handles[1] == mc.NULL_HANDLE and handles[3] != mc.NULL_HANDLE


def test_release_frees_a_handle_and_a_freed_handle_is_null(srv):
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    stale = mb.handles["inbox"]
    rsp, rs, _ = mb.run([
        (mh.rop_release(0), {"in": "inbox"}),
        (mh.rop_get_properties_specific(0, [PR_CONTENT_COUNT]),
         {"in": "inbox"}),
    ], slots=["inbox"])
    assert [r["rv"] for r in rs] == [ecNullObject]
    mb.handles["inbox"] = stale
    rs = one(mb, mh.rop_get_properties_specific(0, [PR_CONTENT_COUNT]),
             i="inbox")
    assert rs["rv"] == ecNullObject
    # a handle value never given out, and an index past the table
    mb.handles["junk"] = 0x7777
    rs = one(mb, mh.rop_get_properties_specific(0, [PR_CONTENT_COUNT]),
             i="junk")
    assert rs["rv"] == ecNullObject
    buf = mh.rop_buffer([mh.rop_get_properties_specific(
        9, [PR_CONTENT_COUNT])], [mb.handles["logon"]])
    rsp = mb.execute_raw(mh.rpc_header_ext(buf))
    payload, _ = mh.parse_rpc_header_ext(rsp["rop_buffer"])
    (r,), _ = mh.parse_rop_responses(payload, [mh.rop_get_properties_specific(
        9, [PR_CONTENT_COUNT])])
    assert r["rv"] == ecNullObject


def test_releasing_a_folder_releases_what_was_opened_from_it(srv):
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    rsp, rs, _ = mb.run([
        (mh.rop_get_contents_table(0, 1), {"in": "inbox", "out": "t"}),
        (mh.rop_release(0), {"in": "inbox"}),
        (mh.rop_get_status(1), {"in": "t"}),
    ], slots=["inbox", "t"])
    assert rs[0]["rv"] == 0 and rs[1]["rv"] == ecNullObject


def test_unparsable_rop_buffers_fail_the_execute_not_the_server(srv):
    mb = session(srv)
    h = [mb.handles["logon"]]
    cases = [
        mh.rop_buffer([mh.Rop(0xD7, b"\xd7\x00\x00")], h),   # no such ROP
        mh.rop_buffer([mh.Rop(0x07, b"\x07\x00\x00\x00")], h),  # truncated
        mh.u16(0xFFFF) + b"\x07\x00",                        # size too big
        mh.u16(1),                                           # size too small
        b"",
    ]
    for buf in cases:
        rsp = mb.execute_raw(mh.rpc_header_ext(buf))
        assert rsp["status"] == 0 and rsp["error"] == ecRpcFormat, buf
    # a bad RPC_HEADER_EXT: version 2, sizes that lie
    good = mh.rop_buffer([mh.rop_get_status(0)], h)
    for rhe in (struct.pack("<HHHH", 2, 4, len(good), len(good)) + good,
                struct.pack("<HHHH", 0, 4, len(good) + 9, len(good)) + good,
                struct.pack("<HHHH", 0, 4 | 1, len(good), 99) + good):
        rsp = mb.execute_raw(rhe)
        assert rsp["status"] == 0 and rsp["error"] != 0
    # and the session still works
    rs = one(mb, mh.rop_get_receive_folder(0, "IPM.Note"), i="logon")
    assert rs["rv"] == 0


def test_query_rows_returns_what_fits_and_continues(srv):
    for i in range(40):
        deliver(srv.store, ALICE, "Message number %02d %s" % (i, "x" * 200))
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    cols = [mh.PR_MID, mh.PR_SUBJECT]
    rsp, rs, _ = mb.run([
        (mh.rop_get_contents_table(0, 1), {"in": "inbox", "out": "t"}),
        (mh.rop_set_columns(1, cols), {"in": "t"}),
        (mh.rop_sort_table(1, [(mh.PR_SUBJECT, 0)]), {"in": "t"}),
    ], slots=["inbox", "t"])
    seen = []
    calls = 0
    while True:
        rsp, rs, _ = mb.run([(mh.rop_query_rows(0, 0xFFFF, cols),
                              {"in": "t"})], slots=["t"], max_out=0x1000)
        calls += 1
        assert rs[0]["rv"] == 0
        if not rs[0]["rows"]:
            break
        seen += [r[1] for r in rs[0]["rows"]]
    assert calls > 3                         # 40 rows of ~450 bytes, 4 KiB
    assert seen == sorted("Message number %02d %s" % (i, "x" * 200)
                          for i in range(40))
    # a row that can never fit: ecBufferTooSmall, the position unchanged
    rsp, rs, _ = mb.run([
        (mh.rop_seek_row(0, 0, 0), {"in": "t"}),
        (mh.rop_query_rows(0, 10, cols), {"in": "t"}),
    ], slots=["t"], max_out=0x120)
    assert rs[1]["rv"] == ecBufferTooSmall
    rs = one(mb, mh.rop_query_position(0), i="t")
    assert rs["numerator"] == 0 and rs["denominator"] == 40


def test_a_response_that_does_not_fit_ends_in_rop_buffer_too_small(srv):
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    rops = [mh.rop_get_properties_all(0) for _ in range(6)]
    mb.run([(rops[0], {"in": "inbox"})], slots=["inbox"])
    size = len(mb.payload) - 2 - 4           # RopSize, one handle
    # room for two and a half responses after the RPC_HEADER_EXT
    rsp, rs, _ = mb.run([(r, {"in": "inbox"}) for r in rops],
                        slots=["inbox"], max_out=8 + 6 + size * 5 // 2)
    done = [r for r in rs if r["rop_id"] != 0xFF]
    last = rs[-1]
    assert len(done) == 2 and [r["rv"] for r in done] == [0, 0]
    assert last["rop_id"] == 0xFF and last["size_needed"] > 0
    # the requests not run come back as they were sent
    rest = b"".join(r.data for r in rops[len(done):])
    assert last["requests"] == rest
    # none of them ran: run them again with room, they all answer
    rsp, rs, _ = mb.run([(r, {"in": "inbox"}) for r in rops],
                        slots=["inbox"])
    assert [r["rv"] for r in rs] == [0] * 6
    # a ROP that changes something does not run short of room, so it is
    # never done twice: here its small answer would have fitted
    comment = T(mh.PT_UNICODE, 0x3004)
    chain = rops[:2] + [mh.rop_set_properties(0, [(comment, "once")])]
    rsp, rs, _ = mb.run([(r, {"in": "inbox"}) for r in chain],
                        slots=["inbox"], max_out=8 + 6 + size * 2 + 100)
    assert [r["rop_id"] for r in rs] == [0x08, 0x08, 0xFF]
    assert rs[2]["requests"] == chain[2].data
    rs = one(mb, mh.rop_get_properties_specific(0, [comment]), i="inbox")
    assert rs["values"] == [mh.Error(ecNotFound)]


def test_read_stream_returns_what_fits(srv):
    deliver(srv.store, ALICE, "Long", body="0123456789abcdef\n" * 4000)
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    (mid,), = table(mb, "inbox", mh.rop_get_contents_table, [mh.PR_MID])
    one(mb, mh.rop_open_message(0, 1, mb.fids[INBOX], mid), i="inbox",
        o="m")
    rs = one(mb, mh.rop_open_stream(0, 1, mh.PR_BODY), i="m", o="s")
    total = rs["size"]
    got = b""
    while True:
        rsp, rs, _ = mb.run([(mh.rop_read_stream(0, 0, maximum=0xFFFFFFFF),
                              {"in": "s"})], slots=["s"], max_out=0x2000)
        assert rs[0]["rv"] == 0
        assert len(rs[0]["data"]) <= 0x2000
        if not rs[0]["data"]:
            break
        got += rs[0]["data"]
    assert len(got) == total
    assert got.decode("utf-16-le").rstrip("\0").replace("\r\n", "\n") == \
        "0123456789abcdef\n" * 4000
    # seek back and read 10 bytes; sizes
    rsp, rs, _ = mb.run([
        (mh.rop_seek_stream(0, 0, 4), {"in": "s"}),
        (mh.rop_read_stream(0, 10), {"in": "s"}),
        (mh.rop_get_stream_size(0), {"in": "s"}),
        (mh.rop_seek_stream(0, 0, -1), {"in": "s"}),
    ], slots=["s"])
    assert rs[0]["position"] == 4
    assert rs[1]["data"] == "23456".encode("utf-16-le")
    assert rs[2]["size"] == total
    assert rs[3]["rv"] != 0


def test_rops_without_an_implementation_answer_not_supported(srv):
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    rsp, rs, handles = mb.run([
        (mh.rop_fast_transfer_source_copy_to(0, 1),
         {"in": "inbox", "out": "ft"}),
        (mh.rop_synchronization_configure(0, 2),
         {"in": "inbox", "out": "sync"}),
        (mh.rop_register_notification(3, 4, 0x04),
         {"in": "logon", "out": "n"}),
    ], slots=["inbox", "ft", "sync", "logon", "n"])
    assert [r["rv"] for r in rs][:2] == [ecNotSupported] * 2
    assert handles[1] == handles[2] == mc.NULL_HANDLE
    # streams on a stored message: the Exchange 2010+ answers
    deliver(srv.store, ALICE, "Streams")
    (mid,), = table(mb, "inbox", mh.rop_get_contents_table, [mh.PR_MID])
    one(mb, mh.rop_open_message(0, 1, mb.fids[INBOX], mid), i="inbox",
        o="m")
    one(mb, mh.rop_open_stream(0, 1, mh.PR_BODY), i="m", o="s")
    rs = one(mb, mh.rop_lock_region_stream(0, 0, 10), i="s")
    assert rs["rv"] == ecNotImplemented


def test_folders_create_find_move_copy_empty_delete(srv):
    mb = session(srv)
    open_folder(mb, mb.fids[IPM], "ipm")
    rs = one(mb, mh.rop_create_folder(0, 1, "Projects", "work"), i="ipm",
             o="proj")
    assert rs["rv"] == 0 and rs["is_existing"] == 0
    proj = rs["fid"]
    # again, open_existing: the same folder
    rs = one(mb, mh.rop_create_folder(0, 1, "Projects", open_existing=1),
             i="ipm", o="proj2")
    assert rs["rv"] == 0 and rs["fid"] == proj and rs["is_existing"] == 1
    # without it: a collision
    rs = one(mb, mh.rop_create_folder(0, 1, "Projects"), i="ipm", o="x")
    assert rs["rv"] == 0x80040604                 # ecDuplicateName
    rs = one(mb, mh.rop_create_folder(0, 1, "Old", unicode=False), i="proj",
             o="old")
    assert rs["rv"] == 0
    old = rs["fid"]
    rows = table(mb, "ipm", mh.rop_get_hierarchy_table,
                 [mh.PR_FID, mh.PR_DISPLAY_NAME, T(mh.PT_BOOLEAN, 0x360A)])
    names = {r[1]: r for r in rows}
    assert names["Projects"][0] == proj and names["Projects"][2] is True
    assert "Inbox" in names and "Old" not in names      # one level
    # move Old up to the IPM subtree under a new name
    rs = one(mb, mh.rop_move_folder(0, 1, old, "Old projects"), s="proj", d="ipm")
    assert rs["rv"] == 0 and rs["partial"] == 0
    rows = table(mb, "ipm", mh.rop_get_hierarchy_table,
                 [mh.PR_FID, mh.PR_DISPLAY_NAME])
    assert [r[0] for r in rows if r[1] == "Old projects"] == [old]
    # copy messages into Projects, empty it, delete it
    deliver(srv.store, ALICE, "To file")
    open_folder(mb, mb.fids[INBOX], "inbox")
    (mid,), = table(mb, "inbox", mh.rop_get_contents_table, [mh.PR_MID])
    rs = one(mb, mh.rop_move_copy_messages(0, 1, [mid], copy=True),
             s="inbox", d="proj")
    assert rs["rv"] == 0 and rs["partial"] == 0
    assert messages(srv.store, ALICE, "Projects") == ["To file"]
    assert messages(srv.store, ALICE) == ["To file"]
    rs = one(mb, mh.rop_empty_folder(0), i="proj")
    assert rs["rv"] == 0
    assert messages(srv.store, ALICE, "Projects") == []
    rs = one(mb, mh.rop_delete_folder(0, proj), i="ipm")
    assert rs["rv"] == 0 and rs["partial"] == 0
    rows = table(mb, "ipm", mh.rop_get_hierarchy_table, [mh.PR_DISPLAY_NAME])
    assert ["Projects"] not in rows
    # the special folders can't go
    rs = one(mb, mh.rop_delete_folder(0, mb.fids[INBOX]), i="ipm")
    assert rs["rv"] != 0


def test_properties_named_properties_and_problems(srv):
    mb = session(srv)
    open_folder(mb, mb.fids[IPM], "ipm")
    rs = one(mb, mh.rop_create_folder(0, 1, "Props"), i="ipm", o="f")
    props_fid = rs["fid"]
    names = [mh.encode_propname(PS_PUBLIC_STRINGS, name="Keywords"),
             mh.encode_propname(PSETID_COMMON, lid=0x8514),
             mh.encode_propname(PS_PUBLIC_STRINGS, name="Nothing yet")]
    # lookup only (flags 0): unknown names get 0 and a warning
    rs = one(mb, mh.rop_get_property_ids_from_names(0, names[2:], flags=0),
             i="logon")
    assert rs["rv"] == 0x00040380 and rs["ids"] == [0]
    rs = one(mb, mh.rop_get_property_ids_from_names(0, names), i="logon")
    assert rs["rv"] == 0
    ids = rs["ids"]
    assert all(i >= 0x8000 for i in ids) and len(set(ids)) == 3
    rs2 = one(mb, mh.rop_get_property_ids_from_names(0, names), i="logon")
    assert rs2["ids"] == ids                      # stable
    rs = one(mb, mh.rop_get_names_from_property_ids(0, ids), i="logon")
    assert rs["names"] == [(PS_PUBLIC_STRINGS, "Keywords"),
                           (PSETID_COMMON, 0x8514),
                           (PS_PUBLIC_STRINGS, "Nothing yet")]
    # create a message with a named property and read it back
    rs = one(mb, mh.rop_create_message(0, 1, props_fid), i="logon", o="m")
    assert rs["rv"] == 0
    kw = T(mh.MV | mh.PT_UNICODE, ids[0])
    flag = T(mh.PT_BOOLEAN, ids[1])
    rs = one(mb, mh.rop_set_properties(0, [
        (kw, ["red", "blue"]), (flag, True),
        (mh.PR_SUBJECT, "Named"),
        (mh.PR_MID, 5),                          # computed: a problem
    ]), i="m")
    assert rs["rv"] == 0
    assert [p[1] for p in rs["problems"]] == [mh.PR_MID]
    rs = one(mb, mh.rop_save_changes_message(0, 0), i="m")
    assert rs["rv"] == 0
    rs = one(mb, mh.rop_get_properties_specific(0, [kw, flag, mh.PR_SUBJECT,
                                                   T(mh.PT_LONG, 0x6600)]),
             i="m")
    assert rs["values"][:3] == [["red", "blue"], True, "Named"]
    assert rs["values"][3] == mh.Error(ecNotFound)
    rs = one(mb, mh.rop_get_properties_list(0), i="m")
    assert kw in rs["tags"] and mh.PR_SUBJECT in rs["tags"]
    rs = one(mb, mh.rop_delete_properties(0, [kw]), i="m")
    assert rs["rv"] == 0 and rs["problems"] == []
    rs = one(mb, mh.rop_get_properties_specific(0, [kw]), i="m")
    assert rs["values"] == [mh.Error(ecNotFound)]
    # 8-bit strings in the session's code page when asked for them
    rs = one(mb, mh.rop_get_properties_specific(
        0, [T(mh.PT_STRING8, 0x0037)], want_unicode=0), i="m")
    assert rs["values"] == ["Named"]
    # folder properties
    rs = one(mb, mh.rop_set_properties(0, [
        (T(mh.PT_UNICODE, 0x3004), "A comment")]), i="f")
    assert rs["rv"] == 0
    rs = one(mb, mh.rop_get_properties_specific(0, [
        T(mh.PT_UNICODE, 0x3004), mh.PR_DISPLAY_NAME, PR_CONTENT_COUNT,
        PR_CONTENT_UNREAD]), i="f")
    # a message made over MAPI starts read and unsent (MS-OXCMSG 3.2.5.2)
    assert rs["values"] == ["A comment", "Props", 1, 0]


def test_tables_restrict_find_bookmarks_and_categories(srv):
    for who, subj in [("carol@example.test", "alpha"),
                      ("bob@example.test", "beta"),
                      ("carol@example.test", "gamma"),
                      ("bob@example.test", "delta"),
                      ("carol@example.test", "epsilon")]:
        deliver(srv.store, ALICE, subj, sender=who)
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    sender = T(mh.PT_UNICODE, 0x5D01)            # PR_SENDER_SMTP_ADDRESS
    cols = [mh.PR_MID, mh.PR_SUBJECT, sender]
    rsp, rs, _ = mb.run([
        (mh.rop_get_contents_table(0, 1), {"in": "inbox", "out": "t"}),
        (mh.rop_set_columns(1, cols), {"in": "t"}),
        (mh.rop_sort_table(1, [(mh.PR_SUBJECT, 0)]), {"in": "t"}),
        (mh.rop_restrict(1, ("content", 0x00010001, mh.PR_SUBJECT,
                             (mh.PR_SUBJECT, "A"))), {"in": "t"}),
        (mh.rop_query_rows(1, 10, cols), {"in": "t"}),
    ], slots=["inbox", "t"])
    assert [r[1] for r in rs[4]["rows"]] == ["alpha", "beta", "delta",
                                             "gamma"]
    # FindRow from the start, bookmarks, QueryPosition
    rsp, rs, _ = mb.run([
        (mh.rop_restrict(0, None), {"in": "t"}),
        (mh.rop_find_row(0, ("property", mh.RELOP_EQ, mh.PR_SUBJECT,
                             (mh.PR_SUBJECT, "delta")), cols), {"in": "t"}),
        (mh.rop_query_position(0), {"in": "t"}),
        (mh.rop_create_bookmark(0), {"in": "t"}),
    ], slots=["t"])
    assert rs[1]["row"][1] == "delta"
    assert (rs[2]["numerator"], rs[2]["denominator"]) == (2, 5)
    bm = rs[3]["bookmark"]
    rsp, rs, _ = mb.run([
        (mh.rop_seek_row(0, 2, -2), {"in": "t"}),
        (mh.rop_seek_row_bookmark(0, bm, 1), {"in": "t"}),
        (mh.rop_query_rows(0, 1, cols), {"in": "t"}),
    ], slots=["t"])
    assert rs[0]["rows_sought"] == -2
    assert rs[1]["rows_sought"] == 1
    assert [r[1] for r in rs[2]["rows"]] == ["epsilon"]
    # categorized by sender: two headers, collapsed and expanded
    hcols = [mh.PR_SUBJECT, sender, T(mh.PT_LONG, 0x0FF5),
             T(mh.PT_LONG, 0x3005), T(mh.PT_I8, 0x674D)]     # PR_INST_ID
    rsp, rs, _ = mb.run([
        (mh.rop_set_columns(0, hcols), {"in": "t"}),
        (mh.rop_sort_table(0, [(sender, 0), (mh.PR_SUBJECT, 0)],
                           categories=1, expanded=0), {"in": "t"}),
        (mh.rop_query_rows(0, 50, hcols), {"in": "t"}),
    ], slots=["t"])
    rows = rs[2]["rows"]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("bob@example.test", 4, 0), ("carol@example.test", 4, 0)]
    cat = rows[0][4]
    rs = one(mb, mh.rop_expand_row(0, cat, 10, hcols), i="t")
    assert rs["rv"] == 0 and rs["expanded"] == 2
    assert [r[0] for r in rs["rows"]] == ["beta", "delta"]
    rsp, rs, _ = mb.run([
        (mh.rop_seek_row(0, 0, 0), {"in": "t"}),
        (mh.rop_query_rows(0, 50, hcols), {"in": "t"}),
    ], slots=["t"])
    assert [(r[0] if r[2] == 1 else r[1]) for r in rs[1]["rows"]] == [
        "bob@example.test", "beta", "delta", "carol@example.test"]
    assert rs[1]["rows"][0][2] == 3                  # expanded header
    rs = one(mb, mh.rop_collapse_row(0, cat), i="t")
    assert rs["collapsed"] == 2


def grant(mb, folder, dn, rights):
    eid = mh.permanent_entry_id(dn)
    return one(mb, mh.rop_modify_permissions(0, [
        (ROW_ADD, [(mh.PR_ENTRYID, eid), (PR_MEMBER_RIGHTS, rights)])]),
        i=folder)


def permissions(mb, folder):
    cols = [PR_MEMBER_ID, PR_MEMBER_NAME, PR_MEMBER_RIGHTS]
    return table(mb, folder, mh.rop_get_permissions_table, cols, name="pt")


def test_another_mailbox_needs_permission(srv):
    deliver(srv.store, BOB, "For Bob only")
    alice = session(srv)
    bob_dn = mc.legacy_dn(srv.store, BOB)
    rs = one(alice, mh.rop_logon(0, bob_dn), o="bob")
    assert rs["rv"] == ecLoginPerm

    # bob shares his Inbox with alice, read only
    bob = session(srv, BOB)
    open_folder(bob, bob.fids[INBOX], "inbox")
    rs = grant(bob, "inbox", alice.user_dn, RIGHTS_READ | RIGHTS_VISIBLE)
    assert rs["rv"] == 0
    rows = permissions(bob, "inbox")
    by_name = {r[1]: r for r in rows}
    assert by_name["Alice Anders"][2] == RIGHTS_READ | RIGHTS_VISIBLE
    assert {r[0] for r in rows} >= {0, -1}       # Default, Anonymous
    member = by_name["Alice Anders"][0]

    rs = one(alice, mh.rop_logon(0, bob_dn), o="bob")
    assert rs["rv"] == 0
    bfids = rs["fids"]
    assert bfids[INBOX] == bob.fids[INBOX]
    rs = one(alice, mh.rop_open_folder(0, 1, bfids[INBOX]), i="bob",
             o="binbox")
    assert rs["rv"] == 0
    rows = table(alice, "binbox", mh.rop_get_contents_table,
                 [mh.PR_MID, mh.PR_SUBJECT])
    assert [r[1] for r in rows] == ["For Bob only"]
    # read, not write: no new message in his Inbox, no other folder
    rs = one(alice, mh.rop_create_message(0, 1, bfids[INBOX]), i="bob",
             o="m")
    assert rs["rv"] == ecAccessDenied
    rs = one(alice, mh.rop_open_folder(0, 1, bfids[OUTBOX]), i="bob",
             o="bout")
    assert rs["rv"] == ecAccessDenied
    rs = one(alice, mh.rop_delete_messages(0, [rows[0][0]]), i="binbox")
    assert rs["rv"] == ecAccessDenied or rs["partial"] == 1
    assert messages(srv.store, BOB) == ["For Bob only"]
    # alice can't change bob's permissions
    rs = grant(alice, "binbox", mc.legacy_dn(srv.store, CAROL), RIGHTS_READ)
    assert rs["rv"] == ecAccessDenied

    # bob takes it back: alice's open folder and new logons are refused
    rs = one(bob, mh.rop_modify_permissions(0, [
        (ROW_REMOVE, [(PR_MEMBER_ID, member)])]), i="inbox")
    assert rs["rv"] == 0
    assert "Alice Anders" not in {r[1] for r in permissions(bob, "inbox")}
    rs = one(alice, mh.rop_get_contents_table(0, 1), i="binbox", o="t2")
    assert rs["rv"] == ecAccessDenied
    rs = one(alice, mh.rop_logon(0, bob_dn), o="bob2")
    assert rs["rv"] == ecLoginPerm


def test_rules_are_kept_as_the_folder_says(srv):
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    PR_RULE_SEQUENCE = T(mh.PT_LONG, 0x6676)
    PR_RULE_STATE = T(mh.PT_LONG, 0x6677)
    PR_RULE_NAME = T(mh.PT_UNICODE, 0x6682)
    PR_RULE_PROVIDER = T(mh.PT_UNICODE, 0x6681)
    PR_RULE_ID = T(mh.PT_I8, 0x6674)
    PR_RULE_CONDITION = T(mh.PT_SRESTRICTION, 0x6679)
    PR_RULE_ACTIONS = T(mh.PT_ACTIONS, 0x6680)
    cond = ("content", 0x00010001, mh.PR_SUBJECT,
            (mh.PR_SUBJECT, "report"))
    actions = [(0x0A, 0, 0, b"")]                  # OP_MARK_AS_READ
    rule = [(PR_RULE_SEQUENCE, 10), (PR_RULE_STATE, 1),
            (PR_RULE_NAME, "Read reports"),
            (PR_RULE_PROVIDER, "RuleOrganizer")]
    # a rule without a condition or actions is refused
    rs = one(mb, mh.rop_modify_rules(0, [(ROW_ADD, rule)]), i="inbox")
    assert rs["rv"] == ecInvalidParam
    rs = one(mb, mh.rop_modify_rules(0, [
        (ROW_ADD, rule + [(PR_RULE_CONDITION, cond),
                          (PR_RULE_ACTIONS, actions)])]), i="inbox")
    assert rs["rv"] == 0
    cols = [PR_RULE_ID, PR_RULE_NAME, PR_RULE_SEQUENCE, PR_RULE_STATE,
            PR_RULE_CONDITION, PR_RULE_ACTIONS]
    rows = table(mb, "inbox", mh.rop_get_rules_table, cols)
    assert [r[1:] for r in rows] == [["Read reports", 10, 1, cond, actions]]
    rs = one(mb, mh.rop_open_folder(0, 1, mb.fids[INBOX]), i="logon",
             o="inbox2")
    assert rs["has_rules"] == 1
    rs = one(mb, mh.rop_modify_rules(0, [
        (ROW_REMOVE, [(PR_RULE_ID, rows[0][0])])]), i="inbox")
    assert rs["rv"] == 0
    assert table(mb, "inbox", mh.rop_get_rules_table, cols) == []


def test_store_rops(srv):
    mb = session(srv)
    rsp, rs, _ = mb.run([
        (mh.rop_get_store_state(0), {"in": "logon"}),
        (mh.rop_get_receive_folder(0, "IPM.Note.Custom"), {"in": "logon"}),
        (mh.rop_long_term_id_from_id(0, mb.fids[INBOX]), {"in": "logon"}),
        (mh.rop_get_address_types(0), {"in": "logon"}),
        (mh.rop_get_transport_folder(0), {"in": "logon"}),
        (mh.rop_set_receive_folder(0, mb.fids[DELETED], "IPM.Note.Custom"),
         {"in": "logon"}),
        (mh.rop_get_receive_folder(0, "IPM.Note.Custom.Sub"),
         {"in": "logon"}),
    ], slots=["logon"])
    assert [r["rv"] for r in rs] == [0] * 7
    assert rs[0]["state"] == 0
    # the longest registered prefix: "IPM" goes to the Inbox
    assert rs[1]["fid"] == mb.fids[INBOX]
    assert rs[1]["explicit_class"] == "IPM"
    assert rs[2]["guid"] == mb.logon_response["repl_guid"]
    assert set(rs[3]["types"]) == {"SMTP", "EX"}
    assert rs[4]["fid"] == mb.fids[OUTBOX]
    assert rs[6]["fid"] == mb.fids[DELETED]
    assert rs[6]["explicit_class"] == "IPM.Note.Custom"
    lt = one(mb, mh.rop_long_term_id_from_id(0, mb.fids[INBOX]), i="logon")
    rs = one(mb, mh.rop_id_from_long_term_id(0, lt["guid"], lt["counter"]),
             i="logon")
    assert rs["id"] == mb.fids[INBOX]


def recipients(open_message):
    """(type, display name, SMTP address) of OpenMessage's rows."""
    smtp = open_message["recipient_columns"].index(T(mh.PT_UNICODE, 0x39FE))
    return [(r["type"], r["row"]["display_name"], r["row"]["values"][smtp])
            for r in open_message["recipients"]]


def test_a_message_delivered_reads_like_the_same_message_made_over_mapi(srv):
    """Delivered from MIME, then made again over MAPI from the properties
    read over MAPI: the two read back the same, property by property."""
    store = srv.store
    mime = ("From: Carol Clark <carol@example.test>\r\n"
            "To: Alice Anders <alice@example.test>\r\n"
            "Cc: Bob Brown <bob@example.test>\r\n"
            "Subject: Twin\r\nImportance: high\r\n"
            "Message-ID: <twin@example.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=b1\r\n\r\n"
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "Caf\u00e9 au lait.\r\n"
            "--b1\r\nContent-Type: application/pdf; name=doc.pdf\r\n"
            "Content-Disposition: attachment; filename=doc.pdf\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            "JVBERi0xLjQKJcfsj6IK\r\n--b1--\r\n").encode()
    exchctl(store, "deliver", "--from", "carol@example.test", ALICE,
            input=mime.decode())
    mb = session(srv)
    open_folder(mb, mb.fids[INBOX], "inbox")
    (mid,), = table(mb, "inbox", mh.rop_get_contents_table, [mh.PR_MID])
    rs = one(mb, mh.rop_open_message(0, 1, mb.fids[INBOX], mid),
             i="inbox", o="orig")
    rcpt_cols = [mh.PR_DISPLAY_NAME, mh.PR_EMAIL_ADDRESS, mh.PR_ADDRTYPE,
                 T(mh.PT_UNICODE, 0x39FE)]
    orig_rcpts = recipients(rs)
    props = dict(one(mb, mh.rop_get_properties_all(0, size_limit=0x7000),
                     i="orig")["props"])
    att_cols = [mh.PR_ATTACH_FILENAME, PR_ATTACH_LONG_FILENAME,
                PR_ATTACH_MIME_TAG, PR_ATTACH_METHOD]
    one(mb, mh.rop_open_attachment(0, 1, 0), i="orig", o="oatt")
    att = one(mb, mh.rop_get_properties_specific(0, att_cols), i="oatt")
    one(mb, mh.rop_open_stream(0, 1, mh.PR_ATTACH_DATA_BIN), i="oatt",
        o="ost")
    data = read_stream(mb, "ost")
    assert data.startswith(b"%PDF-1.4")

    # the same message made over MAPI in Deleted Items
    copy_tags = [mh.PR_SUBJECT, mh.PR_BODY, mh.PR_IMPORTANCE,
                 mh.PR_MESSAGE_CLASS, PR_SENT_REPRESENTING_NAME,
                 T(mh.PT_UNICODE, 0x0065), T(mh.PT_UNICODE, 0x0064),
                 T(mh.PT_UNICODE, 0x0C1A), T(mh.PT_UNICODE, 0x0C1F),
                 T(mh.PT_UNICODE, 0x0C1E), T(mh.PT_UNICODE, 0x1035),
                 mh.PR_MESSAGE_DELIVERY_TIME,
                 T(mh.PT_SYSTIME, 0x0039)]
    rs = one(mb, mh.rop_create_message(0, 1, mb.fids[DELETED]), i="logon",
             o="twin")
    rs = one(mb, mh.rop_set_properties(0, [(t, props[t]) for t in copy_tags
                                           if t in props]), i="twin")
    assert rs["rv"] == 0 and rs["problems"] == []
    rows = []
    for i, (kind, name, addr) in enumerate(orig_rcpts):
        rows.append((i, kind, mh.encode_recipient_row(
            rcpt_cols, [name, addr, "SMTP", addr], email=addr,
            display_name=name)))
    assert one(mb, mh.rop_modify_recipients(0, rcpt_cols, rows),
               i="twin")["rv"] == 0
    one(mb, mh.rop_create_attachment(0, 1), i="twin", o="tatt")
    assert one(mb, mh.rop_set_properties(0, list(zip(att_cols,
                                                     att["values"]))),
               i="tatt")["rv"] == 0
    one(mb, mh.rop_open_stream(0, 1, mh.PR_ATTACH_DATA_BIN, flags=2),
        i="tatt", o="tst")
    one(mb, mh.rop_write_stream(0, data), i="tst")
    rsp, rs, _ = mb.run([
        (mh.rop_commit_stream(0), {"in": "tst"}),
        (mh.rop_save_changes_attachment(2, 1), {"in": "tatt"}),
        (mh.rop_save_changes_message(2, 2), {"in": "twin"}),
    ], slots=["tst", "tatt", "twin"])
    assert [r["rv"] for r in rs] == [0, 0, 0]
    mb.run([(mh.rop_release(0), {"in": "twin"})], slots=["twin"])
    open_folder(mb, mb.fids[DELETED], "deleted")
    (tmid,), = table(mb, "deleted", mh.rop_get_contents_table, [mh.PR_MID])
    rs = one(mb, mh.rop_open_message(0, 1, mb.fids[DELETED], tmid),
             i="deleted", o="twin")
    twin_rcpts = recipients(rs)
    assert twin_rcpts == orig_rcpts

    compare = copy_tags + [PR_DISPLAY_TO, T(mh.PT_UNICODE, 0x0E03),
                           PR_HASATTACH, mh.PR_NORMALIZED_SUBJECT,
                           T(mh.PT_UNICODE, 0x003D)]
    a = one(mb, mh.rop_get_properties_specific(0, compare), i="orig")
    b = one(mb, mh.rop_get_properties_specific(0, compare), i="twin")
    for t, x, y in zip(compare, a["values"], b["values"]):
        assert x == y, "0x%08X: %r != %r" % (t, x, y)
    assert a["values"][0] == "Twin" and "Caf\u00e9" in a["values"][1]
    one(mb, mh.rop_open_attachment(0, 1, 0), i="twin", o="tatt2")
    b = one(mb, mh.rop_get_properties_specific(0, att_cols), i="tatt2")
    assert b["values"] == att["values"]
    one(mb, mh.rop_open_stream(0, 1, mh.PR_ATTACH_DATA_BIN), i="tatt2",
        o="tst2")
    assert read_stream(mb, "tst2") == data
