
/*
 * exch-ropdump: reads a ROP input buffer (MS-OXCROPS 2.2.1) on stdin and
 * prints what the server's parser makes of it as JSON; with --respond it
 * also answers the ROPs of an Outlook-like session with canned values
 * and prints the ROP output buffer.  The tests feed it requests encoded by
 * the independent Python codec (t/mapihttp.py) and decode its responses
 * there, so one misreading of the spec cannot hide in both.
 *
 *   exch-ropdump [--chain] [--respond] [--compress] [--xor]
 *                [--public LOGONID] [--max-out BYTES] < buffer
 *   exch-ropdump --mapihttp REQUESTTYPE [--respond] < body
 *
 *   --chain       the input is an RPC_HEADER_EXT chain around the buffer
 *   --compress, --xor   wrap the response in RPC_HEADER_EXT with these
 *   --public      that logon id is a public folders logon
 *   --max-out     the size of the ROP output buffer (default 32768)
 *   --mapihttp    the input is the body of a MAPI/HTTP request of that
 *                 X-RequestType (mailbox or address book endpoint); the
 *                 response is the success body of that type
 *
 * Canned values: a property of id I reads as I (integers), I * 1000
 * (64-bit), "vIIII" (strings), { I >> 8, I & 0xFF } (binaries); id 0x6666
 * has no value.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcdata.h>
#include <exch_oxcrpc_rpc_ext.h>
#include <exch_oxcrops.h>
#include <exch_oxcmapihttp.h>


#define RD_MAX_INPUT    (1 << 20)


typedef struct {
    int                       public_logon;
    size_t                    max_out;
    exs_arena_t              *arena;
    exch_tags_t               columns;     /* the last SetColumns */
    uint32_t                  handles[256];
    uint32_t                  nhandles;
} rd_state_t;


static void json_str(const char *s, size_t len);
static void json_bin(const uint8_t *p, size_t len);
static void json_value(const exs_prop_t *p);
static void json_props(const exs_props_t *props);
static void json_tags(const exch_tags_t *tags);
static void json_ids(const exch_rop_ids_t *ids);
static void json_restriction(const exs_restriction_t *res);
static void json_rcpt_row(const exch_rcpt_row_t *row);
static void json_fields(const exch_rop_req_t *req);
static int rd_public(void *data, uint8_t logon_id);
static exs_prop_t rd_canned(exs_arena_t *a, uint32_t tag, uint32_t row);
static exs_props_t *rd_canned_row(rd_state_t *st, const exch_tags_t *cols,
    uint32_t row);
static int rd_respond(rd_state_t *st, exch_wr_t *w, const exch_rop_req_t *req);
static void json_stat(const exch_stat_t *stat);
static void json_nspi(const exch_nspi_req_t *req);
static void rd_nspi_respond(rd_state_t *st, exch_wr_t *w,
    const exch_nspi_req_t *req);
static int rd_mapihttp(rd_state_t *st, const char *name, const uint8_t *in,
    size_t len, int respond);


static void
json_str(const char *s, size_t len)
{
    size_t         i;
    unsigned char  c;

    putchar('"');

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            printf("\\%c", c);

        } else if (c < 0x20) {
            printf("\\u%04x", c);

        } else {
            putchar(c);
        }
    }

    putchar('"');
}


static void
json_bin(const uint8_t *p, size_t len)
{
    size_t  i;

    putchar('"');

    for (i = 0; i < len; i++) {
        printf("%02x", p[i]);
    }

    putchar('"');
}


static void
json_value(const exs_prop_t *p)
{
    uint32_t  i;
    uint16_t  type;

    type = PROP_TYPE(p->tag) & ~PT_MV_INSTANCE;

    switch (type) {
    case PT_NULL:
        printf("null");
        return;
    case PT_SHORT:
        printf("%d", p->v.i);
        return;
    case PT_LONG:
    case PT_ERROR:
        printf("%d", p->v.l);
        return;
    case PT_BOOLEAN:
        printf("%s", p->v.b ? "true" : "false");
        return;
    case PT_FLOAT:
        printf("%.9g", p->v.f);
        return;
    case PT_DOUBLE:
    case PT_APPTIME:
        printf("%.17g", p->v.d);
        return;
    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        printf("%lld", (long long) p->v.ll);
        return;
    case PT_STRING8:
    case PT_UNICODE:
        json_str(p->v.str.data, p->v.str.len);
        return;
    case PT_MV_LONG:
        putchar('[');

        for (i = 0; i < p->v.mv.n; i++) {
            printf("%s%d", i ? "," : "", p->v.mv.v.l[i]);
        }

        putchar(']');
        return;
    case PT_MV_STRING8:
    case PT_MV_UNICODE:
        putchar('[');

        for (i = 0; i < p->v.mv.n; i++) {
            printf("%s", i ? "," : "");
            json_str(p->v.mv.v.str[i].data, p->v.mv.v.str[i].len);
        }

        putchar(']');
        return;
    case PT_MV_BINARY:
        putchar('[');

        for (i = 0; i < p->v.mv.n; i++) {
            printf("%s", i ? "," : "");
            json_bin(p->v.mv.v.bin[i].data, p->v.mv.v.bin[i].len);
        }

        putchar(']');
        return;
    }

    if (type & PT_MV) {
        printf("\"mv:%u\"", p->v.mv.n);
        return;
    }

    json_bin(p->v.bin.data, p->v.bin.len);
}


static void
json_props(const exs_props_t *props)
{
    uint32_t  i;

    putchar('[');

    for (i = 0; i < props->n; i++) {
        printf("%s{\"tag\":%u,\"value\":", i ? "," : "", props->v[i].tag);
        json_value(&props->v[i]);
        putchar('}');
    }

    putchar(']');
}


static void
json_tags(const exch_tags_t *tags)
{
    uint32_t  i;

    putchar('[');

    for (i = 0; i < tags->n; i++) {
        printf("%s%u", i ? "," : "", tags->tags[i]);
    }

    putchar(']');
}


static void
json_ids(const exch_rop_ids_t *ids)
{
    uint16_t  i;

    putchar('[');

    for (i = 0; i < ids->n; i++) {
        printf("%s%llu", i ? "," : "", (unsigned long long) ids->ids[i]);
    }

    putchar(']');
}


static void
json_restriction(const exs_restriction_t *res)
{
    uint32_t  i;

    if (res == NULL) {
        printf("null");
        return;
    }

    printf("{\"type\":%u", res->type);

    switch (res->type) {
    case RES_AND:
    case RES_OR:
        printf(",\"sub\":[");

        for (i = 0; i < res->u.andor.n; i++) {
            printf("%s", i ? "," : "");
            json_restriction(&res->u.andor.sub[i]);
        }

        putchar(']');
        break;
    case RES_NOT:
        printf(",\"sub\":");
        json_restriction(res->u.not.sub);
        break;
    case RES_CONTENT:
        printf(",\"fuzzy\":%u,\"tag\":%u,\"value\":{\"tag\":%u,\"value\":",
               res->u.content.fuzzy, res->u.content.tag,
               res->u.content.val.tag);
        json_value(&res->u.content.val);
        putchar('}');
        break;
    case RES_PROPERTY:
        printf(",\"relop\":%u,\"tag\":%u,\"value\":{\"tag\":%u,\"value\":",
               res->u.prop.relop, res->u.prop.tag, res->u.prop.val.tag);
        json_value(&res->u.prop.val);
        putchar('}');
        break;
    case RES_COMPAREPROPS:
        printf(",\"relop\":%u,\"tag1\":%u,\"tag2\":%u", res->u.cmp.relop,
               res->u.cmp.tag1, res->u.cmp.tag2);
        break;
    case RES_BITMASK:
        printf(",\"op\":%u,\"tag\":%u,\"mask\":%u", res->u.bitmask.op,
               res->u.bitmask.tag, res->u.bitmask.mask);
        break;
    case RES_SIZE:
        printf(",\"relop\":%u,\"tag\":%u,\"size\":%u", res->u.size.relop,
               res->u.size.tag, res->u.size.size);
        break;
    case RES_EXIST:
        printf(",\"tag\":%u", res->u.exist.tag);
        break;
    case RES_SUBRESTRICTION:
        printf(",\"subobject\":%u,\"sub\":", res->u.sub.subobject);
        json_restriction(res->u.sub.sub);
        break;
    case RES_COMMENT:
        printf(",\"props\":");
        {
            exs_props_t  props;

            props.n = res->u.comment.nprops;
            props.v = res->u.comment.props;
            json_props(&props);
        }
        printf(",\"sub\":");
        json_restriction(res->u.comment.sub);
        break;
    case RES_COUNT:
        printf(",\"count\":%u,\"sub\":", res->u.count.count);
        json_restriction(res->u.count.sub);
        break;
    }

    putchar('}');
}


static void
json_rcpt_row(const exch_rcpt_row_t *row)
{
    printf("{\"flags\":%u", row->flags);

    if (row->flags & EXCH_RCPT_E) {
        printf(",\"email\":");
        json_str(row->email.data, row->email.len);
    }

    if (row->flags & EXCH_RCPT_D) {
        printf(",\"display_name\":");
        json_str(row->display_name.data, row->display_name.len);
    }

    if ((row->flags & EXCH_RCPT_TYPE_MASK) == EXCH_RCPT_TYPE_NONE
        && (row->flags & EXCH_RCPT_O))
    {
        printf(",\"address_type\":");
        json_str(row->address_type.data, row->address_type.len);
    }

    printf(",\"props\":");
    json_props(&row->props);
    putchar('}');
}


/* the fields of the ROPs an Outlook-like session sends */

static void
json_fields(const exch_rop_req_t *req)
{
    uint16_t  i;

    switch (req->rop_id) {
    case EXCH_ROP_LOGON:
        printf("\"flags\":%u,\"open_flags\":%u,\"store_state\":%u,"
               "\"essdn\":", req->u.logon.flags, req->u.logon.open_flags,
               req->u.logon.store_state);
        json_str(req->u.logon.essdn.data, req->u.logon.essdn.len);
        break;
    case EXCH_ROP_OPEN_FOLDER:
        printf("\"fid\":%llu,\"flags\":%u",
               (unsigned long long) req->u.open_folder.fid,
               req->u.open_folder.flags);
        break;
    case EXCH_ROP_GET_CONTENTS_TABLE:
    case EXCH_ROP_GET_HIERARCHY_TABLE:
    case EXCH_ROP_GET_ATTACHMENT_TABLE:
        printf("\"flags\":%u", req->u.table.flags);
        break;
    case EXCH_ROP_SET_COLUMNS:
        printf("\"flags\":%u,\"columns\":", req->u.set_columns.flags);
        json_tags(&req->u.set_columns.cols);
        break;
    case EXCH_ROP_SORT_TABLE:
        printf("\"flags\":%u,\"categories\":%u,\"expanded\":%u,\"keys\":[",
               req->u.sort_table.flags, req->u.sort_table.sort.ncategories,
               req->u.sort_table.sort.nexpanded);

        for (i = 0; i < req->u.sort_table.sort.n; i++) {
            printf("%s[%u,%u]", i ? "," : "",
                   req->u.sort_table.sort.keys[i].tag,
                   req->u.sort_table.sort.keys[i].order);
        }

        putchar(']');
        break;
    case EXCH_ROP_RESTRICT:
        printf("\"flags\":%u,\"restriction\":", req->u.restriction.flags);
        json_restriction(req->u.restriction.res);
        break;
    case EXCH_ROP_QUERY_ROWS:
        printf("\"flags\":%u,\"forward\":%u,\"count\":%u",
               req->u.query_rows.flags, req->u.query_rows.forward,
               req->u.query_rows.count);
        break;
    case EXCH_ROP_SEEK_ROW:
        printf("\"origin\":%u,\"count\":%d,\"want_moved\":%u",
               req->u.seek_row.origin, req->u.seek_row.count,
               req->u.seek_row.want_moved);
        break;
    case EXCH_ROP_OPEN_MESSAGE:
        printf("\"cpid\":%u,\"fid\":%llu,\"flags\":%u,\"mid\":%llu",
               req->u.open_message.cpid,
               (unsigned long long) req->u.open_message.fid,
               req->u.open_message.flags,
               (unsigned long long) req->u.open_message.mid);
        break;
    case EXCH_ROP_READ_RECIPIENTS:
        printf("\"row_id\":%u", req->u.read_recipients.row_id);
        break;
    case EXCH_ROP_GET_PROPERTIES_SPECIFIC:
        printf("\"size_limit\":%u,\"want_unicode\":%u,\"tags\":",
               req->u.get_properties_specific.size_limit,
               req->u.get_properties_specific.want_unicode);
        json_tags(&req->u.get_properties_specific.tags);
        break;
    case EXCH_ROP_GET_PROPERTIES_ALL:
        printf("\"size_limit\":%u,\"want_unicode\":%u",
               req->u.get_properties_all.size_limit,
               req->u.get_properties_all.want_unicode);
        break;
    case EXCH_ROP_SET_PROPERTIES:
    case EXCH_ROP_SET_PROPERTIES_NO_REPLICATE:
        printf("\"props\":");
        json_props(&req->u.set_properties.props);
        break;
    case EXCH_ROP_CREATE_MESSAGE:
        printf("\"cpid\":%u,\"fid\":%llu,\"associated\":%u",
               req->u.create_message.cpid,
               (unsigned long long) req->u.create_message.fid,
               req->u.create_message.associated);
        break;
    case EXCH_ROP_MODIFY_RECIPIENTS:
        printf("\"columns\":");
        json_tags(&req->u.modify_recipients.cols);
        printf(",\"rows\":[");

        for (i = 0; i < req->u.modify_recipients.n; i++) {
            printf("%s{\"row_id\":%u,\"type\":%u,\"row\":", i ? "," : "",
                   req->u.modify_recipients.rows[i].row_id,
                   req->u.modify_recipients.rows[i].type);

            if (req->u.modify_recipients.rows[i].has_row) {
                json_rcpt_row(&req->u.modify_recipients.rows[i].row);

            } else {
                printf("null");
            }

            putchar('}');
        }

        putchar(']');
        break;
    case EXCH_ROP_SAVE_CHANGES_MESSAGE:
    case EXCH_ROP_SAVE_CHANGES_ATTACHMENT:
        printf("\"flags\":%u", req->u.save_changes.flags);
        break;
    case EXCH_ROP_OPEN_STREAM:
        printf("\"tag\":%u,\"flags\":%u", req->u.open_stream.tag,
               req->u.open_stream.flags);
        break;
    case EXCH_ROP_READ_STREAM:
        printf("\"byte_count\":%u,\"max_byte_count\":%u",
               req->u.read_stream.byte_count,
               req->u.read_stream.max_byte_count);
        break;
    case EXCH_ROP_WRITE_STREAM:
    case EXCH_ROP_WRITE_AND_COMMIT_STREAM:
        printf("\"data\":");
        json_bin(req->u.write_stream.data.data, req->u.write_stream.data.len);
        break;
    case EXCH_ROP_SUBMIT_MESSAGE:
        printf("\"flags\":%u", req->u.submit_message.flags);
        break;
    case EXCH_ROP_DELETE_MESSAGES:
        printf("\"want_async\":%u,\"notify_non_read\":%u,\"mids\":",
               req->u.delete_messages.want_async,
               req->u.delete_messages.notify_non_read);
        json_ids(&req->u.delete_messages.mids);
        break;
    case EXCH_ROP_MOVE_COPY_MESSAGES:
        printf("\"want_async\":%u,\"want_copy\":%u,\"mids\":",
               req->u.move_copy_messages.want_async,
               req->u.move_copy_messages.want_copy);
        json_ids(&req->u.move_copy_messages.mids);
        break;
    case EXCH_ROP_CREATE_FOLDER:
        printf("\"type\":%u,\"unicode\":%u,\"open_existing\":%u,\"name\":",
               req->u.create_folder.type, req->u.create_folder.unicode,
               req->u.create_folder.open_existing);
        json_str(req->u.create_folder.name.data, req->u.create_folder.name.len);
        printf(",\"comment\":");
        json_str(req->u.create_folder.comment.data,
                 req->u.create_folder.comment.len);
        break;
    case EXCH_ROP_DELETE_FOLDER:
        printf("\"flags\":%u,\"fid\":%llu", req->u.delete_folder.flags,
               (unsigned long long) req->u.delete_folder.fid);
        break;
    case EXCH_ROP_GET_PROPERTY_IDS_FROM_NAMES:
        printf("\"flags\":%u,\"names\":[",
               req->u.get_property_ids_from_names.flags);

        for (i = 0; i < req->u.get_property_ids_from_names.n; i++) {
            const exs_propname_t  *nm;

            nm = &req->u.get_property_ids_from_names.names[i];
            printf("%s{\"kind\":%u,\"guid\":", i ? "," : "", nm->kind);
            json_bin(nm->guid, 16);

            if (nm->kind == MNID_ID) {
                printf(",\"lid\":%u", nm->lid);

            } else if (nm->kind == MNID_STRING) {
                printf(",\"name\":");
                json_str(nm->name, strlen(nm->name));
            }

            putchar('}');
        }

        putchar(']');
        break;
    case EXCH_ROP_SET_READ_FLAGS:
        printf("\"want_async\":%u,\"flags\":%u,\"mids\":",
               req->u.set_read_flags.want_async, req->u.set_read_flags.flags);
        json_ids(&req->u.set_read_flags.mids);
        break;
    case EXCH_ROP_REGISTER_NOTIFICATION:
        printf("\"types\":%u,\"whole_store\":%u,\"fid\":%llu,\"mid\":%llu",
               req->u.register_notification.types,
               req->u.register_notification.whole_store,
               (unsigned long long) req->u.register_notification.fid,
               (unsigned long long) req->u.register_notification.mid);
        break;
    default:
        printf("\"raw\":");
        json_bin(req->raw, req->raw_len);
        break;
    }
}


static int
rd_public(void *data, uint8_t logon_id)
{
    return ((rd_state_t *) data)->public_logon == logon_id;
}


static exs_prop_t
rd_canned(exs_arena_t *a, uint32_t tag, uint32_t row)
{
    char         *s;
    uint8_t      *b;
    uint16_t      id;
    exs_prop_t    p;

    memset(&p, 0, sizeof(p));
    id = PROP_ID(tag);
    p.tag = tag;

    switch (PROP_TYPE(tag)) {
    case PT_SHORT:
        p.v.i = (int16_t) (id & 0x7FFF);
        break;
    case PT_LONG:
        p.v.l = (int32_t) (id + row);
        break;
    case PT_BOOLEAN:
        p.v.b = 1;
        break;
    case PT_DOUBLE:
        p.v.d = id / 2.0;
        break;
    case PT_I8:
    case PT_SYSTIME:
    case PT_CURRENCY:
        p.v.ll = (int64_t) id * 1000 + row;
        break;
    case PT_STRING8:
    case PT_UNICODE:
        s = exs_alloc(a, 16);
        snprintf(s, 16, "v%04x", id);
        p.v.str.data = s;
        p.v.str.len = strlen(s);
        break;
    case PT_BINARY:
        b = exs_alloc(a, 2);
        b[0] = (uint8_t) (id >> 8);
        b[1] = (uint8_t) id;
        p.v.bin.data = b;
        p.v.bin.len = 2;
        break;
    default:
        p.tag = PROP_TAG(PT_ERROR, id);
        p.v.l = (int32_t) EXCH_EC_NOT_FOUND;
        break;
    }

    return p;
}


static exs_props_t *
rd_canned_row(rd_state_t *st, const exch_tags_t *cols, uint32_t row)
{
    uint32_t      i;
    exs_props_t  *r;

    r = exs_calloc(st->arena, sizeof(exs_props_t));
    r->v = exs_calloc(st->arena, (cols->n + 1) * sizeof(exs_prop_t));

    for (i = 0; i < cols->n; i++) {
        if (PROP_ID(cols->tags[i]) == 0x6666) {
            continue;
        }

        r->v[r->n++] = rd_canned(st->arena, cols->tags[i], row);
    }

    return r;
}


static int
rd_respond(rd_state_t *st, exch_wr_t *w, const exch_rop_req_t *req)
{
    uint32_t          i, n;
    uint16_t         *ids;
    exs_props_t      *rows;
    exch_rop_rsp_t    rsp;
    exch_rsp_rcpt_t  *rc;

    static uint32_t   rcols[3] = { 0x3001001F, 0x0C150003, 0x3003001F };
    static const char  *hello = "hello world";

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = req->rop_id;
    rsp.index = req->rsp_index;

    if (exch_rop_info(req->rop_id)->flags & EXCH_ROPF_OUT) {
        st->handles[req->out_index] = 0x1000 + req->out_index;
    }

    switch (req->rop_id) {

    case EXCH_ROP_RELEASE:
        return EXCH_OK;

    case EXCH_ROP_LOGON:
        rsp.u.logon.is_private = (req->u.logon.flags & EXCH_LOGON_PRIVATE)
                                 != 0;
        rsp.u.logon.flags = req->u.logon.flags;

        for (i = 0; i < 13; i++) {
            rsp.u.logon.fids[i] = exch_id_make(1, i + 1);
        }

        rsp.u.logon.response_flags = EXCH_LOGON_RESPONSE_RESERVED
                                     | EXCH_LOGON_RESPONSE_OWNER_RIGHT
                                     | EXCH_LOGON_RESPONSE_SEND_AS;

        for (i = 0; i < 16; i++) {
            rsp.u.logon.mailbox_guid[i] = (uint8_t) i;
            rsp.u.logon.repl_guid[i] = (uint8_t) (16 + i);
            rsp.u.logon.per_user_guid[i] = (uint8_t) (32 + i);
        }

        rsp.u.logon.replid = 1;
        rsp.u.logon.time.sec = 56;
        rsp.u.logon.time.min = 34;
        rsp.u.logon.time.hour = 12;
        rsp.u.logon.time.wday = 6;
        rsp.u.logon.time.day = 1;
        rsp.u.logon.time.month = 6;
        rsp.u.logon.time.year = 2024;
        break;

    case EXCH_ROP_OPEN_FOLDER:
    case EXCH_ROP_SAVE_CHANGES_ATTACHMENT:
    case EXCH_ROP_MODIFY_RECIPIENTS:
    case EXCH_ROP_COMMIT_STREAM:
    case EXCH_ROP_SUBMIT_MESSAGE:
    case EXCH_ROP_REGISTER_NOTIFICATION:
    case EXCH_ROP_DELETE_MESSAGES:
    case EXCH_ROP_MOVE_COPY_MESSAGES:
    case EXCH_ROP_DELETE_FOLDER:
    case EXCH_ROP_SET_READ_FLAGS:
    case EXCH_ROP_SET_COLUMNS:
    case EXCH_ROP_SORT_TABLE:
    case EXCH_ROP_RESTRICT:
        if (req->rop_id == EXCH_ROP_SET_COLUMNS) {
            st->columns = req->u.set_columns.cols;
        }

        break;

    case EXCH_ROP_GET_CONTENTS_TABLE:
    case EXCH_ROP_GET_HIERARCHY_TABLE:
        rsp.u.table.row_count = 3;
        break;

    case EXCH_ROP_QUERY_ROWS:
        n = req->u.query_rows.count < 3 ? req->u.query_rows.count : 3;
        rows = exs_calloc(st->arena, (n + 1) * sizeof(exs_props_t));

        for (i = 0; i < n; i++) {
            rows[i] = *rd_canned_row(st, &st->columns, i);
        }

        rsp.u.query_rows.origin = n == 3 ? 2 : 1;
        rsp.u.query_rows.cols = st->columns;
        rsp.u.query_rows.nrows = (uint16_t) n;
        rsp.u.query_rows.rows = rows;
        break;

    case EXCH_ROP_SEEK_ROW:
        rsp.u.seek_row.rows_sought = req->u.seek_row.count;
        break;

    case EXCH_ROP_OPEN_MESSAGE:
    case EXCH_ROP_READ_RECIPIENTS:
        rc = exs_calloc(st->arena, sizeof(exch_rsp_rcpt_t));
        rc->row_id = req->rop_id == EXCH_ROP_READ_RECIPIENTS
                     ? req->u.read_recipients.row_id : 0;
        rc->type = 1;
        rc->cpid = 65001;
        rc->row.flags = EXCH_RCPT_TYPE_SMTP | EXCH_RCPT_E | EXCH_RCPT_D
                        | EXCH_RCPT_U;
        rc->row.email.data = "u1@example.com";
        rc->row.email.len = 14;
        rc->row.display_name.data = "User One";
        rc->row.display_name.len = 8;
        rc->row.ncols = 2;
        rc->row.props.v = exs_calloc(st->arena, 2 * sizeof(exs_prop_t));
        rc->row.props.n = 2;
        rc->row.props.v[0].tag = rcols[0];
        rc->row.props.v[0].v.str = rc->row.display_name;
        rc->row.props.v[1].tag = rcols[1];
        rc->row.props.v[1].v.l = 1;

        if (req->rop_id == EXCH_ROP_READ_RECIPIENTS) {
            rsp.u.read_recipients.cols.n = 3;
            rsp.u.read_recipients.cols.tags = rcols;
            rsp.u.read_recipients.nrows = 1;
            rsp.u.read_recipients.rows = rc;
            break;
        }

        rsp.u.open_message.subject_prefix.type = 0xFF;
        rsp.u.open_message.normalized_subject.type = 0xFF;
        rsp.u.open_message.normalized_subject.s.data = "Subject";
        rsp.u.open_message.normalized_subject.s.len = 7;
        rsp.u.open_message.recipient_count = 1;
        rsp.u.open_message.cols.n = 3;
        rsp.u.open_message.cols.tags = rcols;
        rsp.u.open_message.nrows = 1;
        rsp.u.open_message.rows = rc;
        break;

    case EXCH_ROP_GET_PROPERTIES_SPECIFIC:
        rsp.u.get_properties_specific.cols =
            req->u.get_properties_specific.tags;
        rsp.u.get_properties_specific.row =
            rd_canned_row(st, &req->u.get_properties_specific.tags, 0);
        break;

    case EXCH_ROP_GET_PROPERTIES_ALL:
        {
            static uint32_t     all[3] = { 0x0037001F, 0x00170003,
                                           0x0E080003 };
            static exch_tags_t  cols = { 3, all };

            rsp.u.get_properties_all.props = rd_canned_row(st, &cols, 0);
        }
        break;

    case EXCH_ROP_SET_PROPERTIES:
        for (i = 0; i < req->u.set_properties.props.n; i++) {
            if (PROP_ID(req->u.set_properties.props.v[i].tag) == 0x6666) {
                exch_problem_t  *pp;

                pp = exs_calloc(st->arena, sizeof(exch_problem_t));
                pp->index = (uint16_t) i;
                pp->tag = req->u.set_properties.props.v[i].tag;
                pp->err = EXCH_EC_ACCESS_DENIED;
                rsp.u.problems.n = 1;
                rsp.u.problems.problems = pp;
            }
        }

        break;

    case EXCH_ROP_CREATE_MESSAGE:
        rsp.u.create_message.has_mid = 1;
        rsp.u.create_message.mid = exch_id_make(1, 0x100);
        break;

    case EXCH_ROP_SAVE_CHANGES_MESSAGE:
        rsp.u.save_changes_message.in_index = req->in_index;
        rsp.u.save_changes_message.mid = exch_id_make(1, 0x100);
        break;

    case EXCH_ROP_CREATE_ATTACHMENT:
        rsp.u.create_attachment.attach_id = 0;
        break;

    case EXCH_ROP_OPEN_STREAM:
        rsp.u.stream_size.size = 11;
        break;

    case EXCH_ROP_READ_STREAM:
        n = req->u.read_stream.byte_count < 11 ? req->u.read_stream.byte_count
                                               : 11;
        rsp.u.read_stream.data.data = (const uint8_t *) hello;
        rsp.u.read_stream.data.len = n;
        break;

    case EXCH_ROP_WRITE_STREAM:
        rsp.u.write_stream.written = (uint32_t) req->u.write_stream.data.len;
        break;

    case EXCH_ROP_CREATE_FOLDER:
        rsp.u.create_folder.fid = exch_id_make(1, 0x200);
        break;

    case EXCH_ROP_GET_PROPERTY_IDS_FROM_NAMES:
        n = req->u.get_property_ids_from_names.n;
        ids = exs_calloc(st->arena, (n + 1) * sizeof(uint16_t));

        for (i = 0; i < n; i++) {
            ids[i] = (uint16_t) (0x8000 + i);
        }

        rsp.u.get_property_ids_from_names.n = (uint16_t) n;
        rsp.u.get_property_ids_from_names.ids = ids;
        break;

    default:
        return exch_rop_write_error(w, req->rop_id, req->rsp_index,
                                    EXCH_EC_NOT_SUPPORTED);
    }

    return exch_rop_write_response(w, &rsp);
}


static void
json_stat(const exch_stat_t *stat)
{
    printf("{\"sort_type\":%u,\"container\":%u,\"cur_rec\":%u,"
           "\"delta\":%d,\"num_pos\":%u,\"total\":%u,\"codepage\":%u,"
           "\"template_locale\":%u,\"sort_locale\":%u}",
           stat->sort_type, stat->container_id, stat->cur_rec, stat->delta,
           stat->num_pos, stat->total_rec, stat->codepage,
           stat->template_locale, stat->sort_locale);
}


static void
json_nspi(const exch_nspi_req_t *req)
{
    uint32_t  i;

    printf(",\"flags\":%u", req->flags);

    if (req->has_state) {
        printf(",\"state\":");
        json_stat(&req->stat);
    }

    if (req->has_mids) {
        printf(",\"mids\":");
        json_tags(&req->mids);
    }

    printf(",\"mid1\":%u,\"mid2\":%u,\"interface_flags\":%u,"
           "\"row_count\":%u,\"codepage\":%u,\"locale\":%u,"
           "\"display_type\":%u,\"tag\":%u,\"delta_requested\":%u",
           req->mid1, req->mid2, req->interface_flags, req->row_count,
           req->codepage, req->locale_id, req->display_type, req->tag,
           req->delta_requested);

    if (req->has_filter) {
        printf(",\"filter\":");
        json_restriction(&req->filter);
    }

    if (req->has_propname) {
        printf(",\"propname\":{\"guid\":");
        json_bin(req->propname_guid, 16);
        printf(",\"id\":%u}", req->propname_id);
    }

    if (req->has_columns) {
        printf(",\"columns\":");
        json_tags(&req->columns);
    }

    if (req->has_tags) {
        printf(",\"tags\":");
        json_tags(&req->tags);
    }

    if (req->has_version) {
        printf(",\"version\":%u", req->version);
    }

    if (req->has_dn) {
        printf(",\"dn\":");
        json_str(req->dn.data, req->dn.len);
    }

    if (req->has_eids) {
        printf(",\"eids\":[");

        for (i = 0; i < req->neids; i++) {
            printf("%s{\"id_type\":%u,\"provider\":", i ? "," : "",
                   req->eids[i].id_type);
            json_bin(req->eids[i].provider, 16);
            printf(",\"display_type\":%u,\"mid\":%u,\"dn\":",
                   req->eids[i].display_type, req->eids[i].mid);
            json_str(req->eids[i].dn.data, req->eids[i].dn.len);
            putchar('}');
        }

        putchar(']');
    }

    if (req->has_values) {
        printf(",\"values\":");
        json_props(&req->values);
    }

    if (req->has_names) {
        printf(",\"names\":[");

        for (i = 0; i < req->names.n; i++) {
            if (i) {
                putchar(',');
            }

            json_str(req->names.v[i].data, req->names.v[i].len);
        }

        putchar(']');
    }

    if (req->has_target) {
        printf(",\"target\":{\"tag\":%u,\"value\":", req->target.tag);
        json_value(&req->target);
        putchar('}');
    }

    if (req->has_explicit) {
        printf(",\"explicit\":");
        json_tags(&req->explicit_table);
    }

    printf(",\"aux\":");
    json_bin(req->aux.data, req->aux.len);
}


/*
 * Canned NSPI answers: minimal ids 0x100 + i, the request's STAT with
 * CurrentRec 0x100, rows of canned values for the requested columns (or
 * PR_DISPLAY_NAME, PR_ENTRYID, PR_DISPLAY_TYPE), Bind's server GUID
 * 0..15, CompareMIds the sign of Mid1 - Mid2, UpdateStat's delta 5.
 */

static void
rd_nspi_respond(rd_state_t *st, exch_wr_t *w, const exch_nspi_req_t *req)
{
    uint32_t          i, n;
    exch_tags_t       cols;
    exs_props_t      *rows;
    exch_nspi_rsp_t   rsp;
    static uint32_t   fixed[] = { 0x3001001F, 0x0FFF0102, 0x39000003 };

    memset(&rsp, 0, sizeof(rsp));
    rsp.type = req->type;
    rsp.codepage = 1252;
    rsp.stat = req->stat;
    rsp.stat.cur_rec = 0x100;

    cols.n = 3;
    cols.tags = fixed;

    if (req->has_columns) {
        cols = req->columns;

    } else if (req->has_tags) {
        cols = req->tags;
    }

    n = 2;
    rows = exs_calloc(st->arena, n * sizeof(exs_props_t));

    for (i = 0; i < n; i++) {
        rows[i] = *rd_canned_row(st, &cols, i);
    }

    rsp.columns = cols;
    rsp.rows = rows;
    rsp.nrows = n;
    rsp.has_rows = 1;
    rsp.mids.n = 2;
    rsp.mids.tags = exs_calloc(st->arena, 2 * sizeof(uint32_t));
    rsp.mids.tags[0] = 0x100;
    rsp.mids.tags[1] = 0x101;

    switch (req->type) {

    case EXCH_MH_BIND:
        for (i = 0; i < 16; i++) {
            rsp.server_guid[i] = (uint8_t) i;
        }

        break;

    case EXCH_MH_UNBIND:
        rsp.error_code = EXCH_NSPI_UNBIND_SUCCESS;
        break;

    case EXCH_MH_COMPARE_MIDS:
        rsp.result = (req->mid1 > req->mid2) - (req->mid1 < req->mid2);
        break;

    case EXCH_MH_DNTOMID:
    case EXCH_MH_RESOLVE_NAMES:
        rsp.has_mids = 1;
        rsp.mids.n = req->names.n;
        rsp.mids.tags = exs_calloc(st->arena,
                                   (req->names.n + 1) * sizeof(uint32_t));

        for (i = 0; i < req->names.n; i++) {
            rsp.mids.tags[i] = 0x100 + i;
        }

        rsp.nrows = req->type == EXCH_MH_RESOLVE_NAMES
                    ? (req->names.n < n ? req->names.n : n) : 0;
        break;

    case EXCH_MH_GET_MATCHES:
    case EXCH_MH_RESORT_RESTRICTION:
        rsp.has_mids = 1;
        rsp.has_state = 1;
        break;

    case EXCH_MH_GET_PROP_LIST:
    case EXCH_MH_QUERY_COLUMNS:
        rsp.has_tags = 1;
        rsp.columns.n = 3;
        rsp.columns.tags = fixed;
        break;

    case EXCH_MH_GET_PROPS:
    case EXCH_MH_GET_TEMPLATE_INFO:
        rsp.nrows = 1;
        break;

    case EXCH_MH_GET_SPECIAL_TABLE:
        rsp.has_version = 1;
        rsp.version = req->version + 1;
        break;

    case EXCH_MH_QUERY_ROWS:
    case EXCH_MH_SEEK_ENTRIES:
        rsp.has_state = 1;
        break;

    case EXCH_MH_UPDATE_STAT:
        rsp.has_state = 1;
        rsp.has_delta = req->delta_requested != 0;
        rsp.delta = 5;
        break;

    case EXCH_MH_GET_MAILBOX_URL:
        rsp.url = "https://exch.example/mapi/emsmdb/?MailboxId=u1";
        break;

    case EXCH_MH_GET_ADDRESS_BOOK_URL:
        rsp.url = "https://exch.example/mapi/nspi/?MailboxId=u1";
        break;

    default:
        break;
    }

    exch_mh_write_nspi(w, &rsp);
}


static int
rd_mapihttp(rd_state_t *st, const char *name, const uint8_t *in, size_t len,
    int respond)
{
    int                                type, rc;
    exch_wr_t                          w;
    exch_nspi_req_t                    nreq;
    exch_mh_connect_req_t              creq;
    exch_mh_connect_rsp_t              crsp;
    exch_mh_execute_req_t              ereq;
    exch_mh_execute_rsp_t              ersp;
    exch_mh_disconnect_req_t           dreq;
    exch_mh_disconnect_rsp_t           drsp;

    type = exch_mh_request_type(name, strlen(name));
    if (type == 0) {
        printf("{\"error\":\"unknown request type\"}\n");
        return 0;
    }

    exch_wr_init_grow(&w, st->arena, 256, 1 << 20);

    memset(&crsp, 0, sizeof(crsp));
    memset(&ersp, 0, sizeof(ersp));
    memset(&drsp, 0, sizeof(drsp));

    printf("{\"type\":");
    json_str(exch_mh_request_name(type), strlen(exch_mh_request_name(type)));

    switch (type) {

    case EXCH_MH_CONNECT:
        rc = exch_mh_parse_connect(in, len, st->arena, &creq);
        if (rc != EXCH_OK) {
            break;
        }

        printf(",\"user_dn\":");
        json_str(creq.user_dn.data, creq.user_dn.len);
        printf(",\"flags\":%u,\"cpid\":%u,\"lcid_sort\":%u,"
               "\"lcid_string\":%u,\"aux\":", creq.flags, creq.cpid,
               creq.lcid_sort, creq.lcid_string);
        json_bin(creq.aux.data, creq.aux.len);

        crsp.max_polling_interval = 60000;
        crsp.retry_count = 6;
        crsp.retry_delay = 10000;
        crsp.dn_prefix = "/o=exch/ou=Exchange Administrative Group";
        crsp.display_name = "User One \xc3\xa9\xf0\x9f\x98\x80";
        crsp.aux = creq.aux;
        exch_mh_write_connect(&w, &crsp);
        break;

    case EXCH_MH_EXECUTE:
        rc = exch_mh_parse_execute(in, len, st->arena, &ereq);
        if (rc != EXCH_OK) {
            break;
        }

        printf(",\"flags\":%u,\"max_rop_out\":%u,\"rop_buffer\":",
               ereq.flags, ereq.max_rop_out);
        json_bin(ereq.rop_buffer.data, ereq.rop_buffer.len);
        printf(",\"aux\":");
        json_bin(ereq.aux.data, ereq.aux.len);

        /* echoes the buffer and the aux */
        ersp.flags = ereq.flags;
        ersp.rop_buffer = ereq.rop_buffer;
        ersp.aux = ereq.aux;
        exch_mh_write_execute(&w, &ersp);
        break;

    case EXCH_MH_DISCONNECT:
    case EXCH_MH_NOTIFICATION_WAIT:
        rc = type == EXCH_MH_DISCONNECT
             ? exch_mh_parse_disconnect(in, len, st->arena, &dreq)
             : exch_mh_parse_notification_wait(in, len, st->arena, &dreq);
        if (rc != EXCH_OK) {
            break;
        }

        printf(",\"flags\":%u,\"aux\":", dreq.flags);
        json_bin(dreq.aux.data, dreq.aux.len);

        if (type == EXCH_MH_DISCONNECT) {
            exch_mh_write_disconnect(&w, &drsp);

        } else {
            drsp.event_pending = 1;
            exch_mh_write_notification_wait(&w, &drsp);
        }

        break;

    default:
        rc = exch_mh_parse_nspi(type, in, len, st->arena, &nreq);
        if (rc != EXCH_OK) {
            break;
        }

        json_nspi(&nreq);
        rd_nspi_respond(st, &w, &nreq);
        break;
    }

    if (rc != EXCH_OK) {
        printf(",\"error\":\"%s\"}\n", exch_strerror(rc));
        return 0;
    }

    if (respond) {
        if (w.err != EXCH_OK) {
            printf(",\"response_error\":\"%s\"", exch_strerror(w.err));

        } else {
            printf(",\"response\":");
            json_bin(w.buf, w.len);
        }
    }

    printf("}\n");

    return 0;
}


int
main(int argc, char **argv)
{
    int                rc, i, chain, respond, compress, xor;
    char              *mapihttp;
    size_t             len, mark, start;
    uint8_t           *in, *out;
    uint16_t           flags;
    uint32_t           k;
    exch_rd_t          r;
    exch_wr_t          w, cw;
    rd_state_t         st;
    exch_ropbuf_t      rb;
    exch_rop_req_t     req;
    exch_rop_ctx_t     ctx;
    exch_rhe_chain_t   ch;

    memset(&st, 0, sizeof(st));
    st.public_logon = -1;
    st.max_out = 32768;
    chain = respond = compress = xor = 0;
    mapihttp = NULL;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--chain") == 0) {
            chain = 1;
        } else if (strcmp(argv[i], "--respond") == 0) {
            respond = 1;
        } else if (strcmp(argv[i], "--compress") == 0) {
            compress = 1;
        } else if (strcmp(argv[i], "--xor") == 0) {
            xor = 1;
        } else if (strcmp(argv[i], "--public") == 0 && i + 1 < argc) {
            st.public_logon = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--max-out") == 0 && i + 1 < argc) {
            st.max_out = (size_t) atol(argv[++i]);
        } else if (strcmp(argv[i], "--mapihttp") == 0 && i + 1 < argc) {
            mapihttp = argv[++i];
        } else {
            fprintf(stderr, "usage: exch-ropdump [--chain] [--respond] "
                    "[--compress] [--xor] [--public ID] [--max-out N]\n"
                    "       exch-ropdump --mapihttp TYPE [--respond]\n");
            return 2;
        }
    }

    st.arena = exs_arena_create(0);
    in = malloc(RD_MAX_INPUT);
    out = malloc(st.max_out + 16);

    if (st.arena == NULL || in == NULL || out == NULL) {
        return 1;
    }

    len = fread(in, 1, RD_MAX_INPUT, stdin);

    if (mapihttp != NULL) {
        rc = rd_mapihttp(&st, mapihttp, in, len, respond);
        goto done;
    }

    if (chain) {
        rc = exch_rhe_parse(in, len, st.arena, 0x100000, &ch);
        if (rc != EXCH_OK) {
            printf("{\"error\":\"%s\",\"stage\":\"chain\"}\n",
                   exch_strerror(rc));
            return 0;
        }

        memcpy(in, ch.data, ch.len);
        len = ch.len;
    }

    rc = exch_ropbuf_parse(in, len, st.arena, &rb);
    if (rc != EXCH_OK) {
        printf("{\"error\":\"%s\",\"stage\":\"buffer\"}\n", exch_strerror(rc));
        return 0;
    }

    st.nhandles = rb.nhandles;
    memcpy(st.handles, rb.handles, rb.nhandles * sizeof(uint32_t));

    ctx.logon_is_public = rd_public;
    ctx.data = &st;

    exch_rd_init(&r, rb.rops, rb.rops_len, st.arena, 0);
    exch_wr_init(&w, out, st.max_out);
    exch_ropbuf_begin(&w, st.nhandles, &mark);

    printf("{\"handles\":[");

    for (k = 0; k < rb.nhandles; k++) {
        printf("%s%u", k ? "," : "", rb.handles[k]);
    }

    printf("],\"rops\":[");
    rc = EXCH_OK;

    for (k = 0; exch_rd_left(&r) > 0; k++) {
        rc = exch_rop_parse(&r, &ctx, &req);
        if (rc != EXCH_OK) {
            break;
        }

        printf("%s{\"rop\":\"%s\",\"id\":%u,\"logon\":%u,\"in\":%u,"
               "\"out\":%u,\"rsp\":%u,\"len\":%zu,", k ? "," : "",
               exch_rop_info(req.rop_id)->name, req.rop_id, req.logon_id,
               req.in_index, req.out_index, req.rsp_index, req.raw_len);
        json_fields(&req);
        putchar('}');

        if (!respond) {
            continue;
        }

        start = w.len;

        if (rd_respond(&st, &w, &req) == EXCH_ERR_BUFSIZE) {
            exch_wr_truncate(&w, start);
            exch_rop_write_buffer_too_small(&w, 0x8000, req.raw,
                                            rb.rops + rb.rops_len - req.raw);
            break;
        }
    }

    printf("]");

    if (rc != EXCH_OK) {
        printf(",\"error\":\"%s\"", exch_strerror(rc));
    }

    if (respond) {
        if (exch_ropbuf_end(&w, mark, st.handles, st.nhandles) != EXCH_OK) {
            /* not even RopBufferTooSmall with the unprocessed requests
             * fits: the Execute fails as a whole */
            printf(",\"response_error\":\"%s\"}\n", exch_strerror(w.err));
            goto done;
        }

        if (compress || xor) {
            exch_wr_init_grow(&cw, st.arena, w.len + 64, 0x100000);
            flags = EXCH_RHE_LAST;
            flags |= compress ? EXCH_RHE_COMPRESSED : 0;
            flags |= xor ? EXCH_RHE_XORMAGIC : 0;
            exch_rhe_write(&cw, st.arena, w.buf, w.len, flags, &flags);
            printf(",\"rhe_flags\":%u", flags);
            w = cw;
        }

        printf(",\"response\":");
        json_bin(w.buf, w.len);
    }

    printf("}\n");

done:

    exs_arena_destroy(st.arena);
    free(in);
    free(out);

    return 0;
}
