
/*
 * exch-mime: shows what the MIME converter makes of a message.
 *
 *     exch-mime FILE.eml          the MAPI message (properties, recipients,
 *                                 attachments, embedded messages)
 *     exch-mime -o FILE.eml       the MIME it converts back to
 *     exch-mime -t FILE.tnef      a TNEF stream, decoded
 *
 * A debugging aid for the converter (store/exs_oxcmail*.c, exs_tnef.c).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exs_mapi.h>
#include <exs_oxcmail.h>
#include <exs_tnef.h>


static void dump_msg(exs_msg_t *msg, exs_namemap_t *nm, int indent,
    exs_arena_t *a);
static void dump_props(exs_props_t *bag, exs_namemap_t *nm, int indent,
    exs_arena_t *a);
static void dump_bytes(const uint8_t *p, size_t len, int text);
static uint8_t *slurp(const char *path, size_t *len);


int
main(int argc, char **argv)
{
    int                  rc, out, tnef;
    size_t               len;
    uint8_t             *data;
    exs_bin_t            mime;
    exs_msg_t           *msg;
    exs_arena_t         *a;
    exs_tnef_ctx_t       tc;
    exs_namemap_t       *nm;
    exs_oxcmail_opts_t   o;
    exs_oxcmail_info_t   info;

    out = argc > 2 && strcmp(argv[1], "-o") == 0;
    tnef = argc > 2 && strcmp(argv[1], "-t") == 0;

    if (argc < 2 + (out || tnef)) {
        fprintf(stderr, "usage: exch-mime [-o|-t] FILE\n");
        return 2;
    }

    data = slurp(argv[1 + (out || tnef)], &len);
    if (data == NULL) {
        perror(argv[1 + (out || tnef)]);
        return 1;
    }

    a = exs_arena_create(0);
    nm = exs_namemap_mem_create(a);

    if (tnef) {
        memset(&tc, 0, sizeof(tc));
        msg = exs_msg_create(a);
        rc = exs_tnef_read(data, len, nm, msg, &tc, a);
        printf("tnef: %s, %u properties dropped\n", exs_strerror(rc),
               tc.dropped);
        dump_msg(msg, nm, 0, a);
        free(data);
        exs_arena_destroy(a);
        return 0;
    }

    memset(&o, 0, sizeof(o));
    o.namemap = nm;

    rc = exs_oxcmail_import(data, len, &o, &msg, &info, a);
    if (rc != EXS_OK) {
        fprintf(stderr, "import: %s\n", exs_strerror(rc));
        return 1;
    }

    if (out) {
        o.flags = EXS_OXCMAIL_FOR_READ;
        rc = exs_oxcmail_export(msg, &o, &mime, a);
        if (rc != EXS_OK) {
            fprintf(stderr, "export: %s\n", exs_strerror(rc));
            return 1;
        }

        fwrite(mime.data, 1, mime.len, stdout);

    } else {
        printf("lossy 0x%x, %u warnings, depth %u\n", info.lossy,
               info.warnings, info.depth);
        dump_msg(msg, nm, 0, a);
    }

    free(data);
    exs_arena_destroy(a);
    exs_mime_shutdown();

    return 0;
}


static void
dump_msg(exs_msg_t *msg, exs_namemap_t *nm, int indent, exs_arena_t *a)
{
    uint32_t  i;

    dump_props(&msg->props, nm, indent, a);

    for (i = 0; i < msg->nrcpts; i++) {
        printf("%*srecipient %u\n", indent, "", i);
        dump_props(&msg->rcpts[i].props, nm, indent + 4, a);
    }

    for (i = 0; i < msg->natts; i++) {
        printf("%*sattachment %u\n", indent, "", i);
        dump_props(&msg->atts[i].props, nm, indent + 4, a);

        if (msg->atts[i].embedded) {
            printf("%*sembedded message\n", indent + 4, "");
            dump_msg(msg->atts[i].embedded, nm, indent + 8, a);
        }
    }
}


static void
dump_props(exs_props_t *bag, exs_namemap_t *nm, int indent, exs_arena_t *a)
{
    uint16_t         type;
    uint32_t         i, k;
    exs_prop_t      *p;
    exs_propname_t   pn;

    for (i = 0; i < bag->n; i++) {
        p = &bag->v[i];
        type = PROP_TYPE(p->tag);

        printf("%*s%08X", indent, "", p->tag);

        if (PROP_ID(p->tag) >= EXS_NAMED_FIRST
            && nm->get_name(nm, PROP_ID(p->tag), &pn, a) == EXS_OK)
        {
            if (pn.kind == MNID_STRING) {
                printf(" [%s]", pn.name);
            } else {
                printf(" [lid 0x%04X]", pn.lid);
            }
        }

        printf(" = ");

        switch (type) {
        case PT_SHORT:
            printf("%d", p->v.i);
            break;
        case PT_LONG:
        case PT_ERROR:
            printf("%d (0x%X)", p->v.l, (uint32_t) p->v.l);
            break;
        case PT_BOOLEAN:
            printf("%s", p->v.b ? "true" : "false");
            break;
        case PT_I8:
        case PT_SYSTIME:
        case PT_CURRENCY:
            printf("%lld", (long long) p->v.ll);
            break;
        case PT_DOUBLE:
        case PT_APPTIME:
            printf("%g", p->v.d);
            break;
        case PT_FLOAT:
            printf("%g", p->v.f);
            break;
        case PT_UNICODE:
        case PT_STRING8:
            dump_bytes((const uint8_t *) p->v.str.data, p->v.str.len, 1);
            break;
        case PT_BINARY:
        case PT_CLSID:
        case PT_SVREID:
            dump_bytes(p->v.bin.data, p->v.bin.len, 0);
            break;
        case PT_MV_UNICODE:
        case PT_MV_STRING8:
            for (k = 0; k < p->v.mv.n; k++) {
                printf("%s", k ? ", " : "");
                dump_bytes((const uint8_t *) p->v.mv.v.str[k].data,
                           p->v.mv.v.str[k].len, 1);
            }
            break;
        default:
            printf("(type 0x%04X, %u values)", type,
                   type & PT_MV ? p->v.mv.n : 1);
            break;
        }

        printf("\n");
    }
}


static void
dump_bytes(const uint8_t *p, size_t len, int text)
{
    size_t  i, n;

    n = len > 120 ? 120 : len;

    if (text) {
        putchar('"');

        for (i = 0; i < n; i++) {
            if (p[i] == '\r') {
                fputs("\\r", stdout);
            } else if (p[i] == '\n') {
                fputs("\\n", stdout);
            } else {
                putchar(p[i]);
            }
        }

        putchar('"');

    } else {
        for (i = 0; i < n && i < 48; i++) {
            printf("%02x", p[i]);
        }
    }

    if (len > n || (!text && len > 48)) {
        printf("... (%zu bytes)", len);
    }
}


static uint8_t *
slurp(const char *path, size_t *len)
{
    long      n;
    FILE     *f;
    uint8_t  *d;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    d = malloc(n > 0 ? n : 1);

    if (d && n > 0 && fread(d, 1, n, f) != (size_t) n) {
        free(d);
        d = NULL;
    }

    fclose(f);
    *len = n > 0 ? (size_t) n : 0;

    return d;
}
