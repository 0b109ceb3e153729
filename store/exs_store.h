
/*
 * exch store: the LMDB message store shared by every nginx worker and by
 * exchctl.  Plain C, no nginx headers.  store/README.md has the schema and
 * the key layout.
 *
 * Rules for callers:
 *
 *   - One exs_env_t per process (LMDB forbids opening an environment twice
 *     in one process): the nginx core module opens it in init_process and
 *     closes it in exit_process.
 *   - Every call works inside a transaction.  Read transactions are cheap
 *     (a cached, reset/renewed LMDB read txn) and must never be held across
 *     a return to the event loop.  Write transactions are serialized across
 *     all processes; keep them short, or run them in a thread.
 *   - Everything a call returns lives in the exs_arena_t the caller passed,
 *     or points into the transaction's map (valid until commit/abort).
 *   - Functions return EXS_OK or a negative EXS_* code (exs_mapi.h).
 */


#ifndef _EXS_STORE_H_INCLUDED_
#define _EXS_STORE_H_INCLUDED_


#include <stdio.h>
#include <exs_mapi.h>


typedef struct exs_env_s    exs_env_t;
typedef struct exs_txn_s    exs_txn_t;
typedef struct exs_mbox_s   exs_mbox_t;
typedef struct exs_table_s  exs_table_t;

/* a folder id, a message id or a change number: the 48-bit global counter
 * of MS-OXCDATA 2.2.1.1 as a plain integer; 0 is "none" */
typedef uint64_t            exs_id_t;


/* environment */

#define EXS_ENV_CREATE          0x01     /* create the store if missing */
#define EXS_ENV_RDONLY          0x02

typedef struct {
    uint64_t                  map_size;     /* 0: 64 GiB */
    unsigned                  max_readers;  /* 0: 1024 */
    unsigned                  flags;
    uint64_t                  state_map_size;  /* 0: 4 GiB */
} exs_env_conf_t;

int exs_env_open(exs_env_t **env, const char *dir, const exs_env_conf_t *conf);
void exs_env_close(exs_env_t *env);
const char *exs_env_dir(exs_env_t *env);

/* a hot, compacted copy of the durable store into an empty directory
 * (created when missing) */
int exs_env_backup(exs_env_t *env, const char *dest);

/* walks everything, recounts reference counts and folder counters, and
 * writes one line per problem to report; EXS_CORRUPT when there is one */
int exs_env_check(exs_env_t *env, FILE *report);

typedef struct {
    uint64_t                  map_size;
    uint64_t                  used;         /* bytes of the map in use */
    unsigned                  readers;
    unsigned                  max_readers;
} exs_env_stat_t;

int exs_env_stat(exs_env_t *env, exs_env_stat_t *st);

/*
 * Called after a write transaction that changed mailboxes commits, with
 * the mailboxes and their newest change number: the notification bus
 * hangs here.  Runs in the committing thread, outside the transaction.
 * Mailbox 0 (change number 0) stands for the outgoing queue: an entry
 * became due (exs_queue_add(), exs_queue_kick(), exs_queue_release()).
 */
typedef void (*exs_commit_hook_pt)(void *data, const uint32_t *mailboxes,
    const uint64_t *last_cn, uint32_t n);

void exs_env_set_commit_hook(exs_env_t *env, exs_commit_hook_pt hook,
    void *data);


/* transactions */

#define EXS_TXN_RDONLY          0x01

int exs_txn_begin(exs_env_t *env, unsigned flags, exs_txn_t **txn);
int exs_txn_commit(exs_txn_t *txn);
void exs_txn_abort(exs_txn_t *txn);
exs_env_t *exs_txn_env(exs_txn_t *txn);


/* passwords (crypt(3) yescrypt); slow by design: callers in an event loop
 * run these in a thread */

int exs_password_hash(const char *password, char *hash, size_t size);
int exs_password_verify(const char *hash, const char *password);


/* directory */

#define EXS_DIR_USER            1
#define EXS_DIR_GROUP           2

#define EXS_DIR_DISABLED        0x01

typedef struct {
    uint32_t                  id;           /* stable, never reused; the
                                               NSPI minimal entry id */
    uint32_t                  type;         /* EXS_DIR_USER, _GROUP */
    uint32_t                  flags;
    uint32_t                  domain;       /* domain id */
    const char               *address;      /* primary SMTP, lower case */
    const char               *display_name;
    const char               *legacy_dn;    /* /o=.../ou=Exchange
                                               Administrative Group
                                               (FYDIBOHF23SPDLT)/cn=Recipients
                                               /cn=... */
    uint8_t                   guid[16];     /* mailbox GUID (users),
                                               object GUID (groups) */
    uint32_t                  mailbox;      /* mailbox id; 0 for groups */
    const char               *password;     /* crypt(3) hash; NULL for
                                               groups */
    uint32_t                  naliases;
    const char              **aliases;      /* lower case */
    exs_props_t               props;        /* further address book
                                               properties: PR_TITLE,
                                               PR_BUSINESS_TELEPHONE_NUMBER,
                                               ... as set by exchctl */
} exs_dirent_t;

typedef struct {
    uint32_t                  id;
    const char               *name;         /* lower case */
} exs_domain_t;

int exs_dir_domain_add(exs_txn_t *txn, const char *name, uint32_t *id);
int exs_dir_domain_del(exs_txn_t *txn, const char *name);
int exs_dir_domains(exs_txn_t *txn, exs_domain_t **domains, uint32_t *n,
    exs_arena_t *a);

/* creates the user and provisions the mailbox (every special folder) */
int exs_dir_user_add(exs_txn_t *txn, const char *address,
    const char *display_name, const char *password, uint32_t *id);
int exs_dir_user_passwd(exs_txn_t *txn, uint32_t id, const char *password);
int exs_dir_user_set(exs_txn_t *txn, uint32_t id, const char *display_name,
    const exs_props_t *props, uint32_t flags);
int exs_dir_user_del(exs_txn_t *txn, uint32_t id);   /* and its mailbox */

int exs_dir_alias_add(exs_txn_t *txn, uint32_t id, const char *address);
int exs_dir_alias_del(exs_txn_t *txn, const char *address);

int exs_dir_group_add(exs_txn_t *txn, const char *address,
    const char *display_name, uint32_t *id);
int exs_dir_group_del(exs_txn_t *txn, uint32_t id);
int exs_dir_member_add(exs_txn_t *txn, uint32_t group, uint32_t member);
int exs_dir_member_del(exs_txn_t *txn, uint32_t group, uint32_t member);
int exs_dir_members(exs_txn_t *txn, uint32_t group, uint32_t **ids,
    uint32_t *n, exs_arena_t *a);

/* look-ups; addresses match primary and aliases case-insensitively */
int exs_dir_by_address(exs_txn_t *txn, const char *address, exs_dirent_t *e,
    exs_arena_t *a);
int exs_dir_by_dn(exs_txn_t *txn, const char *legacy_dn, exs_dirent_t *e,
    exs_arena_t *a);
int exs_dir_by_guid(exs_txn_t *txn, const uint8_t guid[16], exs_dirent_t *e,
    exs_arena_t *a);
int exs_dir_by_id(exs_txn_t *txn, uint32_t id, exs_dirent_t *e,
    exs_arena_t *a);
int exs_dir_by_mailbox(exs_txn_t *txn, uint32_t mailbox, exs_dirent_t *e,
    exs_arena_t *a);

/*
 * The global address list: every user and group in display-name order
 * (case-insensitive, then id).  exs_gal_list() gives the ids in order;
 * exs_gal_seek() gives the position of the first entry whose display name
 * is >= prefix (case-insensitive), for NSPI SeekEntries and ResolveNames.
 */
int exs_gal_list(exs_txn_t *txn, uint32_t **ids, uint32_t *n,
    exs_arena_t *a);
int exs_gal_seek(exs_txn_t *txn, const char *prefix, uint32_t *position);


/* mailboxes */

/* the special folders of every mailbox, with fixed folder ids */

#define EXS_FID_ROOT                     0x01
#define EXS_FID_DEFERRED_ACTION          0x02
#define EXS_FID_SPOOLER_QUEUE            0x03
#define EXS_FID_SHORTCUTS                0x04
#define EXS_FID_FINDER                   0x05
#define EXS_FID_VIEWS                    0x06
#define EXS_FID_COMMON_VIEWS             0x07
#define EXS_FID_SCHEDULE                 0x08
#define EXS_FID_IPM_SUBTREE              0x09
#define EXS_FID_SENT_ITEMS               0x0A
#define EXS_FID_DELETED_ITEMS            0x0B
#define EXS_FID_OUTBOX                   0x0C
#define EXS_FID_INBOX                    0x0D
#define EXS_FID_DRAFTS                   0x0E
#define EXS_FID_CALENDAR                 0x0F
#define EXS_FID_JOURNAL                  0x10
#define EXS_FID_NOTES                    0x11
#define EXS_FID_TASKS                    0x12
#define EXS_FID_CONTACTS                 0x13
#define EXS_FID_QUICK_CONTACTS           0x14
#define EXS_FID_IM_CONTACT_LIST          0x15
#define EXS_FID_GAL_CONTACTS             0x16
#define EXS_FID_JUNK                     0x17
#define EXS_FID_CONVERSATION_HISTORY     0x18
#define EXS_FID_SYNC_ISSUES              0x19
#define EXS_FID_CONFLICTS                0x1A
#define EXS_FID_LOCAL_FAILURES           0x1B
#define EXS_FID_SERVER_FAILURES          0x1C
#define EXS_FID_RSS_FEEDS                0x1D
#define EXS_FID_QUICK_STEP_SETTINGS      0x1E
#define EXS_FID_CONVERSATION_ACTIONS     0x1F
#define EXS_FID_FREEBUSY_DATA            0x20
#define EXS_FID_REMINDERS                0x21
#define EXS_FID_TODO_SEARCH              0x22
#define EXS_FID_ARCHIVE                  0x23
#define EXS_FID_RECOVERABLE_ITEMS        0x24

/* the first global counter value handed out for anything else */
#define EXS_ID_FIRST_FREE                0x100

typedef struct {
    uint32_t                  mailbox;
    uint32_t                  owner;        /* directory id */
    uint8_t                   guid[16];     /* mailbox GUID = replica GUID */
    uint16_t                  replid;       /* 1: the mailbox's own */
    uint64_t                  last_cn;
    uint64_t                  size;         /* bytes in messages */
} exs_mbox_info_t;

/*
 * Opens a mailbox inside a transaction on behalf of a directory user
 * (user 0: the system, with every right: delivery, exchctl).  Opening
 * another user's mailbox succeeds; each operation then checks that user's
 * folder permissions (MS-OXCPERM) and fails with EXS_DENIED.  The handle
 * lives as long as the transaction.
 */
int exs_mbox_open(exs_txn_t *txn, uint32_t mailbox, uint32_t user,
    exs_mbox_t **mb);
int exs_mbox_info(exs_mbox_t *mb, exs_mbox_info_t *info);
exs_txn_t *exs_mbox_txn(exs_mbox_t *mb);

/* the mailbox's named property map, bound to the transaction */
exs_namemap_t *exs_mbox_namemap(exs_mbox_t *mb);

/* store object properties (PR_IPM_SUBTREE_ENTRYID, PR_MAILBOX_OWNER_NAME,
 * PR_STORE_SUPPORT_MASK, PR_MESSAGE_SIZE_EXTENDED...); ntags 0: all */
int exs_mbox_get_props(exs_mbox_t *mb, const uint32_t *tags, uint32_t ntags,
    exs_props_t *out, exs_arena_t *a);
int exs_mbox_set_props(exs_mbox_t *mb, const exs_props_t *props);


/* ids in their wire forms (MS-OXCDATA 2.2) */

/* a 6-byte global counter (GLOBCNT), big-endian, as ids carry it */
void exs_gc_put(uint8_t *p, exs_id_t id);
exs_id_t exs_gc_get(const uint8_t *p);

/* the 64-bit FID/MID of ROPs: replica id then the 6-byte counter */
uint64_t exs_id_to_eid(uint16_t replid, exs_id_t id);
exs_id_t exs_eid_to_id(uint64_t eid, uint16_t *replid);

/* XID of a change number / source key of an object: GUID + 6-byte
 * counter, 22 bytes */
#define EXS_XID_LEN             22

#define EXS_FOLDER_ENTRYID_LEN  46
#define EXS_MESSAGE_ENTRYID_LEN 70

int exs_folder_entryid(exs_mbox_t *mb, exs_id_t fid, uint8_t *out);
int exs_message_entryid(exs_mbox_t *mb, exs_id_t fid, exs_id_t mid,
    uint8_t *out);
/* parses a folder or message entry id of any mailbox: the mailbox GUID
 * tells whose; mid is 0 for a folder */
int exs_entryid_parse(const uint8_t *data, size_t len, uint8_t guid[16],
    exs_id_t *fid, exs_id_t *mid);


/* folders */

#define EXS_FOLDER_ROOT         0        /* PR_FOLDER_TYPE values */
#define EXS_FOLDER_GENERIC      1
#define EXS_FOLDER_SEARCH       2

#define EXS_OPEN_IF_EXISTS      0x01     /* create: return the existing */
#define EXS_KEEP_KEYS           0x80     /* create: keep the PR_SOURCE_KEY,
                                            PR_CHANGE_KEY and
                                            PR_PREDECESSOR_CHANGE_LIST the
                                            caller gives (ICS upload) */

#define EXS_DEL_HARD            0x01     /* no soft-deleted copy */
#define EXS_DEL_MESSAGES        0x02     /* folder delete: with contents */
#define EXS_DEL_FOLDERS         0x04     /* folder delete: with subfolders */
#define EXS_DEL_ASSOCIATED      0x08     /* empty: FAI messages too */

/*
 * props must hold PR_DISPLAY_NAME; names are unique among siblings
 * (case-insensitive): EXS_EXISTS unless EXS_OPEN_IF_EXISTS.
 */
int exs_folder_create(exs_mbox_t *mb, exs_id_t parent,
    const exs_props_t *props, uint32_t type, unsigned flags, exs_id_t *fid);

/*
 * Properties of a folder, stored and computed (PR_ENTRYID, PR_SOURCE_KEY,
 * PR_PARENT_*, PR_CHANGE_KEY, PR_PREDECESSOR_CHANGE_LIST, PR_CONTENT_COUNT,
 * PR_CONTENT_UNREAD, PR_ASSOC_CONTENT_COUNT, PR_SUBFOLDERS,
 * PR_FOLDER_CHILD_COUNT, PR_MESSAGE_SIZE_EXTENDED, PR_CREATION_TIME,
 * PR_LAST_MODIFICATION_TIME, PR_FID, PR_PARENT_FID, PR_CHANGE_NUMBER,
 * PR_RIGHTS, PR_ACCESS, PR_OBJECT_TYPE, PR_RECORD_KEY, PR_DELETED_ON,
 * PR_HIERARCHY_CHANGE_NUM...).  ntags 0: every property.  A tag that has no
 * value is left out of out.
 */
int exs_folder_get(exs_mbox_t *mb, exs_id_t fid, const uint32_t *tags,
    uint32_t ntags, exs_props_t *out, exs_arena_t *a);

/* computed properties in props are ignored; a change gets a new change
 * number and change key */
int exs_folder_set(exs_mbox_t *mb, exs_id_t fid, const exs_props_t *props);
int exs_folder_delprops(exs_mbox_t *mb, exs_id_t fid, const uint32_t *tags,
    uint32_t ntags);

int exs_folder_parent(exs_mbox_t *mb, exs_id_t fid, exs_id_t *parent);
int exs_folder_by_name(exs_mbox_t *mb, exs_id_t parent, const char *name,
    exs_id_t *fid);

/* a folder's counters without a property bag (IMAP STATUS/SELECT) */
typedef struct {
    exs_id_t                  parent;
    uint32_t                  type;         /* EXS_FOLDER_* */
    unsigned                  special:1;
    unsigned                  deleted:1;    /* soft-deleted */
    uint64_t                  cn;           /* the folder's own change */
    uint64_t                  content_cn;   /* the newest change inside:
                                               HIGHESTMODSEQ */
    uint32_t                  count;
    uint32_t                  unread;
    uint32_t                  assoc_count;
    uint32_t                  deleted_count;
    uint32_t                  children;
    uint32_t                  uidnext;
    uint32_t                  uidvalidity;
    int64_t                   size;
} exs_folder_info_t;

int exs_folder_info(exs_mbox_t *mb, exs_id_t fid, exs_folder_info_t *info);

/* the subfolders (deleted: the soft-deleted ones) in display-name order */
int exs_folder_list_children(exs_mbox_t *mb, exs_id_t fid, int deleted,
    exs_id_t **fids, uint32_t *n, exs_arena_t *a);

/* special folders can't be deleted or moved: EXS_DENIED; a folder with
 * messages (subfolders) without EXS_DEL_MESSAGES (EXS_DEL_FOLDERS):
 * EXS_CONFLICT */
int exs_folder_delete(exs_mbox_t *mb, exs_id_t fid, unsigned flags);
/* moves the subtree; name NULL keeps the name */
int exs_folder_move(exs_mbox_t *mb, exs_id_t fid, exs_id_t new_parent,
    const char *name);
int exs_folder_copy(exs_mbox_t *mb, exs_id_t fid, exs_id_t new_parent,
    const char *name, int recursive, exs_id_t *new_fid);
/* deletes the contents (flags: EXS_DEL_HARD, EXS_DEL_ASSOCIATED,
 * EXS_DEL_FOLDERS for the subfolders too) */
int exs_folder_empty(exs_mbox_t *mb, exs_id_t fid, unsigned flags);

/* search folders: the restriction and scope are kept; the contents table
 * of a search folder evaluates them over the scope folders */
int exs_folder_set_search(exs_mbox_t *mb, exs_id_t fid,
    const exs_restriction_t *res, const exs_id_t *scope, uint32_t nscope,
    uint32_t flags);
int exs_folder_get_search(exs_mbox_t *mb, exs_id_t fid,
    exs_restriction_t **res, exs_id_t **scope, uint32_t *nscope,
    uint32_t *flags, exs_arena_t *a);

/* folder permissions (MS-OXCPERM): member 0 is "Default", -1 "Anonymous",
 * others are directory ids; rights are the frights* bits */
typedef struct {
    int64_t                   member;
    uint32_t                  rights;
} exs_perm_t;

int exs_folder_perms(exs_mbox_t *mb, exs_id_t fid, exs_perm_t **perms,
    uint32_t *n, exs_arena_t *a);
int exs_folder_set_perm(exs_mbox_t *mb, exs_id_t fid, int64_t member,
    uint32_t rights);                        /* rights 0: remove */
int exs_folder_rights(exs_mbox_t *mb, exs_id_t fid, uint32_t *rights);


/* messages */

#define EXS_MSG_ASSOCIATED      0x01     /* a folder-associated message */
#define EXS_MSG_NEW_MAIL        0x04     /* create: a delivery (the change
                                            log says EXS_CHANGE_NEW_MAIL) */
/* EXS_KEEP_KEYS (0x80) applies to exs_message_create() too */

/* PR_MESSAGE_FLAGS bits (MS-OXCMSG 2.2.1.6) */
#ifndef MSGFLAG_READ
#define MSGFLAG_READ            0x00000001
#define MSGFLAG_UNMODIFIED      0x00000002
#define MSGFLAG_SUBMIT          0x00000004
#define MSGFLAG_UNSENT          0x00000008
#define MSGFLAG_HASATTACH       0x00000010
#define MSGFLAG_FROMME          0x00000020
#define MSGFLAG_ASSOCIATED      0x00000040
#define MSGFLAG_RESEND          0x00000080
#define MSGFLAG_RN_PENDING      0x00000100
#define MSGFLAG_NRN_PENDING     0x00000200
#define MSGFLAG_EVERREAD        0x00000400
#define MSGFLAG_ORIGIN_X400     0x00001000
#define MSGFLAG_ORIGIN_INTERNET 0x00002000
#define MSGFLAG_ORIGIN_MISC_EXT 0x00008000
#endif

#define EXS_READ_PROPS          0x01
#define EXS_READ_RCPTS          0x02
#define EXS_READ_ATTACH         0x04     /* attachment properties */
#define EXS_READ_ATTACH_DATA    0x08     /* and their data, recursively */
#define EXS_READ_ALL            0x0F

/*
 * Creates a message from an in-memory one (recipients, attachments and
 * embedded messages included); large values go out of line and are stored
 * once.  Named properties in msg must already use this mailbox's ids
 * (exs_mbox_namemap()).  Gets a new MID, change number, PR_SOURCE_KEY,
 * PR_CHANGE_KEY, PR_INTERNET_ARTICLE_NUMBER (the folder's next IMAP UID),
 * and PR_MESSAGE_DELIVERY_TIME / PR_CREATION_TIME when msg has none.
 */
int exs_message_create(exs_mbox_t *mb, exs_id_t fid, const exs_msg_t *msg,
    unsigned flags, exs_id_t *mid);

/*
 * The slow part of storing a message, done before the write transaction
 * and in any thread: its large values are hashed and compressed (into a),
 * so exs_message_create()/exs_message_save() of the prepared message only
 * put them, and the write lock every process shares is held shortly.  The
 * message is changed in place (its large values become references to the
 * prepared ones, in a and in its own memory, which must live until it is
 * stored): after this, it is for storing only.  Optional.
 */
int exs_message_prepare(exs_env_t *env, exs_msg_t *msg, exs_arena_t *a);

/* reads a message with its computed properties (PR_ENTRYID, PR_MID,
 * PR_MESSAGE_SIZE(_EXTENDED), PR_HASATTACH, PR_MESSAGE_FLAGS,
 * PR_DISPLAY_TO/CC/BCC, PR_PARENT_*, PR_CHANGE_KEY...) */
int exs_message_read(exs_mbox_t *mb, exs_id_t mid, unsigned what,
    exs_msg_t **msg, exs_arena_t *a);

/* the same, for a chosen list of properties only; ntags 0: all */
int exs_message_get(exs_mbox_t *mb, exs_id_t mid, const uint32_t *tags,
    uint32_t ntags, exs_props_t *out, exs_arena_t *a);

/* PR_ATTACH_SIZE as exs_message_read() gives it: the sizes of the
 * attachment's properties and of its embedded message's (for a copy being
 * edited, so that MAPI and EWS show the same figure) */
int32_t exs_attach_size(const exs_attach_t *at);

/*
 * Replaces the message's content (properties, recipients, attachments)
 * with msg, as MAPI's SaveChangesMessage and EWS's UpdateItem do after
 * editing a read copy.  change_key, when given, must be the message's
 * current PR_CHANGE_KEY, else EXS_CONFLICT.  PR_INTERNET_CONTENT (the MIME
 * the message arrived as) goes, here and when exs_message_set() or
 * exs_message_delprops() change anything but flags and follow-up state.
 */
int exs_message_save(exs_mbox_t *mb, exs_id_t mid, const exs_msg_t *msg,
    const exs_bin_t *change_key);

int exs_message_set(exs_mbox_t *mb, exs_id_t mid, const exs_props_t *props);
int exs_message_delprops(exs_mbox_t *mb, exs_id_t mid, const uint32_t *tags,
    uint32_t ntags);

/* read state: a change of its own in the change log (EXS_CHANGE_READ) */
int exs_message_set_read(exs_mbox_t *mb, exs_id_t mid, int read);

int exs_message_parent(exs_mbox_t *mb, exs_id_t mid, exs_id_t *fid);
int exs_message_by_uid(exs_mbox_t *mb, exs_id_t fid, uint32_t uid,
    exs_id_t *mid);

/* a message's header without its properties (IMAP FETCH FLAGS/UID...) */
typedef struct {
    exs_id_t                  fid;
    uint64_t                  cn;           /* content change number */
    uint64_t                  modseq;       /* newest change, read state
                                               included */
    uint32_t                  uid;          /* 0 for FAI messages */
    uint32_t                  flags;        /* PR_MESSAGE_FLAGS */
    unsigned                  associated:1;
    unsigned                  deleted:1;    /* soft-deleted */
    int64_t                   delivery;     /* PR_MESSAGE_DELIVERY_TIME */
    int64_t                   size;         /* PR_MESSAGE_SIZE_EXTENDED */
} exs_msg_info_t;

int exs_message_info(exs_mbox_t *mb, exs_id_t mid, exs_msg_info_t *info);

/* ICS upload: the change key and predecessor change list the client made
 * (pcl NULL: the old one merged with change_key); no new change number */
int exs_message_set_change_keys(exs_mbox_t *mb, exs_id_t mid,
    const exs_bin_t *change_key, const exs_bin_t *pcl);

/* soft delete keeps the message in its folder's soft-deleted contents
 * table until EXS_DEL_HARD or expiry */
int exs_message_delete(exs_mbox_t *mb, const exs_id_t *mids, uint32_t n,
    unsigned flags);
/* new_mids (may be NULL) receive the ids in the destination; moving a
 * soft-deleted message restores it (into any folder, its own included) */
int exs_message_move(exs_mbox_t *mb, const exs_id_t *mids, uint32_t n,
    exs_id_t dst, exs_id_t *new_mids);
int exs_message_copy(exs_mbox_t *mb, const exs_id_t *mids, uint32_t n,
    exs_id_t dst, exs_id_t *new_mids);

/* one large property of a message or attachment, by range, without
 * reading the rest of the object (MAPI streams, EWS GetAttachment) */
int exs_message_read_prop(exs_mbox_t *mb, exs_id_t mid, int32_t attach_num,
    uint32_t tag, uint64_t offset, size_t len, exs_bin_t *out,
    uint64_t *total, exs_arena_t *a);        /* attach_num -1: message */

/*
 * Streaming writes of one large value: written in pieces (compressed and
 * stored as it comes, never whole in memory), then made a property of a
 * message (attach_num -1) or of one of its attachments.  All inside one
 * write transaction; exs_stream_close() always, after or instead.
 */
typedef struct exs_stream_s  exs_stream_t;

int exs_stream_open(exs_txn_t *txn, exs_stream_t **s);
int exs_stream_write(exs_stream_t *s, const void *data, size_t len);
int exs_message_set_stream(exs_mbox_t *mb, exs_id_t mid, int32_t attach_num,
    uint32_t tag, exs_stream_t *s);
void exs_stream_close(exs_stream_t *s);

/* hard-deletes soft-deleted messages and folders deleted before a time
 * (FILETIME) */
int exs_mbox_purge(exs_mbox_t *mb, int64_t before, uint32_t *purged);


/* tables (MS-OXCTABL) */

#define EXS_TABLE_HIERARCHY     1
#define EXS_TABLE_CONTENTS      2

#define EXS_TABLE_DEEP          0x01     /* hierarchy: the whole subtree */
#define EXS_TABLE_ASSOCIATED    0x02     /* contents: FAI messages */
#define EXS_TABLE_SOFT_DELETED  0x04     /* contents: soft-deleted ones */

/*
 * A view of a folder's subfolders or messages, sorted and restricted; it
 * reads the transaction's snapshot.  sort NULL: hierarchy by display name,
 * contents by PR_MESSAGE_DELIVERY_TIME newest first.  The common views are
 * served from indexes: the first rows cost the same in a folder of 100 and
 * of 100,000 messages.
 */
int exs_table_open(exs_mbox_t *mb, exs_id_t fid, int kind, unsigned flags,
    const exs_sortorder_t *sort, const exs_restriction_t *res,
    exs_table_t **t, exs_arena_t *a);
int exs_table_count(exs_table_t *t, uint32_t *count);

/* the ids of rows pos.. pos+n-1 (fewer at the end) */
int exs_table_ids(exs_table_t *t, uint32_t pos, uint32_t n, exs_id_t *ids,
    uint32_t *got);
/* columns of one row; for hierarchy tables with EXS_TABLE_DEEP, PR_DEPTH */
int exs_table_row(exs_table_t *t, exs_id_t id, const uint32_t *tags,
    uint32_t ntags, exs_props_t *out, exs_arena_t *a);

/* rows pos..pos+n-1 with their columns (ids may be NULL).  Besides the
 * object's properties a row has PR_INSTANCE_KEY, PR_INSTANCE_NUM,
 * PR_ROW_TYPE, PR_DEPTH (hierarchy); with a sort key of a
 * PT_MV_INSTANCE tag, a message has one row per value of that property and
 * that column holds the row's value */
int exs_table_rows(exs_table_t *t, uint32_t pos, uint32_t n,
    const uint32_t *tags, uint32_t ntags, exs_props_t **rows,
    exs_id_t *ids, uint32_t *got, exs_arena_t *a);
int exs_table_position(exs_table_t *t, exs_id_t id, uint32_t *pos);
/* the first row at or after start (before, when backward) that matches */
int exs_table_find(exs_table_t *t, const exs_restriction_t *res,
    uint32_t start, int backward, uint32_t *pos);

/* evaluates a restriction against a bag (exported for EWS and NSPI): 1 a
 * match, 0 not, <0 an error (EXS_INVALID for a malformed restriction) */
int exs_restriction_match(const exs_restriction_t *res,
    const exs_props_t *props);


/* the change log (ICS, EWS Sync*, IMAP CONDSTORE, notifications) */

#define EXS_CHANGE_CREATE       1
#define EXS_CHANGE_MODIFY       2
#define EXS_CHANGE_MOVE         3        /* id moved out of old_folder
                                            into folder (as new_id) */
#define EXS_CHANGE_COPY         4
#define EXS_CHANGE_READ         5
#define EXS_CHANGE_DELETE       6        /* a tombstone */
#define EXS_CHANGE_SOFT_DELETE  7

#define EXS_CHANGE_FOLDER       0x01     /* the object is a folder */
#define EXS_CHANGE_ASSOCIATED   0x02     /* an FAI message */
#define EXS_CHANGE_NEW_MAIL     0x04     /* a delivery */

typedef struct {
    uint64_t                  cn;
    uint8_t                   kind;
    uint8_t                   flags;
    exs_id_t                  id;
    exs_id_t                  folder;       /* parent after the change */
    exs_id_t                  old_id;       /* moves and copies */
    exs_id_t                  old_folder;
    int64_t                   time;         /* FILETIME */
} exs_change_t;

/* the changes after cn, oldest first, at most max; *more tells whether
 * more follow */
int exs_changes(exs_mbox_t *mb, uint64_t cn, uint32_t max,
    exs_change_t **changes, uint32_t *n, int *more, exs_arena_t *a);

/* the messages of one folder (normal and FAI, not soft-deleted) whose
 * newest change (read state included) is after cn, oldest change first:
 * ICS per folder, IMAP CHANGEDSINCE; a message appears once */
typedef struct {
    exs_id_t                  mid;
    uint64_t                  cn;
    uint8_t                   associated;
} exs_msgchange_t;

int exs_folder_changed(exs_mbox_t *mb, exs_id_t fid, uint64_t cn,
    uint32_t max, exs_msgchange_t **changes, uint32_t *n, int *more,
    exs_arena_t *a);


/*
 * Ephemeral state shared by the workers: MAPI/HTTP session contexts, NSPI
 * binds, EWS subscriptions, RPC/HTTP virtual connections.  It lives in a
 * second environment opened without fsync (it need not survive a machine
 * crash) and expires.  The version increases with every put, so a worker
 * may cache a decoded value and check it cheaply; a put with a non-zero
 * expect_version fails with EXS_CONFLICT when the value moved on.
 */

/* the namespaces, one per kind of state, so that no two users collide */
#define EXS_NS_EMSMDB_SESSION   0x10     /* MAPI/HTTP mailbox sessions */
#define EXS_NS_EMSMDB_OBJECT    0x11     /* their big objects: working
                                            copies, stream data */
#define EXS_NS_NSPI_SESSION     0x12     /* MAPI/HTTP address book binds */

int exs_state_get(exs_env_t *env, uint8_t ns, const void *key, size_t klen,
    exs_bin_t *val, uint64_t *version, exs_arena_t *a);
int exs_state_put(exs_env_t *env, uint8_t ns, const void *key, size_t klen,
    const void *val, size_t vlen, int64_t expires, uint64_t expect_version,
    uint64_t *version);
int exs_state_del(exs_env_t *env, uint8_t ns, const void *key, size_t klen);
/* when the value of a key expires (0: never), whether or not that time has
 * passed: a value that expired stays until a sweep or a delete, and this
 * tells "expired" from "never was" (EXS_NOTFOUND) */
int exs_state_expiry(exs_env_t *env, uint8_t ns, const void *key,
    size_t klen, int64_t *expires);
/* the keys of a namespace with a key prefix (e.g. a user's sessions) */
int exs_state_keys(exs_env_t *env, uint8_t ns, const void *prefix,
    size_t plen, exs_bin_t **keys, uint32_t *n, exs_arena_t *a);
/* removes what expired before now (Unix seconds) */
int exs_state_sweep(exs_env_t *env, int64_t now);


#endif /* _EXS_STORE_H_INCLUDED_ */
