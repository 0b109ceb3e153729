"""EWS requests per second with Basic authentication (the credential cache
warm), as ratios of nginx's "return 200": GetItem of one small message
(Default shape, so with its body) and FindItem of the first 50 items of a
folder of 10,000, newest first, as mail clients page their Inbox: with the
columns of a message list (IdOnly and seven properties, ~30 kB an answer),
the figure the target is for, and with the Default shape (~110 kB an
answer, some 35 properties an item, where the transfer alone weighs: nginx
sends a static file of that size at ~0.3 of "return 200" here).  The
messages go straight into the store with tools/exch-seed."""

import base64
import os
import subprocess
import xml.etree.ElementTree as ET

import requests

import benchlib
from conftest import BUILD, USERS
from ewslib import ALICE, NS, envelope

COUNT = 10000
SEED = os.path.join(BUILD, "bin", "exch-seed")

LIST = ('<t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>'
        '<t:FieldURI FieldURI="item:Subject"/>'
        '<t:FieldURI FieldURI="message:From"/>'
        '<t:FieldURI FieldURI="item:DateTimeReceived"/>'
        '<t:FieldURI FieldURI="message:IsRead"/>'
        '<t:FieldURI FieldURI="item:HasAttachments"/>'
        '<t:FieldURI FieldURI="item:Importance"/>'
        '<t:FieldURI FieldURI="item:Size"/>'
        '</t:AdditionalProperties>')

FIND = ('<m:FindItem Traversal="Shallow"><m:ItemShape>%s</m:ItemShape>'
        '<m:IndexedPageItemView MaxEntriesReturned="50" Offset="0" '
        'BasePoint="Beginning"/><m:SortOrder><t:FieldOrder Order='
        '"Descending"><t:FieldURI FieldURI="item:DateTimeReceived"/>'
        '</t:FieldOrder></m:SortOrder><m:ParentFolderIds>'
        '<t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds>'
        '</m:FindItem>')

GET = ('<m:GetItem><m:ItemShape><t:BaseShape>Default</t:BaseShape>'
       '</m:ItemShape><m:ItemIds><t:ItemId Id="%s"/></m:ItemIds>'
       '</m:GetItem>')


def post(n, body):
    r = requests.post(n.url("/EWS/Exchange.asmx"), data=envelope(body),
                      auth=(ALICE, USERS[ALICE][1]),
                      headers={"Content-Type": "text/xml; charset=utf-8"})
    r.raise_for_status()
    return ET.fromstring(r.content)


def main():
    n = benchlib.server().start()
    try:
        r = subprocess.run([SEED, "--store", n.store, ALICE, "inbox",
                            str(COUNT)], capture_output=True, text=True,
                           check=True)
        assert r.returncode == 0, r.stderr

        root = post(n, FIND % "<t:BaseShape>Default</t:BaseShape>")
        ids = root.findall(".//t:Message/t:ItemId", NS)
        total = root.find(".//m:RootFolder", NS).get("TotalItemsInView")
        assert len(ids) == 50 and int(total) == COUNT, (len(ids), total)
        root = post(n, GET % ids[0].get("Id"))
        assert root.find(".//t:Message/t:Subject", NS).text \
            == "Message %06d" % (COUNT - 1)

        auth = base64.b64encode(
            ("%s:%s" % (ALICE, USERS[ALICE][1])).encode()).decode()
        headers = {"Authorization": "Basic " + auth,
                   "Content-Type": "text/xml; charset=utf-8"}
        url = n.url("/EWS/Exchange.asmx")

        # the machine is shared and drifts: "return 200" before and after
        # the EWS runs, their mean the baseline
        before, _ = benchlib.wrk(n.url("/return200"))
        runs = []
        rps, bad = benchlib.wrk(url, benchlib.lua_script(
            "POST", envelope(GET % ids[0].get("Id")), headers))
        runs.append(("EWS GetItem, one small message", rps, bad, 0.25))
        rps, bad = benchlib.wrk(url, benchlib.lua_script(
            "POST", envelope(FIND % LIST), headers))
        runs.append(("EWS FindItem, first 50 of 10,000 (list)", rps, bad,
                     0.15))
        rps, bad = benchlib.wrk(url, benchlib.lua_script(
            "POST", envelope(FIND % "<t:BaseShape>Default</t:BaseShape>"),
            headers))
        runs.append(("EWS FindItem, first 50 of 10,000 (Default)", rps, bad,
                     None))
        after, _ = benchlib.wrk(n.url("/return200"))
        for name, rps, bad, expect in runs:
            benchlib.report(name, rps, (before + after) / 2, bad,
                            expect=expect)
    finally:
        n.stop()


if __name__ == "__main__":
    main()
