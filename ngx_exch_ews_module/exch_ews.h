
/*
 * exch EWS: what the nginx-free parts of the EWS endpoint share.
 *
 * A request is an exch_ews_t: the authenticated user, the store, the parsed
 * SOAP envelope, and an output buffer.  exch_ews_process() parses the body,
 * checks the envelope and the requested server version, routes on the first
 * element inside soap:Body, and runs the operation, which writes the whole
 * response.  Nothing here touches nginx, so the same code runs in the event
 * loop, in a thread of nginx's pool, in the unit tests and in the fuzzers.
 *
 * Every operation works inside one short transaction of its own (read, or
 * one write), begun and ended before it returns.
 */


#ifndef _EXCH_EWS_H_INCLUDED_
#define _EXCH_EWS_H_INCLUDED_


#include <stdint.h>
#include <libxml/tree.h>

#include <exs_store.h>
#include <exch_xml.h>
#include <exch_version.h>


#define EXCH_EWS_NS_SOAP  "http://schemas.xmlsoap.org/soap/envelope/"
#define EXCH_EWS_NS_M                                                         \
    "http://schemas.microsoft.com/exchange/services/2006/messages"
#define EXCH_EWS_NS_T                                                         \
    "http://schemas.microsoft.com/exchange/services/2006/types"
#define EXCH_EWS_NS_E                                                         \
    "http://schemas.microsoft.com/exchange/services/2006/errors"


/* RequestServerVersion values, oldest first (ExchangeVersionType) */

enum {
    EXCH_EWS_V2007 = 0,
    EXCH_EWS_V2007_SP1,
    EXCH_EWS_V2010,
    EXCH_EWS_V2010_SP1,
    EXCH_EWS_V2010_SP2,
    EXCH_EWS_V2013,
    EXCH_EWS_V2013_SP1,
    EXCH_EWS_V2015,
    EXCH_EWS_V2016,
    EXCH_EWS_V2015_10_05,
    EXCH_EWS_V2016_01_06,
    EXCH_EWS_V2016_04_13,
    EXCH_EWS_V2016_07_13,
    EXCH_EWS_V2016_10_10,
    EXCH_EWS_V2017_01_07,
    EXCH_EWS_V2017_04_14,
    EXCH_EWS_V2017_07_11,
    EXCH_EWS_VLAST = EXCH_EWS_V2017_07_11
};

/* the version's name, or NULL */
const char *exch_ews_version_name(int v);
/* -1 for a name this server does not know */
int exch_ews_version_parse(const char *name);


/* response codes (ResponseCodeType) the server uses */

typedef enum {
    EXCH_EWS_NOERROR = 0,
    EXCH_EWS_ERR_ACCESS_DENIED,
    EXCH_EWS_ERR_ATTACHMENT_SIZE,
    EXCH_EWS_ERR_CALENDAR_END_BEFORE_START,
    EXCH_EWS_ERR_CANNOT_DELETE_OBJECT,
    EXCH_EWS_ERR_CANNOT_EMPTY_FOLDER,
    EXCH_EWS_ERR_CANNOT_USE_FOLDER_ID_FOR_ITEM_ID,
    EXCH_EWS_ERR_CANNOT_USE_ITEM_ID_FOR_FOLDER_ID,
    EXCH_EWS_ERR_CHANGE_KEY_REQUIRED,
    EXCH_EWS_ERR_CORRUPT_DATA,
    EXCH_EWS_ERR_CREATE_ITEM_ACCESS_DENIED,
    EXCH_EWS_ERR_CREATE_SUBFOLDER_ACCESS_DENIED,
    EXCH_EWS_ERR_CROSS_MAILBOX_MOVE_COPY,
    EXCH_EWS_ERR_DELETE_DISTINGUISHED_FOLDER,
    EXCH_EWS_ERR_DISTRIBUTION_LIST_MEMBER_NOT_EXIST,
    EXCH_EWS_ERR_EXPIRED_SUBSCRIPTION,
    EXCH_EWS_ERR_FOLDER_EXISTS,
    EXCH_EWS_ERR_FOLDER_NOT_FOUND,
    EXCH_EWS_ERR_FOLDER_SAVE,
    EXCH_EWS_ERR_IMPERSONATE_USER_DENIED,
    EXCH_EWS_ERR_INCORRECT_UPDATE_PROPERTY_COUNT,
    EXCH_EWS_ERR_INTERNAL_SERVER_ERROR,
    EXCH_EWS_ERR_INVALID_ARGUMENT,
    EXCH_EWS_ERR_INVALID_ATTACHMENT_ID,
    EXCH_EWS_ERR_INVALID_CHANGE_KEY,
    EXCH_EWS_ERR_INVALID_EXCLUDES_RESTRICTION,
    EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY,
    EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY_VALUE,
    EXCH_EWS_ERR_INVALID_FRACTIONAL_PAGING,
    EXCH_EWS_ERR_INVALID_ID_EMPTY,
    EXCH_EWS_ERR_INVALID_ID_MALFORMED,
    EXCH_EWS_ERR_INVALID_ID_NOT_AN_ITEM_ATTACHMENT_ID,
    EXCH_EWS_ERR_INVALID_INDEXED_PAGING,
    EXCH_EWS_ERR_INVALID_OPERATION,
    EXCH_EWS_ERR_INVALID_PAGING_MAX_ROWS,
    EXCH_EWS_ERR_INVALID_PROPERTY_APPEND,
    EXCH_EWS_ERR_INVALID_PROPERTY_DELETE,
    EXCH_EWS_ERR_INVALID_PROPERTY_FOR_OPERATION,
    EXCH_EWS_ERR_INVALID_PROPERTY_REQUEST,
    EXCH_EWS_ERR_INVALID_PROPERTY_SET,
    EXCH_EWS_ERR_INVALID_PROPERTY_UPDATE_SENT_MESSAGE,
    EXCH_EWS_ERR_INVALID_PULL_SUBSCRIPTION_ID,
    EXCH_EWS_ERR_INVALID_PUSH_SUBSCRIPTION_URL,
    EXCH_EWS_ERR_INVALID_RECIPIENTS,
    EXCH_EWS_ERR_INVALID_REQUEST,
    EXCH_EWS_ERR_INVALID_RESTRICTION,
    EXCH_EWS_ERR_INVALID_SCHEDULED_OOF_DURATION,
    EXCH_EWS_ERR_INVALID_SERVER_VERSION,
    EXCH_EWS_ERR_INVALID_SMTP_ADDRESS,
    EXCH_EWS_ERR_INVALID_SUBSCRIPTION,
    EXCH_EWS_ERR_INVALID_SUBSCRIPTION_REQUEST,
    EXCH_EWS_ERR_INVALID_SYNC_STATE_DATA,
    EXCH_EWS_ERR_INVALID_USER_OOF_SETTINGS,
    EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY,
    EXCH_EWS_ERR_INVALID_WATERMARK,
    EXCH_EWS_ERR_IRRESOLVABLE_CONFLICT,
    EXCH_EWS_ERR_ITEM_NOT_FOUND,
    EXCH_EWS_ERR_ITEM_SAVE,
    EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
    EXCH_EWS_ERR_MIME_CONTENT_CONVERSION_FAILED,
    EXCH_EWS_ERR_MISSING_RECIPIENTS,
    EXCH_EWS_ERR_MOVE_DISTINGUISHED_FOLDER,
    EXCH_EWS_ERR_NAME_RESOLUTION_MULTIPLE_RESULTS,
    EXCH_EWS_ERR_NAME_RESOLUTION_NO_RESULTS,
    EXCH_EWS_ERR_NON_EXISTENT_MAILBOX,
    EXCH_EWS_ERR_OBJECT_TYPE_CHANGED,
    EXCH_EWS_ERR_PARENT_FOLDER_NOT_FOUND,
    EXCH_EWS_ERR_QUOTA_EXCEEDED,
    EXCH_EWS_ERR_RECURRENCE_HAS_NO_OCCURRENCE,
    EXCH_EWS_ERR_REQUEST_STREAM_TOO_BIG,
    EXCH_EWS_ERR_SCHEMA_VALIDATION,
    EXCH_EWS_ERR_SERVER_BUSY,
    EXCH_EWS_ERR_SUBSCRIPTION_ACCESS_DENIED,
    EXCH_EWS_ERR_SUBSCRIPTION_DELEGATE_ACCESS,
    EXCH_EWS_ERR_SUBSCRIPTION_NOT_FOUND,
    EXCH_EWS_ERR_TO_FOLDER_NOT_FOUND,
    EXCH_EWS_ERR_UNSUPPORTED_PATH_FOR_QUERY,
    EXCH_EWS_ERR_UNSUPPORTED_PATH_FOR_SORT_GROUP,
    EXCH_EWS_ERR_UNSUPPORTED_TYPE_FOR_CONVERSION,
    /* aliases, last: user configurations answer with codes of items */
    EXCH_EWS_ERR_USER_CONFIG_EXISTS,
    EXCH_EWS_ERR_USER_CONFIG_NOT_FOUND,
    EXCH_EWS_ERR_LAST
} exch_ews_code_t;

const char *exch_ews_code_name(exch_ews_code_t code);
const char *exch_ews_code_text(exch_ews_code_t code);
/* a store result code as the EWS error for an item or a folder */
exch_ews_code_t exch_ews_code_from_rc(int rc, int folder);


/* the user the request acts for */

typedef struct {
    uint32_t                  id;           /* directory id */
    uint32_t                  mailbox;
    const char               *address;
    const char               *name;
    const char               *legacy_dn;
    uint8_t                   guid[16];     /* mailbox GUID */
} exch_ews_user_t;


/* a mailbox opened in the current transaction */

#define EXCH_EWS_MAX_MBOX       8

typedef struct {
    uint32_t                  mailbox;
    uint32_t                  owner;        /* directory id */
    uint8_t                   guid[16];
    exs_mbox_t               *mb;
    const char               *address;
    const char               *name;
    const char               *legacy_dn;
    uint16_t                 *named;        /* EXCH_NP_* -> prop id, 0:
                                               unknown, 0xFFFF: absent */
    exs_id_t                  last_fid;     /* read-only operations: the */
    const char               *last_id;      /* folder id last written, */
    const char               *last_ck;      /* as every item of a listing
                                               has the same parent */
} exch_ews_mbox_t;


typedef struct exch_ews_s     exch_ews_t;
typedef struct exch_ews_op_s  exch_ews_op_t;

typedef int (*exch_ews_op_pt)(exch_ews_t *ews, xmlNodePtr req);

#define EXCH_EWS_OP_WRITE       0x01     /* changes the store */
#define EXCH_EWS_OP_HEAVY       0x02     /* always in a thread */

struct exch_ews_op_s {
    const char               *name;
    exch_ews_op_pt            handler;      /* NULL: not supported */
    int                       since;        /* EXCH_EWS_V* */
    unsigned                  flags;
    const char               *container;    /* "ResponseMessages" or NULL
                                               for single-message
                                               responses */
};

const exch_ews_op_t *exch_ews_op_find(const char *name);


/* log levels of the log callback */
#define EXCH_EWS_LOG_ERR        1
#define EXCH_EWS_LOG_INFO       2
#define EXCH_EWS_LOG_DEBUG      3

typedef void (*exch_ews_log_pt)(void *data, int level, const char *msg);


/* results of exch_ews_process() and of operations */
#define EXCH_EWS_OK             0
#define EXCH_EWS_AGAIN         -2        /* rerun in a thread */
#define EXCH_EWS_FAIL          -1        /* out of memory, store failure:
                                            HTTP 500 without a body */

struct exch_ews_s {
    /* set by the caller */
    exs_env_t                *env;
    exs_arena_t              *a;
    exch_ews_user_t           user;
    unsigned                  in_thread:1;  /* may take its time */
    size_t                    max_body;
    const char               *host;         /* for URLs in responses */
    exch_ews_log_pt           log;
    void                     *log_data;

    /* the request */
    xmlDocPtr                 doc;
    xmlNodePtr                header;
    xmlNodePtr                body;
    xmlNodePtr                op_node;
    const exch_ews_op_t      *op;
    int                       version;
    const char               *tz_id;        /* TimeZoneContext */
    int64_t                   now;          /* FILETIME */

    /* the response */
    exch_buf_t                out;
    int                       status;       /* HTTP status */
    int                       nmsgs;        /* response messages written */
    size_t                    msg_start;

    /* the transaction and the mailboxes opened in it */
    exs_txn_t                *txn;
    exch_ews_mbox_t           mbox[EXCH_EWS_MAX_MBOX];
    uint32_t                  nmbox;

    void                     *md5;          /* EVP_MD, fetched once for
                                               the items of a listing */

    /* notifications (exch_oxwsntif.c) for the nginx glue */
    void                     *stream;       /* GetStreamingEvents: an
                                               exch_ews_stream_t to stream;
                                               the response is not sent */
    unsigned                  push:1;       /* a push subscription was
                                               made: send its first status */
};


/* exch_ews_soap.c: the envelope and the response frame */

void exch_ews_init(exch_ews_t *ews);
void exch_ews_free(exch_ews_t *ews);   /* the document, the output */

/*
 * Parses and serves one request.  EXCH_EWS_OK: ews->out and ews->status
 * hold the response.  EXCH_EWS_AGAIN: the operation wants a thread (only
 * when !in_thread); call again with in_thread set (nothing was written to
 * the store).  EXCH_EWS_FAIL: answer 500.
 */
int exch_ews_process(exch_ews_t *ews, const void *body, size_t len);

/* the response's <?xml?>, Envelope, Header and Body start tags */
void exch_ews_envelope_begin(exch_ews_t *ews);

/* a SOAP fault in place of the response (HTTP 500) */
int exch_ews_fault(exch_ews_t *ews, exch_ews_code_t code, const char *text,
    const char *violation);

/* the <m:{Op}Response> element and its ResponseMessages */
void exch_ews_resp_begin(exch_ews_t *ews);
void exch_ews_resp_end(exch_ews_t *ews);

/* one <m:{Op}ResponseMessage> with ResponseClass Success and NoError;
 * the caller writes its content then calls exch_ews_msg_end() */
void exch_ews_msg_ok(exch_ews_t *ews);
void exch_ews_msg_end(exch_ews_t *ews);
/* one complete error message; when a message was begun with
 * exch_ews_msg_ok() and not ended, what it wrote is dropped first */
void exch_ews_msg_error(exch_ews_t *ews, exch_ews_code_t code,
    const char *text);
/* one message without content: Success for NoError, else the error */
void exch_ews_msg_result(exch_ews_t *ews, exch_ews_code_t code);
/* the same with ResponseClass="Warning" (begun, not ended) */
void exch_ews_msg_warning(exch_ews_t *ews, exch_ews_code_t code,
    const char *text);

/* <m:{name}Response ResponseClass=...> for single-message responses */
void exch_ews_single_begin(exch_ews_t *ews, exch_ews_code_t code,
    const char *text);
void exch_ews_single_end(exch_ews_t *ews);

/* an operation known to the schema that this server does not serve */
int exch_ews_op_unsupported(exch_ews_t *ews, xmlNodePtr req);

void exch_ews_log(exch_ews_t *ews, int level, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* children of a request element: in the messages or types namespace */
xmlNodePtr exch_ews_mchild(xmlNodePtr node, const char *name);
xmlNodePtr exch_ews_tchild(xmlNodePtr node, const char *name);
xmlNodePtr exch_ews_tnext(xmlNodePtr node, const char *name);
/* the first element child in either namespace */
xmlNodePtr exch_ews_child(xmlNodePtr node, const char *name);
/* an attribute value (no namespace) or NULL */
const char *exch_ews_attr(xmlNodePtr node, const char *name);
/* the whole text of an element, untrimmed, NUL-terminated (document or
 * arena memory); "" when empty */
const char *exch_ews_text(exch_ews_t *ews, xmlNodePtr node, size_t *len);
/* the trimmed text (exch_xml_value) */
const char *exch_ews_value(xmlNodePtr node);
/* "true"/"1" -> 1, "false"/"0" -> 0, else -1 */
int exch_ews_bool(const char *s);


/* exch_ews_util.c: values */

/* days since 1970-01-01 of a proleptic Gregorian date, and back */
int64_t exch_ews_days_from_civil(int64_t y, unsigned m, unsigned d);
void exch_ews_civil_from_days(int64_t z, int64_t *y, unsigned *m,
    unsigned *d);

/* xs:dateTime / xs:date -> FILETIME; -1 when malformed */
int exch_ews_time_parse(const char *s, int64_t *ft);
/* FILETIME -> "2024-01-31T12:00:00Z" (size >= 32) */
void exch_ews_time_format(int64_t ft, char *buf, size_t size);
/* xs:duration ("PT15M", "-P1D") -> seconds; -1 when malformed */
int exch_ews_duration_parse(const char *s, int64_t *secs);

size_t exch_base64_encoded_len(size_t n);
void exch_base64_encode(const uint8_t *p, size_t n, char *out);
/* decodes, skipping whitespace; -1 on a bad character or length */
int exch_base64_decode(const char *s, size_t n, uint8_t *out,
    size_t *outlen);
void exch_buf_base64(exch_buf_t *b, const void *p, size_t n);

/* a GUID in its registry form without braces, and back (accepts braces) */
void exch_guid_format(const uint8_t *g, char *out);     /* 37 bytes */
int exch_guid_parse(const char *s, uint8_t *g);

/* writes an element in the types namespace: <t:name>text</t:name> */
void exch_ews_elem(exch_buf_t *b, const char *name, const char *text);
void exch_ews_elem_n(exch_buf_t *b, const char *name, const char *text,
    size_t n);
void exch_ews_elem_int(exch_buf_t *b, const char *name, int64_t v);
void exch_ews_elem_bool(exch_buf_t *b, const char *name, int v);
void exch_ews_elem_time(exch_buf_t *b, const char *name, int64_t ft);
/* <t:name> and </t:name> alone; a decimal number */
void exch_ews_open(exch_buf_t *b, const char *name);
void exch_ews_close(exch_buf_t *b, const char *name);
void exch_ews_int(exch_buf_t *b, int64_t v);

/* a culture name ("de-DE", case-insensitive) <-> its Windows LCID
 * (PR_MESSAGE_LOCALE_ID); 0 / NULL when not in the table */
uint32_t exch_ews_lcid(const char *culture);
const char *exch_ews_culture(uint32_t lcid);


/* exch_ews_id.c: ids (see the file for the layout) */

#define EXCH_EWS_ID_FOLDER      1
#define EXCH_EWS_ID_ITEM        2
#define EXCH_EWS_ID_ATTACH      3

#define EXCH_EWS_MAX_ATT_DEPTH  8

typedef struct {
    int                       kind;
    uint8_t                   guid[16];     /* mailbox GUID */
    exs_id_t                  fid;
    exs_id_t                  mid;          /* items, attachments */
    uint32_t                  natt;         /* attachment path */
    int32_t                   att[EXCH_EWS_MAX_ATT_DEPTH];
    int                       legacy;       /* EwsLegacyId form */
    const char               *smtp;         /* its mailbox, legacy form */
} exch_ews_id_t;

/* the change key object types */
#define EXCH_EWS_CK_FOLDER      1
#define EXCH_EWS_CK_MESSAGE     9
#define EXCH_EWS_CK_CALENDAR    15

/* FilterHtmlContent: the HTML without scripts, frames, objects, forms,
 * event attributes and script: URLs (exch_ews_html.c); an arena copy */
char *exch_ews_html_filter(const char *html, size_t n, size_t *outlen,
    exs_arena_t *a);

/* the base64 id; legacy: EwsLegacyId with smtp */
char *exch_ews_id_encode(const exch_ews_id_t *id, exs_arena_t *a);
/* EXS_OK or EXS_INVALID */
int exch_ews_id_decode(const char *s, size_t len, exch_ews_id_t *id,
    exs_arena_t *a);

/* ChangeKey from PR_CHANGE_KEY (22-byte XID); NULL xid: an empty key */
char *exch_ews_ck_encode(uint32_t type, const exs_bin_t *xid,
    exs_arena_t *a);
int exch_ews_ck_decode(const char *s, size_t len, exs_bin_t *xid,
    exs_arena_t *a);

/* ConvertId's other forms: EntryId (bytes), StoreId, OwaId */
int exch_ews_entryid_make(const exch_ews_id_t *id, uint8_t *out,
    size_t *len);
int exch_ews_entryid_parse(const uint8_t *p, size_t len, exch_ews_id_t *id);
/* StoreId and OwaId: u8 length, entry id, u8 object type */
int exch_ews_storeid_make(const exch_ews_id_t *id, uint8_t *out,
    size_t *len);
int exch_ews_storeid_parse(const uint8_t *p, size_t len, exch_ews_id_t *id);

/* hex digits to bytes; -1 when not hex */
int exch_ews_hex_decode(const char *s, size_t n, uint8_t *out,
    size_t *outlen);

/* the mailbox GUID as EWS ids write it */
void exch_ews_guid_text(const uint8_t *g, char *out);  /* 37 bytes */


/* named properties the field table uses (exch_ews_props.c) */

typedef struct {
    const uint8_t            *guid;
    uint32_t                  lid;
    const char               *name;         /* MNID_STRING when set */
    uint16_t                  type;
} exch_ews_named_t;

extern const exch_ews_named_t  exch_ews_named[];
extern const uint32_t          exch_ews_nnamed;

/* the tag of a named property in a mailbox: 0 when it has no id there
 * (and create is not set) */
uint32_t exch_ews_np_tag(exch_ews_t *ews, exch_ews_mbox_t *m, int np,
    int create);
/* the same for any name */
uint32_t exch_ews_name_tag(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exs_propname_t *name, uint16_t type, int create);


/* exch_ews_mbox.c: mailboxes, folders and items of a request */

/* begins the request's transaction (rdonly or write) */
int exch_ews_begin(exch_ews_t *ews, int write);
/* commits (rc EXS_OK on a write) or aborts; returns the commit's code */
int exch_ews_end(exch_ews_t *ews, int rc);

/* the user's own mailbox, or another by SMTP address (NULL: own);
 * EXS_NOTFOUND for no such mailbox */
int exch_ews_mbox(exch_ews_t *ews, const char *smtp, exch_ews_mbox_t **m);
int exch_ews_mbox_guid(exch_ews_t *ews, const uint8_t *guid,
    exch_ews_mbox_t **m);
int exch_ews_mbox_id(exch_ews_t *ews, uint32_t mailbox,
    exch_ews_mbox_t **m);

/* a folder named by a FolderId, DistinguishedFolderId or
 * AddressListId element */
typedef struct {
    exch_ews_mbox_t          *m;
    exs_id_t                  fid;
    const char               *dist;         /* its distinguished name */
    const char               *ck;           /* the ChangeKey given */
} exch_ews_folder_ref_t;

exch_ews_code_t exch_ews_folder_ref(exch_ews_t *ews, xmlNodePtr node,
    exch_ews_folder_ref_t *f);
/* the same for the one folder id child of a container element */
exch_ews_code_t exch_ews_folder_ref_in(exch_ews_t *ews, xmlNodePtr parent,
    exch_ews_folder_ref_t *f);
/* the ToFolderId of a move or copy, which must exist: a missing folder is
 * ErrorToFolderNotFound */
exch_ews_code_t exch_ews_to_folder(exch_ews_t *ews, xmlNodePtr req,
    exch_ews_folder_ref_t *to);
/* the special folder of a distinguished name; 0 when none */
exs_id_t exch_ews_distinguished_fid(const char *name);
const char *exch_ews_distinguished_name(exs_id_t fid);
/* the name is one of DistinguishedFolderIdNameType */
int exch_ews_distinguished_known(const char *name);

typedef struct {
    exch_ews_mbox_t          *m;
    exs_id_t                  fid;
    exs_id_t                  mid;
    uint32_t                  natt;
    int32_t                   att[EXCH_EWS_MAX_ATT_DEPTH];
    const char               *ck;           /* the ChangeKey given */
} exch_ews_item_ref_t;

/* an ItemId (OccurrenceItemId, RecurringMasterItemId as the master) */
exch_ews_code_t exch_ews_item_ref(exch_ews_t *ews, xmlNodePtr node,
    exch_ews_item_ref_t *it);
/* an attachment id (Id attribute) */
exch_ews_code_t exch_ews_attach_ref(exch_ews_t *ews, const char *id,
    exch_ews_item_ref_t *it);

/* writes <t:{elem} Id="..." ChangeKey="..."/> for a folder / an item */
int exch_ews_write_folder_id(exch_ews_t *ews, const char *elem,
    exch_ews_mbox_t *m, exs_id_t fid);
int exch_ews_write_item_id(exch_ews_t *ews, const char *elem,
    exch_ews_mbox_t *m, exs_id_t fid, exs_id_t mid, const exs_props_t *p);
char *exch_ews_folder_id_str(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid);
char *exch_ews_item_id_str(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, exs_id_t mid);
/* the change key type of a message class */
uint32_t exch_ews_ck_type(const char *message_class);

/* resolves a <t:Mailbox> (EmailAddress / RoutingType / ItemId...) or an
 * address to a directory entry; EXS_NOTFOUND when not local */
int exch_ews_dir_lookup(exch_ews_t *ews, const char *address,
    exs_dirent_t *e);

/* the first associated message of a class in a folder, 0 when none */
exs_id_t exch_ews_assoc_find(exs_mbox_t *mb, exs_id_t fid, const char *cls,
    exs_arena_t *a);


#endif /* _EXCH_EWS_H_INCLUDED_ */
