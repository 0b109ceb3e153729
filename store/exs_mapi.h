
/*
 * exch store: the MAPI data model in memory (MS-OXCDATA).
 *
 * These types are the common language of the store, the MIME converter and
 * the protocol codecs: property values of every type, property bags,
 * messages with recipients and attachments, property names, restrictions
 * and sort orders.  Memory comes from an arena that the caller frees in one
 * go; nothing here owns anything else.
 *
 * Strings: PT_UNICODE values are UTF-8 here, NUL-terminated, len without
 * the NUL; the wire codecs convert to and from UTF-16LE.  PT_STRING8 values
 * are bytes in the code page the protocol said; the store keeps strings as
 * PT_UNICODE.
 */


#ifndef _EXS_MAPI_H_INCLUDED_
#define _EXS_MAPI_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/*
 * result codes of the store and of everything built on these types; the
 * store maps LMDB's and the system's errors to these in one place
 */

#define EXS_OK                  0
#define EXS_ERROR              -1        /* cannot happen; logged */
#define EXS_NOMEM              -2
#define EXS_NOTFOUND           -3
#define EXS_EXISTS             -4        /* a name or key already taken */
#define EXS_INVALID            -5        /* bad argument or input */
#define EXS_DENIED             -6        /* no permission */
#define EXS_CORRUPT            -7        /* damaged store data */
#define EXS_FULL               -8        /* map or quota full */
#define EXS_TOOBIG             -9
#define EXS_CONFLICT          -10        /* stale change key, busy object */
#define EXS_BUSY              -11        /* try again */
#define EXS_IO                -12
#define EXS_NOTSUP            -13

const char *exs_strerror(int rc);


/* arena */

typedef struct exs_arena_s  exs_arena_t;

exs_arena_t *exs_arena_create(size_t chunk);
void exs_arena_destroy(exs_arena_t *a);
void exs_arena_reset(exs_arena_t *a);
void *exs_alloc(exs_arena_t *a, size_t size);
void *exs_calloc(exs_arena_t *a, size_t size);
void *exs_memdup(exs_arena_t *a, const void *p, size_t size);
char *exs_strndup(exs_arena_t *a, const char *s, size_t len);
char *exs_strdup(exs_arena_t *a, const char *s);


/* property types, MS-OXCDATA 2.11.1 */

#define PT_UNSPECIFIED          0x0000
#define PT_NULL                 0x0001
#define PT_SHORT                0x0002
#define PT_LONG                 0x0003
#define PT_FLOAT                0x0004
#define PT_DOUBLE               0x0005
#define PT_CURRENCY             0x0006
#define PT_APPTIME              0x0007
#define PT_ERROR                0x000A
#define PT_BOOLEAN              0x000B
#define PT_OBJECT               0x000D
#define PT_I8                   0x0014
#define PT_STRING8              0x001E
#define PT_UNICODE              0x001F
#define PT_SYSTIME              0x0040
#define PT_CLSID                0x0048
#define PT_SVREID               0x00FB
#define PT_SRESTRICTION         0x00FD
#define PT_ACTIONS              0x00FE
#define PT_BINARY               0x0102

#define PT_MV                   0x1000
#define PT_MV_INSTANCE          0x2000

#define PT_MV_SHORT             (PT_MV|PT_SHORT)
#define PT_MV_LONG              (PT_MV|PT_LONG)
#define PT_MV_FLOAT             (PT_MV|PT_FLOAT)
#define PT_MV_DOUBLE            (PT_MV|PT_DOUBLE)
#define PT_MV_CURRENCY          (PT_MV|PT_CURRENCY)
#define PT_MV_APPTIME           (PT_MV|PT_APPTIME)
#define PT_MV_I8                (PT_MV|PT_I8)
#define PT_MV_STRING8           (PT_MV|PT_STRING8)
#define PT_MV_UNICODE           (PT_MV|PT_UNICODE)
#define PT_MV_SYSTIME           (PT_MV|PT_SYSTIME)
#define PT_MV_CLSID             (PT_MV|PT_CLSID)
#define PT_MV_BINARY            (PT_MV|PT_BINARY)

#define PROP_TAG(type, id)      ((((uint32_t) (id)) << 16) | (type))
#define PROP_ID(tag)            ((uint16_t) ((tag) >> 16))
#define PROP_TYPE(tag)          ((uint16_t) ((tag) & 0xFFFF))
#define PROP_CHANGE_TYPE(tag, type)  (((tag) & 0xFFFF0000u) | (type))

/* the first id of named properties (MS-OXPROPS 1.3.2) */
#define EXS_NAMED_FIRST         0x8000
#define EXS_NAMED_LAST          0xFFFE


typedef struct {
    size_t                    len;
    const uint8_t            *data;
} exs_bin_t;


typedef struct {
    size_t                    len;       /* bytes, without the NUL */
    const char               *data;      /* NUL-terminated */
} exs_str_t;


typedef struct {
    uint32_t                  n;
    union {
        int16_t              *i;         /* PT_MV_SHORT */
        int32_t              *l;         /* PT_MV_LONG */
        float                *f;         /* PT_MV_FLOAT */
        double               *d;         /* PT_MV_DOUBLE, PT_MV_APPTIME */
        int64_t              *ll;        /* PT_MV_I8, _CURRENCY, _SYSTIME */
        exs_str_t            *str;       /* PT_MV_UNICODE, PT_MV_STRING8 */
        exs_bin_t            *bin;       /* PT_MV_BINARY, PT_MV_CLSID (16) */
        void                 *p;
    } v;
} exs_mv_t;


/*
 * One tagged property value.  PT_CLSID is a 16-byte bin; PT_SRESTRICTION
 * and PT_ACTIONS are kept in their MS-OXCDATA / MS-OXORULE wire form as
 * bin; PT_ERROR holds the error code in l; PT_SYSTIME is a FILETIME
 * (100 ns since 1601-01-01 UTC) in ll.
 */

typedef struct {
    uint32_t                  tag;
    union {
        int16_t               i;         /* PT_SHORT */
        int32_t               l;         /* PT_LONG, PT_ERROR */
        uint8_t               b;         /* PT_BOOLEAN: 0 or 1 */
        float                 f;         /* PT_FLOAT */
        double                d;         /* PT_DOUBLE, PT_APPTIME */
        int64_t               ll;        /* PT_I8, PT_CURRENCY, PT_SYSTIME */
        exs_str_t             str;       /* PT_UNICODE, PT_STRING8 */
        exs_bin_t             bin;       /* PT_BINARY, PT_CLSID, PT_SVREID,
                                            PT_SRESTRICTION, PT_ACTIONS */
        exs_mv_t              mv;        /* every PT_MV_* */
    } v;
} exs_prop_t;


/* a property bag: a growable array, at most one value per property id */

typedef struct {
    uint32_t                  n;
    uint32_t                  cap;
    exs_prop_t               *v;
} exs_props_t;


/*
 * exs_props_get() matches on the id, and on the type unless the tag's type
 * is PT_UNSPECIFIED; PT_STRING8 asks match PT_UNICODE values (converting
 * is the caller's business).  exs_props_set() copies the exs_prop_t (not
 * what it points to) and replaces a value with the same id.
 */

exs_prop_t *exs_props_get(const exs_props_t *bag, uint32_t tag);
int exs_props_set(exs_arena_t *a, exs_props_t *bag, const exs_prop_t *p);
int exs_props_del(exs_props_t *bag, uint32_t tag);

int exs_props_set_long(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    int32_t v);
int exs_props_set_i8(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    int64_t v);
int exs_props_set_bool(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    int v);
int exs_props_set_str(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    const char *s, size_t len);
int exs_props_set_bin(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    const void *data, size_t len);

/* a deep copy of one value, of a bag */
int exs_prop_copy(exs_arena_t *a, exs_prop_t *dst, const exs_prop_t *src);
int exs_props_copy(exs_arena_t *a, exs_props_t *dst, const exs_props_t *src);

/* the fixed size of a single-valued type, 0 for variable-sized ones */
size_t exs_proptype_size(uint16_t type);
int exs_proptype_valid(uint16_t type);

/* MAPI's ordering of two values of one type: <0, 0, >0 (strings: UTF-8
 * code point order, case-insensitively when ci is set) */
int exs_prop_cmp(const exs_prop_t *a, const exs_prop_t *b, int ci);


/* messages: recipients and attachments are bags of their own */

typedef struct exs_msg_s  exs_msg_t;

typedef struct {
    exs_props_t               props;     /* PR_ROWID, PR_RECIPIENT_TYPE... */
} exs_rcpt_t;

typedef struct {
    exs_props_t               props;     /* PR_ATTACH_NUM, _METHOD... */
    exs_msg_t                *embedded;  /* ATTACH_EMBEDDED_MSG */
} exs_attach_t;

struct exs_msg_s {
    exs_props_t               props;
    uint32_t                  nrcpts;
    uint32_t                  rcpts_cap;
    exs_rcpt_t               *rcpts;
    uint32_t                  natts;
    uint32_t                  atts_cap;
    exs_attach_t             *atts;
};

exs_msg_t *exs_msg_create(exs_arena_t *a);
exs_rcpt_t *exs_msg_add_rcpt(exs_arena_t *a, exs_msg_t *msg);
exs_attach_t *exs_msg_add_attach(exs_arena_t *a, exs_msg_t *msg);


/* property names, MS-OXCDATA 2.6.1 */

#define MNID_ID                 0
#define MNID_STRING             1

typedef struct {
    uint8_t                   guid[16];  /* in MS-OXCDATA byte order */
    uint8_t                   kind;      /* MNID_ID or MNID_STRING */
    uint32_t                  lid;
    const char               *name;      /* UTF-8, MNID_STRING */
} exs_propname_t;

/*
 * A name <-> id map: the store gives one per mailbox (bound to a
 * transaction); exs_namemap_mem_create() gives one in memory for tests,
 * fuzzers and conversions that have no mailbox.  get_id() with create set
 * assigns the next free id; it returns EXS_NOTFOUND when the name is
 * unknown and create is not set.
 */

typedef struct exs_namemap_s  exs_namemap_t;

struct exs_namemap_s {
    int                     (*get_id)(exs_namemap_t *m,
                                      const exs_propname_t *name,
                                      int create, uint16_t *id);
    int                     (*get_name)(exs_namemap_t *m, uint16_t id,
                                        exs_propname_t *name,
                                        exs_arena_t *a);
    void                     *data;
};

exs_namemap_t *exs_namemap_mem_create(exs_arena_t *a);

/* the property sets of MS-OXPROPS 1.3.2 */
extern const uint8_t  PS_MAPI[16];
extern const uint8_t  PS_PUBLIC_STRINGS[16];
extern const uint8_t  PS_INTERNET_HEADERS[16];
extern const uint8_t  PSETID_COMMON[16];
extern const uint8_t  PSETID_ADDRESS[16];
extern const uint8_t  PSETID_APPOINTMENT[16];
extern const uint8_t  PSETID_MEETING[16];
extern const uint8_t  PSETID_TASK[16];
extern const uint8_t  PSETID_LOG[16];
extern const uint8_t  PSETID_NOTE[16];
extern const uint8_t  PSETID_SHARING[16];
extern const uint8_t  PSETID_POSTRSS[16];
extern const uint8_t  PSETID_UNIFIEDMESSAGING[16];
extern const uint8_t  PSETID_CALENDARASSISTANT[16];
extern const uint8_t  PSETID_ATTACHMENT[16];
extern const uint8_t  PSETID_MESSAGING[16];


/* restrictions, MS-OXCDATA 2.12; the type values are the wire values */

#define RES_AND                 0x00
#define RES_OR                  0x01
#define RES_NOT                 0x02
#define RES_CONTENT             0x03
#define RES_PROPERTY            0x04
#define RES_COMPAREPROPS        0x05
#define RES_BITMASK             0x06
#define RES_SIZE                0x07
#define RES_EXIST               0x08
#define RES_SUBRESTRICTION      0x09
#define RES_COMMENT             0x0A
#define RES_COUNT               0x0B

#define RELOP_LT                0x00
#define RELOP_LE                0x01
#define RELOP_GT                0x02
#define RELOP_GE                0x03
#define RELOP_EQ                0x04
#define RELOP_NE                0x05
#define RELOP_RE                0x06
#define RELOP_MEMBER_OF_DL      0x64

#define FL_FULLSTRING           0x00000000
#define FL_SUBSTRING            0x00000001
#define FL_PREFIX               0x00000002
#define FL_IGNORECASE           0x00010000
#define FL_IGNORENONSPACE       0x00020000
#define FL_LOOSE                0x00040000

#define BMR_EQZ                 0x00
#define BMR_NEZ                 0x01

typedef struct exs_restriction_s  exs_restriction_t;

struct exs_restriction_s {
    uint8_t                   type;
    union {
        struct {
            uint32_t              n;
            exs_restriction_t    *sub;      /* array of n */
        } andor;
        struct {
            exs_restriction_t    *sub;
        } not;
        struct {
            uint32_t              fuzzy;
            uint32_t              tag;
            exs_prop_t            val;
        } content;
        struct {
            uint8_t               relop;
            uint32_t              tag;
            exs_prop_t            val;
        } prop;
        struct {
            uint8_t               relop;
            uint32_t              tag1;
            uint32_t              tag2;
        } cmp;
        struct {
            uint8_t               op;
            uint32_t              tag;
            uint32_t              mask;
        } bitmask;
        struct {
            uint8_t               relop;
            uint32_t              tag;
            uint32_t              size;
        } size;
        struct {
            uint32_t              tag;
        } exist;
        struct {
            uint32_t              subobject; /* PR_MESSAGE_RECIPIENTS or
                                                PR_MESSAGE_ATTACHMENTS */
            exs_restriction_t    *sub;
        } sub;
        struct {
            uint32_t              nprops;
            exs_prop_t           *props;
            exs_restriction_t    *sub;      /* may be NULL */
        } comment;
        struct {
            uint32_t              count;
            exs_restriction_t    *sub;
        } count;
    } u;
};


/* sort orders, MS-OXCDATA 2.13 */

#define TABLE_SORT_ASCEND       0x00
#define TABLE_SORT_DESCEND      0x01
#define TABLE_SORT_COMBINE      0x02
#define TABLE_SORT_MAXIMUM_CATEGORY  0x04
#define TABLE_SORT_MINIMUM_CATEGORY  0x08

typedef struct {
    uint32_t                  tag;
    uint8_t                   order;
} exs_sort_t;

typedef struct {
    uint16_t                  ncategories;
    uint16_t                  nexpanded;
    uint16_t                  n;
    exs_sort_t               *keys;
} exs_sortorder_t;


/*
 * UTF-8: the length of the well-formed sequence at p (1..4) with its code
 * point in *cp, or 0 when there is none there (overlong, a surrogate,
 * beyond U+10FFFF, truncated, a stray byte); and the encoding of a code
 * point into out (room for 4 bytes), returning its length.
 */
size_t exs_utf8_decode(const uint8_t *p, size_t len, uint32_t *cp);
size_t exs_utf8_encode(uint8_t *out, uint32_t cp);


/* time: FILETIME <-> Unix seconds */

#define EXS_FILETIME_UNIX_EPOCH  116444736000000000LL

#define exs_filetime_from_unix(t)                                             \
    ((int64_t) (t) * 10000000LL + EXS_FILETIME_UNIX_EPOCH)
#define exs_filetime_to_unix(ft)                                              \
    (((int64_t) (ft) - EXS_FILETIME_UNIX_EPOCH) / 10000000LL)

int64_t exs_filetime_now(void);


#include <exs_proptags.h>


#endif /* _EXS_MAPI_H_INCLUDED_ */
