
/*
 * exch store: what the MIME converter's files share (not a public API).
 */


#ifndef _EXS_OXCMAIL_INT_H_INCLUDED_
#define _EXS_OXCMAIL_INT_H_INCLUDED_


#include <exs_mapi.h>
#include <exs_oxcmail.h>
#include <exs_tnef.h>


/* tags of MS-OXPROPS exs_proptags.h does not name (yet) */

#ifndef PR_READ_RECEIPT_ADDRTYPE
#define PR_READ_RECEIPT_ADDRTYPE           PROP_TAG(PT_UNICODE, 0x4029)
#define PR_READ_RECEIPT_EMAIL_ADDRESS      PROP_TAG(PT_UNICODE, 0x402A)
#define PR_READ_RECEIPT_NAME               PROP_TAG(PT_UNICODE, 0x402B)
#define PR_READ_RECEIPT_SMTP_ADDRESS       PROP_TAG(PT_UNICODE, 0x5D05)
#endif

#ifndef PR_NON_RECEIPT_NOTIFICATION_REQUESTED
#define PR_NON_RECEIPT_NOTIFICATION_REQUESTED  PROP_TAG(PT_BOOLEAN, 0x0C06)
#endif


/* recipient types, MS-OXOMSG 2.2.3.1 */
#define EXS_MAPI_ORIG           0
#define EXS_MAPI_TO             1
#define EXS_MAPI_CC             2
#define EXS_MAPI_BCC            3

/* PR_ATTACH_METHOD, MS-OXCMSG 2.2.2.9 */
#define EXS_ATTACH_NONE         0
#define EXS_ATTACH_BY_VALUE     1
#define EXS_ATTACH_EMBEDDED_MSG 5
#define EXS_ATTACH_OLE          6

/* PR_ATTACH_FLAGS */
#define EXS_ATT_INVISIBLE_IN_HTML  0x01
#define EXS_ATT_INVISIBLE_IN_RTF   0x02
#define EXS_ATT_MHTML_REF          0x04

/* PR_OBJECT_TYPE, PR_DISPLAY_TYPE */
#define EXS_MAPI_MESSAGE        5
#define EXS_MAPI_MAILUSER       6
#define EXS_MAPI_ATTACH         7
#define EXS_DT_MAILUSER         0
#define EXS_DT_DISTLIST         1

#define EXS_RECIP_SENDABLE      0x01

#define EXS_IMPORTANCE_LOW      0
#define EXS_IMPORTANCE_NORMAL   1
#define EXS_IMPORTANCE_HIGH     2

#define EXS_PRIO_NONURGENT      -1
#define EXS_PRIO_NORMAL         0
#define EXS_PRIO_URGENT         1

#define EXS_SENSITIVITY_NONE          0
#define EXS_SENSITIVITY_PERSONAL      1
#define EXS_SENSITIVITY_PRIVATE       2
#define EXS_SENSITIVITY_CONFIDENTIAL  3

/* PR_NATIVE_BODY_INFO */
#define EXS_NATIVE_BODY_PLAIN   1
#define EXS_NATIVE_BODY_RTF     2
#define EXS_NATIVE_BODY_HTML    3

#define EXS_CPID_UTF8           65001


/* a growable byte buffer on malloc, for building values */

typedef struct {
    uint8_t                  *data;
    size_t                    len;
    size_t                    cap;
    int                       nomem;
} exs_buf_t;

void exs_buf_add(exs_buf_t *b, const void *p, size_t n);
void exs_buf_addc(exs_buf_t *b, uint8_t c);
void exs_buf_add_le16(exs_buf_t *b, uint16_t v);
void exs_buf_add_le32(exs_buf_t *b, uint32_t v);
void exs_buf_pad4(exs_buf_t *b);
void exs_buf_free(exs_buf_t *b);
/* the bytes into the arena, the buffer freed (EXS_NOMEM if it ran out) */
int exs_buf_bin(exs_buf_t *b, exs_bin_t *out, exs_arena_t *a);


/* the headers that are string properties; tag 0: a PS_INTERNET_HEADERS
 * named property of the header's name */

typedef struct {
    const char               *header;
    uint32_t                  tag;
} exs_oxcmail_header_t;

extern const exs_oxcmail_header_t  exs_oxcmail_headers[];


/*
 * Text in any charset to UTF-8 in the arena, NUL-terminated, without NUL
 * bytes.  Unknown charsets fall back to UTF-8 when the bytes are valid
 * UTF-8, else to windows-1252; bytes invalid in their charset become
 * U+FFFD and set *lossy.
 */
char *exs_oxcmail_to_utf8(exs_arena_t *a, const char *charset,
    const void *data, size_t len, size_t *outlen, int *lossy);

int exs_oxcmail_utf8_valid(const uint8_t *p, size_t len);

/* a copy with LF (crlf 0) or CRLF line ends */
uint8_t *exs_oxcmail_eol(exs_arena_t *a, const uint8_t *p, size_t len,
    size_t *outlen, int crlf);

/* UTF-16LE <-> UTF-8; the UTF-16 side has no terminator */
char *exs_oxcmail_utf16_to_utf8(exs_arena_t *a, const uint8_t *p,
    size_t len, size_t *outlen);
void exs_oxcmail_buf_add_utf16(exs_buf_t *b, const char *s, size_t len);

/* a lower-case copy */
char *exs_oxcmail_lower(exs_arena_t *a, const char *s);

int exs_oxcmail_set_str(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    const char *s);

/* the id of a named property (create: assign one) */
int exs_oxcmail_named_id(exs_namemap_t *nm, const uint8_t *guid,
    const char *name, uint32_t lid, int create, uint16_t *id);

/* PR_SEARCH_KEY / entry ids of an address as the converter stores them */
int exs_oxcmail_ab_entryid(const char *dn, uint32_t display_type,
    exs_bin_t *out, exs_arena_t *a);
/* MS-OXCDATA 2.3.3 FlatEntryList */
int exs_oxcmail_flat_entrylist(const exs_bin_t *ids, uint32_t n,
    exs_bin_t *out, exs_arena_t *a);
int exs_oxcmail_parse_flat_entrylist(const uint8_t *p, size_t len,
    exs_bin_t **ids, uint32_t *n, exs_arena_t *a);

/* a FILETIME from a GDateTime-free Unix time with microseconds */
int64_t exs_oxcmail_filetime(int64_t unix_sec, int32_t usec);

/* encoded words GMime 3.2.13 would decode wrongly, rewritten (NULL:
 * out of memory) */
const char *exs_oxcmail_fix_ew(exs_arena_t *a, const char *s);

/* RFC 4648 base64 decode of header values (Thread-Index); NULL if bad */
uint8_t *exs_oxcmail_base64_decode(exs_arena_t *a, const char *s,
    size_t *outlen);

#endif /* _EXS_OXCMAIL_INT_H_INCLUDED_ */
