"""POX Autodiscover requests per second with authentication on (the
credential cache warm), as a ratio of nginx's "return 200"."""

import base64

import benchlib
from conftest import USERS

ALICE = "alice@example.test"

BODY = ('<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns='
        '"http://schemas.microsoft.com/exchange/autodiscover/outlook/'
        'requestschema/2006"><Request><EMailAddress>%s</EMailAddress>'
        '<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/'
        'autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>'
        '</Request></Autodiscover>' % ALICE)


def main():
    n = benchlib.server().start()
    try:
        base, _ = benchlib.wrk(n.url("/return200"))
        auth = base64.b64encode(
            ("%s:%s" % (ALICE, USERS[ALICE][1])).encode()).decode()
        script = benchlib.lua_script(
            "POST", BODY, {"Authorization": "Basic " + auth,
                           "Content-Type": "text/xml",
                           "X-MapiHttpCapability": "1"})
        rps, bad = benchlib.wrk(n.url("/autodiscover/autodiscover.xml"),
                                script)
        benchlib.report("autodiscover POX (Basic, cache warm)", rps, base,
                        bad, expect=0.4)
    finally:
        n.stop()


if __name__ == "__main__":
    main()
