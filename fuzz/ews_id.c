
/*
 * libFuzzer target: the EWS id codecs and the other compact formats EWS
 * clients hand back to the server, and the HTML filter.  The first byte
 * chooses (0xF0 and up: the filter, else its value modulo 9):
 *
 *   0  EwsId / EwsLegacyId (base64), then encoded and decoded again: the
 *      same id must come back
 *   1  ChangeKey
 *   2  MAPI entry ids (ConvertId's EntryId / HexEntryId), made again
 *   3  StoreId / OwaId
 *   4  SyncState, encoded again and compared
 *   5  hex
 *   6  xs:dateTime, xs:duration
 *   7  a recurrence blob (PidLidAppointmentRecur) as EWS writes it
 *   8  a TZDEFINITION's bias at a time
 *   9  FilterHtmlContent's filter: the output no longer than four times
 *      the input, and filtering it again changes nothing
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <exch_ews.h>
#include <exch_ews_items.h>
#include <exch_ews_sync.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fuzz_same_id(const exch_ews_id_t *a, const exch_ews_id_t *b);


static void
fuzz_same_id(const exch_ews_id_t *a, const exch_ews_id_t *b)
{
    if (a->kind != b->kind || memcmp(a->guid, b->guid, 16) != 0
        || a->fid != b->fid || (a->kind != EXCH_EWS_ID_FOLDER
                                && a->mid != b->mid)
        || a->natt != b->natt
        || memcmp(a->att, b->att, a->natt * sizeof(int32_t)) != 0)
    {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                    bias;
    char                  *s, *enc, *again_html;
    size_t                 n, n2, len;
    int64_t                ft;
    uint8_t                buf[256];
    exs_bin_t              xid, blob;
    exch_ews_t             ews;
    exs_arena_t           *a;
    exch_ews_id_t          id, again;
    exch_ews_syncstate_t   st, st2;

    if (size == 0) {
        return 0;
    }

    a = exs_arena_create(0);
    if (a == NULL) {
        return 0;
    }

    s = exs_alloc(a, size);
    if (s == NULL) {
        exs_arena_destroy(a);
        return 0;
    }

    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    len = size - 1;

    switch (data[0] < 0xF0 ? data[0] % 9 : 9) {

    case 0:
        memset(&id, 0, sizeof(exch_ews_id_t));

        if (exch_ews_id_decode(s, len, &id, a) == EXS_OK) {
            enc = exch_ews_id_encode(&id, a);

            if (enc == NULL) {
                break;
            }

            memset(&again, 0, sizeof(exch_ews_id_t));

            if (exch_ews_id_decode(enc, strlen(enc), &again, a) != EXS_OK) {
                abort();
            }

            fuzz_same_id(&id, &again);
        }

        break;

    case 1:
        (void) exch_ews_ck_decode(s, len, &xid, a);
        break;

    case 2:
        memset(&id, 0, sizeof(exch_ews_id_t));

        if (exch_ews_entryid_parse(data + 1, size - 1, &id) == EXS_OK) {
            n = sizeof(buf);

            if (exch_ews_entryid_make(&id, buf, &n) == EXS_OK) {
                memset(&again, 0, sizeof(exch_ews_id_t));

                if (exch_ews_entryid_parse(buf, n, &again) != EXS_OK) {
                    abort();
                }

                fuzz_same_id(&id, &again);
            }
        }

        break;

    case 3:
        memset(&id, 0, sizeof(exch_ews_id_t));

        if (exch_ews_storeid_parse(data + 1, size - 1, &id) == EXS_OK) {
            n = sizeof(buf);
            (void) exch_ews_storeid_make(&id, buf, &n);
        }

        break;

    case 4:
        if (len && exch_ews_syncstate_decode(s, len, &st, a) == EXS_OK) {
            enc = exch_ews_syncstate_encode(&st, a);

            if (enc == NULL) {
                break;
            }

            if (exch_ews_syncstate_decode(enc, strlen(enc), &st2, a)
                != EXS_OK
                || st.kind != st2.kind || st.fid != st2.fid
                || st.cn != st2.cn || st.n != st2.n
                || (st.n && memcmp(st.ids, st2.ids,
                                   st.n * sizeof(exs_id_t)) != 0))
            {
                abort();
            }
        }

        break;

    case 5:
        if (len <= sizeof(buf) * 2) {
            (void) exch_ews_hex_decode(s, len, buf, &n);
        }

        break;

    case 6:
        (void) exch_ews_time_parse(s, &ft);
        (void) exch_ews_duration_parse(s, &ft);
        break;

    case 7:
        memset(&ews, 0, sizeof(exch_ews_t));
        ews.a = a;
        ews.version = EXCH_EWS_VLAST;
        blob.data = data + 1;
        blob.len = size - 1;
        exch_ews_recurrence_write(&ews, "Recurrence", &blob, data[0] & 0x10,
                                  0);
        exch_buf_free(&ews.out);
        break;

    case 8:
        if (size > 9) {
            memcpy(&ft, data + 1, 8);
            (void) exch_ews_tzdef_bias(data + 9, size - 9, ft, &bias);
        }

        break;

    case 9:
        enc = exch_ews_html_filter(s, len, &n, a);

        if (enc != NULL) {
            if (n > 4 * len || strlen(enc) > n) {
                abort();
            }

            again_html = exch_ews_html_filter(enc, n, &n2, a);

            if (again_html == NULL || n2 != n
                || memcmp(again_html, enc, n) != 0)
            {
                abort();
            }
        }

        break;
    }

    exs_arena_destroy(a);

    return 0;
}
