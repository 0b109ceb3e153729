
/*
 * exch: MAPI Extensions for HTTP, MS-OXCMAPIHTTP: the request type and
 * response code tables, the meta-tag lines of the chunked response, and
 * the request and response bodies of the mailbox endpoint (2.2.4) and the
 * address book endpoint (2.2.5) with the NSPI structures they carry.
 * Nginx-free.
 *
 * Request parsers read the whole body and fail with EXCH_ERR_TRAILING
 * when bytes are left over (answer X-ResponseCode 12, Invalid Request
 * Body, for any parse error).  Response writers produce the success body
 * (StatusCode 0, then ErrorCode and the fields); exch_mh_write_failure()
 * the failure body of every request type.  The AuxiliaryBuffer fields are
 * the raw RPC_HEADER_EXT chains of exch_oxcrpc_rpc_ext.h.
 */


#ifndef _EXCH_OXCMAPIHTTP_H_INCLUDED_
#define _EXCH_OXCMAPIHTTP_H_INCLUDED_


#include <time.h>

#include "exch_wire.h"
#include "exch_oxcdata.h"


/* X-RequestType, 2.2.3.1.1 */

#define EXCH_MH_CONNECT                 1
#define EXCH_MH_EXECUTE                 2
#define EXCH_MH_DISCONNECT              3
#define EXCH_MH_NOTIFICATION_WAIT       4
#define EXCH_MH_PING                    5
#define EXCH_MH_BIND                    6
#define EXCH_MH_UNBIND                  7
#define EXCH_MH_COMPARE_MIDS            8
#define EXCH_MH_DNTOMID                 9
#define EXCH_MH_GET_MATCHES             10
#define EXCH_MH_GET_PROP_LIST           11
#define EXCH_MH_GET_PROPS               12
#define EXCH_MH_GET_SPECIAL_TABLE       13
#define EXCH_MH_GET_TEMPLATE_INFO       14
#define EXCH_MH_MOD_LINK_ATT            15
#define EXCH_MH_MOD_PROPS               16
#define EXCH_MH_QUERY_COLUMNS           17
#define EXCH_MH_QUERY_ROWS              18
#define EXCH_MH_RESOLVE_NAMES           19
#define EXCH_MH_RESORT_RESTRICTION      20
#define EXCH_MH_SEEK_ENTRIES            21
#define EXCH_MH_UPDATE_STAT             22
#define EXCH_MH_GET_MAILBOX_URL         23
#define EXCH_MH_GET_ADDRESS_BOOK_URL    24
#define EXCH_MH_LAST                    24

/* the endpoints a request type is valid on */
#define EXCH_MH_EMSMDB                  0x01
#define EXCH_MH_NSPI                    0x02

/* 0 when unknown; compared case-insensitively */
int exch_mh_request_type(const char *s, size_t len);
/* the header spelling ("NotificationWait"), NULL when unknown */
const char *exch_mh_request_name(int type);
unsigned exch_mh_request_endpoints(int type);


/* X-ResponseCode, 2.2.3.3.3 */

#define EXCH_MH_RC_SUCCESS              0
#define EXCH_MH_RC_UNKNOWN_FAILURE      1
#define EXCH_MH_RC_INVALID_VERB         2
#define EXCH_MH_RC_INVALID_PATH         3
#define EXCH_MH_RC_INVALID_HEADER       4
#define EXCH_MH_RC_INVALID_REQUEST_TYPE 5
#define EXCH_MH_RC_INVALID_CONTEXT_COOKIE  6
#define EXCH_MH_RC_MISSING_HEADER       7
#define EXCH_MH_RC_ANONYMOUS_NOT_ALLOWED   8
#define EXCH_MH_RC_TOO_LARGE            9
#define EXCH_MH_RC_CONTEXT_NOT_FOUND    10
#define EXCH_MH_RC_NO_PRIVILEGE         11
#define EXCH_MH_RC_INVALID_REQUEST_BODY 12
#define EXCH_MH_RC_MISSING_COOKIE       13
#define EXCH_MH_RC_RESERVED             14
#define EXCH_MH_RC_INVALID_SEQUENCE     15
#define EXCH_MH_RC_ENDPOINT_DISABLED    16
#define EXCH_MH_RC_INVALID_RESPONSE     17
#define EXCH_MH_RC_ENDPOINT_SHUTTING_DOWN  18
#define EXCH_MH_RC_LAST                 18

/* "Invalid Request Type" and the spec's description, NULL if unknown */
const char *exch_mh_response_code_name(unsigned code);
const char *exch_mh_response_code_text(unsigned code);


/*
 * Meta-tags of the response body, 2.2.7: "PROCESSING\r\n" at once,
 * "PENDING\r\n" while the work lasts, and at the end "DONE\r\n" with the
 * additional headers X-ElapsedTime and X-StartTime and an empty line,
 * after which the binary body follows.
 */

#define EXCH_MH_PROCESSING              "PROCESSING\r\n"
#define EXCH_MH_PENDING                 "PENDING\r\n"

/* the DONE block; returns its length (0 when cap is too small) */
size_t exch_mh_done(char *buf, size_t cap, uint32_t elapsed_ms,
    time_t start);
/* an HTTP-date (RFC 7231) without the locale; 29 chars and a NUL */
size_t exch_mh_http_date(char *buf, size_t cap, time_t t);


/* the failure body of every request type: StatusCode (not 0),
 * AuxiliaryBufferSize, AuxiliaryBuffer */
int exch_mh_write_failure(exch_wr_t *w, uint32_t status, const exs_bin_t *aux);


/* mailbox endpoint, 2.2.4 */

typedef struct {
    exs_str_t                 user_dn;     /* ASCII */
    uint32_t                  flags;
    uint32_t                  cpid;
    uint32_t                  lcid_sort;
    uint32_t                  lcid_string;
    exs_bin_t                 aux;
} exch_mh_connect_req_t;

typedef struct {
    uint32_t                  error_code;
    uint32_t                  max_polling_interval;
    uint32_t                  retry_count;
    uint32_t                  retry_delay;
    const char               *dn_prefix;   /* ASCII */
    const char               *display_name;    /* UTF-8, sent UTF-16 */
    exs_bin_t                 aux;
} exch_mh_connect_rsp_t;

/* Execute Flags, 2.2.4.2.1 */
#define EXCH_MH_EXECUTE_NO_COMPRESSION  0x00000001
#define EXCH_MH_EXECUTE_NO_XOR_MAGIC    0x00000002
#define EXCH_MH_EXECUTE_CHAIN           0x00000004

typedef struct {
    uint32_t                  flags;
    exs_bin_t                 rop_buffer;  /* RPC_HEADER_EXT chain */
    uint32_t                  max_rop_out;
    exs_bin_t                 aux;
} exch_mh_execute_req_t;

typedef struct {
    uint32_t                  error_code;
    uint32_t                  flags;
    exs_bin_t                 rop_buffer;
    exs_bin_t                 aux;
} exch_mh_execute_rsp_t;

typedef struct {
    uint32_t                  flags;       /* NotificationWait only */
    exs_bin_t                 aux;
} exch_mh_disconnect_req_t, exch_mh_notification_wait_req_t;

typedef struct {
    uint32_t                  error_code;
    uint32_t                  event_pending;   /* NotificationWait only */
    exs_bin_t                 aux;
} exch_mh_disconnect_rsp_t, exch_mh_notification_wait_rsp_t;

int exch_mh_parse_connect(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_mh_connect_req_t *req);
int exch_mh_parse_execute(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_mh_execute_req_t *req);
int exch_mh_parse_disconnect(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_mh_disconnect_req_t *req);
int exch_mh_parse_notification_wait(const uint8_t *p, size_t len,
    exs_arena_t *a, exch_mh_notification_wait_req_t *req);

int exch_mh_write_connect(exch_wr_t *w, const exch_mh_connect_rsp_t *rsp);
int exch_mh_write_execute(exch_wr_t *w, const exch_mh_execute_rsp_t *rsp);
int exch_mh_write_disconnect(exch_wr_t *w,
    const exch_mh_disconnect_rsp_t *rsp);
int exch_mh_write_notification_wait(exch_wr_t *w,
    const exch_mh_notification_wait_rsp_t *rsp);


/* address book endpoint, 2.2.5, and the NSPI structures, MS-OXNSPI */

/* NSPI result codes, MS-OXNSPI 2.2.1.2 */
#define EXCH_NSPI_SUCCESS               0x00000000
#define EXCH_NSPI_UNBIND_SUCCESS        0x00000001
#define EXCH_NSPI_UNBIND_FAILURE        0x00000002
#define EXCH_NSPI_ERRORS_RETURNED       0x00040380
#define EXCH_NSPI_GENERAL_FAILURE       0x80004005
#define EXCH_NSPI_NOT_SUPPORTED         0x80040102
#define EXCH_NSPI_INVALID_OBJECT        0x80040108
#define EXCH_NSPI_NOT_ENOUGH_RESOURCES  0x8004010E
#define EXCH_NSPI_NOT_FOUND             0x8004010F
#define EXCH_NSPI_LOGON_FAILED          0x80040111
#define EXCH_NSPI_TOO_COMPLEX           0x80040117
#define EXCH_NSPI_INVALID_CODEPAGE      0x8004011E
#define EXCH_NSPI_INVALID_LOCALE        0x8004011F
#define EXCH_NSPI_TABLE_TOO_BIG         0x80040403
#define EXCH_NSPI_INVALID_BOOKMARK      0x80040405
#define EXCH_NSPI_ACCESS_DENIED         0x80070005
#define EXCH_NSPI_NOT_ENOUGH_MEMORY     0x8007000E
#define EXCH_NSPI_INVALID_PARAMETER     0x80070057

/* ResolveNames minimal ids, MS-OXNSPI 2.2.1.9 */
#define EXCH_NSPI_MID_UNRESOLVED        0x00000000
#define EXCH_NSPI_MID_AMBIGUOUS         0x00000001
#define EXCH_NSPI_MID_RESOLVED          0x00000002

/* STAT, MS-OXNSPI 2.2.8 */
typedef struct {
    uint32_t                  sort_type;
    uint32_t                  container_id;
    uint32_t                  cur_rec;
    int32_t                   delta;
    uint32_t                  num_pos;
    uint32_t                  total_rec;
    uint32_t                  codepage;
    uint32_t                  template_locale;
    uint32_t                  sort_locale;
} exch_stat_t;

#define EXCH_STAT_SIZE                  36

int exch_read_stat(exch_rd_t *r, exch_stat_t *stat);
int exch_write_stat(exch_wr_t *w, const exch_stat_t *stat);

/* StringArray_r / WStringArray_r: Count (4), NUL-terminated strings */
typedef struct {
    uint32_t                  n;
    exs_str_t                *v;
} exch_strings_t;

/* EphemeralEntryID and PermanentEntryID, MS-OXNSPI 2.2.9 */

#define EXCH_NSPI_EPHEMERAL             0x87
#define EXCH_NSPI_PERMANENT             0x00
#define EXCH_EPHEMERAL_EID_SIZE         32

extern const uint8_t  EXCH_GUID_NSPI[16];

typedef struct {
    uint8_t                   id_type;
    uint8_t                   provider[16];
    uint32_t                  display_type;
    uint32_t                  mid;         /* ephemeral */
    exs_str_t                 dn;          /* permanent, ASCII */
} exch_nspi_eid_t;

/* one entry id from the reader (its length follows from its type) */
int exch_read_nspi_eid(exch_rd_t *r, exch_nspi_eid_t *eid);
int exch_write_nspi_eid(exch_wr_t *w, const exch_nspi_eid_t *eid);
/* from / to the bytes of a PR_ENTRYID value */
int exch_nspi_eid_parse(const uint8_t *p, size_t len, exch_nspi_eid_t *eid);


/* an NSPI request: the fields of every type, and which were present */

typedef struct {
    int                       type;        /* EXCH_MH_BIND... */
    uint32_t                  flags;       /* Flags or Reserved */
    unsigned                  has_state:1;
    unsigned                  has_mids:1;
    unsigned                  has_filter:1;
    unsigned                  has_propname:1;
    unsigned                  has_columns:1;
    unsigned                  has_tags:1;
    unsigned                  has_version:1;
    unsigned                  has_dn:1;
    unsigned                  has_eids:1;
    unsigned                  has_values:1;
    unsigned                  has_names:1;
    unsigned                  has_target:1;
    unsigned                  has_explicit:1;
    exch_stat_t               stat;
    exch_tags_t               mids;        /* GetMatches, ResortRestriction */
    uint32_t                  mid1;        /* CompareMIds; ModLinkAtt, */
    uint32_t                  mid2;        /* GetPropList: mid1 */
    uint32_t                  interface_flags;   /* GetMatches Reserved2 */
    exs_restriction_t         filter;
    uint8_t                   propname_guid[16];
    uint32_t                  propname_id;
    uint32_t                  row_count;   /* GetMatches, QueryRows */
    exch_tags_t               columns;     /* LargePropTagArray */
    exch_tags_t               tags;        /* GetProps, ResolveNames,
                                              ModProps (to remove) */
    uint32_t                  version;     /* GetSpecialTable */
    uint32_t                  display_type;    /* GetTemplateInfo */
    exs_str_t                 dn;          /* TemplateDn; ServerDn/UserDn */
    uint32_t                  codepage;    /* GetPropList, GetTemplateInfo */
    uint32_t                  locale_id;   /* GetTemplateInfo */
    uint32_t                  tag;         /* ModLinkAtt PropertyTag */
    uint32_t                  neids;
    exch_nspi_eid_t          *eids;        /* ModLinkAtt */
    exs_props_t               values;      /* ModProps */
    exch_strings_t            names;       /* DNToMId (8-bit),
                                              ResolveNames (UTF-8) */
    exs_prop_t                target;      /* SeekEntries */
    exch_tags_t               explicit_table;  /* QueryRows, SeekEntries */
    uint8_t                   delta_requested; /* UpdateStat */
    exs_bin_t                 aux;
} exch_nspi_req_t;

int exch_mh_parse_nspi(int type, const uint8_t *p, size_t len,
    exs_arena_t *a, exch_nspi_req_t *req);


/* an NSPI success response: set what the type carries */

typedef struct {
    int                       type;
    uint32_t                  error_code;
    uint8_t                   server_guid[16];     /* Bind */
    int32_t                   result;      /* CompareMIds */
    uint32_t                  codepage;    /* GetProps, GetSpecialTable,
                                              GetTemplateInfo, ResolveNames */
    unsigned                  has_state:1;
    unsigned                  has_mids:1;
    unsigned                  has_rows:1;  /* HasColumnsAndRows, HasRows,
                                              HasRow, HasPropertyValues */
    unsigned                  has_tags:1;  /* HasPropertyTags, HasColumns */
    unsigned                  has_version:1;
    unsigned                  has_delta:1;
    exch_stat_t               stat;
    exch_tags_t               mids;
    exch_tags_t               columns;     /* also GetPropList's tags */
    uint32_t                  nrows;
    const exs_props_t        *rows;        /* rows; GetSpecialTable's lists;
                                              GetProps, GetTemplateInfo: 1 */
    uint32_t                  version;
    int32_t                   delta;
    const char               *url;         /* GetMailboxUrl,
                                              GetAddressBookUrl */
    exs_bin_t                 aux;
} exch_nspi_rsp_t;

int exch_mh_write_nspi(exch_wr_t *w, const exch_nspi_rsp_t *rsp);


#endif /* _EXCH_OXCMAPIHTTP_H_INCLUDED_ */
