
/*
 * exch: the EMSMDB side of MAPI over HTTP (the mailbox): session
 * contexts, the server object handle table, and the ROP layer that runs
 * an Execute request's ROPs against the store.  Nginx-free: the nginx
 * glue (ngx_exch_mapi_module.c), the unit tests and the fuzzers call it
 * the same way.
 *
 * Every piece of session state lives in the store's state environment
 * (exs_state_*), so any worker can serve any request of a session:
 *
 *   EXS_NS_EMSMDB_SESSION  user (4, big-endian) + 16 random bytes ->
 *                          the session record: user, code page, the
 *                          expected sequence cookie, and every server
 *                          object with its state (logons, folders,
 *                          tables with their columns, sort,
 *                          restriction, position and bookmarks,
 *                          messages, attachments, streams)
 *   EXS_NS_EMSMDB_OBJECT   session key + handle (4) + part (4) ->
 *                          what an object holds that is too big for the
 *                          record: the working copy of an open message
 *                          or attachment (part 0), a stream's data in
 *                          64 KiB chunks (part 1 + n)
 *
 * One Execute: exch_ems_begin() loads the session and claims it (the
 * sequence cookie moves on in the same put, so two requests racing on
 * one session cannot both run), exch_ems_execute() runs the ROPs, each
 * ROP that writes the store in its own write transaction, and
 * exch_ems_end() writes what changed back.  No transaction outlives the
 * call that opened it.
 */


#ifndef _EXCH_EMSMDB_H_INCLUDED_
#define _EXCH_EMSMDB_H_INCLUDED_


#include <exs_store.h>

#include "exch_wire.h"
#include "exch_oxcdata.h"
#include "exch_oxcrops.h"
#include "exch_oxcmapihttp.h"


/* MAPI result codes the ROP layer needs beyond exch_oxcdata.h */

#define EXCH_EC_LOGIN_PERM              0x000003F2
#define EXCH_EC_TOO_MANY_OBJECTS        0x000004DE  /* ecMaxObjsExceeded */
#define EXCH_EC_STREAM_SEEK_ERROR       0x80030019
#define EXCH_EC_NOT_SEARCH_FOLDER       0x00000461
#define EXCH_EC_SEARCH_FOLDER           0x00000462
#define EXCH_EC_MAPI_OOM                0x8007000E


/* object types */

#define EXCH_EMS_LOGON          1
#define EXCH_EMS_FOLDER         2
#define EXCH_EMS_MESSAGE        3
#define EXCH_EMS_ATTACH         4
#define EXCH_EMS_TABLE          5
#define EXCH_EMS_STREAM         6
#define EXCH_EMS_NOTIFY         7

/* table kinds */

#define EXCH_EMS_TBL_HIERARCHY      1
#define EXCH_EMS_TBL_CONTENTS       2
#define EXCH_EMS_TBL_ATTACH         3
#define EXCH_EMS_TBL_PERMISSIONS    4
#define EXCH_EMS_TBL_RULES          5

/* message and attachment object flags */

#define EXCH_EMS_NEW            0x01     /* not saved yet */
#define EXCH_EMS_WRITE          0x02     /* opened read/write */
#define EXCH_EMS_HAS_WC         0x04     /* a working copy is stored */
#define EXCH_EMS_ASSOCIATED     0x08     /* an FAI message */
#define EXCH_EMS_EMBEDDED       0x10     /* a message inside an attachment */
#define EXCH_EMS_SUBMITTED      0x20
#define EXCH_EMS_DELETED        0x40     /* the attachment was deleted */

/* stream flags */

#define EXCH_EMS_STREAM_WRITE   0x01
#define EXCH_EMS_STREAM_DIRTY   0x02     /* written since the last commit */
#define EXCH_EMS_STREAM_LOADED  0x04     /* its data is in chunks */

#define EXCH_EMS_CHUNK          65536

#define EXCH_EMS_INVALID_HANDLE 0xFFFFFFFF


typedef struct exch_ems_obj_s      exch_ems_obj_t;
typedef struct exch_ems_session_s  exch_ems_session_t;
typedef struct exch_ems_s          exch_ems_t;


typedef struct {
    uint32_t                  id;
    exs_id_t                  row;         /* fid or mid, category id */
    uint32_t                  inst;
    uint32_t                  pos;
} exch_ems_bookmark_t;


typedef struct {
    uint8_t                   kind;        /* EXCH_EMS_TBL_* */
    uint8_t                   flags;       /* TableFlags of the ROP */
    uint8_t                   status;
    exs_id_t                  fid;
    exch_tags_t               cols;
    unsigned                  has_cols:1;
    exs_sortorder_t           sort;
    exs_bin_t                 res;         /* ROP wire form; 0: none */
    uint32_t                  pos;
    uint32_t                  next_bookmark;
    uint32_t                  nbookmarks;
    exch_ems_bookmark_t      *bookmarks;
    uint32_t                  ntoggled;    /* categories not in their */
    uint64_t                 *toggled;     /* default expansion state */
} exch_ems_table_t;


struct exch_ems_obj_s {
    uint32_t                  handle;
    uint32_t                  parent;      /* handle, 0: none */
    uint8_t                   type;
    uint8_t                   logon_id;

    union {
        struct {
            uint32_t              mailbox;
            uint32_t              owner;       /* directory id */
            uint8_t               flags;       /* LogonFlags */
            uint32_t              open_flags;
            uint64_t              cn;          /* notifications: the
                                                  change the session heard
                                                  of last; 0: none yet */
        } logon;

        struct {
            exs_id_t              fid;
        } folder;

        struct {
            exs_id_t              fid;
            exs_id_t              mid;         /* 0: new */
            uint16_t              cpid;
            uint8_t               flags;       /* EXCH_EMS_NEW... */
            uint32_t              attach_num;  /* embedded: of the parent */
        } message;

        struct {
            uint32_t              num;         /* PR_ATTACH_NUM */
            uint8_t               flags;
        } attach;

        exch_ems_table_t      table;

        struct {
            uint32_t              tag;
            uint8_t               flags;
            uint8_t               mode;        /* OpenModeFlags */
            uint64_t              size;
            uint64_t              pos;
        } stream;

        struct {
            uint16_t              types;
            uint8_t               whole_store;
            exs_id_t              fid;
            exs_id_t              mid;
        } notify;
    } u;

    /* in memory only, for one Execute */
    exs_msg_t                *wc;          /* decoded working copy of a
                                              message */
    exs_attach_t             *awc;         /* ... of an attachment */
    unsigned                  wc_dirty:1;
    unsigned                  wc_gone:1;   /* delete the stored copy */
};


struct exch_ems_session_s {
    uint8_t                   key[20];
    uint32_t                  user;        /* directory id */
    uint32_t                  mailbox;     /* the user's own */
    uint32_t                  cpid;
    uint32_t                  lcid_sort;
    uint32_t                  lcid_string;
    uint8_t                   seq[16];     /* the sequence cookie */
    int64_t                   created;
    int64_t                   expires;
    int64_t                   used;        /* last request, microseconds */
    uint32_t                  next_handle;
    uint32_t                  nobjs;
    uint32_t                  cap;
    exch_ems_obj_t          **objs;
    uint64_t                  version;
    unsigned                  dirty:1;
};


typedef void (*exch_ems_log_pt)(void *data, int error, const char *fmt, ...);


/* what the nginx configuration decides */

typedef struct {
    int64_t                   session_timeout;     /* seconds */
    uint32_t                  max_sessions;        /* per user */
    uint32_t                  max_objects;         /* per session */
    uint64_t                  max_stream;          /* bytes per stream */
    const char               *server_dn;           /* MDB server DN prefix */
    exch_ems_log_pt           log;
    void                     *log_data;
} exch_ems_conf_t;


/* the user a request acts for */

typedef struct {
    uint32_t                  id;
    uint32_t                  mailbox;
    const char               *address;
    const char               *name;
    const char               *legacy_dn;
} exch_ems_user_t;


/* one Execute (or Connect, Disconnect) */

struct exch_ems_s {
    exs_env_t                *env;
    exs_arena_t              *a;
    const exch_ems_conf_t    *conf;
    const exch_ems_user_t    *user;
    exch_ems_session_t       *s;
    int64_t                   now;

    exs_txn_t                *txn;
    unsigned                  txn_write:1;
    int                       txn_rc;      /* of the last write commit */

    exch_wr_t                *w;           /* the ROP output buffer */
    uint32_t                 *handles;     /* the handle table */
    uint32_t                  nhandles;
    exch_ems_obj_t           *created;     /* by the current ROP */
    uint32_t                  dest_index;  /* of the current ROP */

    unsigned                  claim_late:1;   /* the save claims */
    uint32_t                  nsearched;   /* search folders whose   */
    exs_id_t                  searched[8]; /* criteria were set: their
                                              SearchComplete */

    uint32_t                  ngone;       /* state entries to delete */
    uint32_t                  gone_cap;
    uint64_t                 *gone;        /* handle << 32 | part count */
};


/* session contexts (exch_emsmdb_state.c) */

/* the cookie values: 40 and 32 hexadecimal digits */
#define EXCH_EMS_SID_LEN        40
#define EXCH_EMS_SEQ_LEN        32

/* n random bytes from the kernel; EXS_IO when it has none */
int exch_ems_random(uint8_t *p, size_t n);

int exch_ems_sid_parse(const char *s, size_t len, uint8_t key[20]);
void exch_ems_sid_format(const uint8_t key[20], char *out);
void exch_ems_hex(const uint8_t *p, size_t n, char *out);
int exch_ems_unhex(const char *s, size_t len, uint8_t *out);

/* a fresh session for e->user, the user's older sessions bounded */
int exch_ems_session_create(exch_ems_t *e, uint32_t cpid,
    uint32_t lcid_sort, uint32_t lcid_string);
/* loads the session of key; EXS_NOTFOUND when it expired or never was */
int exch_ems_session_load(exch_ems_t *e, const uint8_t key[20]);
/* writes the session back when it changed (expect its version) */
int exch_ems_session_save(exch_ems_t *e);
/* deletes the session and everything its objects stored */
int exch_ems_session_destroy(exch_ems_t *e);
/* the session's new sequence cookie, stored at once: EXS_CONFLICT when
 * another request got there first */
int exch_ems_session_claim(exch_ems_t *e);
/* the same, stored by exch_ems_session_save(), which is then the one to
 * fail with EXS_CONFLICT, before it writes anything: only for ROPs that
 * exch_ems_classify() finds EXCH_EMS_READS (one write instead of two) */
int exch_ems_session_claim_late(exch_ems_t *e);

exch_ems_obj_t *exch_ems_obj_new(exch_ems_t *e, uint8_t type,
    exch_ems_obj_t *parent, uint8_t logon_id);
exch_ems_obj_t *exch_ems_obj_get(exch_ems_t *e, uint32_t handle);
exch_ems_obj_t *exch_ems_obj_logon(exch_ems_t *e, uint8_t logon_id);
/* releases obj and every object opened through it */
void exch_ems_obj_release(exch_ems_t *e, exch_ems_obj_t *obj);
void exch_ems_touch(exch_ems_t *e);

/* working copies of messages and attachments */
int exch_ems_wc_load(exch_ems_t *e, exch_ems_obj_t *obj);
int exch_ems_wc_store(exch_ems_t *e, exch_ems_obj_t *obj);
void exch_ems_wc_drop(exch_ems_t *e, exch_ems_obj_t *obj);

/* stream data */
int exch_ems_chunk_get(exch_ems_t *e, exch_ems_obj_t *obj, uint32_t n,
    exs_bin_t *out);
int exch_ems_chunk_put(exch_ems_t *e, exch_ems_obj_t *obj, uint32_t n,
    const void *data, size_t len);
void exch_ems_chunks_drop(exch_ems_t *e, exch_ems_obj_t *obj);

/* message serialization, for working copies */
int exch_ems_msg_encode(exch_wr_t *w, const exs_msg_t *msg);
int exch_ems_msg_decode(exch_rd_t *r, exs_msg_t *msg, unsigned depth);
int exch_ems_props_encode(exch_wr_t *w, const exs_props_t *props);
int exch_ems_props_decode(exch_rd_t *r, exs_props_t *props);


/* the ROP layer (exch_emsmdb.c) */

/*
 * Runs one Execute request body's RopBuffer: rop_in is the
 * RPC_HEADER_EXT chain the client sent, max_out the client's MaxRopOut,
 * flags its Execute Flags.  out receives the RPC_HEADER_EXT chain of the
 * response.  Returns an EXCH_EC_* for the Execute response's ErrorCode
 * (0 when the ROPs ran; their own errors are in their responses), or a
 * negative EXCH_ERR_* / EXS_* code when the request body is malformed.
 */
int exch_ems_execute(exch_ems_t *e, const uint8_t *rop_in, size_t len,
    uint32_t flags, uint32_t max_out, exs_bin_t *out, uint32_t *ec);

/*
 * What the ROPs of a buffer need: EXCH_EMS_HEAVY when some write the store
 * or may be slow (the glue runs those in a thread; so when unsure);
 * EXCH_EMS_READS when none changes anything but the session's own record
 * until exch_ems_session_save() (table and property reads, opens,
 * Release), so that the sequence may be claimed with that save.
 */
#define EXCH_EMS_HEAVY          0x01
#define EXCH_EMS_READS          0x02

unsigned exch_ems_classify(const uint8_t *rop_in, size_t len,
    exs_arena_t *a);

/* Connect's response fields */
int exch_ems_connect(exch_ems_t *e, const exch_mh_connect_req_t *req,
    exch_mh_connect_rsp_t *rsp);


/* transactions for the handlers */

int exch_ems_read(exch_ems_t *e, exs_txn_t **txn);
int exch_ems_write_begin(exch_ems_t *e, exs_txn_t **txn);
int exch_ems_write_end(exch_ems_t *e, int rc);
void exch_ems_txn_end(exch_ems_t *e);
int exch_ems_mbox(exch_ems_t *e, exch_ems_obj_t *obj, exs_mbox_t **mb);

uint32_t exch_ems_ec(int rc);


/* ROP handlers: one per RopId, in the file of the spec that defines it */

typedef int (*exch_ems_rop_pt)(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);

exch_ems_rop_pt exch_ems_rop_handler(uint8_t rop_id);

/* MS-OXCSTOR */
int exch_oxcstor_logon(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
exch_ems_rop_pt exch_oxcstor_handler(uint8_t rop_id);
exch_ems_rop_pt exch_oxcfold_handler(uint8_t rop_id);
exch_ems_rop_pt exch_oxctabl_handler(uint8_t rop_id);
exch_ems_rop_pt exch_oxcmsg_handler(uint8_t rop_id);
exch_ems_rop_pt exch_oxcprpt_handler(uint8_t rop_id);
exch_ems_rop_pt exch_oxomsg_handler(uint8_t rop_id);
exch_ems_rop_pt exch_oxcperm_handler(uint8_t rop_id);
exch_ems_rop_pt exch_oxorule_handler(uint8_t rop_id);
exch_ems_rop_pt exch_oxcnotif_handler(uint8_t rop_id);

/* notifications (exch_oxcnotif.c): the RopNotify responses of the changes
 * since the last Execute, after its ROPs; whether a NotificationWait has
 * something to report (1), else the mailboxes to watch and from where */
int exch_ems_notify_write(exch_ems_t *e, exch_wr_t *w);
int exch_ems_notify_pending(exch_ems_t *e, uint32_t *mailboxes,
    uint64_t *cns, uint32_t *n, uint32_t max);


/* what the handler files share */

/* the logon object of any object */
exch_ems_obj_t *exch_ems_logon_of(exch_ems_t *e, exch_ems_obj_t *obj);
/* wire ids <-> store ids for the logon's mailbox */
uint64_t exch_ems_eid(exs_id_t id);
exs_id_t exch_ems_id(uint64_t eid);

/* the properties of any object with properties (logon, folder,
 * message, attachment): ntags 0 means all */
int exch_ems_props_get(exch_ems_t *e, exch_ems_obj_t *obj,
    const uint32_t *tags, uint32_t ntags, exs_props_t *out);
int exch_ems_props_set(exch_ems_t *e, exch_ems_obj_t *obj,
    const exs_props_t *props, exch_problem_t **problems, uint16_t *nprob);
int exch_ems_props_del(exch_ems_t *e, exch_ems_obj_t *obj,
    const uint32_t *tags, uint32_t ntags, exch_problem_t **problems,
    uint16_t *nprob);

/* messages: the current view of a message object (its working copy,
 * else the stored message with what was asked for) */
int exch_ems_msg_view(exch_ems_t *e, exch_ems_obj_t *msg, unsigned what,
    exs_msg_t **out);
/* the working copy of a message, made when missing */
int exch_ems_msg_edit(exch_ems_t *e, exch_ems_obj_t *obj, exs_msg_t **out);
int exch_ems_msg_props(exch_ems_t *e, exch_ems_obj_t *obj,
    const uint32_t *tags, uint32_t ntags, exs_props_t *out);
/* an attachment object's view: its own working copy, else its place in
 * the parent message's view */
int exch_ems_attach_view(exch_ems_t *e, exch_ems_obj_t *att,
    exs_attach_t **out);
int exch_ems_attach_edit(exch_ems_t *e, exch_ems_obj_t *att,
    exs_attach_t **out);
int exch_ems_attach_props(exch_ems_t *e, exch_ems_obj_t *obj,
    const uint32_t *tags, uint32_t ntags, exs_props_t *out);

/* streams: a stream's data becomes its property's value; every dirty
 * stream on an object, before the object is saved */
int exch_ems_stream_commit(exch_ems_t *e, exch_ems_obj_t *s);
int exch_ems_streams_flush(exch_ems_t *e, exch_ems_obj_t *obj);
exch_ems_obj_t *exch_ems_parent(exch_ems_t *e, exch_ems_obj_t *obj);

/* converts string values to the type a request asked for */
int exch_ems_string_type(exch_ems_t *e, exs_prop_t *p, uint16_t want,
    uint32_t cpid);
uint32_t exch_ems_cpid(exch_ems_t *e, exch_ems_obj_t *obj);

/* tables: the rows of a table object (exch_oxctabl.c), for FindRow,
 * QueryRows... and for the other files' tables */
int exch_ems_table_count(exch_ems_t *e, exch_ems_obj_t *t, uint32_t *n);
/* a new table object of a kind under parent, for the Get*Table ROPs */
/* a table notification's row: its PropertyRow and the row before it */
int exch_ems_table_row(exch_ems_t *e, exch_ems_obj_t *t, exs_id_t id,
    uint64_t *after, exs_bin_t *row);
/* a table of kind on the folder obj, for a ROP whose response has no row
 * count (RopGetPermissionsTable, RopGetRulesTable) */
int exch_ems_folder_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, uint8_t kind);

/* an address book entry id for a directory entry (exch_oxcstor.c) */
int exch_ems_ab_entryid(exs_arena_t *a, const char *dn, uint32_t type,
    exs_bin_t *out);
/* the directory entry an address book entry id names */
int exch_ems_ab_lookup(exch_ems_t *e, const uint8_t *eid, size_t len,
    exs_dirent_t *d);

/* rules (exch_oxorule.c) for the folder ROPs */
int exch_ems_folder_has_rules(exch_ems_t *e, exs_mbox_t *mb, exs_id_t fid);

/* the row of a memory table (attachments, permissions, rules) */
typedef struct {
    exs_id_t                  id;
    exs_props_t               props;
} exch_ems_row_t;

int exch_ems_attach_rows(exch_ems_t *e, exch_ems_obj_t *t,
    exch_ems_row_t **rows, uint32_t *n);
int exch_ems_perm_rows(exch_ems_t *e, exch_ems_obj_t *t,
    exch_ems_row_t **rows, uint32_t *n);
int exch_ems_rule_rows(exch_ems_t *e, exch_ems_obj_t *t,
    exch_ems_row_t **rows, uint32_t *n);


#endif /* _EXCH_EMSMDB_H_INCLUDED_ */
