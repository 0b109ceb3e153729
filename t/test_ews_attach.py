"""EWS attachments (file and item, inline, large ones served off the event
loop) and MIME content in and out, and a message imported with exchctl
read over EWS."""

import base64
import os
import threading
import time

from exchangelib import FileAttachment, HTMLBody, ItemAttachment, Message

from conftest import exchctl
from ewslib import ALICE, BOB, NS, account, messages, soap


def refetch(a, item):
    got = list(a.fetch(ids=[item]))[0]
    if isinstance(got, Exception):
        raise got
    return got


def test_file_attachments(nginx):
    a = account(nginx)
    m = Message(account=a, folder=a.drafts, subject="With files", body="x")
    m.save()
    data = os.urandom(100000)
    m.attach(FileAttachment(name="random.bin", content=data,
                            content_type="application/octet-stream"))
    m.attach(FileAttachment(name="notes.txt", content=b"hello\n",
                            content_type="text/plain"))
    got = refetch(a, m)
    assert got.has_attachments is True
    by_name = {x.name: x for x in got.attachments}
    assert set(by_name) == {"random.bin", "notes.txt"}
    assert by_name["random.bin"].content == data
    # Size is PR_ATTACH_SIZE, the content and its properties, as Exchange
    assert len(data) <= by_name["random.bin"].size < len(data) + 1024
    assert by_name["notes.txt"].content_type == "text/plain"
    assert by_name["notes.txt"].content == b"hello\n"

    # detach one
    got.detach(by_name["notes.txt"])
    again = refetch(a, m)
    assert [x.name for x in again.attachments] == ["random.bin"]


def test_inline_attachment(nginx):
    a = account(nginx)
    m = Message(account=a, folder=a.drafts, subject="Inline",
                body=HTMLBody('<p><img src="cid:logo1"></p>'))
    m.attach(FileAttachment(name="logo.png", content=b"\x89PNG fake",
                            content_type="image/png", is_inline=True,
                            content_id="logo1"))
    m.save()
    att = refetch(a, m).attachments[0]
    assert att.is_inline is True and att.content_id == "logo1"
    assert att.content == b"\x89PNG fake"


def test_item_attachment(nginx):
    a = account(nginx)
    inner = Message(account=a, subject="The inner one", body="inside",
                    to_recipients=[BOB])
    m = Message(account=a, folder=a.drafts, subject="Carrier")
    m.save()
    m.attach(ItemAttachment(name="forwarded", item=inner))
    att = refetch(a, m).attachments[0]
    assert isinstance(att, ItemAttachment)
    assert att.item.subject == "The inner one"
    assert att.item.body == "inside"
    assert [r.email_address for r in att.item.to_recipients] == [BOB]

    # GetAttachment with the item's MIME content
    body = ('<m:GetAttachment><m:AttachmentShape><t:IncludeMimeContent>true'
            '</t:IncludeMimeContent></m:AttachmentShape><m:AttachmentIds>'
            '<t:AttachmentId Id="%s"/></m:AttachmentIds></m:GetAttachment>'
            % att.attachment_id.id)
    root = soap(nginx, body)
    mime = base64.b64decode(root.find(".//t:MimeContent", NS).text)
    assert b"Subject: The inner one" in mime


def test_attachment_errors(nginx):
    a = account(nginx)
    m = Message(account=a, folder=a.drafts, subject="One file")
    m.attach(FileAttachment(name="f.txt", content=b"f"))
    m.save()
    aid = refetch(a, m).attachments[0].attachment_id.id

    body = ('<m:GetAttachment><m:AttachmentIds><t:AttachmentId Id="%s"/>'
            '</m:AttachmentIds></m:GetAttachment>')
    assert messages(soap(nginx, body % aid, user=BOB))[0][1] == \
        "ErrorAccessDenied"
    assert messages(soap(nginx, body % "AAAA"))[0][1] == \
        "ErrorInvalidAttachmentId"
    # an item id is no attachment id
    assert messages(soap(nginx, body % m.id))[0][1] == \
        "ErrorInvalidAttachmentId"

    delete = ('<m:DeleteAttachment><m:AttachmentIds><t:AttachmentId Id="%s"/>'
              '</m:AttachmentIds></m:DeleteAttachment>' % aid)
    root = soap(nginx, delete)
    assert messages(root)[0][1] == "NoError"
    assert root.find(".//m:RootItemId", NS).get("RootItemId") == m.id
    assert messages(soap(nginx, delete))[0][1] in \
        ("ErrorAttachmentNotFound", "ErrorItemNotFound",
         "ErrorInvalidAttachmentId")


def test_large_attachment_does_not_block_the_server(nginx):
    """20 MB in base64 (27 MB of XML) is parsed, decoded and stored in the
    thread pool: other requests are answered meanwhile."""
    a = account(nginx)
    m = Message(account=a, folder=a.drafts, subject="Big one")
    m.save()
    data = os.urandom(20 << 20)
    done = {}

    def upload():
        t = time.monotonic()
        m.attach(FileAttachment(name="big.bin", content=data))
        done["t"] = time.monotonic() - t

    th = threading.Thread(target=upload)
    th.start()
    probe = ('<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>'
             '</m:FolderShape><m:FolderIds><t:DistinguishedFolderId '
             'Id="inbox"/></m:FolderIds></m:GetFolder>')
    worst = 0
    while th.is_alive():
        t = time.monotonic()
        assert messages(soap(nginx, probe))[0][1] == "NoError"
        worst = max(worst, time.monotonic() - t)
        time.sleep(0.02)
    th.join()
    assert "t" in done
    assert worst < 1.0, worst
    got = refetch(a, m).attachments[0]
    assert len(data) <= got.size < len(data) + 1024
    assert got.content == data


MIME = b"""From: Zed Zulu <zed@ext.test>\r
To: Alice Anders <alice@example.test>\r
Cc: bob@example.test\r
Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= from MIME\r
Date: Mon, 02 Mar 2020 10:00:00 +0000\r
Message-ID: <mime-test-1@ext.test>\r
MIME-Version: 1.0\r
Content-Type: multipart/mixed; boundary="b1"\r
\r
--b1\r
Content-Type: multipart/alternative; boundary="b2"\r
\r
--b2\r
Content-Type: text/plain; charset=utf-8\r
\r
Plain words.\r
--b2\r
Content-Type: text/html; charset=utf-8\r
\r
<html><body><p>Plain <i>words</i>.</p></body></html>\r
--b2--\r
--b1\r
Content-Type: application/pdf; name="doc.pdf"\r
Content-Disposition: attachment; filename="doc.pdf"\r
Content-Transfer-Encoding: base64\r
\r
JVBERi0xLjQKJcTl8uXr\r
--b1--\r
"""


def check_mime_message(got):
    assert got.subject == "Gr\u00fc\u00dfe from MIME"
    assert got.author.email_address == "zed@ext.test"
    assert got.author.name == "Zed Zulu"
    assert [r.email_address for r in got.to_recipients] == [ALICE]
    assert [r.email_address for r in got.cc_recipients] == [BOB]
    assert got.message_id == "<mime-test-1@ext.test>"
    assert "Plain <i>words</i>" in got.body
    assert got.text_body.strip() == "Plain words."
    assert [x.name for x in got.attachments] == ["doc.pdf"]
    assert got.attachments[0].content == base64.b64decode(
        "JVBERi0xLjQKJcTl8uXr")
    assert got.datetime_sent.isoformat().startswith("2020-03-02T10:00:00")


def test_mime_content_in_and_out(nginx):
    a = account(nginx)
    m = Message(account=a, folder=a.inbox, mime_content=MIME)
    m.save()
    got = refetch(a, m)
    check_mime_message(got)
    assert got.is_draft is False
    out = got.mime_content
    assert b"Message-ID: <mime-test-1@ext.test>" in out
    assert b"doc.pdf" in out and b"Plain words." in out


def test_imported_message_reads_the_same(nginx, tmp_path):
    eml = tmp_path / "one.eml"
    eml.write_bytes(MIME)
    exchctl(nginx.store, "import", ALICE, "--folder", "Inbox/Imported",
            str(eml))
    a = account(nginx)
    a.root.refresh()
    folder = a.inbox / "Imported"
    items = list(folder.all())
    assert len(items) == 1
    check_mime_message(items[0])
