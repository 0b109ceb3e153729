
/*
 * exch: the wire forms of MS-OXCDATA in terms of the in-memory model of
 * exs_mapi.h: ids and entry ids, property values in every form (plain,
 * tagged, typed, flagged), property rows, property problems, property
 * names, restrictions and sort orders; plus the MAPI result codes.
 * Nginx-free.
 *
 * The reader's and writer's flags (exch_wire.h) select the context:
 * 0 for ROP buffers, EXCH_F_WIDE for extended rules and MAPI/HTTP,
 * EXCH_F_ABK for the address book forms of MS-OXCMAPIHTTP 2.2.1.
 *
 * Strings: PT_UNICODE values arrive as UTF-16LE and become UTF-8 (lone
 * surrogates become U+FFFD unless EXCH_F_UTF16_STRICT); PT_STRING8 values
 * are kept as the bytes sent, in the code page of the logon or request;
 * exch_prop_to_unicode() / exch_prop_to_string8() convert.  When a
 * PT_STRING8 column is written from a PT_UNICODE value, the writer
 * converts to w->cpid.
 */


#ifndef _EXCH_OXCDATA_H_INCLUDED_
#define _EXCH_OXCDATA_H_INCLUDED_


#include "exch_wire.h"


/* MAPI result codes, MS-OXCDATA 2.4 */

#define EXCH_EC_SUCCESS                 0x00000000
#define EXCH_EC_UNKNOWN_USER            0x000003EB
#define EXCH_EC_NO_RECEIVE_FOLDER       0x00000463
#define EXCH_EC_WRONG_SERVER            0x00000478
#define EXCH_EC_BUFFER_TOO_SMALL        0x0000047D
#define EXCH_EC_RPC_FORMAT              0x000004B6
#define EXCH_EC_NULL_OBJECT             0x000004B9
#define EXCH_EC_QUOTA_EXCEEDED          0x000004D9
#define EXCH_EC_DST_NULL_OBJECT         0x00000503
#define EXCH_EC_WARN_WITH_ERRORS        0x00040380
#define EXCH_EC_STREAM_INVALID_FUNCTION 0x80030001
#define EXCH_EC_STREAM_ACCESS_DENIED    0x80030005
#define EXCH_EC_STREAM_SIZE_ERROR       0x80030070
#define EXCH_EC_ERROR                   0x80004005
#define EXCH_EC_NOT_SUPPORTED           0x80040102
#define EXCH_EC_UNKNOWN_FLAGS           0x80040106
#define EXCH_EC_INVALID_OBJECT          0x80040108
#define EXCH_EC_OBJECT_MODIFIED         0x80040109
#define EXCH_EC_OBJECT_DELETED          0x8004010A
#define EXCH_EC_NOT_FOUND               0x8004010F
#define EXCH_EC_LOGIN_FAILURE           0x80040111
#define EXCH_EC_UNABLE_TO_ABORT         0x80040114
#define EXCH_EC_CORRUPT_DATA            0x80040115
#define EXCH_EC_TOO_COMPLEX             0x80040117
#define EXCH_EC_TOO_BIG                 0x80040305
#define EXCH_EC_TIMEOUT                 0x80040401
#define EXCH_EC_TABLE_TOO_BIG           0x80040403
#define EXCH_EC_INVALID_BOOKMARK        0x80040405
#define EXCH_EC_NOT_IN_QUEUE            0x80040601
#define EXCH_EC_DUPLICATE_NAME          0x80040604
#define EXCH_EC_NOT_INITIALIZED         0x80040605
#define EXCH_EC_FOLDER_CYCLE            0x8004060B
#define EXCH_EC_AMBIGUOUS_RECIP         0x80040700
#define EXCH_EC_NOT_IMPLEMENTED         0x80040FFF
#define EXCH_EC_ACCESS_DENIED           0x80070005
#define EXCH_EC_NOT_ENOUGH_MEMORY       0x8007000E
#define EXCH_EC_INVALID_PARAM           0x80070057


/* folder and message ids, MS-OXCDATA 2.2.1.1: 2 bytes of replica id,
 * then the 48-bit global counter in big-endian order; as a little-endian
 * 64-bit number the replica id is the low 16 bits */

uint64_t exch_id_make(uint16_t replid, uint64_t counter);
uint16_t exch_id_replid(uint64_t id);
uint64_t exch_id_counter(uint64_t id);
void exch_globcnt_put(uint8_t out[6], uint64_t counter);
uint64_t exch_globcnt_get(const uint8_t in[6]);


/* LongTermId, MS-OXCDATA 2.2.1.3.1 */

typedef struct {
    uint8_t                   guid[16];
    uint8_t                   globcnt[6];
    uint16_t                  pad;
} exch_ltid_t;

int exch_read_ltid(exch_rd_t *r, exch_ltid_t *id);
int exch_write_ltid(exch_wr_t *w, const exch_ltid_t *id);


/* folder and message entry ids, MS-OXCDATA 2.2.4.1 and 2.2.4.2; other
 * entry ids travel as opaque binaries */

#define EXCH_EID_PRIVATE_FOLDER     0x0001
#define EXCH_EID_PUBLIC_FOLDER      0x0003
#define EXCH_EID_PRIVATE_MESSAGE    0x0007
#define EXCH_EID_PUBLIC_MESSAGE     0x0009

#define EXCH_FOLDER_EID_SIZE        46
#define EXCH_MESSAGE_EID_SIZE       70

typedef struct {
    uint32_t                  flags;
    uint8_t                   provider[16];   /* the mailbox GUID */
    uint16_t                  type;
    uint8_t                   folder_db[16];
    uint64_t                  folder_counter;
    uint8_t                   message_db[16]; /* message entry ids only */
    uint64_t                  message_counter;
} exch_eid_t;

/* EXCH_ERR_FORMAT when the size or the type does not fit */
int exch_eid_parse(const uint8_t *p, size_t len, exch_eid_t *eid);
int exch_eid_write(exch_wr_t *w, const exch_eid_t *eid);


/* property tag arrays: a 2-byte count in ROPs, 4 in MAPI/HTTP */

typedef struct {
    uint32_t                  n;
    uint32_t                 *tags;
} exch_tags_t;

int exch_read_tags(exch_rd_t *r, int wide_count, exch_tags_t *tags);
int exch_write_tags(exch_wr_t *w, int wide_count, const uint32_t *tags,
    uint32_t n);


/*
 * One property value of a known type (PropertyValue, 2.11.2.1), into or
 * from pv->v; the tag is the caller's.  PT_UNSPECIFIED is not a value
 * type (EXCH_ERR_FORMAT); PT_NULL has no bytes; PT_OBJECT and PT_SVREID
 * travel like PT_BINARY; PT_SRESTRICTION and PT_ACTIONS are read to
 * their end and kept as wire bytes (bin) in the reader's context.  In
 * the EXCH_F_ABK context a HasValue byte comes first for strings,
 * binaries and multi-values, and before each element of multi-valued
 * strings and binaries; a value without one reads as an empty value.
 */
int exch_read_propval(exch_rd_t *r, uint16_t type, exs_prop_t *pv);
int exch_write_propval(exch_wr_t *w, uint16_t type, const exs_prop_t *pv);

/* TaggedPropertyValue (2.11.4): tag, then value */
int exch_read_tagged(exch_rd_t *r, exs_prop_t *pv);
int exch_write_tagged(exch_wr_t *w, const exs_prop_t *pv);

/* TypedPropertyValue (2.11.3): type, then value; the id is given */
int exch_read_typed(exch_rd_t *r, uint16_t id, exs_prop_t *pv);
int exch_write_typed(exch_wr_t *w, const exs_prop_t *pv);

/* arrays of TaggedPropertyValue with a 2- or 4-byte count */
int exch_read_tagged_array(exch_rd_t *r, int wide_count, exs_props_t *props);
int exch_write_tagged_array(exch_wr_t *w, int wide_count,
    const exs_props_t *props);


/*
 * PropertyRow, 2.8.1.  Reading: the values in column order, as an
 * exs_props_t (not deduplicated); a flagged "not present" value is left
 * out, a flagged error becomes a PT_ERROR value with the column's id.
 * Writing: each column looks up its value in row by id (a
 * PT_MV_INSTANCE column by its exact tag, written as the single base
 * type); a PT_STRING8 column takes a PT_UNICODE value converted to
 * w->cpid.  The row is written flagged when a column has no value (it
 * gets ecNotFound) or its value is PT_ERROR (it gets that error), else
 * standard.  PT_UNSPECIFIED columns are written typed.
 */

#define EXCH_ROW_STANDARD       0x00
#define EXCH_ROW_FLAGGED        0x01

#define EXCH_FLAG_PRESENT       0x00
#define EXCH_FLAG_ABSENT        0x01
#define EXCH_FLAG_ERROR         0x0A

int exch_read_row(exch_rd_t *r, const uint32_t *cols, uint32_t ncols,
    exs_props_t *row);
int exch_write_row(exch_wr_t *w, const uint32_t *cols, uint32_t ncols,
    const exs_props_t *row);


/* PropertyProblem, 2.7 */

typedef struct {
    uint16_t                  index;
    uint32_t                  tag;
    uint32_t                  err;
} exch_problem_t;

int exch_read_problems(exch_rd_t *r, exch_problem_t **problems,
    uint16_t *n);
int exch_write_problems(exch_wr_t *w, const exch_problem_t *problems,
    uint16_t n);


/* PropertyName, 2.6.1: MNID_ID, MNID_STRING, or 0xFF for "no name" in
 * GetNamesFromPropertyIds responses (a GUID is still sent) */

#define EXCH_MNID_NONE          0xFF

int exch_read_propname(exch_rd_t *r, exs_propname_t *name);
int exch_write_propname(exch_wr_t *w, const exs_propname_t *name);


/*
 * Restrictions, 2.12.  Nesting deeper than EXCH_RES_MAX_DEPTH is
 * EXCH_ERR_DEPTH.  The counts of And/Or are 16 bits in ROPs and 32 bits
 * with EXCH_F_WIDE/EXCH_F_ABK; their values are plain property values
 * even in the address book context.
 */

#define EXCH_RES_MAX_DEPTH      64

int exch_read_restriction(exch_rd_t *r, exs_restriction_t *res);
int exch_write_restriction(exch_wr_t *w, const exs_restriction_t *res);


/* SortOrderSet, 2.13 */

int exch_read_sortorder(exch_rd_t *r, exs_sortorder_t *so);
int exch_write_sortorder(exch_wr_t *w, const exs_sortorder_t *so);


/* PT_STRING8 <-> PT_UNICODE values (and their multi-value forms), in
 * place; other types are left alone */

int exch_prop_to_unicode(exs_arena_t *a, exs_prop_t *p, uint32_t cpid);
int exch_prop_to_string8(exs_arena_t *a, exs_prop_t *p, uint32_t cpid);


#endif /* _EXCH_OXCDATA_H_INCLUDED_ */
