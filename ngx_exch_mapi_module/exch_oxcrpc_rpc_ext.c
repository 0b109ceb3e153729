
/*
 * exch: RPC_HEADER_EXT chains and AUX_HEADER blocks, MS-OXCRPC 2.2.2.
 */


#include <string.h>

#include "exch_wire.h"
#include "exch_oxcrpc_lz77.h"
#include "exch_oxcrpc_rpc_ext.h"


#define EXCH_AUX_HEADER_SIZE    4


static const char *exch_aux_str(const uint8_t *blk, size_t blen,
    uint16_t off, exs_arena_t *a, int *ok);
static int exch_aux_decode(exch_aux_block_t *b, const uint8_t *blk,
    size_t blen, exs_arena_t *a);
static int exch_aux_header(exch_wr_t *w, uint8_t version, uint8_t type,
    size_t body);


int
exch_rhe_parse(const uint8_t *p, size_t len, exs_arena_t *a,
    size_t max_total, exch_rhe_chain_t *chain)
{
    int              rc;
    size_t           total, got, n, cap;
    uint8_t         *buf, *all;
    exch_rd_t        r;
    const uint8_t   *payload;
    exch_rhe_seg_t  *seg, *segs;
    uint16_t         version, flags, size, size_actual;

    memset(chain, 0, sizeof(exch_rhe_chain_t));

    exch_rd_init(&r, p, len, a, 0);

    /* a segment is at least its 8-byte header */
    cap = len / EXCH_RHE_SIZE + 1;
    segs = exs_calloc(a, cap * sizeof(exch_rhe_seg_t));
    if (segs == NULL) {
        return EXCH_ERR_NOMEM;
    }

    total = 0;
    n = 0;
    flags = 0;

    while (!(flags & EXCH_RHE_LAST)) {

        if (exch_rd_left(&r) == 0) {
            /* the input ended without a segment marked Last */
            return n == 0 ? EXCH_ERR_TRUNCATED : EXCH_ERR_FORMAT;
        }

        exch_rd_u16(&r, &version);
        exch_rd_u16(&r, &flags);
        exch_rd_u16(&r, &size);
        exch_rd_u16(&r, &size_actual);
        exch_rd_bytes(&r, size, &payload);

        if (r.err != EXCH_OK) {
            return r.err;
        }

        if (version != EXCH_RHE_VERSION) {
            return EXCH_ERR_FORMAT;
        }

        if (!(flags & EXCH_RHE_COMPRESSED) && size != size_actual) {
            return EXCH_ERR_FORMAT;
        }

        if (size_actual > max_total - total) {
            return EXCH_ERR_TOOBIG;
        }

        buf = exs_alloc(a, (size_t) size_actual + (size_t) size + 1);
        if (buf == NULL) {
            return EXCH_ERR_NOMEM;
        }

        if (flags & EXCH_RHE_COMPRESSED) {
            /* the obfuscation covers the compressed bytes */
            memcpy(buf + size_actual, payload, size);

            if (flags & EXCH_RHE_XORMAGIC) {
                exch_xor_magic(buf + size_actual, size);
            }

            rc = exch_lz77_decompress(buf + size_actual, size, buf,
                                      size_actual, &got);
            if (rc != EXCH_OK) {
                return rc;
            }

            if (got != size_actual) {
                return EXCH_ERR_COMPRESSION;
            }

        } else {
            memcpy(buf, payload, size);

            if (flags & EXCH_RHE_XORMAGIC) {
                exch_xor_magic(buf, size);
            }
        }

        seg = &segs[n++];
        seg->version = version;
        seg->flags = flags;
        seg->size = size;
        seg->size_actual = size_actual;
        seg->data = buf;
        seg->len = size_actual;

        total += size_actual;
    }

    if (n == 1) {
        all = (uint8_t *) segs[0].data;

    } else {
        all = exs_alloc(a, total + 1);
        if (all == NULL) {
            return EXCH_ERR_NOMEM;
        }

        got = 0;

        for (cap = 0; cap < n; cap++) {
            memcpy(all + got, segs[cap].data, segs[cap].len);
            got += segs[cap].len;
        }
    }

    chain->n = (uint32_t) n;
    chain->segs = segs;
    chain->data = all;
    chain->len = total;
    chain->consumed = exch_rd_pos(&r);

    return EXCH_OK;
}


int
exch_rhe_write(exch_wr_t *w, exs_arena_t *a, const uint8_t *payload,
    size_t len, uint16_t flags, uint16_t *written_flags)
{
    int        rc;
    size_t     clen, off;
    uint8_t   *tmp, *body;

    if (len > 0xFFFF) {
        return exch_wr_fail(w, EXCH_ERR_TOOBIG);
    }

    flags &= EXCH_RHE_COMPRESSED | EXCH_RHE_XORMAGIC | EXCH_RHE_LAST;
    clen = len;
    tmp = NULL;

    if ((flags & EXCH_RHE_COMPRESSED) && len >= EXCH_RHE_MIN_COMPRESS) {
        tmp = exs_alloc(a, exch_lz77_bound(len));
        if (tmp == NULL) {
            return exch_wr_fail(w, EXCH_ERR_NOMEM);
        }

        rc = exch_lz77_compress(payload, len, tmp, exch_lz77_bound(len),
                                &clen);
        if (rc != EXCH_OK) {
            return exch_wr_fail(w, rc);
        }

        if (clen >= len) {
            tmp = NULL;
            clen = len;
        }
    }

    if (tmp == NULL) {
        flags &= ~EXCH_RHE_COMPRESSED;
    }

    if (written_flags) {
        *written_flags = flags;
    }

    exch_wr_u16(w, EXCH_RHE_VERSION);
    exch_wr_u16(w, flags);
    exch_wr_u16(w, (uint16_t) clen);
    exch_wr_u16(w, (uint16_t) len);

    off = w->len;

    if (exch_wr_bytes(w, tmp ? tmp : payload, clen) != EXCH_OK) {
        return w->err;
    }

    if (flags & EXCH_RHE_XORMAGIC) {
        body = w->buf + off;
        exch_xor_magic(body, clen);
    }

    return EXCH_OK;
}


void
exch_rhe_set_last(exch_wr_t *w, size_t off)
{
    uint16_t  flags;

    if (w->err != EXCH_OK || off + EXCH_RHE_SIZE > w->len) {
        return;
    }

    flags = exch_get16(w->buf + off + 2);
    exch_put16(w->buf + off + 2, flags | EXCH_RHE_LAST);
}


/* AUX_HEADER blocks */

/*
 * A NUL-terminated UTF-16 string at an offset from the start of the
 * block's AUX_HEADER; NULL for offset 0.  *ok drops to 0 when the offset
 * or the string is out of the block.
 */

static const char *
exch_aux_str(const uint8_t *blk, size_t blen, uint16_t off, exs_arena_t *a,
    int *ok)
{
    exch_rd_t  r;
    exs_str_t  s;

    if (off == 0) {
        return NULL;
    }

    if (off < EXCH_AUX_HEADER_SIZE || off >= blen) {
        *ok = 0;
        return NULL;
    }

    exch_rd_init(&r, blk + off, blen - off, a, 0);

    if (exch_rd_str16(&r, &s) != EXCH_OK) {
        *ok = 0;
        return NULL;
    }

    return s.data;
}


static int
exch_aux_decode(exch_aux_block_t *b, const uint8_t *blk, size_t blen,
    exs_arena_t *a)
{
    int        ok;
    exch_rd_t  r;
    uint16_t   o1, o2, o3, o4, o5, o6, n1, n2, n3, skip16;
    uint32_t   skip32;

    ok = 1;
    exch_rd_init(&r, b->data, b->len, a, 0);

    switch (b->type) {

    case EXCH_AUX_PERF_REQUESTID:
        exch_rd_u16(&r, &b->u.request_id.session_id);
        exch_rd_u16(&r, &b->u.request_id.request_id);
        break;

    case EXCH_AUX_PERF_CLIENTINFO:
        exch_rd_u32(&r, &b->u.client_info.adapter_speed);
        exch_rd_u16(&r, &b->u.client_info.client_id);
        exch_rd_u16(&r, &o1);                     /* MachineNameOffset */
        exch_rd_u16(&r, &o2);                     /* UserNameOffset */
        exch_rd_u16(&r, &n1);                     /* ClientIPSize */
        exch_rd_u16(&r, &o3);
        exch_rd_u16(&r, &n2);                     /* ClientIPMaskSize */
        exch_rd_u16(&r, &o4);
        exch_rd_u16(&r, &o5);                     /* AdapterNameOffset */
        exch_rd_u16(&r, &n3);                     /* MacAddressSize */
        exch_rd_u16(&r, &o6);
        exch_rd_u16(&r, &b->u.client_info.client_mode);
        exch_rd_u16(&r, &skip16);

        if (r.err != EXCH_OK) {
            return r.err;
        }

        b->u.client_info.machine_name = exch_aux_str(blk, blen, o1, a, &ok);
        b->u.client_info.user_name = exch_aux_str(blk, blen, o2, a, &ok);
        b->u.client_info.adapter_name = exch_aux_str(blk, blen, o5, a, &ok);

        if ((o3 && (o3 > blen || n1 > blen - o3))
            || (o4 && (o4 > blen || n2 > blen - o4))
            || (o6 && (o6 > blen || n3 > blen - o6)))
        {
            return EXCH_ERR_FORMAT;
        }

        b->u.client_info.client_ip.data = o3 ? blk + o3 : NULL;
        b->u.client_info.client_ip.len = o3 ? n1 : 0;
        b->u.client_info.client_ip_mask.data = o4 ? blk + o4 : NULL;
        b->u.client_info.client_ip_mask.len = o4 ? n2 : 0;
        b->u.client_info.mac_address.data = o6 ? blk + o6 : NULL;
        b->u.client_info.mac_address.len = o6 ? n3 : 0;
        break;

    case EXCH_AUX_PERF_SERVERINFO:
        exch_rd_u16(&r, &b->u.server_info.server_id);
        exch_rd_u16(&r, &b->u.server_info.server_type);
        exch_rd_u16(&r, &o1);
        exch_rd_u16(&r, &o2);

        if (r.err != EXCH_OK) {
            return r.err;
        }

        b->u.server_info.server_dn = exch_aux_str(blk, blen, o1, a, &ok);
        b->u.server_info.server_name = exch_aux_str(blk, blen, o2, a, &ok);
        break;

    case EXCH_AUX_PERF_SESSIONINFO:
        exch_rd_u16(&r, &b->u.session_info.session_id);
        exch_rd_u16(&r, &skip16);
        exch_rd_guid(&r, b->u.session_info.session_guid);

        if (b->version == EXCH_AUX_VERSION_2) {
            exch_rd_u32(&r, &b->u.session_info.connection_id);
        }

        break;

    case EXCH_AUX_PERF_PROCESSINFO:
        exch_rd_u16(&r, &b->u.process_info.process_id);
        exch_rd_u16(&r, &skip16);
        exch_rd_guid(&r, b->u.process_info.process_guid);
        exch_rd_u16(&r, &o1);
        exch_rd_u16(&r, &skip16);

        if (r.err != EXCH_OK) {
            return r.err;
        }

        b->u.process_info.process_name = exch_aux_str(blk, blen, o1, a, &ok);
        break;

    case EXCH_AUX_CLIENT_CONTROL:
        exch_rd_u32(&r, &b->u.client_control.enable_flags);
        exch_rd_u32(&r, &b->u.client_control.expiry_time);
        break;

    case EXCH_AUX_OSVERSIONINFO:
        exch_rd_u32(&r, &skip32);                 /* OSVersionInfoSize */
        exch_rd_u32(&r, &b->u.os_version.major);
        exch_rd_u32(&r, &b->u.os_version.minor);
        exch_rd_u32(&r, &b->u.os_version.build);
        exch_rd_skip(&r, 132);
        exch_rd_u16(&r, &b->u.os_version.sp_major);
        exch_rd_u16(&r, &b->u.os_version.sp_minor);
        break;

    case EXCH_AUX_EXORGINFO:
        exch_rd_u32(&r, &b->u.exorg_info.org_flags);
        break;

    case EXCH_AUX_PERF_ACCOUNTINFO:
        exch_rd_u16(&r, &b->u.account_info.client_id);
        exch_rd_u16(&r, &skip16);
        exch_rd_guid(&r, b->u.account_info.account);
        break;

    case EXCH_AUX_ENDPOINT_CAPABILITIES:
        exch_rd_u32(&r, &b->u.endpoint_capabilities.flags);
        break;

    case EXCH_AUX_CLIENT_CONNECTION_INFO:
        exch_rd_guid(&r, b->u.client_connection_info.connection_guid);
        exch_rd_u16(&r, &o1);
        exch_rd_u16(&r, &skip16);
        exch_rd_u32(&r, &b->u.client_connection_info.connection_attempts);
        exch_rd_u32(&r, &b->u.client_connection_info.connection_flags);

        if (r.err != EXCH_OK) {
            return r.err;
        }

        b->u.client_connection_info.context_info =
                                      exch_aux_str(blk, blen, o1, a, &ok);
        break;

    case EXCH_AUX_SERVER_SESSION_INFO:
        exch_rd_u16(&r, &o1);

        if (r.err != EXCH_OK) {
            return r.err;
        }

        b->u.server_session_info.context_info =
                                      exch_aux_str(blk, blen, o1, a, &ok);
        break;

    case EXCH_AUX_PROTOCOL_DEVICE_ID:
        exch_rd_u16(&r, &o1);
        exch_rd_u16(&r, &o2);
        exch_rd_u16(&r, &o3);
        exch_rd_u16(&r, &o4);
        exch_rd_u16(&r, &o5);

        if (r.err != EXCH_OK) {
            return r.err;
        }

        b->u.device_id.manufacturer = exch_aux_str(blk, blen, o1, a, &ok);
        b->u.device_id.model = exch_aux_str(blk, blen, o2, a, &ok);
        b->u.device_id.serial_number = exch_aux_str(blk, blen, o3, a, &ok);
        b->u.device_id.version = exch_aux_str(blk, blen, o4, a, &ok);
        b->u.device_id.firmware_version = exch_aux_str(blk, blen, o5, a,
                                                       &ok);
        break;

    default:
        return EXCH_ERR_UNKNOWN;
    }

    if (r.err != EXCH_OK) {
        return r.err;
    }

    return ok ? EXCH_OK : EXCH_ERR_FORMAT;
}


int
exch_aux_parse(const uint8_t *p, size_t len, exs_arena_t *a, exch_aux_t *aux)
{
    size_t             n, cap;
    uint16_t           size;
    exch_rd_t          r;
    const uint8_t     *blk;
    exch_aux_block_t  *b;

    aux->n = 0;
    aux->blocks = NULL;

    cap = len / EXCH_AUX_HEADER_SIZE;
    if (cap == 0) {
        return len == 0 ? EXCH_OK : EXCH_ERR_TRUNCATED;
    }

    aux->blocks = exs_calloc(a, cap * sizeof(exch_aux_block_t));
    if (aux->blocks == NULL) {
        return EXCH_ERR_NOMEM;
    }

    exch_rd_init(&r, p, len, a, 0);
    n = 0;

    while (exch_rd_left(&r) > 0) {
        blk = r.p;

        exch_rd_u16(&r, &size);

        if (r.err != EXCH_OK) {
            return r.err;
        }

        if (size < EXCH_AUX_HEADER_SIZE) {
            return EXCH_ERR_FORMAT;
        }

        if (exch_rd_skip(&r, size - 2) != EXCH_OK) {
            return r.err;
        }

        b = &aux->blocks[n++];
        b->version = blk[2];
        b->type = blk[3];
        b->data = blk + EXCH_AUX_HEADER_SIZE;
        b->len = size - EXCH_AUX_HEADER_SIZE;
        b->decoded = exch_aux_decode(b, blk, size, a) == EXCH_OK;
    }

    aux->n = (uint32_t) n;

    return EXCH_OK;
}


static int
exch_aux_header(exch_wr_t *w, uint8_t version, uint8_t type, size_t body)
{
    if (body > 0xFFFF - EXCH_AUX_HEADER_SIZE) {
        return exch_wr_fail(w, EXCH_ERR_TOOBIG);
    }

    exch_wr_u16(w, (uint16_t) (body + EXCH_AUX_HEADER_SIZE));
    exch_wr_u8(w, version);

    return exch_wr_u8(w, type);
}


int
exch_aux_write_raw(exch_wr_t *w, uint8_t version, uint8_t type,
    const void *body, size_t len)
{
    exch_aux_header(w, version, type, len);

    return exch_wr_bytes(w, body, len);
}


int
exch_aux_write_endpoint_capabilities(exch_wr_t *w, uint32_t flags)
{
    exch_aux_header(w, EXCH_AUX_VERSION_1, EXCH_AUX_ENDPOINT_CAPABILITIES, 4);

    return exch_wr_u32(w, flags);
}


int
exch_aux_write_exorginfo(exch_wr_t *w, uint32_t org_flags)
{
    exch_aux_header(w, EXCH_AUX_VERSION_1, EXCH_AUX_EXORGINFO, 4);

    return exch_wr_u32(w, org_flags);
}


int
exch_aux_write_client_control(exch_wr_t *w, uint32_t enable_flags,
    uint32_t expiry_ms)
{
    exch_aux_header(w, EXCH_AUX_VERSION_1, EXCH_AUX_CLIENT_CONTROL, 8);
    exch_wr_u32(w, enable_flags);

    return exch_wr_u32(w, expiry_ms);
}


int
exch_aux_write_server_session_info(exch_wr_t *w, const char *info)
{
    long  n;

    if (info == NULL) {
        exch_aux_header(w, EXCH_AUX_VERSION_1, EXCH_AUX_SERVER_SESSION_INFO,
                        2);
        return exch_wr_u16(w, 0);
    }

    n = exch_utf16_len(info, strlen(info), 0);

    /* the body: the offset, then the UTF-16 string right after it */
    exch_aux_header(w, EXCH_AUX_VERSION_1, EXCH_AUX_SERVER_SESSION_INFO,
                    2 + (size_t) n + 2);
    exch_wr_u16(w, EXCH_AUX_HEADER_SIZE + 2);

    return exch_wr_str16(w, info, strlen(info));
}
