
/*
 * exch: the EMSMDB ROP layer, MS-OXCROPS 3.2.5 and MS-OXCRPC 3.1.4.2:
 * one Execute's ROP input buffer parsed whole, then each ROP run against
 * the server object handle table, its response written while it fits
 * (RopBufferTooSmall for the rest), the handle table written back, and
 * the output buffer framed as an RPC_HEADER_EXT chain (LZ77 and XorMagic
 * unless the client asked otherwise).  Also Connect's answer.
 */


#include <string.h>
#include <strings.h>

#include "exch_emsmdb.h"
#include "exch_oxcrpc_rpc_ext.h"


/* MS-OXCRPC 3.1.4.2.1: a payload never exceeds 32 KB */
#define EXCH_EMS_MAX_PAYLOAD    0x8000

/* the decoded ROP input we accept */
#define EXCH_EMS_MAX_IN         0x40000

#define EXCH_EMS_WRITTEN        1

/* the room a ROP that changes something needs to run (its answer's
 * largest fixed size, with room to spare) */
#define EXCH_EMS_MIN_ROOM       256


static int exch_ems_run(exch_ems_t *e, exch_rop_req_t *req, exch_wr_t *w);
static exch_ems_obj_t *exch_ems_index(exch_ems_t *e, uint8_t index);
static int exch_ems_rop_heavy(uint8_t rop_id);
static int exch_ems_rop_pure(uint8_t rop_id);
static int exch_ems_rop_reads(uint8_t rop_id);


int
exch_ems_execute(exch_ems_t *e, const uint8_t *rop_in, size_t len,
    uint32_t flags, uint32_t max_out, exs_bin_t *out, uint32_t *ec)
{
    int                rc;
    size_t             mark, cap, start, room, need_len;
    uint16_t           rflags;
    uint32_t           i, n;
    exch_wr_t          w, ow, need;
    exch_rop_req_t    *reqs;
    exch_ropbuf_t      rb;
    exch_rhe_chain_t   chain;

    *ec = EXCH_EC_SUCCESS;
    out->data = NULL;
    out->len = 0;

    /* a chain or a ROP buffer that can't be read is the call's error,
     * the session goes on (MS-OXCRPC 3.1.4.2: ecRpcFormat) */

    rc = exch_rhe_parse(rop_in, len, e->a, EXCH_EMS_MAX_IN, &chain);
    if (rc == EXCH_OK) {
        rc = exch_ropbuf_parse(chain.data, chain.len, e->a, &rb);
    }

    if (rc == EXCH_ERR_NOMEM) {
        return rc;
    }

    if (rc != EXCH_OK) {
        *ec = EXCH_EC_RPC_FORMAT;
        return EXCH_OK;
    }

    /*
     * Every request is parsed before any runs: a buffer the server cannot
     * read fails the whole call (MS-OXCROPS 2.2.2) without half of it
     * done.
     */

    rc = exch_rop_parse_all(rb.rops, rb.rops_len, e->a, NULL, &reqs, &n);
    if (rc != EXCH_OK) {
        *ec = EXCH_EC_RPC_FORMAT;
        return EXCH_OK;
    }

    e->handles = rb.handles;
    e->nhandles = rb.nhandles;

    if (max_out < EXCH_RHE_SIZE + 2 + 4 * rb.nhandles + 6) {
        *ec = EXCH_EC_BUFFER_TOO_SMALL;
        return EXCH_OK;
    }

    cap = max_out - EXCH_RHE_SIZE;
    if (cap > EXCH_EMS_MAX_PAYLOAD) {
        cap = EXCH_EMS_MAX_PAYLOAD;
    }

    if (exch_wr_init_grow(&w, e->a, 4096, cap) != EXCH_OK) {
        return EXCH_ERR_NOMEM;
    }

    w.cpid = e->s->cpid;

    if (exch_ropbuf_begin(&w, rb.nhandles, &mark) != EXCH_OK) {
        *ec = EXCH_EC_BUFFER_TOO_SMALL;
        return EXCH_OK;
    }

    for (i = 0; i < n; i++) {
        start = w.len;
        room = w.limit > w.len + w.held ? w.limit - w.len - w.held : 0;

        /*
         * A ROP that changes something runs only with room for any answer
         * it gives, so that it never has to be asked for again: what it
         * did would be done twice.
         */

        if (room < EXCH_EMS_MIN_ROOM
            && !(exch_rop_info(reqs[i].rop_id)->flags & EXCH_ROPF_NO_RESPONSE)
            && !exch_ems_rop_pure(reqs[i].rop_id))
        {
            need_len = EXCH_EMS_MIN_ROOM;
            goto too_small;
        }

        rc = exch_ems_run(e, &reqs[i], &w);

        if (rc == EXCH_OK || rc == EXCH_EMS_WRITTEN) {
            continue;
        }

        if (rc != EXCH_ERR_BUFSIZE) {
            exch_ems_txn_end(e);
            return rc;
        }

        /*
         * The response did not fit: RopBufferTooSmall with what it would
         * have needed and every request from this one on, for the client
         * to send again with a bigger buffer (MS-OXCROPS 3.1.5.1.1).  A ROP
         * that only reads runs again to measure its answer; for the others
         * twice the room is a guess.
         */

        exch_wr_truncate(&w, start);
        need_len = 2 * room;

        if (exch_ems_rop_pure(reqs[i].rop_id)) {
            if (exch_wr_init_grow(&need, e->a, 4096, 0x100000) != EXCH_OK) {
                return EXCH_ERR_NOMEM;
            }

            need.cpid = w.cpid;
            e->created = NULL;

            if (exch_ems_run(e, &reqs[i], &need) >= 0) {
                need_len = need.len;
            }

            if (e->created) {
                exch_ems_obj_release(e, e->created);
                e->created = NULL;
            }
        }

    too_small:

        {
            size_t    size, left;
            uint16_t  sz;

            size = start + need_len + 4 * rb.nhandles;
            sz = size > 0xFFFF ? 0xFFFF : (uint16_t) size;
            left = rb.rops_len - (size_t) (reqs[i].raw - rb.rops);

            exch_wr_truncate(&w, start);

            if (exch_rop_write_buffer_too_small(&w, sz, reqs[i].raw, left)
                != EXCH_OK)
            {
                exch_ems_txn_end(e);
                *ec = EXCH_EC_BUFFER_TOO_SMALL;
                return EXCH_OK;
            }
        }

        break;
    }

    exch_ems_txn_end(e);

    /* the notifications, when every ROP ran */

    if (i == n) {
        rc = exch_ems_notify_write(e, &w);
        exch_ems_txn_end(e);

        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (exch_ropbuf_end(&w, mark, e->handles, e->nhandles) != EXCH_OK) {
        *ec = EXCH_EC_BUFFER_TOO_SMALL;
        return EXCH_OK;
    }

    /* the output chain: one extended buffer */

    if (exch_wr_init_grow(&ow, e->a, w.len + 64, w.len + 1024) != EXCH_OK) {
        return EXCH_ERR_NOMEM;
    }

    rflags = EXCH_RHE_LAST;

    if (!(flags & EXCH_MH_EXECUTE_NO_COMPRESSION)) {
        rflags |= EXCH_RHE_COMPRESSED;
    }

    if (!(flags & EXCH_MH_EXECUTE_NO_XOR_MAGIC)) {
        rflags |= EXCH_RHE_XORMAGIC;
    }

    rc = exch_rhe_write(&ow, e->a, w.buf, w.len, rflags, NULL);
    if (rc != EXCH_OK) {
        return rc;
    }

    out->data = ow.buf;
    out->len = ow.len;

    return EXCH_OK;
}


static exch_ems_obj_t *
exch_ems_index(exch_ems_t *e, uint8_t index)
{
    if (index >= e->nhandles) {
        return NULL;
    }

    return exch_ems_obj_get(e, e->handles[index]);
}


/*
 * One ROP: its objects looked up in the handle table, its handler run,
 * its response written (unless the handler wrote it), the handle it
 * created put into the table.  EXCH_ERR_BUFSIZE when the response does
 * not fit; other negative codes end the Execute.
 */

static int
exch_ems_run(exch_ems_t *e, exch_rop_req_t *req, exch_wr_t *w)
{
    int                     rc;
    exch_ems_obj_t         *obj, *dst;
    exch_rop_rsp_t          rsp;
    exch_ems_rop_pt         handler;
    const exch_rop_info_t  *info;

    info = exch_rop_info(req->rop_id);

    memset(&rsp, 0, sizeof(exch_rop_rsp_t));
    rsp.rop_id = req->rop_id;
    rsp.index = req->rsp_index;

    e->created = NULL;
    e->dest_index = req->out_index;
    e->w = w;

    if (req->rop_id == EXCH_ROP_RELEASE) {
        obj = exch_ems_index(e, req->in_index);

        if (obj) {
            exch_ems_obj_release(e, obj);
        }

        return EXCH_OK;
    }

    if (info->flags & EXCH_ROPF_NOTSUP) {
        /* ICS and FastTransfer: cached mode, a later issue */
        rsp.rv = EXCH_EC_NOT_SUPPORTED;
        goto write;
    }

    obj = NULL;
    dst = NULL;

    if (req->rop_id != EXCH_ROP_LOGON) {
        obj = exch_ems_index(e, req->in_index);

        if (obj == NULL) {
            rsp.rv = EXCH_EC_NULL_OBJECT;
            goto failed;
        }

        if (info->flags & EXCH_ROPF_SRC_DST) {
            dst = exch_ems_index(e, req->out_index);

            if (dst == NULL) {
                rsp.rv = EXCH_EC_DST_NULL_OBJECT;
                rsp.u.partial.dest_index = req->out_index;
                rsp.u.problems.dest_index = req->out_index;
                rsp.u.copy_to_stream.dest_index = req->out_index;
                goto write;
            }
        }
    }

    handler = exch_ems_rop_handler(req->rop_id);

    if (handler == NULL) {
        rsp.rv = EXCH_EC_NOT_SUPPORTED;
        goto failed;
    }

    rc = handler(e, req, &rsp, obj, dst);

    if (rc == EXCH_EMS_WRITTEN || rc == EXCH_ERR_BUFSIZE) {
        goto done;
    }

    if (rc != EXCH_OK) {
        if (e->created) {
            exch_ems_obj_release(e, e->created);
            e->created = NULL;
        }

        if (rc == EXS_NOMEM || rc == EXCH_ERR_NOMEM) {
            rsp.rv = EXCH_EC_NOT_ENOUGH_MEMORY;
            goto failed;
        }

        return rc;
    }

    if (rsp.rv != EXCH_EC_SUCCESS && e->created) {
        exch_ems_obj_release(e, e->created);
        e->created = NULL;
    }

    /* a search runs at once: its SearchComplete comes with this Execute */

    if (req->rop_id == EXCH_ROP_SET_SEARCH_CRITERIA
        && rsp.rv == EXCH_EC_SUCCESS && obj->type == EXCH_EMS_FOLDER
        && e->nsearched < sizeof(e->searched) / sizeof(e->searched[0]))
    {
        e->searched[e->nsearched++] = obj->u.folder.fid;
    }

failed:

    if ((info->flags & EXCH_ROPF_OUT) && rsp.rv != EXCH_EC_SUCCESS
        && req->out_index < e->nhandles)
    {
        e->handles[req->out_index] = EXCH_EMS_INVALID_HANDLE;
    }

write:

    rc = exch_rop_write_response(w, &rsp);

    if (rc != EXCH_OK) {
        if (e->created) {
            exch_ems_obj_release(e, e->created);
            e->created = NULL;
        }

        return rc;
    }

done:

    if (rc == EXCH_ERR_BUFSIZE) {
        if (e->created) {
            exch_ems_obj_release(e, e->created);
            e->created = NULL;
        }

        return rc;
    }

    if (e->created && req->out_index < e->nhandles) {
        e->handles[req->out_index] = e->created->handle;
    }

    return EXCH_OK;
}


/*
 * ROPs that write the store or may take long: the glue runs an Execute
 * holding any of them in the thread pool.
 */

static int
exch_ems_rop_heavy(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_RELEASE:
    case EXCH_ROP_LOGON:
    case EXCH_ROP_OPEN_FOLDER:
    case EXCH_ROP_OPEN_MESSAGE:
    case EXCH_ROP_GET_HIERARCHY_TABLE:
    case EXCH_ROP_GET_CONTENTS_TABLE:
    case EXCH_ROP_CREATE_MESSAGE:
    case EXCH_ROP_GET_PROPERTIES_SPECIFIC:
    case EXCH_ROP_GET_PROPERTIES_ALL:
    case EXCH_ROP_GET_PROPERTIES_LIST:
    case EXCH_ROP_REMOVE_ALL_RECIPIENTS:
    case EXCH_ROP_MODIFY_RECIPIENTS:
    case EXCH_ROP_READ_RECIPIENTS:
    case EXCH_ROP_RELOAD_CACHED_INFORMATION:
    case EXCH_ROP_SET_COLUMNS:
    case EXCH_ROP_QUERY_ROWS:
    case EXCH_ROP_GET_STATUS:
    case EXCH_ROP_QUERY_POSITION:
    case EXCH_ROP_SEEK_ROW:
    case EXCH_ROP_SEEK_ROW_BOOKMARK:
    case EXCH_ROP_SEEK_ROW_FRACTIONAL:
    case EXCH_ROP_CREATE_BOOKMARK:
    case EXCH_ROP_FREE_BOOKMARK:
    case EXCH_ROP_QUERY_COLUMNS_ALL:
    case EXCH_ROP_ABORT:
    case EXCH_ROP_RESET_TABLE:
    case EXCH_ROP_GET_ATTACHMENT_TABLE:
    case EXCH_ROP_OPEN_ATTACHMENT:
    case EXCH_ROP_CREATE_ATTACHMENT:
    case EXCH_ROP_DELETE_ATTACHMENT:
    case EXCH_ROP_SAVE_CHANGES_ATTACHMENT:
    case EXCH_ROP_GET_VALID_ATTACHMENTS:
    case EXCH_ROP_OPEN_EMBEDDED_MESSAGE:
    case EXCH_ROP_GET_RECEIVE_FOLDER:
    case EXCH_ROP_GET_RECEIVE_FOLDER_TABLE:
    case EXCH_ROP_GET_STORE_STATE:
    case EXCH_ROP_LONG_TERM_ID_FROM_ID:
    case EXCH_ROP_ID_FROM_LONG_TERM_ID:
    case EXCH_ROP_GET_PER_USER_LONG_TERM_IDS:
    case EXCH_ROP_GET_PER_USER_GUID:
    case EXCH_ROP_READ_PER_USER_INFORMATION:
    case EXCH_ROP_GET_OWNING_SERVERS:
    case EXCH_ROP_PUBLIC_FOLDER_IS_GHOSTED:
    case EXCH_ROP_GET_NAMES_FROM_PROPERTY_IDS:
    case EXCH_ROP_QUERY_NAMED_PROPERTIES:
    case EXCH_ROP_OPEN_STREAM:
    case EXCH_ROP_READ_STREAM:
    case EXCH_ROP_SEEK_STREAM:
    case EXCH_ROP_GET_STREAM_SIZE:
    case EXCH_ROP_GET_SEARCH_CRITERIA:
    case EXCH_ROP_GET_PERMISSIONS_TABLE:
    case EXCH_ROP_GET_RULES_TABLE:
    case EXCH_ROP_GET_ADDRESS_TYPES:
    case EXCH_ROP_GET_TRANSPORT_FOLDER:
    case EXCH_ROP_OPTIONS_DATA:
    case EXCH_ROP_REGISTER_NOTIFICATION:
    case EXCH_ROP_GET_MESSAGE_STATUS:
    case EXCH_ROP_PROGRESS:
    case EXCH_ROP_SET_SPOOLER:
    case EXCH_ROP_GET_COLLAPSE_STATE:
    case EXCH_ROP_SET_COLLAPSE_STATE:
    case EXCH_ROP_EXPAND_ROW:
    case EXCH_ROP_COLLAPSE_ROW:
        return 0;

    default:
        return 1;
    }
}


/* ROPs that change nothing but their own new object, so that running
 * them again is harmless */

static int
exch_ems_rop_pure(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_LOGON:
    case EXCH_ROP_OPEN_FOLDER:
    case EXCH_ROP_OPEN_MESSAGE:
    case EXCH_ROP_GET_HIERARCHY_TABLE:
    case EXCH_ROP_GET_CONTENTS_TABLE:
    case EXCH_ROP_GET_PROPERTIES_SPECIFIC:
    case EXCH_ROP_GET_PROPERTIES_ALL:
    case EXCH_ROP_GET_PROPERTIES_LIST:
    case EXCH_ROP_READ_RECIPIENTS:
    case EXCH_ROP_GET_STATUS:
    case EXCH_ROP_QUERY_POSITION:
    case EXCH_ROP_QUERY_COLUMNS_ALL:
    case EXCH_ROP_GET_ATTACHMENT_TABLE:
    case EXCH_ROP_OPEN_ATTACHMENT:
    case EXCH_ROP_GET_VALID_ATTACHMENTS:
    case EXCH_ROP_GET_RECEIVE_FOLDER:
    case EXCH_ROP_GET_RECEIVE_FOLDER_TABLE:
    case EXCH_ROP_GET_STORE_STATE:
    case EXCH_ROP_LONG_TERM_ID_FROM_ID:
    case EXCH_ROP_ID_FROM_LONG_TERM_ID:
    case EXCH_ROP_GET_PER_USER_LONG_TERM_IDS:
    case EXCH_ROP_GET_PER_USER_GUID:
    case EXCH_ROP_READ_PER_USER_INFORMATION:
    case EXCH_ROP_GET_OWNING_SERVERS:
    case EXCH_ROP_PUBLIC_FOLDER_IS_GHOSTED:
    case EXCH_ROP_GET_NAMES_FROM_PROPERTY_IDS:
    case EXCH_ROP_QUERY_NAMED_PROPERTIES:
    case EXCH_ROP_GET_STREAM_SIZE:
    case EXCH_ROP_GET_SEARCH_CRITERIA:
    case EXCH_ROP_GET_PERMISSIONS_TABLE:
    case EXCH_ROP_GET_RULES_TABLE:
    case EXCH_ROP_GET_ADDRESS_TYPES:
    case EXCH_ROP_GET_TRANSPORT_FOLDER:
    case EXCH_ROP_OPTIONS_DATA:
    case EXCH_ROP_GET_MESSAGE_STATUS:
    case EXCH_ROP_PROGRESS:
    case EXCH_ROP_GET_COLLAPSE_STATE:
        return 1;

    default:
        return 0;
    }
}


/*
 * ROPs that change nothing but the session's record (the objects they
 * open, a table's columns and position) and write nothing to the store or
 * to the state environment before the session is saved: a request of only
 * these may claim its sequence with that save.  Not the message, stream
 * and attachment ROPs (working copies and stream chunks are written under
 * handle numbers a racing request would share).
 */

static int
exch_ems_rop_reads(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_RELEASE:
    case EXCH_ROP_LOGON:
    case EXCH_ROP_OPEN_FOLDER:
    case EXCH_ROP_GET_HIERARCHY_TABLE:
    case EXCH_ROP_GET_CONTENTS_TABLE:
    case EXCH_ROP_SET_COLUMNS:
    case EXCH_ROP_QUERY_ROWS:
    case EXCH_ROP_QUERY_POSITION:
    case EXCH_ROP_SEEK_ROW:
    case EXCH_ROP_GET_STATUS:
    case EXCH_ROP_QUERY_COLUMNS_ALL:
    case EXCH_ROP_GET_PROPERTIES_SPECIFIC:
    case EXCH_ROP_GET_PROPERTIES_LIST:
    case EXCH_ROP_GET_RECEIVE_FOLDER:
    case EXCH_ROP_GET_STORE_STATE:
    case EXCH_ROP_LONG_TERM_ID_FROM_ID:
    case EXCH_ROP_ID_FROM_LONG_TERM_ID:
        return 1;

    default:
        return 0;
    }
}


unsigned
exch_ems_classify(const uint8_t *rop_in, size_t len, exs_arena_t *a)
{
    unsigned           what;
    uint32_t           i, n;
    exch_ropbuf_t      rb;
    exch_rop_req_t    *reqs;
    exch_rhe_chain_t   chain;

    if (exch_rhe_parse(rop_in, len, a, EXCH_EMS_MAX_IN, &chain) != EXCH_OK
        || exch_ropbuf_parse(chain.data, chain.len, a, &rb) != EXCH_OK
        || exch_rop_parse_all(rb.rops, rb.rops_len, a, NULL, &reqs, &n)
           != EXCH_OK)
    {
        /* the call fails quickly */
        return 0;
    }

    what = EXCH_EMS_READS;

    for (i = 0; i < n; i++) {
        if (!exch_ems_rop_reads(reqs[i].rop_id)) {
            what &= ~EXCH_EMS_READS;
        }

        if (exch_ems_rop_heavy(reqs[i].rop_id)) {
            return EXCH_EMS_HEAVY;
        }

        /* a table with a sort or a restriction of its own is built whole
         * when read */
        if (reqs[i].rop_id == EXCH_ROP_SORT_TABLE
            || reqs[i].rop_id == EXCH_ROP_RESTRICT
            || reqs[i].rop_id == EXCH_ROP_FIND_ROW)
        {
            return EXCH_EMS_HEAVY;
        }
    }

    return what;
}


/* transactions */

int
exch_ems_read(exch_ems_t *e, exs_txn_t **txn)
{
    int  rc;

    if (e->txn == NULL) {
        rc = exs_txn_begin(e->env, EXS_TXN_RDONLY, &e->txn);
        if (rc != EXS_OK) {
            e->txn = NULL;
            return rc;
        }

        e->txn_write = 0;
    }

    *txn = e->txn;

    return EXS_OK;
}


int
exch_ems_write_begin(exch_ems_t *e, exs_txn_t **txn)
{
    int  rc;

    if (e->txn && e->txn_write) {
        *txn = e->txn;
        return EXS_OK;
    }

    exch_ems_txn_end(e);

    rc = exs_txn_begin(e->env, 0, &e->txn);
    if (rc != EXS_OK) {
        e->txn = NULL;
        return rc;
    }

    e->txn_write = 1;
    *txn = e->txn;

    return EXS_OK;
}


int
exch_ems_write_end(exch_ems_t *e, int rc)
{
    exs_txn_t  *txn;

    txn = e->txn;
    e->txn = NULL;

    if (txn == NULL) {
        return rc;
    }

    if (!e->txn_write) {
        exs_txn_abort(txn);
        return rc;
    }

    e->txn_write = 0;

    if (rc != EXS_OK) {
        exs_txn_abort(txn);
        return rc;
    }

    return exs_txn_commit(txn);
}


void
exch_ems_txn_end(exch_ems_t *e)
{
    if (e->txn) {
        if (e->txn_write) {
            exs_txn_abort(e->txn);

        } else {
            (void) exs_txn_commit(e->txn);
        }

        e->txn = NULL;
        e->txn_write = 0;
    }
}


exch_ems_obj_t *
exch_ems_logon_of(exch_ems_t *e, exch_ems_obj_t *obj)
{
    uint32_t         depth;
    exch_ems_obj_t  *o;

    /* the logon an object was opened under, not the ROP's LogonId: a
     * client may log on to two mailboxes with one id in turn */

    o = obj;

    for (depth = 0; o && depth <= e->s->nobjs; depth++) {
        if (o->type == EXCH_EMS_LOGON) {
            return o;
        }

        o = exch_ems_parent(e, o);
    }

    return exch_ems_obj_logon(e, obj->logon_id);
}


int
exch_ems_mbox(exch_ems_t *e, exch_ems_obj_t *obj, exs_mbox_t **mb)
{
    int              rc;
    exs_txn_t       *txn;
    exch_ems_obj_t  *logon;

    logon = exch_ems_logon_of(e, obj);
    if (logon == NULL) {
        return EXS_NOTFOUND;
    }

    rc = exch_ems_read(e, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_mbox_open(txn, logon->u.logon.mailbox, e->user->id, mb);
}


uint32_t
exch_ems_ec(int rc)
{
    switch (rc) {
    case EXS_OK:
        return EXCH_EC_SUCCESS;
    case EXS_NOMEM:
    case EXCH_ERR_NOMEM:
        return EXCH_EC_NOT_ENOUGH_MEMORY;
    case EXS_NOTFOUND:
        return EXCH_EC_NOT_FOUND;
    case EXS_EXISTS:
        return EXCH_EC_DUPLICATE_NAME;
    case EXS_INVALID:
    case EXCH_ERR_FORMAT:
    case EXCH_ERR_TRUNCATED:
        return EXCH_EC_INVALID_PARAM;
    case EXS_DENIED:
        return EXCH_EC_ACCESS_DENIED;
    case EXS_CORRUPT:
        return EXCH_EC_CORRUPT_DATA;
    case EXS_FULL:
        return EXCH_EC_QUOTA_EXCEEDED;
    case EXS_TOOBIG:
    case EXCH_ERR_TOOBIG:
        return EXCH_EC_TOO_BIG;
    case EXS_CONFLICT:
        return EXCH_EC_OBJECT_MODIFIED;
    case EXS_BUSY:
        return EXCH_EC_TIMEOUT;
    case EXS_NOTSUP:
        return EXCH_EC_NOT_SUPPORTED;
    default:
        return EXCH_EC_ERROR;
    }
}


uint64_t
exch_ems_eid(exs_id_t id)
{
    return exs_id_to_eid(1, id);
}


exs_id_t
exch_ems_id(uint64_t eid)
{
    uint16_t  replid;
    exs_id_t  id;

    id = exs_eid_to_id(eid, &replid);

    return replid == 1 ? id : 0;
}


exch_ems_rop_pt
exch_ems_rop_handler(uint8_t rop_id)
{
    exch_ems_rop_pt  h;

    if (rop_id == EXCH_ROP_LOGON) {
        return exch_oxcstor_logon;
    }

    h = exch_oxcstor_handler(rop_id);

    if (h == NULL) {
        h = exch_oxcfold_handler(rop_id);
    }

    if (h == NULL) {
        h = exch_oxctabl_handler(rop_id);
    }

    if (h == NULL) {
        h = exch_oxcmsg_handler(rop_id);
    }

    if (h == NULL) {
        h = exch_oxcprpt_handler(rop_id);
    }

    if (h == NULL) {
        h = exch_oxomsg_handler(rop_id);
    }

    if (h == NULL) {
        h = exch_oxcperm_handler(rop_id);
    }

    if (h == NULL) {
        h = exch_oxorule_handler(rop_id);
    }

    if (h == NULL) {
        h = exch_oxcnotif_handler(rop_id);
    }

    return h;
}


/* Connect, MS-OXCMAPIHTTP 2.2.4.1 and MS-OXCRPC 3.1.4.1 */

int
exch_ems_connect(exch_ems_t *e, const exch_mh_connect_req_t *req,
    exch_mh_connect_rsp_t *rsp)
{
    int          rc;
    char        *prefix;
    size_t       len;
    const char  *dn, *p;

    memset(rsp, 0, sizeof(exch_mh_connect_rsp_t));

    dn = e->user->legacy_dn ? e->user->legacy_dn : "";

    rsp->max_polling_interval = 60000;
    rsp->retry_count = 6;
    rsp->retry_delay = 10000;
    rsp->display_name = e->user->name ? e->user->name : "";

    /* the organization part of the user's DN: "/o=ORG/ou=GROUP" */

    p = strstr(dn, "/cn=");
    len = p ? (size_t) (p - dn) : strlen(dn);

    prefix = exs_strndup(e->a, dn, len);
    if (prefix == NULL) {
        return EXS_NOMEM;
    }

    rsp->dn_prefix = prefix;

    if (req->user_dn.len != strlen(dn)
        || strncasecmp(req->user_dn.data, dn, req->user_dn.len) != 0)
    {
        /* one can only connect as oneself: other mailboxes are reached
         * with RopLogon */
        rsp->error_code = EXCH_EC_UNKNOWN_USER;
        return EXS_OK;
    }

    if (exch_cpid_charset(req->cpid) == NULL) {
        rsp->error_code = EXCH_EC_INVALID_PARAM;
        return EXS_OK;
    }

    rc = exch_ems_session_create(e, req->cpid, req->lcid_sort,
                                 req->lcid_string);
    if (rc != EXS_OK) {
        return rc;
    }

    return EXS_OK;
}
