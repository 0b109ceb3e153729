"""MAPI over HTTP end to end: an Outlook-like EMSMDB session against nginx,
driven by t/mapihttp.py (a client codec written from the specs,
independent of the server's C code) through t/mapiclient.py."""

import email
import email.policy
import struct

import pytest

import mapiclient as mc
import mapihttp as mh
from conftest import USERS, exchctl

ALICE = "alice@example.test"
BOB = "bob@example.test"
CAROL = "carol@example.test"

T = mh.tag
PR_SENT_REPRESENTING_NAME = T(mh.PT_UNICODE, 0x0042)
PR_SENT_REPRESENTING_EMAIL = T(mh.PT_UNICODE, 0x0065)
PR_CLIENT_SUBMIT_TIME = T(mh.PT_SYSTIME, 0x0039)
PR_SENSITIVITY = T(mh.PT_LONG, 0x0036)
PR_HASATTACH = T(mh.PT_BOOLEAN, 0x0E1B)
PR_DISPLAY_TO = T(mh.PT_UNICODE, 0x0E04)
PR_LAST_MODIFICATION_TIME = T(mh.PT_SYSTIME, 0x3008)
PR_ICON_INDEX = T(mh.PT_LONG, 0x1080)
PR_SEARCH_KEY = T(mh.PT_BINARY, 0x300B)
PR_PARENT_ENTRYID = T(mh.PT_BINARY, 0x0E09)
PR_CONVERSATION_TOPIC = T(mh.PT_UNICODE, 0x0070)
PR_CONVERSATION_INDEX = T(mh.PT_BINARY, 0x0071)
PR_INTERNET_MESSAGE_ID = T(mh.PT_UNICODE, 0x1035)
PR_ROW_TYPE = T(mh.PT_LONG, 0x0FF5)
PR_DEPTH = T(mh.PT_LONG, 0x3005)
PR_CONTENT_COUNT = T(mh.PT_LONG, 0x3602)
PR_CONTENT_UNREAD = T(mh.PT_LONG, 0x3603)
PR_ATTACH_METHOD = T(mh.PT_LONG, 0x3705)
PR_ATTACH_LONG_FILENAME = T(mh.PT_UNICODE, 0x3707)
PR_ATTACH_SIZE = T(mh.PT_LONG, 0x0E20)
PR_ATTACH_NUM = T(mh.PT_LONG, 0x0E21)
PR_ATTACH_MIME_TAG = T(mh.PT_UNICODE, 0x370E)
PR_RECIPIENT_ENTRYID = PR_ENTRYID = mh.PR_ENTRYID
PR_SMTP_ADDRESS = T(mh.PT_UNICODE, 0x39FE)
PR_IPM_DRAFTS_ENTRYID = T(mh.PT_BINARY, 0x36D7)
PR_BODY_HTML = T(mh.PT_BINARY, 0x1013)
PR_HTML = PR_BODY_HTML
PR_FOLDER_TYPE = T(mh.PT_LONG, 0x3601)
PR_SUBFOLDERS = T(mh.PT_BOOLEAN, 0x360A)
PR_CONTAINER_CLASS = T(mh.PT_UNICODE, 0x3613)
PR_MESSAGE_RECIP_ME = T(mh.PT_BOOLEAN, 0x0059)
PR_SENDER_NAME = T(mh.PT_UNICODE, 0x0C1A)
PR_SENDER_EMAIL = T(mh.PT_UNICODE, 0x0C1F)
PR_TRANSPORT_HEADERS = T(mh.PT_UNICODE, 0x007D)
PR_MEMBER_ID = T(mh.PT_I8, 0x6671)
PR_MEMBER_NAME = T(mh.PT_UNICODE, 0x6672)
PR_MEMBER_RIGHTS = T(mh.PT_LONG, 0x6673)

MSGFLAG_READ = 0x01
MSGFLAG_UNSENT = 0x08
MSGFLAG_HASATTACH = 0x10

# the columns Outlook sets on a mail folder's contents table
OUTLOOK_COLUMNS = [
    mh.PR_MID, mh.PR_INSTANCE_KEY, PR_ROW_TYPE, PR_DEPTH, mh.PR_ENTRYID,
    mh.PR_MESSAGE_CLASS, mh.PR_SUBJECT, PR_SENT_REPRESENTING_NAME,
    PR_SENT_REPRESENTING_EMAIL, mh.PR_MESSAGE_DELIVERY_TIME,
    PR_CLIENT_SUBMIT_TIME, mh.PR_MESSAGE_FLAGS, mh.PR_MESSAGE_SIZE,
    mh.PR_IMPORTANCE, PR_SENSITIVITY, PR_HASATTACH, PR_DISPLAY_TO,
    PR_LAST_MODIFICATION_TIME, PR_ICON_INDEX, PR_SEARCH_KEY,
    PR_PARENT_ENTRYID, PR_CONVERSATION_TOPIC, PR_CONVERSATION_INDEX,
    mh.PR_NORMALIZED_SUBJECT, PR_INTERNET_MESSAGE_ID,
]
COL = {t: i for i, t in enumerate(OUTLOOK_COLUMNS)}

# Logon's 13 folder ids of a private mailbox (MS-OXCROPS 2.2.3.1.2)
ROOT, DEFERRED, SPOOLER, IPM, INBOX, OUTBOX, SENT, DELETED = range(8)


def deliver(store, rcpt, subject, body="hello\n", sender="carol@example.test",
            extra=""):
    msg = ("From: Carol Clark <%s>\r\nTo: %s\r\nSubject: %s\r\n"
           "Message-ID: <%s@example.test>\r\n%s"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n%s"
           % (sender, rcpt, subject, abs(hash(subject)), extra,
              body.replace("\n", "\r\n")))
    exchctl(store, "deliver", "--from", sender, rcpt, input=msg)


def messages(store, user, folder="Inbox"):
    out = exchctl(store, "message", "list", user, "--folder", folder).stdout
    return [line.split("\t", 4)[4] for line in out.splitlines()]


def session(srv, user=ALICE, fresh=False, cpid=1252):
    """Connect and Logon: a Mailbox whose "logon" handle is the user's
    private store; .fids are Logon's folder ids."""
    http = mc.Http(srv, user, USERS[user][1], fresh=fresh)
    mb = mc.Mailbox(http, mc.legacy_dn(srv.store, user))
    mb.connect(cpid=cpid)
    rsp, rs, _ = mb.run([(mh.rop_logon(0, mb.user_dn), {"out": "logon"})])
    assert rs[0]["rv"] == 0, hex(rs[0]["rv"])
    mb.fids = rs[0]["fids"]
    mb.logon_response = rs[0]
    return mb


def one(mb, rop, **names):
    """Runs one ROP whose handle indexes follow the order of names."""
    rsp, rs, _ = mb.run([(rop, names)], slots=list(names.values()))
    return rs[0]


def fid_of_entryid(eid):
    """A folder entry id's FID (MS-OXCDATA 2.2.4.1): GlobalCounter of the
    folder, ReplicaId 1 in this server."""
    assert len(eid) == 46 and eid[20:22] == b"\x01\x00"
    return struct.unpack("<Q", b"\x01\x00" + eid[38:44])[0]


def read_stream(mb, handle, size=None):
    data = b""
    while True:
        rsp, rs, _ = mb.run([(mh.rop_read_stream(0, 0, maximum=0x10000),
                              {"in": handle})], slots=[handle])
        assert rs[0]["rv"] == 0, hex(rs[0]["rv"])
        if not rs[0]["data"]:
            return data
        data += rs[0]["data"]


@pytest.fixture
def srv(make_nginx):
    return make_nginx()


def test_connect_logon_disconnect_gives_the_mailbox_and_its_folders(srv):
    mb = session(srv)
    c = mb.connect_response
    assert c["display_name"] == "Alice Anders"
    assert mb.user_dn.startswith(c["dn_prefix"] + "/")
    lg = mb.logon_response
    info = mc.user_info(srv.store, ALICE)
    # PrivateStore|UseAdminPrivilege... flags echo; the guid is the mailbox's
    assert lg["response_flags"] & 0x01        # Reserved bit set
    assert len(set(lg["fids"])) == 13
    assert all(f & 0xFFFF == lg["replid"] for f in lg["fids"])
    rs = one(mb, mh.rop_get_receive_folder(0, "IPM.Note"), i="logon")
    assert rs["rv"] == 0 and rs["fid"] == mb.fids[INBOX]
    assert mb.disconnect()["error"] == 0
    assert info["mailbox"]


def open_folder(mb, fid, name):
    rs = one(mb, mh.rop_open_folder(0, 1, fid), i="logon", o=name)
    assert rs["rv"] == 0, hex(rs["rv"])
    return rs


def test_outlook_session_end_to_end(srv):
    store = srv.store
    for i in range(7):
        deliver(store, ALICE, "Report %d" % i, body="Body of report %d\n" % i
                + "line two\n" * (3000 if i == 3 else 1))
    mb = session(srv)

    # the Inbox and its contents table with Outlook's columns, 3 rows a page
    open_folder(mb, mb.fids[INBOX], "inbox")
    rsp, rs, _ = mb.run([
        (mh.rop_get_contents_table(0, 1), {"in": "inbox", "out": "ct"}),
        (mh.rop_set_columns(1, OUTLOOK_COLUMNS), {"in": "ct"}),
        (mh.rop_sort_table(1, [(mh.PR_MESSAGE_DELIVERY_TIME, 1)]),
         {"in": "ct"}),
    ], slots=["inbox", "ct"])
    assert [r["rv"] for r in rs] == [0, 0, 0]
    assert rs[0]["row_count"] == 7
    rows = []
    while True:
        rs = one(mb, mh.rop_query_rows(0, 3, OUTLOOK_COLUMNS), i="ct")
        assert rs["rv"] == 0
        assert len(rs["rows"]) <= 3
        if not rs["rows"]:
            break
        rows += rs["rows"]
    assert rs["origin"] == 2                  # BOOKMARK_END
    subjects = [r[COL[mh.PR_SUBJECT]] for r in rows]
    assert subjects == ["Report %d" % i for i in reversed(range(7))]
    for r in rows:
        assert r[COL[mh.PR_MESSAGE_CLASS]] == "IPM.Note"
        assert r[COL[PR_SENT_REPRESENTING_NAME]] == "Carol Clark"
        assert r[COL[mh.PR_MESSAGE_FLAGS]] & MSGFLAG_READ == 0
        assert r[COL[PR_HASATTACH]] is False
        assert r[COL[PR_ROW_TYPE]] == 1       # TBL_LEAF_ROW
        assert r[COL[PR_DEPTH]] == 0
        assert len(r[COL[mh.PR_ENTRYID]]) == 70
        assert r[COL[mh.PR_MESSAGE_SIZE]] > 0
        assert fid_of_entryid(r[COL[PR_PARENT_ENTRYID]]) == mb.fids[INBOX]
    mids = [r[COL[mh.PR_MID]] for r in rows]
    assert len(set(mids)) == 7

    # open the big one and read its body through a stream
    big = mids[subjects.index("Report 3")]
    rs = one(mb, mh.rop_open_message(0, 1, mb.fids[INBOX], big),
             i="inbox", o="msg")
    assert rs["rv"] == 0
    assert rs["normalized_subject"] == "Report 3"
    assert rs["recipient_count"] == 1
    rs = one(mb, mh.rop_open_stream(0, 1, mh.PR_BODY), i="msg", o="body")
    assert rs["rv"] == 0
    want = "Body of report 3\n" + "line two\n" * 3000
    got = read_stream(mb, "body")
    text = got.decode("utf-16-le").rstrip("\0").replace("\r\n", "\n")
    assert text.strip() == want.strip()
    assert rs["size"] == len(got)
    # reading it marked nothing; SetMessageReadFlag does
    rs = one(mb, mh.rop_set_message_read_flag(0, 1, 0), i="inbox", m="msg")
    assert rs["rv"] == 0 and rs["changed"] == 1
    mb.run([(mh.rop_release(0), {"in": "body"}),
            (mh.rop_release(1), {"in": "msg"})], slots=["body", "msg"])

    # a new message in Drafts: recipients, an attachment, saved, submitted
    rs = one(mb, mh.rop_get_properties_specific(0, [PR_IPM_DRAFTS_ENTRYID]),
             i="logon")
    assert rs["rv"] == 0
    open_folder(mb, mb.fids[ROOT], "root")
    rs = one(mb, mh.rop_get_properties_specific(0, [PR_IPM_DRAFTS_ENTRYID]),
             i="root")
    drafts = fid_of_entryid(rs["values"][0])
    rs = one(mb, mh.rop_create_message(0, 1, drafts), i="logon", o="new")
    assert rs["rv"] == 0 and rs["has_mid"] == 0
    body = "Dear Bob,\r\n\r\nthe numbers are attached.\r\n"
    rs = one(mb, mh.rop_set_properties(0, [
        (mh.PR_SUBJECT, "Quarterly numbers"),
        (mh.PR_BODY, body),
        (mh.PR_IMPORTANCE, 2),
        (mh.PR_MESSAGE_CLASS, "IPM.Note")]), i="new")
    assert rs["rv"] == 0 and rs["problems"] == []
    cols = [mh.PR_DISPLAY_NAME, mh.PR_EMAIL_ADDRESS, mh.PR_ADDRTYPE,
            PR_SMTP_ADDRESS]
    row = mh.encode_recipient_row(
        cols, ["Bob Brown", BOB, "SMTP", BOB], email=BOB,
        display_name="Bob Brown")
    rs = one(mb, mh.rop_modify_recipients(0, cols, [(0, 1, row)]), i="new")
    assert rs["rv"] == 0
    rs = one(mb, mh.rop_create_attachment(0, 1), i="new", o="att")
    assert rs["rv"] == 0 and rs["attach_id"] == 0
    payload = bytes(range(256)) * 300              # 76800 bytes
    rs = one(mb, mh.rop_set_properties(0, [
        (PR_ATTACH_METHOD, 1),
        (mh.PR_ATTACH_FILENAME, "numbers.bin"),
        (PR_ATTACH_LONG_FILENAME, "numbers.bin"),
        (PR_ATTACH_MIME_TAG, "application/octet-stream")]), i="att")
    assert rs["rv"] == 0
    rs = one(mb, mh.rop_open_stream(0, 1, mh.PR_ATTACH_DATA_BIN, flags=2),
             i="att", o="ast")
    assert rs["rv"] == 0 and rs["size"] == 0
    for off in range(0, len(payload), 30000):
        rs = one(mb, mh.rop_write_stream(0, payload[off:off + 30000]),
                 i="ast")
        assert rs["rv"] == 0 and rs["written"] == len(payload[off:off + 30000])
    rsp, rs, _ = mb.run([
        (mh.rop_commit_stream(0), {"in": "ast"}),
        (mh.rop_release(0), {"in": "ast"}),
        (mh.rop_save_changes_attachment(2, 1), {"in": "att"}),
        (mh.rop_release(1), {"in": "att"}),
    ], slots=["ast", "att", "new"])
    assert [r["rv"] for r in rs] == [0, 0]
    rs = one(mb, mh.rop_save_changes_message(0, 0), i="new")
    assert rs["rv"] == 0
    new_mid = rs["mid"]
    # read back before sending
    rs = one(mb, mh.rop_get_properties_specific(0, [
        mh.PR_SUBJECT, mh.PR_MESSAGE_FLAGS, PR_HASATTACH, PR_DISPLAY_TO,
        mh.PR_IMPORTANCE, mh.PR_MID]), i="new")
    subject, flags, hasattach, to, imp, mid = rs["values"]
    assert subject == "Quarterly numbers"
    assert flags & MSGFLAG_UNSENT and flags & MSGFLAG_HASATTACH
    assert hasattach is True and to == "Bob Brown" and imp == 2
    assert mid == new_mid
    rs = one(mb, mh.rop_submit_message(0), i="new")
    assert rs["rv"] == 0
    mb.run([(mh.rop_release(0), {"in": "new"})], slots=["new"])

    # bob has it in his Inbox, with the attachment
    assert messages(store, BOB) == ["Quarterly numbers"]
    assert "Quarterly numbers" in messages(store, ALICE, "Sent Items")
    assert messages(store, ALICE, "Drafts") == []
    bmb = session(srv, BOB)
    open_folder(bmb, bmb.fids[INBOX], "inbox")
    rsp, rs, _ = bmb.run([
        (mh.rop_get_contents_table(0, 1), {"in": "inbox", "out": "ct"}),
        (mh.rop_set_columns(1, [mh.PR_MID, mh.PR_SUBJECT, PR_HASATTACH,
                                mh.PR_IMPORTANCE]), {"in": "ct"}),
        (mh.rop_query_rows(1, 10, [mh.PR_MID, mh.PR_SUBJECT, PR_HASATTACH,
                                   mh.PR_IMPORTANCE]), {"in": "ct"}),
    ], slots=["inbox", "ct"])
    (bmid, bsubject, battach, bimp), = rs[2]["rows"]
    assert (bsubject, battach, bimp) == ("Quarterly numbers", True, 2)
    rs = one(bmb, mh.rop_open_message(0, 1, bmb.fids[INBOX], bmid),
             i="inbox", o="msg")
    assert rs["rv"] == 0
    assert [r["row"].get("display_name") for r in rs["recipients"]] == \
        ["Bob Brown"]
    rs = one(bmb, mh.rop_open_attachment(0, 1, 0), i="msg", o="att")
    assert rs["rv"] == 0
    rs = one(bmb, mh.rop_get_properties_specific(0, [
        PR_ATTACH_LONG_FILENAME, PR_ATTACH_SIZE]), i="att")
    assert rs["values"][0] == "numbers.bin"
    rs = one(bmb, mh.rop_open_stream(0, 1, mh.PR_ATTACH_DATA_BIN),
             i="att", o="ast")
    assert rs["rv"] == 0 and rs["size"] == len(payload)
    assert read_stream(bmb, "ast") == payload
    rs = one(bmb, mh.rop_open_stream(0, 1, mh.PR_BODY), i="msg", o="bst")
    text = read_stream(bmb, "bst").decode("utf-16-le").rstrip("\0")
    assert "the numbers are attached." in text
    bmb.disconnect()

    # delete what alice read; the table follows
    rs = one(mb, mh.rop_delete_messages(0, mids[:3]), i="inbox")
    assert rs["rv"] == 0 and rs["partial"] == 0
    rsp, rs, _ = mb.run([
        (mh.rop_seek_row(0, 0, 0), {"in": "ct"}),
        (mh.rop_query_rows(0, 50, OUTLOOK_COLUMNS), {"in": "ct"}),
    ], slots=["ct"])
    assert [r[COL[mh.PR_SUBJECT]] for r in rs[1]["rows"]] == \
        ["Report %d" % i for i in reversed(range(4))]
    assert len(messages(store, ALICE)) == 4
    assert mb.disconnect()["error"] == 0
