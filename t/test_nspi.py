"""NSPI (the address book) over MAPI/HTTP: the global address list from the
store's directory, the way Outlook walks it -- Bind, the hierarchy table,
QueryRows in pages, SeekEntries, GetMatches with restrictions, group
members, ResolveNames, DNToMId, GetProps with permanent and ephemeral
entry ids, 8-bit strings in the asked code page, the URLs."""

import struct

import pytest

import mapiclient as mc
import mapihttp as mh
from conftest import USERS, exchctl

T = mh.tag
PR_DISPLAY_NAME = T(mh.PT_UNICODE, 0x3001)
PR_DISPLAY_NAME_A = T(mh.PT_STRING8, 0x3001)
PR_EMAIL_ADDRESS = T(mh.PT_UNICODE, 0x3003)
PR_EMAIL_ADDRESS_A = T(mh.PT_STRING8, 0x3003)
PR_ADDRTYPE = T(mh.PT_UNICODE, 0x3002)
PR_SMTP_ADDRESS = T(mh.PT_UNICODE, 0x39FE)
PR_ACCOUNT = T(mh.PT_UNICODE, 0x3A00)
PR_OBJECT_TYPE = T(mh.PT_LONG, 0x0FFE)
PR_DISPLAY_TYPE = T(mh.PT_LONG, 0x3900)
PR_DISPLAY_TYPE_EX = T(mh.PT_LONG, 0x3905)
PR_ENTRYID = T(mh.PT_BINARY, 0x0FFF)
PR_INSTANCE_KEY = T(mh.PT_BINARY, 0x0FF6)
PR_SEARCH_KEY = T(mh.PT_BINARY, 0x300B)
PR_MAPPING_SIGNATURE = T(mh.PT_BINARY, 0x0FF8)
PR_PROXY_ADDRESSES = T(mh.MV | mh.PT_UNICODE, 0x800F)
PR_HOME_MDB_A = T(mh.PT_STRING8, 0x8006)
PR_OBJECT_GUID = T(mh.PT_BINARY, 0x8C6D)
PR_ANR = T(mh.PT_UNICODE, 0x360C)
PR_MEMBER = T(mh.PT_OBJECT, 0x8009)
PR_CONTAINER_FLAGS = T(mh.PT_LONG, 0x3600)
PR_DEPTH = T(mh.PT_LONG, 0x3005)
PR_CONTAINERID = T(mh.PT_LONG, 0xFFFD)
PR_IS_MASTER = T(mh.PT_BOOLEAN, 0xFFFB)

DT_MAILUSER, DT_DISTLIST = 0, 1
MAPI_MAILUSER, MAPI_DISTLIST = 6, 8
MID_UNRESOLVED, MID_AMBIGUOUS, MID_RESOLVED = 0, 1, 2
fEphID = 0x00000002
ecNotFound = 0x8004010F
ecTableTooBig = 0x80040403
ecInvalidBookmark = 0x80040405
ecNotSupported = 0x80040102

COLS = [PR_DISPLAY_NAME, PR_EMAIL_ADDRESS, PR_SMTP_ADDRESS, PR_DISPLAY_TYPE,
        PR_OBJECT_TYPE, PR_ENTRYID, PR_INSTANCE_KEY]


@pytest.fixture
def srv(make_nginx):
    n = make_nginx()
    exchctl(n.store, "user", "add", "zoe@example.test", "--name",
            "Zo\u00eb Zimmer", "--password", "zoe-Secret-4")
    exchctl(n.store, "group", "add", "staff@example.test", "--name", "Staff")
    for m in ("alice@example.test", "carol@example.test"):
        exchctl(n.store, "group", "member", "add", "staff@example.test", m)
    exchctl(n.store, "alias", "add", "a.anders@example.test",
            "alice@example.test")
    return n


def ids(store):
    """address -> directory id"""
    out = {}
    for a in ("alice", "bob", "carol", "zoe", "staff"):
        info = mc.user_info(store, a + "@example.test")
        out[a] = int(info["id"])
    return out


def book(srv, user="alice@example.test", codepage=1252):
    http = mc.Http(srv, user, USERS.get(user, ("", "zoe-Secret-4"))[1])
    b = mc.Book(http)
    rsp = b.bind(codepage)
    assert rsp["status"] == 0 and rsp["error"] == 0
    b.guid = rsp["server_guid"]
    return b


def names(rsp):
    return [r[0] for r in rsp["rows"]]


def test_bind_the_hierarchy_table_and_unbind(srv):
    b = book(srv)
    assert len(b.guid) == 16 and b.guid != b"\0" * 16
    cookies = dict(b.http.jar.items())
    assert set(cookies) == {"sid", "sequence"}
    rsp = b.call("GetSpecialTable", mh.nspi_get_special_table(mh.stat()))
    assert rsp["error"] == 0
    (gal,) = rsp["rows"]
    gal = dict(gal)
    # the global address list: container id 0, at the top, 8-bit strings
    # without NspiUnicodeStrings
    assert gal[PR_CONTAINERID] == 0 and gal[PR_DEPTH] == 0
    assert gal[PR_IS_MASTER] is False
    assert gal[PR_DISPLAY_NAME_A] == "Global Address List"
    assert gal[PR_CONTAINER_FLAGS] & 0x1               # AB_RECIPIENTS
    assert gal[PR_ENTRYID] == mh.permanent_entry_id("/", 0x100)
    rsp = b.call("GetSpecialTable", mh.nspi_get_special_table(
        mh.stat(), flags=0x04))                       # NspiUnicodeStrings
    assert dict(rsp["rows"][0])[PR_DISPLAY_NAME] == "Global Address List"
    # address creation templates: none
    rsp = b.call("GetSpecialTable", mh.nspi_get_special_table(
        mh.stat(), flags=0x02))
    assert rsp["error"] == 0 and rsp.get("rows", []) == []
    assert b.unbind()["error"] == 1              # UnbindSuccess
    r = b.http.post("nspi", "QueryRows", mh.nspi_query_rows(
        mh.stat(), COLS), raw=True)
    assert r.headers["X-ResponseCode"] in ("10", "13")


def test_query_rows_walks_the_gal_in_display_name_order(srv):
    ident = ids(srv.store)
    b = book(srv)
    rsp = b.call("QueryRows", mh.nspi_query_rows(mh.stat(), COLS, count=50))
    assert rsp["error"] == 0
    assert names(rsp) == ["Alice Anders", "Bob Brown", "Carol Clark",
                          "Staff", "Zo\u00eb Zimmer"]
    by = {r[0]: r for r in rsp["rows"]}
    alice = by["Alice Anders"]
    assert alice[1] == mc.legacy_dn(srv.store, "alice@example.test")
    assert alice[2] == "alice@example.test"
    assert alice[3] == DT_MAILUSER and alice[4] == MAPI_MAILUSER
    assert by["Staff"][3] == DT_DISTLIST and by["Staff"][4] == MAPI_DISTLIST
    # entry ids: permanent by default, ephemeral with fEphID, whose minimal
    # id is the directory id
    dn = mc.legacy_dn(srv.store, "alice@example.test")
    assert alice[5] == mh.permanent_entry_id(dn, DT_MAILUSER)
    assert struct.unpack("<I", alice[6])[0] == ident["alice"]
    rsp = b.call("QueryRows", mh.nspi_query_rows(mh.stat(), COLS, count=1,
                                                 flags=fEphID))
    eid = rsp["rows"][0][5]
    assert eid == mh.ephemeral_entry_id(b.guid, ident["alice"], DT_MAILUSER)
    rsp = b.call("QueryRows", mh.nspi_query_rows(mh.stat(), COLS, count=50))
    st = rsp["state"]
    assert st["total"] == 5 and st["num_pos"] == 5
    assert st["cur_rec"] == 2                   # MID_END_OF_TABLE

    # in pages of two, the STAT carrying the position
    got, state = [], mh.stat()
    while True:
        rsp = b.call("QueryRows", mh.nspi_query_rows(state, COLS, count=2))
        assert rsp["error"] == 0
        if not rsp.get("rows"):
            break
        got += names(rsp)
        s = rsp["state"]
        state = mh.stat(cur_rec=s["cur_rec"], num_pos=s["num_pos"],
                        total=s["total"])
    assert got == ["Alice Anders", "Bob Brown", "Carol Clark", "Staff",
                   "Zo\u00eb Zimmer"]

    # explicit mids: those rows, in that order; an unknown one is empty
    rsp = b.call("QueryRows", mh.nspi_query_rows(
        mh.stat(), [PR_DISPLAY_NAME], explicit=[ident["carol"],
                                                ident["bob"]]))
    assert names(rsp) == ["Carol Clark", "Bob Brown"]


def test_strings_come_in_the_type_and_code_page_asked_for(srv):
    b = book(srv)
    rsp = b.call("QueryRows", mh.nspi_query_rows(
        mh.stat(), [PR_DISPLAY_NAME_A, PR_DISPLAY_NAME, PR_EMAIL_ADDRESS_A],
        count=50))
    zoe = [r for r in rsp["rows"] if r[1].startswith("Zo")][0]
    # cp1252 has the e with diaeresis: one byte, 0xEB
    assert zoe[0] == "Zo\u00eb Zimmer"            # latin-1 decode of 0xEB
    assert zoe[1] == "Zo\u00eb Zimmer"
    assert zoe[2].startswith("/o=")
    # a code page without it: the character is replaced, nothing breaks
    b2 = book(srv, codepage=20127)
    rsp = b2.call("QueryRows", mh.nspi_query_rows(
        mh.stat(codepage=20127), [PR_DISPLAY_NAME_A], count=50))
    assert rsp["error"] == 0
    assert [r[0] for r in rsp["rows"]][-1].startswith("Zo")
    # the Unicode code page is not a code page for 8-bit strings
    http = mc.Http(srv, "alice@example.test", USERS["alice@example.test"][1])
    rsp = mc.Book(http).bind(codepage=1200)
    assert rsp["error"] != 0


def test_get_props_and_prop_list_of_one_entry(srv):
    ident = ids(srv.store)
    b = book(srv)
    tags = [PR_DISPLAY_NAME, PR_ADDRTYPE, PR_EMAIL_ADDRESS, PR_SMTP_ADDRESS,
            PR_ACCOUNT, PR_ENTRYID, PR_SEARCH_KEY, PR_PROXY_ADDRESSES,
            PR_HOME_MDB_A, PR_OBJECT_GUID, PR_DISPLAY_TYPE_EX,
            PR_MAPPING_SIGNATURE, T(mh.PT_UNICODE, 0x3A06)]
    rsp = b.call("GetProps", mh.nspi_get_props(
        mh.stat(cur_rec=ident["alice"]), tags))
    assert rsp["error"] == 0x00040380          # ErrorsReturned: no 0x3A06
    p = dict(rsp["props"])
    dn = mc.legacy_dn(srv.store, "alice@example.test")
    assert p[PR_DISPLAY_NAME] == "Alice Anders"
    assert p[PR_ADDRTYPE] == "EX" and p[PR_EMAIL_ADDRESS] == dn
    assert p[PR_SMTP_ADDRESS] == "alice@example.test"
    # permanent entry id unless fEphID
    assert p[PR_ENTRYID] == mh.permanent_entry_id(dn, DT_MAILUSER)
    assert p[PR_SEARCH_KEY] == b"EX:" + dn.upper().encode() + b"\0"
    assert sorted(p[PR_PROXY_ADDRESSES]) == sorted([
        "SMTP:alice@example.test", "smtp:a.anders@example.test",
        "X500:" + dn])
    assert "/cn=Microsoft Private MDB" in p[PR_HOME_MDB_A]
    guid = mc.user_info(srv.store, "alice@example.test")["guid"]
    import uuid
    assert p[PR_OBJECT_GUID] == uuid.UUID(guid).bytes_le
    assert p[PR_MAPPING_SIGNATURE] == mh.NSPI_GUID
    assert T(mh.PT_ERROR, 0x3A06) in p and \
        p[T(mh.PT_ERROR, 0x3A06)] == ecNotFound
    rsp = b.call("GetProps", mh.nspi_get_props(
        mh.stat(cur_rec=ident["alice"]), [PR_ENTRYID], flags=fEphID))
    (t, eid), = rsp["props"]
    assert eid == mh.ephemeral_entry_id(b.guid, ident["alice"], DT_MAILUSER)
    # no such entry
    rsp = b.call("GetProps", mh.nspi_get_props(
        mh.stat(cur_rec=999999), [PR_DISPLAY_NAME]))
    assert rsp["error"] != 0
    # the properties it has
    # strings as 8-bit tags in a code page, as Unicode ones in 1200
    rsp = b.call("GetPropList", mh.nspi_get_prop_list(ident["alice"]))
    assert rsp["error"] == 0
    assert {PR_DISPLAY_NAME_A, PR_EMAIL_ADDRESS_A, PR_ENTRYID,
            T(mh.MV | mh.PT_STRING8, 0x800F), PR_HOME_MDB_A} <= \
        set(rsp["tags"])
    rsp = b.call("GetPropList", mh.nspi_get_prop_list(ident["alice"],
                                                      codepage=1200))
    assert {PR_DISPLAY_NAME, PR_EMAIL_ADDRESS, PR_PROXY_ADDRESSES} <= \
        set(rsp["tags"])
    rsp = b.call("QueryColumns", mh.nspi_query_columns())
    assert rsp["error"] == 0 and len(rsp["tags"]) > 10


def test_dn_to_mid_compare_mids_and_seek(srv):
    ident = ids(srv.store)
    b = book(srv)
    dn = mc.legacy_dn(srv.store, "carol@example.test")
    rsp = b.call("DNToMId", mh.nspi_dntomid([dn, dn.upper(), "/o=nowhere"]))
    assert rsp["mids"] == [ident["carol"], ident["carol"], 0]
    rsp = b.call("CompareMIds", mh.nspi_compare_mids(ident["alice"],
                                                     ident["carol"]))
    assert rsp["error"] == 0 and rsp["result"] < 0
    rsp = b.call("CompareMIds", mh.nspi_compare_mids(ident["zoe"],
                                                     ident["bob"]))
    assert rsp["result"] > 0
    rsp = b.call("CompareMIds", mh.nspi_compare_mids(ident["zoe"], 424242))
    assert rsp["error"] != 0
    # SeekEntries: the first entry at or after a display name prefix
    rsp = b.call("SeekEntries", mh.nspi_seek_entries(
        mh.stat(), (PR_DISPLAY_NAME, "C"), [PR_DISPLAY_NAME]))
    assert rsp["error"] == 0
    assert rsp["state"]["cur_rec"] == ident["carol"]
    assert rsp["state"]["num_pos"] == 2
    assert names(rsp)[0] == "Carol Clark"
    rsp = b.call("SeekEntries", mh.nspi_seek_entries(
        mh.stat(), (PR_DISPLAY_NAME, "zz"), [PR_DISPLAY_NAME]))
    assert rsp["error"] == ecNotFound
    # UpdateStat: a move by delta from a position
    rsp = b.call("UpdateStat", mh.nspi_update_stat(
        mh.stat(cur_rec=ident["bob"], delta=2)))
    assert rsp["error"] == 0
    assert rsp["state"]["cur_rec"] == ident["staff"]
    assert rsp["state"]["num_pos"] == 3 and rsp["delta"] == 2


def test_get_matches_restrictions_anr_and_members(srv):
    ident = ids(srv.store)
    b = book(srv)
    rsp = b.call("GetMatches", mh.nspi_get_matches(
        mh.stat(), [PR_DISPLAY_NAME],
        restriction=("property", mh.RELOP_EQ, PR_ANR, (PR_ANR, "car"))))
    assert rsp["error"] == 0 and names(rsp) == ["Carol Clark"]
    assert rsp["mids"] == [ident["carol"]]
    rsp = b.call("GetMatches", mh.nspi_get_matches(
        mh.stat(), [PR_DISPLAY_NAME],
        restriction=("and", [
            ("content", 0x00010001, PR_DISPLAY_NAME,
             (PR_DISPLAY_NAME, "R")),
            ("not", ("property", mh.RELOP_EQ, PR_DISPLAY_TYPE,
                     (PR_DISPLAY_TYPE, DT_DISTLIST)))])))
    assert names(rsp) == ["Alice Anders", "Bob Brown", "Carol Clark",
                          "Zo\u00eb Zimmer"]
    # too many for the row count
    rsp = b.call("GetMatches", mh.nspi_get_matches(
        mh.stat(), [PR_DISPLAY_NAME], row_count=2,
        restriction=("exist", PR_DISPLAY_NAME)))
    assert rsp["error"] == ecTableTooBig
    # a group's members: the STAT names the entry and, as its container,
    # the property holding the references (PR_EMS_AB_MEMBER)
    rsp = b.call("GetMatches", mh.nspi_get_matches(
        mh.stat(container=PR_MEMBER, cur_rec=ident["staff"]),
        [PR_DISPLAY_NAME, PR_SMTP_ADDRESS]))
    assert rsp["error"] == 0
    assert sorted(names(rsp)) == ["Alice Anders", "Carol Clark"]
    assert sorted(rsp["mids"]) == sorted([ident["alice"], ident["carol"]])
    # a user has no members
    rsp = b.call("GetMatches", mh.nspi_get_matches(
        mh.stat(container=PR_MEMBER, cur_rec=ident["bob"]),
        [PR_DISPLAY_NAME]))
    assert rsp["error"] == 0 and rsp.get("rows", []) == []


def test_resolve_names_and_resort(srv):
    ident = ids(srv.store)
    b = book(srv)
    rsp = b.call("ResolveNames", mh.nspi_resolve_names(
        mh.stat(), ["alice", "nobody at all", "Bob Brown", "staff",
                    "a.anders@example.test", "r"],
        [PR_DISPLAY_NAME, PR_SMTP_ADDRESS]))
    assert rsp["error"] == 0
    # one result per name: resolved, unresolved or ambiguous (MS-OXNSPI
    # 3.1.4.7), the rows of the resolved ones
    assert rsp["mids"] == [MID_RESOLVED, MID_UNRESOLVED, MID_RESOLVED,
                           MID_RESOLVED, MID_RESOLVED, MID_AMBIGUOUS]
    assert [r[1] for r in rsp["rows"]] == [
        "alice@example.test", "bob@example.test", "staff@example.test",
        "alice@example.test"]
    rsp = b.call("ResortRestriction", mh.nspi_resort_restriction(
        mh.stat(), [ident["zoe"], ident["alice"], ident["carol"], 77777]))
    assert rsp["error"] == 0
    assert rsp["mids"] == [ident["alice"], ident["carol"], ident["zoe"]]


def test_urls_and_templates(srv):
    b = book(srv)
    dn = mc.legacy_dn(srv.store, "alice@example.test")
    rsp = b.call("GetMailboxUrl", mh.nspi_get_mailbox_url(
        "/o=First Organization/ou=Exchange Administrative Group "
        "(FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=x"))
    assert rsp["error"] == 0
    assert "/mapi/emsmdb/?MailboxId=" in rsp["url"]
    assert rsp["url"].startswith("http://127.0.0.1:%d" % srv.port)
    rsp = b.call("GetAddressBookUrl", mh.nspi_get_address_book_url(dn))
    assert rsp["error"] == 0 and "/mapi/nspi/?MailboxId=" in rsp["url"]
    # no display templates: Outlook falls back to its own
    rsp = b.call("GetTemplateInfo", mh.nspi_get_template_info(DT_MAILUSER))
    assert rsp["error"] == ecNotSupported
    # changing the directory is not for clients
    rsp = b.call("ModProps", mh.nspi_mod_props(
        mh.stat(cur_rec=ids(srv.store)["alice"]),
        [(PR_DISPLAY_NAME, "Mallory")]))
    assert rsp["error"] == ecNotSupported
    assert mc.user_info(srv.store, "alice@example.test")[
        "display name"] == "Alice Anders"


@pytest.mark.parametrize("rtype", ["Bind", "QueryRows", "GetProps",
                                   "GetMatches", "ResolveNames",
                                   "SeekEntries", "DNToMId", "UpdateStat",
                                   "ResortRestriction", "GetSpecialTable"])
def test_garbage_and_huge_counts_are_refused(srv, rtype):
    import os
    b = book(srv)
    jar = dict(b.http.jar.items())
    from test_mapihttp_transport import raw
    for junk in (b"", b"\x00" * 3, os.urandom(50),
                 b"\x00\x00\x00\x00\xff" + b"\xff" * 36 + b"\xff\xff\xff\x7f"):
        r = raw(srv, rtype, junk, endpoint="nspi", cookies=jar)
        assert r.status_code == 200
        rc = r.headers["X-ResponseCode"]
        assert rc in ("0", "12"), rc
        if "sequence" in r.cookies:
            jar["sequence"] = r.cookies["sequence"]
    # a QueryRows of 2^32-1 rows and 1000 explicit ids
    b = book(srv)
    rsp = b.call("QueryRows", mh.nspi_query_rows(
        mh.stat(), [PR_DISPLAY_NAME], count=0xFFFFFFFF))
    assert rsp["error"] == 0 and len(rsp["rows"]) == 5
    rsp = b.call("QueryRows", mh.nspi_query_rows(
        mh.stat(), [PR_DISPLAY_NAME], explicit=list(range(1000))))
    assert rsp["error"] in (0, ecTableTooBig)
