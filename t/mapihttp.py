"""A MAPI over HTTP client-side codec for the tests, written from the specs.

It is deliberately independent of the server's C codecs (no code shared, no
port of them): it builds the request bodies a client sends and decodes the
responses a server returns, so a misreading of the spec in one shows up as a
disagreement with the other.

  MS-OXCMAPIHTTP  request/response bodies, meta-tags, NSPI over HTTP
  MS-OXCRPC       RPC_HEADER_EXT, LZ77 decompression, XorMagic, AUX blocks
  MS-OXCROPS      ROP input buffers, the requests and responses an
                  Outlook-like session uses
  MS-OXCDATA      property values, rows, restrictions, sort orders, names
  MS-OXNSPI       STAT, entry ids

Property values are Python values: int, float, bool, str, bytes, lists of
them for multi-valued types, None for PT_NULL.  A row decodes to a list with
one item per column: the value, Absent, or Error(code).
"""

import struct

# ---------------------------------------------------------------------------
# property types (MS-OXCDATA 2.11.1)

PT_UNSPECIFIED = 0x0000
PT_NULL = 0x0001
PT_SHORT = 0x0002
PT_LONG = 0x0003
PT_FLOAT = 0x0004
PT_DOUBLE = 0x0005
PT_CURRENCY = 0x0006
PT_APPTIME = 0x0007
PT_ERROR = 0x000A
PT_BOOLEAN = 0x000B
PT_OBJECT = 0x000D
PT_I8 = 0x0014
PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_SYSTIME = 0x0040
PT_CLSID = 0x0048
PT_SVREID = 0x00FB
PT_SRESTRICTION = 0x00FD
PT_ACTIONS = 0x00FE
PT_BINARY = 0x0102
MV = 0x1000
MVI = 0x2000


def tag(ptype, pid):
    return (pid << 16) | ptype


def tag_type(t):
    return t & 0xFFFF


def tag_id(t):
    return t >> 16


def global_id(replid, counter):
    """A folder or message id (MS-OXCDATA 2.2.1.1, 2.2.1.2): the 2-byte
    ReplicaId, then the 6-byte GlobalCounter in big-endian order, read as
    one little-endian 64-bit number as it travels on the wire."""
    return replid | int.from_bytes(counter.to_bytes(6, "big"),
                                   "little") << 16


# a few tags the tests use
PR_SUBJECT = tag(PT_UNICODE, 0x0037)
PR_MESSAGE_CLASS = tag(PT_UNICODE, 0x001A)
PR_IMPORTANCE = tag(PT_LONG, 0x0017)
PR_MESSAGE_FLAGS = tag(PT_LONG, 0x0E07)
PR_MESSAGE_SIZE = tag(PT_LONG, 0x0E08)
PR_MESSAGE_DELIVERY_TIME = tag(PT_SYSTIME, 0x0E06)
PR_NORMALIZED_SUBJECT = tag(PT_UNICODE, 0x0E1D)
PR_SUBJECT_PREFIX = tag(PT_UNICODE, 0x003D)
PR_DISPLAY_NAME = tag(PT_UNICODE, 0x3001)
PR_EMAIL_ADDRESS = tag(PT_UNICODE, 0x3003)
PR_ADDRTYPE = tag(PT_UNICODE, 0x3002)
PR_RECIPIENT_TYPE = tag(PT_LONG, 0x0C15)
PR_ENTRYID = tag(PT_BINARY, 0x0FFF)
PR_INSTANCE_KEY = tag(PT_BINARY, 0x0FF6)
PR_BODY = tag(PT_UNICODE, 0x1000)
PR_ATTACH_DATA_BIN = tag(PT_BINARY, 0x3701)
PR_ATTACH_FILENAME = tag(PT_UNICODE, 0x3704)
PR_MID = tag(PT_I8, 0x674A)
PR_FID = tag(PT_I8, 0x6748)

# restriction types (MS-OXCDATA 2.12)
RES_AND, RES_OR, RES_NOT, RES_CONTENT, RES_PROPERTY, RES_COMPAREPROPS, \
    RES_BITMASK, RES_SIZE, RES_EXIST, RES_SUBRESTRICTION, RES_COMMENT, \
    RES_COUNT = range(12)

RELOP_LT, RELOP_LE, RELOP_GT, RELOP_GE, RELOP_EQ, RELOP_NE = range(6)

ecSuccess = 0
ecNotFound = 0x8004010F
ecNotSupported = 0x80040102
ecWrongServer = 0x00000478
ecDstNullObject = 0x00000503
ecWarnWithErrors = 0x00040380
ecAccessDenied = 0x80070005


class Absent:
    """A flagged row's "no value" marker."""

    def __repr__(self):
        return "Absent"


Absent = Absent()


class Error(int):
    """A PT_ERROR value in a row."""

    def __repr__(self):
        return "Error(0x%08X)" % self


class Truncated(ValueError):
    pass


# ---------------------------------------------------------------------------
# bytes in, bytes out

class Reader:
    def __init__(self, data, pos=0, end=None):
        self.data = bytes(data)
        self.pos = pos
        self.end = len(self.data) if end is None else end

    def left(self):
        return self.end - self.pos

    def take(self, n):
        if n < 0 or self.pos + n > self.end:
            raise Truncated("need %d bytes at %d, have %d"
                            % (n, self.pos, self.left()))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def _s(self, fmt):
        return struct.unpack("<" + fmt,
                             self.take(struct.calcsize("<" + fmt)))[0]

    def u8(self):
        return self._s("B")

    def u16(self):
        return self._s("H")

    def u32(self):
        return self._s("I")

    def i32(self):
        return self._s("i")

    def u64(self):
        return self._s("Q")

    def i64(self):
        return self._s("q")

    def f32(self):
        return self._s("f")

    def f64(self):
        return self._s("d")

    def guid(self):
        return self.take(16)

    def cstr(self):
        """A NUL-terminated 8-bit string, as str (latin-1)."""
        i = self.data.find(b"\0", self.pos, self.end)
        if i < 0:
            raise Truncated("no NUL")
        s = self.data[self.pos:i]
        self.pos = i + 1
        return s.decode("latin-1")

    def wstr(self):
        """A NUL-terminated UTF-16LE string."""
        i = self.pos
        while True:
            if i + 2 > self.end:
                raise Truncated("no NUL character")
            if self.data[i] == 0 and self.data[i + 1] == 0:
                break
            i += 2
        s = self.data[self.pos:i].decode("utf-16-le", "replace")
        self.pos = i + 2
        return s


def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def cstr(s):
    if isinstance(s, str):
        s = s.encode("latin-1")
    return s + b"\0"


def wstr(s):
    return s.encode("utf-16-le") + b"\0\0"


# ---------------------------------------------------------------------------
# MS-OXCRPC 3.1.4.1.1: LZ77 (DIRECT2) and XorMagic

def lz77_decompress(data):
    """Plain LZ77 as MS-OXCRPC describes it: groups of a 32-bit flag word
    (most significant bit first) and 32 items, a literal byte for 0, a
    16-bit distance/length word for 1; length 7 continues in a shared
    nibble, nibble 15 in a byte, byte 255 in a 16-bit word."""
    out = bytearray()
    pos = 0
    flags = 0
    flag_bits = 0
    half_byte_at = None
    n = len(data)
    while True:
        if flag_bits == 0:
            if pos + 4 > n:
                break
            flags = struct.unpack_from("<I", data, pos)[0]
            pos += 4
            flag_bits = 32
        flag_bits -= 1
        if not (flags >> flag_bits) & 1:
            if pos >= n:
                break
            out.append(data[pos])
            pos += 1
            continue
        if pos >= n:
            break                       # the end marker
        if pos + 2 > n:
            raise Truncated("metadata")
        meta = struct.unpack_from("<H", data, pos)[0]
        pos += 2
        distance = (meta >> 3) + 1
        length = meta & 7
        if length == 7:
            if half_byte_at is None:
                if pos >= n:
                    raise Truncated("length nibble")
                length = data[pos] & 0x0F
                half_byte_at = pos
                pos += 1
            else:
                length = data[half_byte_at] >> 4
                half_byte_at = None
            if length == 15:
                if pos >= n:
                    raise Truncated("length byte")
                length = data[pos]
                pos += 1
                if length == 255:
                    if pos + 2 > n:
                        raise Truncated("length word")
                    length = struct.unpack_from("<H", data, pos)[0]
                    pos += 2
                    if length < 15 + 7:
                        raise ValueError("bad length word")
                    length -= 15 + 7
                length += 15
            length += 7
        length += 3
        if distance > len(out):
            raise ValueError("back reference before the start")
        for _ in range(length):
            out.append(out[-distance])
    return bytes(out)


def xor_magic(data):
    return bytes(b ^ 0xA5 for b in data)


RHE_COMPRESSED = 0x0001
RHE_XORMAGIC = 0x0002
RHE_LAST = 0x0004


def rpc_header_ext(payload, xor=False, last=True):
    """One RPC_HEADER_EXT (MS-OXCRPC 2.2.2.1) and its payload, never
    compressed (a client may always send uncompressed)."""
    flags = (RHE_XORMAGIC if xor else 0) | (RHE_LAST if last else 0)
    body = xor_magic(payload) if xor else payload
    return struct.pack("<HHHH", 0, flags, len(body), len(payload)) + body


def parse_rpc_header_ext(data):
    """Reads RPC_HEADER_EXT segments until Last; returns the decoded
    payload (concatenated) and the list of segment flags."""
    r = Reader(data)
    out = b""
    seen = []
    while True:
        version, flags, size, size_actual = struct.unpack("<HHHH", r.take(8))
        if version != 0:
            raise ValueError("RPC_HEADER_EXT version %d" % version)
        body = r.take(size)
        if flags & RHE_XORMAGIC:
            body = xor_magic(body)
        if flags & RHE_COMPRESSED:
            body = lz77_decompress(body)
        if len(body) != size_actual:
            raise ValueError("SizeActual %d, got %d" % (size_actual,
                                                         len(body)))
        out += body
        seen.append(flags)
        if flags & RHE_LAST:
            return out, seen


# AUX blocks (MS-OXCRPC 2.2.2.2)

AUX_PERF_REQUESTID = 0x01
AUX_PERF_PROCESSINFO = 0x0B
AUX_ENDPOINT_CAPABILITIES = 0x46
AUX_CLIENT_CONNECTION_INFO = 0x47
AUX_SERVER_SESSION_INFO = 0x48


def aux_block(btype, body, version=1):
    return struct.pack("<HBB", 4 + len(body), version, btype) + body


def aux_perf_requestid(session_id, request_id):
    return aux_block(AUX_PERF_REQUESTID,
                     struct.pack("<HH", session_id, request_id))


def aux_perf_processinfo(process_id, guid, name):
    """Version 2; the name follows the fixed fields, its offset counted
    from the start of the AUX_HEADER."""
    fixed = struct.pack("<HH", process_id, 0) + guid + \
        struct.pack("<HH", 4 + 24, 0)
    return aux_block(AUX_PERF_PROCESSINFO, fixed + wstr(name), version=2)


def aux_client_connection_info(guid, attempts, flags, context):
    fixed = guid + struct.pack("<HHII", 4 + 28, 0, attempts, flags)
    return aux_block(AUX_CLIENT_CONNECTION_INFO, fixed + wstr(context))


def parse_aux(data):
    """The AUX_HEADER blocks of an auxiliary payload, decoding the ones a
    server sends."""
    r = Reader(data)
    blocks = []
    while r.left():
        start = r.pos
        size, version, btype = struct.unpack("<HBB", r.take(4))
        if size < 4:
            raise ValueError("AUX_HEADER Size %d" % size)
        body = r.take(size - 4)
        block = {"type": btype, "version": version, "body": body}
        if btype == AUX_ENDPOINT_CAPABILITIES:
            block["flags"] = struct.unpack("<I", body[:4])[0]
        elif btype == AUX_SERVER_SESSION_INFO:
            off = struct.unpack("<H", body[:2])[0]
            block["info"] = None if off == 0 else \
                Reader(data, start + off, start + size).wstr()
        blocks.append(block)
    return blocks


# ---------------------------------------------------------------------------
# property values (MS-OXCDATA 2.11); ctx is "rop", "wide" (32-bit counts:
# extended rules, MAPI/HTTP) or "abk" (MS-OXCMAPIHTTP 2.2.1: wide, with a
# HasValue byte before strings, binaries and multi-values)

FIXED = {PT_SHORT: "h", PT_LONG: "i", PT_FLOAT: "f", PT_DOUBLE: "d",
         PT_CURRENCY: "q", PT_APPTIME: "d", PT_ERROR: "I", PT_I8: "q",
         PT_SYSTIME: "q"}

HAS_VALUE_TYPES = (PT_STRING8, PT_UNICODE, PT_BINARY)


def _bin_count(ctx):
    return "I" if ctx in ("wide", "abk") else "H"


def _single(ptype, v, ctx):
    if ptype in FIXED:
        return struct.pack("<" + FIXED[ptype], v)
    if ptype == PT_NULL:
        return b""
    if ptype == PT_BOOLEAN:
        return u8(1 if v else 0)
    if ptype == PT_STRING8:
        return cstr(v)
    if ptype == PT_UNICODE:
        return wstr(v)
    if ptype == PT_CLSID:
        assert len(v) == 16
        return bytes(v)
    if ptype in (PT_BINARY, PT_OBJECT, PT_SVREID):
        return struct.pack("<" + _bin_count(ctx), len(v)) + bytes(v)
    if ptype == PT_SRESTRICTION:
        return encode_restriction(v)
    if ptype == PT_ACTIONS:
        return encode_rule_actions(v)
    raise ValueError("type 0x%04X" % ptype)


def encode_rule_actions(actions):
    """RuleAction (MS-OXORULE 2.2.5) of a standard rule: 2-byte counts;
    actions are (ActionType, ActionFlavor, ActionFlags, ActionData)."""
    out = u16(len(actions))
    for kind, flavor, flags, data in actions:
        block = u8(kind) + u32(flavor) + u32(flags) + data
        out += u16(len(block)) + block
    return out


def decode_rule_actions(r):
    actions = []
    for _ in range(r.u16()):
        block = Reader(r.take(r.u16()))
        kind, flavor, flags = block.u8(), block.u32(), block.u32()
        actions.append((kind, flavor, flags, block.take(block.left())))
    return actions


def encode_value(ptype, v, ctx="rop"):
    if ptype & MVI:                     # one value of a multi-value
        ptype &= ~(MV | MVI)
    out = b""
    if ctx == "abk" and (ptype in HAS_VALUE_TYPES or ptype & MV):
        out += b"\xff"
    if not ptype & MV:
        return out + _single(ptype, v, ctx)
    base = ptype & ~MV
    out += u32(len(v))
    for item in v:
        if ctx == "abk" and base in HAS_VALUE_TYPES:
            out += b"\xff"
        out += _single(base, item, ctx)
    return out


def _decode_single(r, ptype, ctx):
    if ptype in FIXED:
        return r._s(FIXED[ptype])
    if ptype == PT_NULL:
        return None
    if ptype == PT_BOOLEAN:
        return r.u8() != 0
    if ptype == PT_STRING8:
        return r.cstr()
    if ptype == PT_UNICODE:
        return r.wstr()
    if ptype == PT_CLSID:
        return r.take(16)
    if ptype in (PT_BINARY, PT_OBJECT, PT_SVREID):
        n = r.u32() if ctx in ("wide", "abk") else r.u16()
        return r.take(n)
    if ptype == PT_SRESTRICTION:
        return decode_restriction(r)
    if ptype == PT_ACTIONS:
        return decode_rule_actions(r)
    raise ValueError("type 0x%04X" % ptype)


def decode_value(r, ptype, ctx="rop"):
    if ptype & MVI:
        ptype &= ~(MV | MVI)
    if ctx == "abk" and (ptype in HAS_VALUE_TYPES or ptype & MV):
        if r.u8() == 0:
            return None
    if not ptype & MV:
        return _decode_single(r, ptype, ctx)
    base = ptype & ~MV
    n = r.u32()
    if n > r.left():
        raise Truncated("multi-value count %d" % n)
    items = []
    for _ in range(n):
        if ctx == "abk" and base in HAS_VALUE_TYPES and r.u8() == 0:
            items.append(None)
            continue
        items.append(_decode_single(r, base, ctx))
    return items


def encode_tagged(t, v, ctx="rop"):
    return u32(t) + encode_value(tag_type(t), v, ctx)


def decode_tagged(r, ctx="rop"):
    t = r.u32()
    return t, decode_value(r, tag_type(t), ctx)


def encode_tagged_list(props, ctx="rop"):
    """A count (2 bytes in ROPs, 4 otherwise) and TaggedPropertyValues."""
    head = u16(len(props)) if ctx == "rop" else u32(len(props))
    return head + b"".join(encode_tagged(t, v, ctx) for t, v in props)


def decode_tagged_list(r, ctx="rop"):
    n = r.u16() if ctx == "rop" else r.u32()
    return [decode_tagged(r, ctx) for _ in range(n)]


def encode_tags(tags, wide=False):
    return (u32(len(tags)) if wide else u16(len(tags))) + \
        b"".join(u32(t) for t in tags)


def decode_tags(r, wide=False):
    n = r.u32() if wide else r.u16()
    return [r.u32() for _ in range(n)]


def decode_row(r, columns, ctx="rop"):
    """PropertyRow (MS-OXCDATA 2.8.1): StandardPropertyRow or
    FlaggedPropertyRow; PT_UNSPECIFIED columns carry their type."""
    flag = r.u8()
    if flag not in (0, 1):
        raise ValueError("PropertyRow flag %d" % flag)
    values = []
    for col in columns:
        ptype = tag_type(col)
        if ptype == PT_UNSPECIFIED:
            ptype = r.u16()
        if flag == 1:
            vflag = r.u8()
            if vflag == 1:
                values.append(Absent)
                continue
            if vflag == 0x0A:
                values.append(Error(r.u32()))
                continue
            if vflag != 0:
                raise ValueError("value flag %d" % vflag)
        if ptype == PT_ERROR:
            values.append(Error(r.u32()))
            continue
        values.append(decode_value(r, ptype, ctx))
    return values


# ---------------------------------------------------------------------------
# restrictions (MS-OXCDATA 2.12), as tuples:
#   ("and", [r...]) ("or", [r...]) ("not", r)
#   ("content", fuzzy, tag, (tag, value)) ("property", relop, tag, (t, v))
#   ("compare", relop, tag1, tag2) ("bitmask", op, tag, mask)
#   ("size", relop, tag, size) ("exist", tag) ("sub", subobject, r)
#   ("comment", [(t, v)...], r or None) ("count", n, r)

_RES_TYPE = {"and": RES_AND, "or": RES_OR, "not": RES_NOT,
             "content": RES_CONTENT, "property": RES_PROPERTY,
             "compare": RES_COMPAREPROPS, "bitmask": RES_BITMASK,
             "size": RES_SIZE, "exist": RES_EXIST, "sub": RES_SUBRESTRICTION,
             "comment": RES_COMMENT, "count": RES_COUNT}
_RES_NAME = {v: k for k, v in _RES_TYPE.items()}


def encode_restriction(res, ctx="rop"):
    kind = res[0]
    out = u8(_RES_TYPE[kind])
    count = u16 if ctx == "rop" else u32
    vctx = "rop" if ctx == "rop" else "wide"
    if kind in ("and", "or"):
        out += count(len(res[1]))
        out += b"".join(encode_restriction(x, ctx) for x in res[1])
    elif kind == "not":
        out += encode_restriction(res[1], ctx)
    elif kind == "content":
        out += u32(res[1]) + u32(res[2]) + encode_tagged(*res[3], vctx)
    elif kind == "property":
        out += u8(res[1]) + u32(res[2]) + encode_tagged(*res[3], vctx)
    elif kind == "compare":
        out += u8(res[1]) + u32(res[2]) + u32(res[3])
    elif kind in ("bitmask", "size"):
        out += u8(res[1]) + u32(res[2]) + u32(res[3])
    elif kind == "exist":
        out += u32(res[1])
    elif kind == "sub":
        out += u32(res[1]) + encode_restriction(res[2], ctx)
    elif kind == "comment":
        out += u8(len(res[1]))
        out += b"".join(encode_tagged(t, v, vctx) for t, v in res[1])
        if res[2] is None:
            out += u8(0)
        else:
            out += u8(1) + encode_restriction(res[2], ctx)
    elif kind == "count":
        out += u32(res[1]) + encode_restriction(res[2], ctx)
    return out


def decode_restriction(r, ctx="rop"):
    rtype = r.u8()
    kind = _RES_NAME.get(rtype)
    vctx = "rop" if ctx == "rop" else "wide"
    if kind in ("and", "or"):
        n = r.u16() if ctx == "rop" else r.u32()
        return (kind, [decode_restriction(r, ctx) for _ in range(n)])
    if kind == "not":
        return (kind, decode_restriction(r, ctx))
    if kind in ("content", "property"):
        a = r.u32() if kind == "content" else r.u8()
        return (kind, a, r.u32(), decode_tagged(r, vctx))
    if kind in ("compare", "bitmask", "size"):
        return (kind, r.u8(), r.u32(), r.u32())
    if kind == "exist":
        return (kind, r.u32())
    if kind == "sub":
        return (kind, r.u32(), decode_restriction(r, ctx))
    if kind == "comment":
        n = r.u8()
        props = [decode_tagged(r, vctx) for _ in range(n)]
        sub = decode_restriction(r, ctx) if r.u8() else None
        return (kind, props, sub)
    if kind == "count":
        return (kind, r.u32(), decode_restriction(r, ctx))
    raise ValueError("restriction type %d" % rtype)


def encode_sortorder(keys, categories=0, expanded=0):
    """SortOrderSet (MS-OXCDATA 2.13): keys are (tag, order) pairs."""
    return struct.pack("<HHH", len(keys), categories, expanded) + \
        b"".join(u32(t) + u8(o) for t, o in keys)


def encode_propname(guid, lid=None, name=None):
    """PropertyName (MS-OXCDATA 2.6.1); NameSize counts the UTF-16 bytes
    of the name and its terminating NUL."""
    if name is None:
        return u8(0) + guid + u32(lid)
    raw = wstr(name)
    return u8(1) + guid + u8(len(raw)) + raw


# ---------------------------------------------------------------------------
# ROP requests (MS-OXCROPS 2.2)

class Rop:
    """One ROP request: its bytes and how to read its response."""

    def __init__(self, rop_id, data, decode=None, respond=True):
        self.rop_id = rop_id
        self.data = data
        self.decode = decode or (lambda r, rsp: None)
        self.respond = respond


def rop_buffer(rops, handles):
    """ROP input buffer (2.2.1): RopSize, the requests, the handles."""
    body = b"".join(x.data for x in rops)
    return u16(len(body) + 2) + body + b"".join(u32(h) for h in handles)


def _hdr(rop_id, logon, *indexes):
    return bytes([rop_id, logon]) + bytes(indexes)


def _ghost(r):
    n, cheap = r.u16(), r.u16()
    return {"servers": [r.cstr() for _ in range(n)], "cheap": cheap}


def rop_release(hin, logon=0):
    return Rop(0x01, _hdr(0x01, logon, hin), respond=False)


def rop_logon(out, essdn, flags=0x01, open_flags=0x01000000, store_state=0,
              logon=0):
    raw = cstr(essdn) if essdn else b""

    def decode(r, rsp):
        if rsp["rv"] == ecWrongServer:
            rsp["flags"] = r.u8()
            rsp["server"] = r.take(r.u8()).rstrip(b"\0").decode()
            return
        rsp["flags"] = r.u8()
        rsp["fids"] = [r.u64() for _ in range(13)]
        if flags & 0x01:
            rsp["response_flags"] = r.u8()
            rsp["mailbox_guid"] = r.guid()
            rsp["replid"] = r.u16()
            rsp["repl_guid"] = r.guid()
            rsp["time"] = struct.unpack("<BBBBBBH", r.take(8))
            rsp["gwart"] = r.u64()
            rsp["store_state"] = r.u32()
        else:
            rsp["replid"] = r.u16()
            rsp["repl_guid"] = r.guid()
            rsp["per_user_guid"] = r.guid()

    return Rop(0xFE, _hdr(0xFE, logon, out) + u8(flags) + u32(open_flags)
               + u32(store_state) + u16(len(raw)) + raw, decode)


def rop_open_folder(hin, out, fid, flags=0, logon=0):
    def decode(r, rsp):
        rsp["has_rules"] = r.u8()
        rsp["is_ghosted"] = r.u8()
        if rsp["is_ghosted"]:
            rsp["ghost"] = _ghost(r)

    return Rop(0x02, _hdr(0x02, logon, hin, out) + u64(fid) + u8(flags),
               decode)


def _table_rop(rop_id):
    def make(hin, out, flags=0, logon=0):
        def decode(r, rsp):
            rsp["row_count"] = r.u32()
        return Rop(rop_id, _hdr(rop_id, logon, hin, out) + u8(flags), decode)
    return make


rop_get_hierarchy_table = _table_rop(0x04)
rop_get_contents_table = _table_rop(0x05)


def rop_get_rules_table(hin, out, flags=0, logon=0):
    """MS-OXCROPS 2.2.11.2: TableFlags; the response is the bare header."""
    return Rop(0x3F, _hdr(0x3F, logon, hin, out) + u8(flags))


def _status(r, rsp):
    rsp["table_status"] = r.u8()


def rop_set_columns(hin, columns, flags=0, logon=0):
    return Rop(0x12, _hdr(0x12, logon, hin) + u8(flags) + encode_tags(columns),
               _status)


def rop_sort_table(hin, keys, categories=0, expanded=0, flags=0, logon=0):
    return Rop(0x13, _hdr(0x13, logon, hin) + u8(flags)
               + encode_sortorder(keys, categories, expanded), _status)


def rop_restrict(hin, restriction, flags=0, logon=0):
    data = encode_restriction(restriction) if restriction else b""
    return Rop(0x14, _hdr(0x14, logon, hin) + u8(flags) + u16(len(data))
               + data, _status)


def rop_query_rows(hin, count, columns, forward=True, flags=0, logon=0):
    """columns: the table's columns, to read the rows."""
    def decode(r, rsp):
        rsp["origin"] = r.u8()
        n = r.u16()
        rsp["rows"] = [decode_row(r, columns) for _ in range(n)]

    return Rop(0x15, _hdr(0x15, logon, hin) + u8(flags)
               + u8(1 if forward else 0) + u16(count), decode)


def rop_seek_row(hin, origin, count, want_moved=True, logon=0):
    def decode(r, rsp):
        rsp["has_sought_less"] = r.u8()
        rsp["rows_sought"] = r.i32()

    return Rop(0x18, _hdr(0x18, logon, hin) + u8(origin)
               + struct.pack("<i", count) + u8(1 if want_moved else 0),
               decode)


def decode_recipient_row(r, columns):
    """RecipientRow (MS-OXCDATA 2.8.3.2)."""
    row = {"flags": r.u16()}
    flags = row["flags"]
    kind = flags & 0x0007
    text = r.wstr if flags & 0x0200 else r.cstr
    if kind == 1:
        row["prefix_used"] = r.u8()
        row["display_type"] = r.u8()
        row["x500dn"] = r.cstr()
    if kind in (6, 7):
        row["entry_id"] = r.take(r.u16())
        row["search_key"] = r.take(r.u16())
    if kind == 0 and flags & 0x8000:
        row["address_type"] = r.cstr()
    if flags & 0x0008:
        row["email"] = text()
    if flags & 0x0010:
        row["display_name"] = text()
    if flags & 0x0400:
        row["simple_name"] = text()
    if flags & 0x0020:
        row["transmittable_name"] = text()
    n = r.u16()
    if n > len(columns):
        raise ValueError("RecipientColumnCount %d" % n)
    row["values"] = decode_row(r, columns[:n])
    return row


def encode_recipient_row(columns, values, email=None, display_name=None,
                         smtp=True):
    """A Unicode SMTP RecipientRow with e-mail address and display name;
    values are for the first len(values) columns, a standard row."""
    flags = 0x0200 | (0x0003 if smtp else 0)
    body = b""
    if email is not None:
        flags |= 0x0008
        body += wstr(email)
    if display_name is not None:
        flags |= 0x0010
        body += wstr(display_name)
    row = b"\0" + b"".join(encode_value(tag_type(c), v)
                           for c, v in zip(columns, values))
    return u16(flags) + body + u16(len(values)) + row


def _tstr(r):
    kind = r.u8()
    if kind == 0:
        return None
    if kind == 1:
        return ""
    if kind in (2, 3):
        return r.cstr()
    if kind == 4:
        return r.wstr()
    raise ValueError("TypedString type %d" % kind)


def _open_message_body(r, rsp):
    rsp["has_named_properties"] = r.u8()
    rsp["subject_prefix"] = _tstr(r)
    rsp["normalized_subject"] = _tstr(r)
    rsp["recipient_count"] = r.u16()
    cols = decode_tags(r)
    rsp["recipient_columns"] = cols
    rows = []
    for _ in range(r.u8()):
        kind, cpid, _reserved, size = struct.unpack("<BHHH", r.take(7))
        sub = Reader(r.take(size))
        rows.append({"type": kind, "cpid": cpid,
                     "row": decode_recipient_row(sub, cols)})
    rsp["recipients"] = rows


def rop_open_message(hin, out, fid, mid, cpid=0x0FFF, flags=0, logon=0):
    return Rop(0x03, _hdr(0x03, logon, hin, out) + u16(cpid) + u64(fid)
               + u8(flags) + u64(mid), _open_message_body)


def rop_read_recipients(hin, row_id=0, logon=0):
    def decode(r, rsp):
        rows = []
        for _ in range(r.u8()):
            row_id_, kind, cpid, _res, size = struct.unpack("<IBHHH",
                                                            r.take(11))
            rows.append({"row_id": row_id_, "type": kind, "cpid": cpid,
                         "raw": r.take(size)})
        rsp["rows"] = rows

    return Rop(0x0F, _hdr(0x0F, logon, hin) + u32(row_id) + u16(0), decode)


def rop_get_properties_specific(hin, tags, size_limit=0, want_unicode=1,
                                logon=0):
    def decode(r, rsp):
        rsp["values"] = decode_row(r, tags)

    return Rop(0x07, _hdr(0x07, logon, hin) + u16(size_limit)
               + u16(want_unicode) + encode_tags(tags), decode)


def rop_get_properties_all(hin, size_limit=0, want_unicode=1, logon=0):
    def decode(r, rsp):
        rsp["props"] = decode_tagged_list(r)

    return Rop(0x08, _hdr(0x08, logon, hin) + u16(size_limit)
               + u16(want_unicode), decode)


def _problems(r, rsp):
    rsp["problems"] = [struct.unpack("<HII", r.take(10))
                       for _ in range(r.u16())]


def rop_set_properties(hin, props, logon=0):
    """PropertyValueSize counts PropertyValueCount and the values."""
    body = encode_tagged_list(props)
    return Rop(0x0A, _hdr(0x0A, logon, hin) + u16(len(body)) + body,
               _problems)


def rop_create_message(hin, out, fid, cpid=0x0FFF, associated=0, logon=0):
    def decode(r, rsp):
        rsp["has_mid"] = r.u8()
        if rsp["has_mid"]:
            rsp["mid"] = r.u64()

    return Rop(0x06, _hdr(0x06, logon, hin, out) + u16(cpid) + u64(fid)
               + u8(associated), decode)


def rop_modify_recipients(hin, columns, rows, logon=0):
    """rows: (row_id, recipient_type, recipient_row_bytes or None)."""
    body = encode_tags(columns) + u16(len(rows))
    for row_id, kind, raw in rows:
        raw = raw or b""
        body += u32(row_id) + u8(kind) + u16(len(raw)) + raw
    return Rop(0x0E, _hdr(0x0E, logon, hin) + body)


def rop_save_changes_message(hrsp, hin, flags=0x0A, logon=0):
    def decode(r, rsp):
        rsp["in"] = r.u8()
        rsp["mid"] = r.u64()

    return Rop(0x0C, _hdr(0x0C, logon, hrsp, hin) + u8(flags), decode)


def rop_create_attachment(hin, out, logon=0):
    def decode(r, rsp):
        rsp["attach_id"] = r.u32()

    return Rop(0x23, _hdr(0x23, logon, hin, out), decode)


def rop_save_changes_attachment(hrsp, hin, flags=0x0A, logon=0):
    return Rop(0x25, _hdr(0x25, logon, hrsp, hin) + u8(flags))


def rop_open_stream(hin, out, ptag, flags=0, logon=0):
    def decode(r, rsp):
        rsp["size"] = r.u32()

    return Rop(0x2B, _hdr(0x2B, logon, hin, out) + u32(ptag) + u8(flags),
               decode)


def rop_read_stream(hin, count, maximum=None, logon=0):
    """ByteCount 0xBABE asks for MaximumByteCount (4 bytes)."""
    body = u16(0xBABE) + u32(maximum) if maximum is not None else u16(count)

    def decode(r, rsp):
        rsp["data"] = r.take(r.u16())

    return Rop(0x2C, _hdr(0x2C, logon, hin) + body, decode)


def rop_write_stream(hin, data, logon=0):
    def decode(r, rsp):
        rsp["written"] = r.u16()

    return Rop(0x2D, _hdr(0x2D, logon, hin) + u16(len(data)) + data, decode)


def rop_commit_stream(hin, logon=0):
    return Rop(0x5D, _hdr(0x5D, logon, hin))


def rop_submit_message(hin, flags=0, logon=0):
    return Rop(0x32, _hdr(0x32, logon, hin) + u8(flags))


def _partial(r, rsp):
    if rsp["rv"] == ecDstNullObject:
        rsp["dest"] = r.u32()
    rsp["partial"] = r.u8()


def _mids(mids):
    return u16(len(mids)) + b"".join(u64(m) for m in mids)


def rop_set_search_criteria(hin, res, fids, flags=0x02, logon=0):
    """RopSetSearchCriteria (2.2.4.4): flags 0x02 RESTART_SEARCH."""
    raw = encode_restriction(res) if res is not None else b""
    return Rop(0x30, _hdr(0x30, logon, hin) + u16(len(raw)) + raw
               + _mids(fids) + u32(flags))


def rop_delete_messages(hin, mids, want_async=0, notify_non_read=0,
                        logon=0):
    return Rop(0x1E, _hdr(0x1E, logon, hin) + u8(want_async)
               + u8(notify_non_read) + _mids(mids), _partial)


def rop_move_copy_messages(hsrc, hdst, mids, copy=False, want_async=0,
                           logon=0):
    return Rop(0x33, _hdr(0x33, logon, hsrc, hdst) + _mids(mids)
               + u8(want_async) + u8(1 if copy else 0), _partial)


def rop_create_folder(hin, out, name, comment="", folder_type=1,
                      unicode=True, open_existing=0, logon=0):
    enc = wstr if unicode else cstr

    def decode(r, rsp):
        rsp["fid"] = r.u64()
        rsp["is_existing"] = r.u8()
        if rsp["is_existing"]:
            rsp["has_rules"] = r.u8()
            rsp["is_ghosted"] = r.u8()
            if rsp["is_ghosted"]:
                rsp["ghost"] = _ghost(r)

    return Rop(0x1C, _hdr(0x1C, logon, hin, out) + u8(folder_type)
               + u8(1 if unicode else 0) + u8(open_existing) + u8(0)
               + enc(name) + enc(comment), decode)


def rop_delete_folder(hin, fid, flags=0x05, logon=0):
    return Rop(0x1D, _hdr(0x1D, logon, hin) + u8(flags) + u64(fid), _partial)


def rop_get_property_ids_from_names(hin, names, flags=0x02, logon=0):
    """names: PropertyName encodings (encode_propname)."""
    def decode(r, rsp):
        rsp["ids"] = [r.u16() for _ in range(r.u16())]

    return Rop(0x56, _hdr(0x56, logon, hin) + u8(flags) + u16(len(names))
               + b"".join(names), decode)


def rop_set_read_flags(hin, mids, flags=0, want_async=0, logon=0):
    return Rop(0x66, _hdr(0x66, logon, hin) + u8(want_async) + u8(flags)
               + _mids(mids), _partial)


def rop_register_notification(hin, out, types, fid=None, mid=None,
                              logon=0):
    body = u8(types) + u8(0)
    if fid is None:
        body += u8(1)
    else:
        body += u8(0) + u64(fid) + u64(mid or 0)
    return Rop(0x29, _hdr(0x29, logon, hin, out) + body)


# more ROPs: attachments, properties, streams, tables, store, permissions,
# rules, transport (MS-OXCROPS 2.2.3 - 2.2.11)

def rop_get_properties_list(hin, logon=0):
    def decode(r, rsp):
        rsp["tags"] = decode_tags(r)

    return Rop(0x09, _hdr(0x09, logon, hin), decode)


def rop_delete_properties(hin, tags, logon=0):
    return Rop(0x0B, _hdr(0x0B, logon, hin) + encode_tags(tags), _problems)


def rop_get_names_from_property_ids(hin, ids, logon=0):
    def decode(r, rsp):
        names = []
        for _ in range(r.u16()):
            kind = r.u8()
            guid = r.take(16)
            if kind == 0:
                names.append((guid, r.u32()))
            elif kind == 1:
                size = r.u8()
                names.append((guid, Reader(r.take(size)).wstr()))
            else:
                names.append((guid, None))
        rsp["names"] = names

    return Rop(0x55, _hdr(0x55, logon, hin) + u16(len(ids))
               + b"".join(u16(i) for i in ids), decode)


def rop_copy_properties(hsrc, hdst, tags, flags=0, want_async=0, logon=0):
    def decode(r, rsp):
        if rsp["rv"] == ecDstNullObject:
            rsp["dest"] = r.u32()
        else:
            _problems(r, rsp)

    return Rop(0x67, _hdr(0x67, logon, hsrc, hdst) + u8(want_async)
               + u8(flags) + encode_tags(tags), decode)


def rop_open_attachment(hin, out, attach_id, flags=0, logon=0):
    return Rop(0x22, _hdr(0x22, logon, hin, out) + u8(flags) + u32(attach_id))


def rop_get_attachment_table(hin, out, flags=0, logon=0):
    return Rop(0x21, _hdr(0x21, logon, hin, out) + u8(flags))


def rop_delete_attachment(hin, attach_id, logon=0):
    return Rop(0x24, _hdr(0x24, logon, hin) + u32(attach_id))


def rop_get_valid_attachments(hin, logon=0):
    def decode(r, rsp):
        rsp["ids"] = [r.u32() for _ in range(r.u16())]

    return Rop(0x52, _hdr(0x52, logon, hin), decode)


def rop_open_embedded_message(hin, out, cpid=0x0FFF, flags=0, logon=0):
    def decode(r, rsp):
        r.u8()
        rsp["mid"] = r.u64()
        _open_message_body(r, rsp)

    return Rop(0x46, _hdr(0x46, logon, hin, out) + u16(cpid) + u8(flags),
               decode)


def rop_set_message_read_flag(hrsp, hin, flags=0, logon=0):
    """A private store logon: no ClientData."""
    def decode(r, rsp):
        rsp["changed"] = r.u8()

    return Rop(0x11, _hdr(0x11, logon, hrsp, hin) + u8(flags), decode)


def rop_remove_all_recipients(hin, logon=0):
    return Rop(0x0D, _hdr(0x0D, logon, hin) + u32(0))


def rop_get_message_status(hin, mid, logon=0):
    def decode(r, rsp):
        rsp["status"] = r.u32()

    return Rop(0x1F, _hdr(0x1F, logon, hin) + u64(mid), decode)


def rop_set_message_status(hin, mid, status, mask, logon=0):
    def decode(r, rsp):
        rsp["old_status"] = r.u32()

    return Rop(0x20, _hdr(0x20, logon, hin) + u64(mid) + u32(status)
               + u32(mask), decode)


def rop_seek_stream(hin, origin, offset, logon=0):
    def decode(r, rsp):
        rsp["position"] = r.u64()

    return Rop(0x2E, _hdr(0x2E, logon, hin) + u8(origin)
               + struct.pack("<q", offset), decode)


def rop_set_stream_size(hin, size, logon=0):
    return Rop(0x2F, _hdr(0x2F, logon, hin) + u64(size))


def rop_get_stream_size(hin, logon=0):
    def decode(r, rsp):
        rsp["size"] = r.u32()

    return Rop(0x5E, _hdr(0x5E, logon, hin), decode)


def rop_lock_region_stream(hin, offset, size, flags=0, logon=0):
    return Rop(0x5B, _hdr(0x5B, logon, hin) + u64(offset) + u64(size)
               + u32(flags))


def rop_query_position(hin, logon=0):
    def decode(r, rsp):
        rsp["numerator"] = r.u32()
        rsp["denominator"] = r.u32()

    return Rop(0x17, _hdr(0x17, logon, hin), decode)


def rop_get_status(hin, logon=0):
    return Rop(0x16, _hdr(0x16, logon, hin), _status)


def rop_create_bookmark(hin, logon=0):
    def decode(r, rsp):
        rsp["bookmark"] = r.take(r.u16())

    return Rop(0x1B, _hdr(0x1B, logon, hin), decode)


def rop_seek_row_bookmark(hin, bookmark, count, want_moved=True, logon=0):
    def decode(r, rsp):
        rsp["no_longer_visible"] = r.u8()
        rsp["has_sought_less"] = r.u8()
        rsp["rows_sought"] = r.u32()

    return Rop(0x19, _hdr(0x19, logon, hin) + u16(len(bookmark)) + bookmark
               + struct.pack("<i", count) + u8(1 if want_moved else 0),
               decode)


def rop_find_row(hin, restriction, columns, origin=0, bookmark=b"",
                 backward=False, logon=0):
    data = encode_restriction(restriction)

    def decode(r, rsp):
        rsp["no_longer_visible"] = r.u8()
        rsp["row"] = decode_row(r, columns) if r.u8() else None

    return Rop(0x4F, _hdr(0x4F, logon, hin) + u8(1 if backward else 0)
               + u16(len(data)) + data + u8(origin) + u16(len(bookmark))
               + bookmark, decode)


def rop_reset_table(hin, logon=0):
    return Rop(0x81, _hdr(0x81, logon, hin))


def rop_query_columns_all(hin, logon=0):
    def decode(r, rsp):
        rsp["tags"] = decode_tags(r)

    return Rop(0x37, _hdr(0x37, logon, hin), decode)


def rop_expand_row(hin, category_id, max_rows, columns, logon=0):
    def decode(r, rsp):
        rsp["expanded"] = r.u32()
        rsp["rows"] = [decode_row(r, columns) for _ in range(r.u16())]

    return Rop(0x59, _hdr(0x59, logon, hin) + u16(max_rows)
               + u64(category_id), decode)


def rop_collapse_row(hin, category_id, logon=0):
    def decode(r, rsp):
        rsp["collapsed"] = r.u32()

    return Rop(0x5A, _hdr(0x5A, logon, hin) + u64(category_id), decode)


def rop_get_receive_folder(hin, message_class, logon=0):
    def decode(r, rsp):
        rsp["fid"] = r.u64()
        rsp["explicit_class"] = r.cstr()

    return Rop(0x27, _hdr(0x27, logon, hin) + cstr(message_class), decode)


def rop_set_receive_folder(hin, fid, message_class, logon=0):
    return Rop(0x26, _hdr(0x26, logon, hin) + u64(fid) + cstr(message_class))


def rop_get_store_state(hin, logon=0):
    def decode(r, rsp):
        rsp["state"] = r.u32()

    return Rop(0x7B, _hdr(0x7B, logon, hin), decode)


def rop_long_term_id_from_id(hin, oid, logon=0):
    def decode(r, rsp):
        rsp["guid"] = r.take(16)
        rsp["counter"] = r.take(6)
        rsp["pad"] = r.u16()

    return Rop(0x43, _hdr(0x43, logon, hin) + u64(oid), decode)


def rop_id_from_long_term_id(hin, guid, counter, logon=0):
    def decode(r, rsp):
        rsp["id"] = r.u64()

    return Rop(0x44, _hdr(0x44, logon, hin) + guid + counter + u16(0),
               decode)


def rop_get_address_types(hin, logon=0):
    def decode(r, rsp):
        n, size = r.u16(), r.u16()
        sub = Reader(r.take(size))
        rsp["types"] = [sub.cstr() for _ in range(n)]

    return Rop(0x49, _hdr(0x49, logon, hin), decode)


def rop_get_transport_folder(hin, logon=0):
    def decode(r, rsp):
        rsp["fid"] = r.u64()

    return Rop(0x6D, _hdr(0x6D, logon, hin), decode)


def rop_transport_send(hin, logon=0):
    def decode(r, rsp):
        rsp["props"] = None if r.u8() else decode_tagged_list(r)

    return Rop(0x4A, _hdr(0x4A, logon, hin), decode)


def rop_abort_submit(hin, fid, mid, logon=0):
    return Rop(0x34, _hdr(0x34, logon, hin) + u64(fid) + u64(mid))


def rop_empty_folder(hin, want_async=0, associated=0, logon=0):
    return Rop(0x58, _hdr(0x58, logon, hin) + u8(want_async)
               + u8(associated), _partial)


def rop_move_folder(hsrc, hdst, fid, name, want_async=0, logon=0):
    return Rop(0x35, _hdr(0x35, logon, hsrc, hdst) + u8(want_async)
               + u8(1) + u64(fid) + wstr(name), _partial)


def rop_get_permissions_table(hin, out, flags=0, logon=0):
    return Rop(0x3E, _hdr(0x3E, logon, hin, out) + u8(flags))


def rop_modify_permissions(hin, rows, flags=0, logon=0):
    """rows: (PermissionDataFlags, [(tag, value)...]); flags bit 0x01 is
    ReplaceRows, 0x02 IncludeFreeBusy."""
    body = u8(flags) + u16(len(rows))
    for kind, props in rows:
        body += u8(kind) + encode_tagged_list(props)
    return Rop(0x40, _hdr(0x40, logon, hin) + body)


def rop_modify_rules(hin, rows, flags=0, logon=0):
    """rows: (RuleDataFlags, [(tag, value)...]); flags 0x01 replaces."""
    body = u8(flags) + u16(len(rows))
    for kind, props in rows:
        body += u8(kind) + encode_tagged_list(props)
    return Rop(0x41, _hdr(0x41, logon, hin) + body)


def rop_fast_transfer_source_copy_to(hin, out, logon=0):
    return Rop(0x4D, _hdr(0x4D, logon, hin, out) + u8(0) + u32(0) + u8(0)
               + u16(0))


def rop_synchronization_configure(hin, out, logon=0):
    return Rop(0x70, _hdr(0x70, logon, hin, out) + u8(1) + u8(0) + u16(0)
               + u16(0) + u32(0) + u16(0))


def parse_rop_responses(payload, rops, notes=None):
    """Reads a ROP output buffer against the requests that produced it.
    Returns (responses, handles); a RopBufferTooSmall ends the list.  The
    RopNotify and RopPending responses after the ROPs' go into notes."""
    r = Reader(payload)
    size = r.u16()
    rr = Reader(payload, 2, size)
    handles = []
    hr = Reader(payload, size)
    while hr.left() >= 4:
        handles.append(hr.u32())
    out = []
    for rop in rops:
        if not rop.respond:
            continue
        if not rr.left():
            break
        rop_id = rr.u8()
        if rop_id == 0xFF:
            out.append({"rop_id": 0xFF, "size_needed": rr.u16(),
                        "requests": rr.take(rr.left())})
            break
        rsp = {"rop_id": rop_id, "index": rr.u8(), "rv": rr.u32()}
        if rop_id != rop.rop_id:
            raise ValueError("response 0x%02X for request 0x%02X"
                             % (rop_id, rop.rop_id))
        full = rop.decode is _partial or rop.rop_id in (0x2C, 0x2D)
        if rsp["rv"] in (0, ecWarnWithErrors) or full or \
                (rop.rop_id == 0xFE and rsp["rv"] == ecWrongServer):
            rop.decode(rr, rsp)
        out.append(rsp)
    # the server's own responses after the ROPs: RopNotify, RopPending
    while rr.left() and rr.data[rr.pos] in (ROP_NOTIFY, ROP_PENDING):
        rop_id = rr.u8()
        if rop_id == ROP_PENDING:
            note = {"rop_id": rop_id, "session_index": rr.u16()}
        else:
            note = decode_notify(rr)
        if notes is not None:
            notes.append(note)
    if rr.left():
        raise ValueError("%d bytes after the last response" % rr.left())
    return out, handles


# ---------------------------------------------------------------------------
# RopNotify (MS-OXCROPS 2.2.14.2, NotificationData of MS-OXCNOTIF
# 2.2.1.4.1.2) and RopPending (2.2.14.3)

ROP_NOTIFY = 0x2A
ROP_PENDING = 0x6E

NEW_MAIL, OBJECT_CREATED, OBJECT_DELETED, OBJECT_MODIFIED = 2, 4, 8, 0x10
OBJECT_MOVED, OBJECT_COPIED, SEARCH_COMPLETE = 0x20, 0x40, 0x80
TABLE_MODIFIED = 0x100
TABLE_CHANGED, TABLE_ROW_ADDED, TABLE_ROW_DELETED = 1, 3, 4
TABLE_ROW_MODIFIED, TABLE_RELOAD = 5, 9


def decode_notify(r):
    """The rest of a RopNotify after its RopId."""
    n = {"rop_id": ROP_NOTIFY, "handle": r.u32(), "logon": r.u8()}
    flags = r.u16()
    kind = flags & 0x0FFF
    by_message = bool(flags & 0x8000)
    n.update(flags=flags, type=kind, message=by_message)
    if kind == TABLE_MODIFIED:
        event = n["table_event"] = r.u16()
        if event in (TABLE_ROW_ADDED, TABLE_ROW_DELETED, TABLE_ROW_MODIFIED):
            n["row_fid"] = r.u64()
            if by_message:
                n["row_mid"] = r.u64()
                n["row_instance"] = r.u32()
        if event in (TABLE_ROW_ADDED, TABLE_ROW_MODIFIED):
            n["after_fid"] = r.u64()
            if by_message:
                n["after_mid"] = r.u64()
                n["after_instance"] = r.u32()
            n["row_data"] = r.take(r.u16())
        return n
    if kind in (NEW_MAIL, OBJECT_CREATED, OBJECT_DELETED, OBJECT_MODIFIED,
                OBJECT_MOVED, OBJECT_COPIED, SEARCH_COMPLETE):
        n["fid"] = r.u64()
        if by_message and kind != SEARCH_COMPLETE:
            n["mid"] = r.u64()
    if not by_message and kind in (OBJECT_CREATED, OBJECT_DELETED,
                                   OBJECT_MOVED, OBJECT_COPIED):
        n["parent_fid"] = r.u64()
    if kind in (OBJECT_MOVED, OBJECT_COPIED):
        n["old_fid"] = r.u64()
        if by_message:
            n["old_mid"] = r.u64()
        else:
            n["old_parent_fid"] = r.u64()
    if kind in (OBJECT_CREATED, OBJECT_MODIFIED):
        count = r.u16()
        n["tags"] = None if count == 0xFFFF else \
            [r.u32() for _ in range(count)]
    if flags & 0x1000:
        n["total"] = r.u32()
    if flags & 0x2000:
        n["unread"] = r.u32()
    if kind == NEW_MAIL:
        n["message_flags"] = r.u32()
        n["message_class"] = r.wstr() if r.u8() else r.cstr()
    return n


# ---------------------------------------------------------------------------
# MS-OXCMAPIHTTP bodies

def connect_request(user_dn, flags=0, cpid=1252, lcid_sort=1033,
                    lcid_string=1033, aux=b""):
    return cstr(user_dn) + struct.pack("<IIII", flags, cpid, lcid_sort,
                                       lcid_string) + u32(len(aux)) + aux


def execute_request(rop_chain, flags=0, max_rop_out=0x40000, aux=b""):
    return u32(flags) + u32(len(rop_chain)) + rop_chain + u32(max_rop_out) + \
        u32(len(aux)) + aux


def disconnect_request(aux=b""):
    return u32(len(aux)) + aux


def notification_wait_request(flags=0, aux=b""):
    return u32(flags) + u32(len(aux)) + aux


def split_meta(data):
    """The meta-tags (PROCESSING, PENDING, DONE), the additional headers
    after DONE up to the empty line, and the binary body."""
    tags = []
    headers = {}
    pos = 0
    while True:
        end = data.index(b"\r\n", pos)
        line = data[pos:end].decode("ascii")
        pos = end + 2
        if line in ("PROCESSING", "PENDING"):
            tags.append(line)
            continue
        if line == "DONE":
            tags.append(line)
            while True:
                end = data.index(b"\r\n", pos)
                line = data[pos:end].decode("ascii")
                pos = end + 2
                if not line:
                    return tags, headers, data[pos:]
                name, _, value = line.partition(":")
                headers[name.strip()] = value.strip()
        raise ValueError("unexpected line %r" % line)


def _aux(r, rsp):
    rsp["aux"] = r.take(r.u32())
    if r.left():
        raise ValueError("%d bytes after the body" % r.left())
    return rsp


def parse_connect_response(body):
    r = Reader(body)
    rsp = {"status": r.u32()}
    if rsp["status"]:
        return _aux(r, rsp)
    rsp["error"] = r.u32()
    rsp["max_polling_interval"] = r.u32()
    rsp["retry_count"] = r.u32()
    rsp["retry_delay"] = r.u32()
    rsp["dn_prefix"] = r.cstr()
    rsp["display_name"] = r.wstr()
    return _aux(r, rsp)


def parse_execute_response(body):
    r = Reader(body)
    rsp = {"status": r.u32()}
    if rsp["status"]:
        return _aux(r, rsp)
    rsp["error"] = r.u32()
    rsp["flags"] = r.u32()
    rsp["rop_buffer"] = r.take(r.u32())
    return _aux(r, rsp)


def parse_disconnect_response(body):
    r = Reader(body)
    rsp = {"status": r.u32()}
    if not rsp["status"]:
        rsp["error"] = r.u32()
    return _aux(r, rsp)


def parse_notification_wait_response(body):
    r = Reader(body)
    rsp = {"status": r.u32()}
    if not rsp["status"]:
        rsp["error"] = r.u32()
        rsp["event_pending"] = r.u32()
    return _aux(r, rsp)


# ---------------------------------------------------------------------------
# NSPI over MAPI/HTTP (MS-OXCMAPIHTTP 2.2.5, MS-OXNSPI)

def stat(codepage=1252, container=0, cur_rec=0, delta=0, num_pos=0,
         total=0, sort_type=0, template_locale=1033, sort_locale=1033):
    """STAT (MS-OXNSPI 2.2.8), 36 bytes."""
    return struct.pack("<IIIiIIIII", sort_type, container, cur_rec, delta,
                       num_pos, total, codepage, template_locale, sort_locale)


def decode_stat(r):
    names = ("sort_type", "container", "cur_rec", "delta", "num_pos",
             "total", "codepage", "template_locale", "sort_locale")
    return dict(zip(names, struct.unpack("<IIIiIIIII", r.take(36))))


def _opt(present, data):
    """A "Has" byte, then the field when present."""
    return (b"\xff" + data) if present else b"\x00"


def _ltags(tags):
    return encode_tags(tags, wide=True)


def nspi_bind(state=None, flags=0, aux=b""):
    return u32(flags) + _opt(state is not None, state or b"") + \
        u32(len(aux)) + aux


def nspi_unbind(aux=b""):
    return u32(0) + u32(len(aux)) + aux


def nspi_compare_mids(mid1, mid2, state=None, aux=b""):
    return u32(0) + _opt(state is not None, state or b"") + u32(mid1) + \
        u32(mid2) + u32(len(aux)) + aux


def nspi_dntomid(names, aux=b""):
    return u32(0) + _opt(True, u32(len(names))
                         + b"".join(cstr(n) for n in names)) + \
        u32(len(aux)) + aux


def nspi_get_matches(state, columns, row_count=50, restriction=None,
                     mids=None, propname=None, aux=b""):
    body = u32(0) + _opt(True, state)
    body += _opt(mids is not None, _ltags(mids or []))
    body += u32(0)                                  # InterfaceOptionFlags
    body += _opt(restriction is not None,
                 encode_restriction(restriction, "wide")
                 if restriction else b"")
    body += _opt(propname is not None,
                 (propname[0] + u32(propname[1])) if propname else b"")
    body += u32(row_count) + _opt(True, _ltags(columns))
    return body + u32(len(aux)) + aux


def nspi_get_prop_list(mid, flags=0, codepage=1252, aux=b""):
    return u32(flags) + u32(mid) + u32(codepage) + u32(len(aux)) + aux


def nspi_get_props(state, tags=None, flags=0, aux=b""):
    return u32(flags) + _opt(True, state) + \
        _opt(tags is not None, _ltags(tags or [])) + u32(len(aux)) + aux


def nspi_get_special_table(state, version=None, flags=0, aux=b""):
    return u32(flags) + _opt(True, state) + \
        _opt(version is not None, u32(version or 0)) + u32(len(aux)) + aux


def nspi_get_template_info(display_type, dn=None, flags=0, codepage=1252,
                           locale=1033, aux=b""):
    return u32(flags) + u32(display_type) + \
        _opt(dn is not None, cstr(dn) if dn else b"") + u32(codepage) + \
        u32(locale) + u32(len(aux)) + aux


# the GUID of permanent entry ids, MS-OXNSPI 2.2.9.3
NSPI_GUID = bytes([0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
                   0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82])


def ephemeral_entry_id(provider, mid, display_type=0):
    """EphemeralEntryID (MS-OXNSPI 2.2.9.2), 32 bytes."""
    return bytes([0x87, 0, 0, 0]) + provider + u32(1) + u32(display_type) + \
        u32(mid)


def permanent_entry_id(dn, display_type=0):
    """PermanentEntryID (MS-OXNSPI 2.2.9.3) with the NSPI GUID."""
    return bytes([0, 0, 0, 0]) + NSPI_GUID + u32(1) + u32(display_type) + \
        cstr(dn)


def nspi_mod_link_att(ptag, mid, entry_ids, flags=0, aux=b""):
    return u32(flags) + u32(ptag) + u32(mid) + \
        _opt(True, u32(len(entry_ids)) + b"".join(entry_ids)) + \
        u32(len(aux)) + aux


def nspi_mod_props(state, values, remove=None, aux=b""):
    return u32(0) + _opt(True, state) + \
        _opt(remove is not None, _ltags(remove or [])) + \
        _opt(True, encode_tagged_list(values, "abk")) + u32(len(aux)) + aux


def nspi_query_columns(flags=0, aux=b""):
    return u32(0) + u32(flags) + u32(len(aux)) + aux


def nspi_query_rows(state, columns, count=50, explicit=(), flags=0,
                    aux=b""):
    return u32(flags) + _opt(True, state) + _ltags(list(explicit)) + \
        u32(count) + _opt(True, _ltags(columns)) + u32(len(aux)) + aux


def nspi_resolve_names(state, names, tags, aux=b""):
    return u32(0) + _opt(True, state) + _opt(True, _ltags(tags)) + \
        _opt(True, u32(len(names)) + b"".join(wstr(n) for n in names)) + \
        u32(len(aux)) + aux


def nspi_resort_restriction(state, mids, aux=b""):
    return u32(0) + _opt(True, state) + _opt(True, _ltags(mids)) + \
        u32(len(aux)) + aux


def nspi_seek_entries(state, target, columns, explicit=None, aux=b""):
    return u32(0) + _opt(True, state) + \
        _opt(True, encode_tagged(target[0], target[1], "abk")) + \
        _opt(explicit is not None, _ltags(explicit or [])) + \
        _opt(True, _ltags(columns)) + u32(len(aux)) + aux


def nspi_update_stat(state, delta_requested=True, aux=b""):
    return u32(0) + _opt(True, state) + u8(1 if delta_requested else 0) + \
        u32(len(aux)) + aux


def nspi_get_mailbox_url(server_dn, flags=0, aux=b""):
    return u32(flags) + wstr(server_dn) + u32(len(aux)) + aux


def nspi_get_address_book_url(user_dn, flags=0, aux=b""):
    return u32(flags) + wstr(user_dn) + u32(len(aux)) + aux


def _has(r):
    return r.u8() != 0


def _colrows(r, rsp):
    if _has(r):
        cols = decode_tags(r, wide=True)
        rsp["columns"] = cols
        rsp["rows"] = [decode_row(r, cols, "abk") for _ in range(r.u32())]


def parse_nspi_response(kind, body):
    """An address book response body; kind is the X-RequestType."""
    r = Reader(body)
    rsp = {"status": r.u32()}
    if rsp["status"]:
        return _aux(r, rsp)
    rsp["error"] = r.u32()
    if kind == "Bind":
        rsp["server_guid"] = r.guid()
    elif kind == "CompareMIds":
        rsp["result"] = r.i32()
    elif kind == "DNToMId":
        if _has(r):
            rsp["mids"] = decode_tags(r, wide=True)
    elif kind in ("GetMatches", "QueryRows", "SeekEntries"):
        if _has(r):
            rsp["state"] = decode_stat(r)
        if kind == "GetMatches" and _has(r):
            rsp["mids"] = decode_tags(r, wide=True)
        _colrows(r, rsp)
    elif kind in ("GetPropList", "QueryColumns"):
        if _has(r):
            rsp["tags"] = decode_tags(r, wide=True)
    elif kind in ("GetProps", "GetTemplateInfo"):
        rsp["codepage"] = r.u32()
        if _has(r):
            rsp["props"] = decode_tagged_list(r, "abk")
    elif kind == "GetSpecialTable":
        rsp["codepage"] = r.u32()
        if _has(r):
            rsp["version"] = r.u32()
        if _has(r):
            rsp["rows"] = [decode_tagged_list(r, "abk")
                           for _ in range(r.u32())]
    elif kind == "ResolveNames":
        rsp["codepage"] = r.u32()
        if _has(r):
            rsp["mids"] = decode_tags(r, wide=True)
        _colrows(r, rsp)
    elif kind == "ResortRestriction":
        if _has(r):
            rsp["state"] = decode_stat(r)
        if _has(r):
            rsp["mids"] = decode_tags(r, wide=True)
    elif kind == "UpdateStat":
        if _has(r):
            rsp["state"] = decode_stat(r)
        if _has(r):
            rsp["delta"] = r.i32()
    elif kind in ("GetMailboxUrl", "GetAddressBookUrl"):
        rsp["url"] = r.wstr()
    return _aux(r, rsp)
