
/*
 * exch: ROP buffer framing, the RopId table, the request and response
 * dispatchers and the server-only ROPs, MS-OXCROPS 2.2.1, 2.2.2, 2.2.14,
 * 2.2.15.
 */


#include <string.h>

#include "exch_oxcrops_int.h"


#define K       EXCH_ROPF_KNOWN
#define OUT     (EXCH_ROPF_KNOWN | EXCH_ROPF_OUT)
#define RSP     (EXCH_ROPF_KNOWN | EXCH_ROPF_RESP_INDEX)
#define SD      (EXCH_ROPF_KNOWN | EXCH_ROPF_SRC_DST)
#define FULL    EXCH_ROPF_FULL_ON_ERROR
#define NS      (EXCH_ROPF_KNOWN | EXCH_ROPF_NOTSUP)
#define SRV     EXCH_ROPF_SERVER


static const exch_rop_info_t  exch_rop_table[256] = {
    [0x01] = { "RopRelease", K | EXCH_ROPF_NO_RESPONSE },
    [0x02] = { "RopOpenFolder", OUT },
    [0x03] = { "RopOpenMessage", OUT },
    [0x04] = { "RopGetHierarchyTable", OUT },
    [0x05] = { "RopGetContentsTable", OUT },
    [0x06] = { "RopCreateMessage", OUT },
    [0x07] = { "RopGetPropertiesSpecific", K },
    [0x08] = { "RopGetPropertiesAll", K },
    [0x09] = { "RopGetPropertiesList", K },
    [0x0A] = { "RopSetProperties", K },
    [0x0B] = { "RopDeleteProperties", K },
    [0x0C] = { "RopSaveChangesMessage", RSP },
    [0x0D] = { "RopRemoveAllRecipients", K },
    [0x0E] = { "RopModifyRecipients", K },
    [0x0F] = { "RopReadRecipients", K },
    [0x10] = { "RopReloadCachedInformation", K },
    [0x11] = { "RopSetMessageReadFlag", RSP },
    [0x12] = { "RopSetColumns", K },
    [0x13] = { "RopSortTable", K },
    [0x14] = { "RopRestrict", K },
    [0x15] = { "RopQueryRows", K },
    [0x16] = { "RopGetStatus", K },
    [0x17] = { "RopQueryPosition", K },
    [0x18] = { "RopSeekRow", K },
    [0x19] = { "RopSeekRowBookmark", K },
    [0x1A] = { "RopSeekRowFractional", K },
    [0x1B] = { "RopCreateBookmark", K },
    [0x1C] = { "RopCreateFolder", OUT },
    [0x1D] = { "RopDeleteFolder", K | FULL },
    [0x1E] = { "RopDeleteMessages", K | FULL },
    [0x1F] = { "RopGetMessageStatus", K },
    [0x20] = { "RopSetMessageStatus", K },
    [0x21] = { "RopGetAttachmentTable", OUT },
    [0x22] = { "RopOpenAttachment", OUT },
    [0x23] = { "RopCreateAttachment", OUT },
    [0x24] = { "RopDeleteAttachment", K },
    [0x25] = { "RopSaveChangesAttachment", RSP },
    [0x26] = { "RopSetReceiveFolder", K },
    [0x27] = { "RopGetReceiveFolder", K },
    [0x29] = { "RopRegisterNotification", OUT },
    [0x2A] = { "RopNotify", SRV },
    [0x2B] = { "RopOpenStream", OUT },
    [0x2C] = { "RopReadStream", K | FULL },
    [0x2D] = { "RopWriteStream", K | FULL },
    [0x2E] = { "RopSeekStream", K },
    [0x2F] = { "RopSetStreamSize", K },
    [0x30] = { "RopSetSearchCriteria", K },
    [0x31] = { "RopGetSearchCriteria", K },
    [0x32] = { "RopSubmitMessage", K },
    [0x33] = { "RopMoveCopyMessages", SD | FULL },
    [0x34] = { "RopAbortSubmit", K },
    [0x35] = { "RopMoveFolder", SD | FULL },
    [0x36] = { "RopCopyFolder", SD | FULL },
    [0x37] = { "RopQueryColumnsAll", K },
    [0x38] = { "RopAbort", K },
    [0x39] = { "RopCopyTo", SD },
    [0x3A] = { "RopCopyToStream", SD | FULL },
    [0x3B] = { "RopCloneStream", OUT },
    [0x3E] = { "RopGetPermissionsTable", OUT },
    [0x3F] = { "RopGetRulesTable", OUT },
    [0x40] = { "RopModifyPermissions", K },
    [0x41] = { "RopModifyRules", K },
    [0x42] = { "RopGetOwningServers", K },
    [0x43] = { "RopLongTermIdFromId", K },
    [0x44] = { "RopIdFromLongTermId", K },
    [0x45] = { "RopPublicFolderIsGhosted", K },
    [0x46] = { "RopOpenEmbeddedMessage", OUT },
    [0x47] = { "RopSetSpooler", K },
    [0x48] = { "RopSpoolerLockMessage", K },
    [0x49] = { "RopGetAddressTypes", K },
    [0x4A] = { "RopTransportSend", K },
    [0x4B] = { "RopFastTransferSourceCopyMessages", NS | EXCH_ROPF_OUT },
    [0x4C] = { "RopFastTransferSourceCopyFolder", NS | EXCH_ROPF_OUT },
    [0x4D] = { "RopFastTransferSourceCopyTo", NS | EXCH_ROPF_OUT },
    [0x4E] = { "RopFastTransferSourceGetBuffer", NS | FULL },
    [0x4F] = { "RopFindRow", K },
    [0x50] = { "RopProgress", K },
    [0x51] = { "RopTransportNewMail", K },
    [0x52] = { "RopGetValidAttachments", K },
    [0x53] = { "RopFastTransferDestinationConfigure",
               NS | EXCH_ROPF_OUT },
    [0x54] = { "RopFastTransferDestinationPutBuffer", NS | FULL },
    [0x55] = { "RopGetNamesFromPropertyIds", K },
    [0x56] = { "RopGetPropertyIdsFromNames", K },
    [0x57] = { "RopUpdateDeferredActionMessages", K },
    [0x58] = { "RopEmptyFolder", K | FULL },
    [0x59] = { "RopExpandRow", K },
    [0x5A] = { "RopCollapseRow", K },
    [0x5B] = { "RopLockRegionStream", K },
    [0x5C] = { "RopUnlockRegionStream", K },
    [0x5D] = { "RopCommitStream", K },
    [0x5E] = { "RopGetStreamSize", K },
    [0x5F] = { "RopQueryNamedProperties", K },
    [0x60] = { "RopGetPerUserLongTermIds", K },
    [0x61] = { "RopGetPerUserGuid", K },
    [0x63] = { "RopReadPerUserInformation", K },
    [0x64] = { "RopWritePerUserInformation", K },
    [0x66] = { "RopSetReadFlags", K | FULL },
    [0x67] = { "RopCopyProperties", SD },
    [0x68] = { "RopGetReceiveFolderTable", K },
    [0x69] = { "RopFastTransferSourceCopyProperties",
               NS | EXCH_ROPF_OUT },
    [0x6B] = { "RopGetCollapseState", K },
    [0x6C] = { "RopSetCollapseState", K },
    [0x6D] = { "RopGetTransportFolder", K },
    [0x6E] = { "RopPending", SRV },
    [0x6F] = { "RopOptionsData", K },
    [0x70] = { "RopSynchronizationConfigure", NS | EXCH_ROPF_OUT },
    [0x72] = { "RopSynchronizationImportMessageChange",
               NS | EXCH_ROPF_OUT },
    [0x73] = { "RopSynchronizationImportHierarchyChange", NS },
    [0x74] = { "RopSynchronizationImportDeletes", NS },
    [0x75] = { "RopSynchronizationUploadStateStreamBegin", NS },
    [0x76] = { "RopSynchronizationUploadStateStreamContinue", NS },
    [0x77] = { "RopSynchronizationUploadStateStreamEnd", NS },
    [0x78] = { "RopSynchronizationImportMessageMove", NS },
    [0x79] = { "RopSetPropertiesNoReplicate", K },
    [0x7A] = { "RopDeletePropertiesNoReplicate", K },
    [0x7B] = { "RopGetStoreState", K },
    [0x7E] = { "RopSynchronizationOpenCollector", NS | EXCH_ROPF_OUT },
    [0x7F] = { "RopGetLocalReplicaIds", NS },
    [0x80] = { "RopSynchronizationImportReadStateChanges", NS },
    [0x81] = { "RopResetTable", K },
    [0x82] = { "RopSynchronizationGetTransferState", NS | EXCH_ROPF_OUT },
    [0x86] = { "RopTellVersion", NS },
    [0x89] = { "RopFreeBookmark", K },
    [0x90] = { "RopWriteAndCommitStream", K | FULL },
    [0x91] = { "RopHardDeleteMessages", K | FULL },
    [0x92] = { "RopHardDeleteMessagesAndSubfolders", K | FULL },
    [0x93] = { "RopSetLocalReplicaMidsetDeleted", NS },
    [0x9D] = { "RopFastTransferDestinationPutBufferExtended", NS | FULL },
    [0xA3] = { "RopWriteStreamExtended", K | FULL },
    [0xF9] = { "RopBackoff", SRV },
    [0xFE] = { "RopLogon", OUT },
    [0xFF] = { "RopBufferTooSmall", SRV }
};

#undef K
#undef OUT
#undef RSP
#undef SD
#undef FULL
#undef NS
#undef SRV


static const exch_rop_info_t  exch_rop_unknown = { "RopUnknown", 0 };


const exch_rop_info_t *
exch_rop_info(uint8_t rop_id)
{
    if (exch_rop_table[rop_id].name == NULL) {
        return &exch_rop_unknown;
    }

    return &exch_rop_table[rop_id];
}


/* shared helpers */

int
exch_rop_logon_is_public(const exch_rop_ctx_t *ctx, uint8_t logon_id)
{
    if (ctx == NULL || ctx->logon_is_public == NULL) {
        return 0;
    }

    return ctx->logon_is_public(ctx->data, logon_id);
}


int
exch_rop_read_ids(exch_rd_t *r, exch_rop_ids_t *ids)
{
    uint16_t  i;

    ids->n = 0;
    ids->ids = NULL;

    exch_rd_u16(r, &ids->n);

    if (exch_rd_count_ok(r, ids->n, 8) != EXCH_OK) {
        ids->n = 0;
        return r->err;
    }

    ids->ids = exch_rd_alloc(r, ids->n, sizeof(uint64_t));
    if (ids->ids == NULL) {
        ids->n = 0;
        return r->err;
    }

    for (i = 0; i < ids->n; i++) {
        exch_rd_u64(r, &ids->ids[i]);
    }

    return r->err;
}


int
exch_rop_write_ids(exch_wr_t *w, uint16_t n, const uint64_t *ids)
{
    uint16_t  i;

    exch_wr_u16(w, n);

    for (i = 0; i < n; i++) {
        exch_wr_u64(w, ids[i]);
    }

    return w->err;
}


int
exch_rop_read_string(exch_rd_t *r, int unicode, exs_str_t *s)
{
    return unicode ? exch_rd_str16(r, s) : exch_rd_str8(r, s);
}


int
exch_rop_read_sized_restriction(exch_rd_t *r, exs_restriction_t **res)
{
    uint16_t   size;
    exch_rd_t  sub;

    *res = NULL;

    exch_rd_u16(r, &size);

    if (r->err != EXCH_OK || size == 0) {
        return r->err;
    }

    if (exch_rd_sub(r, size, &sub) != EXCH_OK) {
        return r->err;
    }

    *res = exch_rd_alloc(r, 1, sizeof(exs_restriction_t));
    if (*res == NULL) {
        return r->err;
    }

    if (exch_read_restriction(&sub, *res) != EXCH_OK) {
        *res = NULL;
        return exch_rd_fail(r, sub.err);
    }

    /* the restriction must fill what RestrictionDataSize announced */
    if (exch_rd_left(&sub) != 0) {
        *res = NULL;
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    return EXCH_OK;
}


int
exch_rop_write_sized_restriction(exch_wr_t *w, const exs_restriction_t *res)
{
    size_t  off;

    if (res == NULL) {
        return exch_wr_u16(w, 0);
    }

    exch_wr_reserve(w, 2, &off);
    exch_write_restriction(w, res);

    if (w->err == EXCH_OK && w->len - off - 2 > 0xFFFF) {
        return exch_wr_fail(w, EXCH_ERR_TOOBIG);
    }

    exch_wr_patch_u16(w, off, (uint16_t) (w->len - off - 2));

    return w->err;
}


int
exch_rop_write_ghost(exch_wr_t *w, const exch_ghost_t *g)
{
    uint16_t  i;

    exch_wr_u16(w, g->n);
    exch_wr_u16(w, g->cheap);

    for (i = 0; i < g->n; i++) {
        exch_wr_str8(w, g->servers[i], strlen(g->servers[i]));
    }

    return w->err;
}


int
exch_rop_write_rows(exch_wr_t *w, int count_bytes, const exch_tags_t *cols,
    const exs_props_t *rows, uint32_t nrows, uint32_t *written)
{
    size_t    off, mark;
    uint32_t  i;

    *written = 0;

    if (exch_wr_reserve(w, count_bytes, &off) != EXCH_OK) {
        return w->err;
    }

    for (i = 0; i < nrows; i++) {
        mark = w->len;

        if (exch_write_row(w, cols->tags, cols->n, &rows[i]) == EXCH_OK) {
            continue;
        }

        if (w->err != EXCH_ERR_BUFSIZE || i == 0) {
            return w->err;
        }

        exch_wr_truncate(w, mark);
        break;
    }

    *written = i;

    if (count_bytes == 1) {
        exch_wr_patch_u8(w, off, (uint8_t) i);

    } else {
        exch_wr_patch_u16(w, off, (uint16_t) i);
    }

    return w->err;
}


/* RecipientRow, MS-OXCDATA 2.8.3.2 */

int
exch_read_rcpt_row(exch_rd_t *r, const exch_tags_t *cols,
    exch_rcpt_row_t *row)
{
    int       unicode;
    uint16_t  type;

    memset(row, 0, sizeof(exch_rcpt_row_t));

    exch_rd_u16(r, &row->flags);

    type = row->flags & EXCH_RCPT_TYPE_MASK;
    unicode = (row->flags & EXCH_RCPT_U) != 0;

    if (type == EXCH_RCPT_TYPE_X500DN) {
        exch_rd_u8(r, &row->prefix_used);
        exch_rd_u8(r, &row->display_type);
        exch_rd_str8(r, &row->x500dn);
    }

    if (type == EXCH_RCPT_TYPE_PERSONALDL1
        || type == EXCH_RCPT_TYPE_PERSONALDL2)
    {
        exch_rd_counted(r, 2, &row->entry_id);
        exch_rd_counted(r, 2, &row->search_key);
    }

    if (type == EXCH_RCPT_TYPE_NONE && (row->flags & EXCH_RCPT_O)) {
        exch_rd_str8(r, &row->address_type);
    }

    if (row->flags & EXCH_RCPT_E) {
        exch_rop_read_string(r, unicode, &row->email);
    }

    if (row->flags & EXCH_RCPT_D) {
        exch_rop_read_string(r, unicode, &row->display_name);
    }

    if (row->flags & EXCH_RCPT_I) {
        exch_rop_read_string(r, unicode, &row->simple_name);
    }

    if (row->flags & EXCH_RCPT_T) {
        exch_rop_read_string(r, unicode, &row->transmittable_name);
    }

    exch_rd_u16(r, &row->ncols);

    if (r->err != EXCH_OK) {
        return r->err;
    }

    if (row->ncols > cols->n) {
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    return exch_read_row(r, cols->tags, row->ncols, &row->props);
}


static int exch_rcpt_str(exch_wr_t *w, int unicode, const exs_str_t *s);


static int
exch_rcpt_str(exch_wr_t *w, int unicode, const exs_str_t *s)
{
    if (unicode) {
        return exch_wr_str16(w, s->data, s->len);
    }

    return exch_wr_str8(w, s->data, s->len);
}


int
exch_write_rcpt_row(exch_wr_t *w, const exch_tags_t *cols,
    const exch_rcpt_row_t *row)
{
    int       unicode;
    uint16_t  type;

    type = row->flags & EXCH_RCPT_TYPE_MASK;
    unicode = (row->flags & EXCH_RCPT_U) != 0;

    if (row->ncols > cols->n) {
        return exch_wr_fail(w, EXCH_ERR_FORMAT);
    }

    exch_wr_u16(w, row->flags);

    if (type == EXCH_RCPT_TYPE_X500DN) {
        exch_wr_u8(w, row->prefix_used);
        exch_wr_u8(w, row->display_type);
        exch_wr_str8(w, row->x500dn.data, row->x500dn.len);
    }

    if (type == EXCH_RCPT_TYPE_PERSONALDL1
        || type == EXCH_RCPT_TYPE_PERSONALDL2)
    {
        exch_wr_counted(w, 2, &row->entry_id);
        exch_wr_counted(w, 2, &row->search_key);
    }

    if (type == EXCH_RCPT_TYPE_NONE && (row->flags & EXCH_RCPT_O)) {
        exch_wr_str8(w, row->address_type.data, row->address_type.len);
    }

    if (row->flags & EXCH_RCPT_E) {
        exch_rcpt_str(w, unicode, &row->email);
    }

    if (row->flags & EXCH_RCPT_D) {
        exch_rcpt_str(w, unicode, &row->display_name);
    }

    if (row->flags & EXCH_RCPT_I) {
        exch_rcpt_str(w, unicode, &row->simple_name);
    }

    if (row->flags & EXCH_RCPT_T) {
        exch_rcpt_str(w, unicode, &row->transmittable_name);
    }

    exch_wr_u16(w, row->ncols);

    return exch_write_row(w, cols->tags, row->ncols, &row->props);
}


/* OpenRecipientRow / ReadRecipientRow arrays with a 1-byte count */

int
exch_rop_write_rcpt_rows(exch_wr_t *w, int read_rows,
    const exch_tags_t *cols, const exch_rsp_rcpt_t *rows, uint32_t nrows,
    uint8_t *written)
{
    size_t    off, mark, size_off;
    uint32_t  i;

    *written = 0;

    if (nrows > 0xFF) {
        nrows = 0xFF;
    }

    if (exch_wr_reserve(w, 1, &off) != EXCH_OK) {
        return w->err;
    }

    for (i = 0; i < nrows; i++) {
        mark = w->len;

        if (read_rows) {
            exch_wr_u32(w, rows[i].row_id);
        }

        exch_wr_u8(w, rows[i].type);
        exch_wr_u16(w, rows[i].cpid);
        exch_wr_u16(w, 0);
        exch_wr_reserve(w, 2, &size_off);
        exch_write_rcpt_row(w, cols, &rows[i].row);

        if (w->err == EXCH_OK && w->len - size_off - 2 > 0xFFFF) {
            exch_wr_fail(w, EXCH_ERR_TOOBIG);
        }

        if (w->err == EXCH_OK) {
            exch_wr_patch_u16(w, size_off, (uint16_t) (w->len - size_off - 2));
            continue;
        }

        if (w->err != EXCH_ERR_BUFSIZE || i == 0) {
            return w->err;
        }

        exch_wr_truncate(w, mark);
        break;
    }

    *written = (uint8_t) i;
    exch_wr_patch_u8(w, off, (uint8_t) i);

    return w->err;
}


/* TypedString */

int
exch_write_tstr(exch_wr_t *w, const exch_tstr_t *t)
{
    size_t   i;
    uint8_t  type;

    type = t->type;

    if (type == 0xFF) {
        if (t->s.data == NULL) {
            type = EXCH_TSTR_NONE;

        } else if (t->s.len == 0) {
            type = EXCH_TSTR_EMPTY;

        } else {
            type = EXCH_TSTR_REDUCED_UNICODE;

            for (i = 0; i < t->s.len; i++) {
                if ((uint8_t) t->s.data[i] >= 0x80) {
                    type = EXCH_TSTR_UNICODE;
                    break;
                }
            }
        }
    }

    if (type == EXCH_TSTR_REDUCED_UNICODE) {
        /* one byte a character: only for what is ASCII in UTF-8 */
        for (i = 0; i < t->s.len; i++) {
            if ((uint8_t) t->s.data[i] >= 0x80) {
                type = EXCH_TSTR_UNICODE;
                break;
            }
        }
    }

    exch_wr_u8(w, type);

    switch (type) {
    case EXCH_TSTR_NONE:
    case EXCH_TSTR_EMPTY:
        return w->err;

    case EXCH_TSTR_STRING8:
    case EXCH_TSTR_REDUCED_UNICODE:
        return exch_wr_str8(w, t->s.data, t->s.len);

    case EXCH_TSTR_UNICODE:
        return exch_wr_str16(w, t->s.data, t->s.len);
    }

    return exch_wr_fail(w, EXCH_ERR_FORMAT);
}


int
exch_read_tstr(exch_rd_t *r, exch_tstr_t *t)
{
    exs_str_t  raw;

    t->s.data = NULL;
    t->s.len = 0;

    exch_rd_u8(r, &t->type);

    if (r->err != EXCH_OK) {
        return r->err;
    }

    switch (t->type) {
    case EXCH_TSTR_NONE:
        return EXCH_OK;

    case EXCH_TSTR_EMPTY:
        t->s.data = "";
        return EXCH_OK;

    case EXCH_TSTR_STRING8:
        return exch_rd_str8(r, &t->s);

    case EXCH_TSTR_REDUCED_UNICODE:
        /* the low bytes of UTF-16 code units: Latin-1 */
        if (exch_rd_str8(r, &raw) != EXCH_OK) {
            return r->err;
        }

        if (exch_str8_to_utf8(r->arena, 28591, raw.data, raw.len, &t->s)
            != EXCH_OK)
        {
            return exch_rd_fail(r, EXCH_ERR_CHARSET);
        }

        return EXCH_OK;

    case EXCH_TSTR_UNICODE:
        return exch_rd_str16(r, &t->s);
    }

    return exch_rd_fail(r, EXCH_ERR_FORMAT);
}


/* buffers */

int
exch_ropbuf_parse(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_ropbuf_t *rb)
{
    size_t    rest;
    uint32_t  i;
    uint16_t  rop_size;

    memset(rb, 0, sizeof(exch_ropbuf_t));

    if (len < 2) {
        return EXCH_ERR_TRUNCATED;
    }

    rop_size = exch_get16(p);

    if (rop_size < 2 || rop_size > len) {
        return EXCH_ERR_FORMAT;
    }

    rest = len - rop_size;

    if (rest % 4) {
        return EXCH_ERR_FORMAT;
    }

    if (rest / 4 > 256) {
        return EXCH_ERR_TOOBIG;
    }

    rb->rops = p + 2;
    rb->rops_len = rop_size - 2;
    rb->nhandles = (uint32_t) (rest / 4);

    rb->handles = exs_calloc(a, (rb->nhandles + 1) * sizeof(uint32_t));
    if (rb->handles == NULL) {
        return EXCH_ERR_NOMEM;
    }

    for (i = 0; i < rb->nhandles; i++) {
        rb->handles[i] = exch_get32(p + rop_size + 4 * i);
    }

    return EXCH_OK;
}


int
exch_ropbuf_begin(exch_wr_t *w, uint32_t nhandles, size_t *mark)
{
    if (exch_wr_reserve(w, 2, mark) != EXCH_OK) {
        return w->err;
    }

    /* the handle table must still fit when the ROPs have filled the rest */
    w->held += (size_t) nhandles * 4;

    return EXCH_OK;
}


int
exch_ropbuf_end(exch_wr_t *w, size_t mark, const uint32_t *handles,
    uint32_t n)
{
    uint32_t  i;
    size_t    size;

    size = w->len - mark;
    w->held = (w->held >= (size_t) n * 4) ? w->held - (size_t) n * 4 : 0;

    if (w->err == EXCH_OK && size > 0xFFFF) {
        return exch_wr_fail(w, EXCH_ERR_TOOBIG);
    }

    exch_wr_patch_u16(w, mark, (uint16_t) size);

    for (i = 0; i < n; i++) {
        exch_wr_u32(w, handles[i]);
    }

    return w->err;
}


int
exch_rop_parse(exch_rd_t *r, const exch_rop_ctx_t *ctx, exch_rop_req_t *req)
{
    int                     rc;
    const uint8_t          *start;
    const exch_rop_info_t  *info;

    memset(req, 0, sizeof(exch_rop_req_t));
    start = r->p;

    exch_rd_u8(r, &req->rop_id);
    exch_rd_u8(r, &req->logon_id);

    if (r->err != EXCH_OK) {
        return r->err;
    }

    info = exch_rop_info(req->rop_id);

    if (info->flags & EXCH_ROPF_SERVER) {
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    if (!(info->flags & EXCH_ROPF_KNOWN)) {
        return exch_rd_fail(r, EXCH_ERR_UNKNOWN);
    }

    if (req->rop_id == EXCH_ROP_LOGON) {
        exch_rd_u8(r, &req->out_index);
        req->rsp_index = req->out_index;

    } else if (info->flags & EXCH_ROPF_RESP_INDEX) {
        exch_rd_u8(r, &req->rsp_index);
        exch_rd_u8(r, &req->in_index);
        req->out_index = req->rsp_index;

    } else if (info->flags & (EXCH_ROPF_OUT | EXCH_ROPF_SRC_DST)) {
        exch_rd_u8(r, &req->in_index);
        exch_rd_u8(r, &req->out_index);
        req->rsp_index = (info->flags & EXCH_ROPF_OUT) ? req->out_index
                                                       : req->in_index;

    } else {
        exch_rd_u8(r, &req->in_index);
        req->rsp_index = req->in_index;
    }

    if (r->err != EXCH_OK) {
        return r->err;
    }

    rc = exch_rop_parse_store(r, ctx, req);

    if (rc == EXCH_ERR_UNKNOWN) {
        rc = exch_rop_parse_folder(r, ctx, req);
    }

    if (rc == EXCH_ERR_UNKNOWN) {
        rc = exch_rop_parse_table(r, ctx, req);
    }

    if (rc == EXCH_ERR_UNKNOWN) {
        rc = exch_rop_parse_message(r, ctx, req);
    }

    if (rc == EXCH_ERR_UNKNOWN) {
        rc = exch_rop_parse_property(r, ctx, req);
    }

    if (rc == EXCH_ERR_UNKNOWN) {
        rc = exch_rop_parse_misc(r, ctx, req);
    }

    if (rc == EXCH_ERR_UNKNOWN) {
        /* a table entry without a parser: cannot happen */
        return exch_rd_fail(r, EXCH_ERR_UNKNOWN);
    }

    if (r->err != EXCH_OK) {
        return r->err;
    }

    req->raw = start;
    req->raw_len = (size_t) (r->p - start);

    return EXCH_OK;
}


int
exch_rop_parse_all(const uint8_t *rops, size_t len, exs_arena_t *a,
    const exch_rop_ctx_t *ctx, exch_rop_req_t **reqs, uint32_t *n)
{
    int              rc;
    uint32_t         cap;
    exch_rd_t        r;
    exch_rop_req_t  *v;

    *n = 0;

    /* a ROP request is at least 3 bytes */
    cap = (uint32_t) (len / 3 + 1);
    v = exs_calloc(a, cap * sizeof(exch_rop_req_t));
    *reqs = v;

    if (v == NULL) {
        return EXCH_ERR_NOMEM;
    }

    exch_rd_init(&r, rops, len, a, 0);

    while (exch_rd_left(&r) > 0 && *n < cap) {
        rc = exch_rop_parse(&r, ctx, &v[*n]);
        if (rc != EXCH_OK) {
            return rc;
        }

        (*n)++;
    }

    return EXCH_OK;
}


/* responses */

int
exch_rop_write_error(exch_wr_t *w, uint8_t rop_id, uint8_t index,
    uint32_t rv)
{
    exch_rop_rsp_t  rsp;

    memset(&rsp, 0, sizeof(exch_rop_rsp_t));
    rsp.rop_id = rop_id;
    rsp.index = index;
    rsp.rv = rv;

    return exch_rop_write_response(w, &rsp);
}


int
exch_rop_write_response(exch_wr_t *w, exch_rop_rsp_t *rsp)
{
    int                     rc, body;
    size_t                  start;
    uint8_t                 id;
    const exch_rop_info_t  *info;

    if (w->err != EXCH_OK) {
        return w->err;
    }

    info = exch_rop_info(rsp->rop_id);

    if (!(info->flags & EXCH_ROPF_KNOWN)
        || (info->flags & EXCH_ROPF_NO_RESPONSE))
    {
        return EXCH_ERR_UNKNOWN;
    }

    start = w->len;
    id = rsp->rop_id == EXCH_ROP_GET_MESSAGE_STATUS
         ? EXCH_ROP_SET_MESSAGE_STATUS : rsp->rop_id;

    exch_wr_u8(w, id);
    exch_wr_u8(w, rsp->index);
    exch_wr_u32(w, rsp->rv);

    body = rsp->rv == EXCH_EC_SUCCESS
           || (info->flags & EXCH_ROPF_FULL_ON_ERROR)
           || (rsp->rop_id == EXCH_ROP_GET_PROPERTY_IDS_FROM_NAMES
               && rsp->rv == EXCH_EC_WARN_WITH_ERRORS);

    if (rsp->rv == EXCH_EC_DST_NULL_OBJECT) {
        switch (rsp->rop_id) {
        case EXCH_ROP_MOVE_COPY_MESSAGES:
        case EXCH_ROP_MOVE_FOLDER:
        case EXCH_ROP_COPY_FOLDER:
            exch_wr_u32(w, rsp->u.partial.dest_index);
            exch_wr_u8(w, rsp->u.partial.partial);
            body = 0;
            break;

        case EXCH_ROP_COPY_PROPERTIES:
        case EXCH_ROP_COPY_TO:
            exch_wr_u32(w, rsp->u.problems.dest_index);
            body = 0;
            break;

        case EXCH_ROP_COPY_TO_STREAM:
            exch_wr_u32(w, rsp->u.copy_to_stream.dest_index);
            exch_wr_u64(w, rsp->u.copy_to_stream.read);
            exch_wr_u64(w, rsp->u.copy_to_stream.written);
            body = 0;
            break;
        }
    }

    if (rsp->rop_id == EXCH_ROP_LOGON && rsp->rv == EXCH_EC_WRONG_SERVER) {
        body = 1;
    }

    if (body && w->err == EXCH_OK) {
        rc = exch_rop_write_store(w, rsp);

        if (rc == EXCH_ERR_UNKNOWN) {
            rc = exch_rop_write_folder(w, rsp);
        }

        if (rc == EXCH_ERR_UNKNOWN) {
            rc = exch_rop_write_table(w, rsp);
        }

        if (rc == EXCH_ERR_UNKNOWN) {
            rc = exch_rop_write_message(w, rsp);
        }

        if (rc == EXCH_ERR_UNKNOWN) {
            rc = exch_rop_write_property(w, rsp);
        }

        if (rc == EXCH_ERR_UNKNOWN) {
            rc = exch_rop_write_misc(w, rsp);
        }

        if (rc == EXCH_ERR_UNKNOWN) {
            exch_wr_fail(w, EXCH_ERR_UNKNOWN);
        }
    }

    if (w->err != EXCH_OK) {
        rc = w->err;
        w->len = start;
        w->err = EXCH_OK;
        return rc;
    }

    return EXCH_OK;
}


/* server-only ROPs */

int
exch_rop_write_buffer_too_small(exch_wr_t *w, uint16_t size_needed,
    const uint8_t *requests, size_t len)
{
    exch_wr_u8(w, EXCH_ROP_BUFFER_TOO_SMALL);
    exch_wr_u16(w, size_needed);

    return exch_wr_bytes(w, requests, len);
}


int
exch_rop_write_pending(exch_wr_t *w, uint16_t session_index)
{
    exch_wr_u8(w, EXCH_ROP_PENDING);

    return exch_wr_u16(w, session_index);
}


int
exch_rop_write_backoff(exch_wr_t *w, uint8_t logon_id, uint32_t duration,
    const exch_backoff_rop_t *rops, uint8_t n, const uint8_t *extra,
    uint16_t extra_len)
{
    uint8_t  i;

    exch_wr_u8(w, EXCH_ROP_BACKOFF);
    exch_wr_u8(w, logon_id);
    exch_wr_u32(w, duration);
    exch_wr_u8(w, n);

    for (i = 0; i < n; i++) {
        exch_wr_u8(w, rops[i].rop_id);
        exch_wr_u32(w, rops[i].duration);
    }

    exch_wr_u16(w, extra_len);

    return exch_wr_bytes(w, extra, extra_len);
}


int
exch_rop_write_notify(exch_wr_t *w, uint32_t handle, uint8_t logon_id,
    const exch_notif_t *n)
{
    size_t  start;

    start = w->len;

    exch_wr_u8(w, EXCH_ROP_NOTIFY);
    exch_wr_u32(w, handle);
    exch_wr_u8(w, logon_id);
    exch_wr_u16(w, n->flags);

    if (n->has & EXCH_NF_TABLE_EVENT) {
        exch_wr_u16(w, n->table_event);
    }

    if (n->has & EXCH_NF_ROW_FID) {
        exch_wr_u64(w, n->row_fid);
    }

    if (n->has & EXCH_NF_ROW_MID) {
        exch_wr_u64(w, n->row_mid);
    }

    if (n->has & EXCH_NF_ROW_INSTANCE) {
        exch_wr_u32(w, n->row_instance);
    }

    if (n->has & EXCH_NF_AFTER_FID) {
        exch_wr_u64(w, n->after_fid);
    }

    if (n->has & EXCH_NF_AFTER_MID) {
        exch_wr_u64(w, n->after_mid);
    }

    if (n->has & EXCH_NF_AFTER_INSTANCE) {
        exch_wr_u32(w, n->after_instance);
    }

    if (n->has & EXCH_NF_ROW_DATA) {
        exch_wr_counted(w, 2, &n->row_data);
    }

    if (n->has & EXCH_NF_FID) {
        exch_wr_u64(w, n->fid);
    }

    if (n->has & EXCH_NF_MID) {
        exch_wr_u64(w, n->mid);
    }

    if (n->has & EXCH_NF_PARENT_FID) {
        exch_wr_u64(w, n->parent_fid);
    }

    if (n->has & EXCH_NF_OLD_FID) {
        exch_wr_u64(w, n->old_fid);
    }

    if (n->has & EXCH_NF_OLD_MID) {
        exch_wr_u64(w, n->old_mid);
    }

    if (n->has & EXCH_NF_OLD_PARENT_FID) {
        exch_wr_u64(w, n->old_parent_fid);
    }

    if (n->has & EXCH_NF_TAGS) {
        exch_write_tags(w, 0, n->tags.tags, n->tags.n);
    }

    if (n->has & EXCH_NF_TOTAL) {
        exch_wr_u32(w, n->total);
    }

    if (n->has & EXCH_NF_UNREAD) {
        exch_wr_u32(w, n->unread);
    }

    if (n->has & EXCH_NF_MESSAGE_FLAGS) {
        exch_wr_u32(w, n->message_flags);
    }

    if (n->has & EXCH_NF_MESSAGE_CLASS) {
        exch_wr_u8(w, n->unicode);

        if (n->unicode) {
            exch_wr_str16(w, n->message_class.data, n->message_class.len);

        } else {
            exch_wr_str8(w, n->message_class.data, n->message_class.len);
        }
    }

    if (w->err == EXCH_ERR_BUFSIZE) {
        exch_wr_truncate(w, start);
        return EXCH_ERR_BUFSIZE;
    }

    return w->err;
}
