
/*
 * exch store: mail in and out of mailboxes -- delivery, submission
 * (sending) and the outgoing queue.
 *
 * Three things live here, so that every protocol does them the same way:
 *
 *   delivery     exs_mail_parse() + exs_mail_deliver(): one Internet
 *                message into the Inbox of each local recipient (aliases
 *                and groups expanded, each mailbox once).  exchctl
 *                deliver (Postfix), LMTP, and sending to local recipients
 *                use it.
 *
 *   submission   exs_mail_submit(): what MAPI RopSubmitMessage, EWS
 *                CreateItem/SendItem (SendOnly, SendAndSaveCopy) and IMAP
 *                call to send a message that is in a mailbox.
 *
 *   the queue    exs_queue_*(): messages for remote recipients, kept in
 *                the store until the nginx workers (ngx_exch_smtp.c) have
 *                handed them to the SMTP relay.  Entries are claimed with
 *                a lease, so two workers never send one message and the
 *                claims of a crashed worker expire.
 *
 * Everything works inside the caller's transaction: nothing here commits.
 * All returned memory lives in the caller's arena.
 *
 *
 * Sending, for the MAPI and EWS engineers
 * ---------------------------------------
 *
 *     exs_txn_begin(env, 0, &txn);                a write transaction
 *     exs_mbox_open(txn, user->mailbox, user->id, &mb);
 *     ... the message is saved in a folder of mb (Outbox, Drafts) ...
 *     rc = exs_mail_submit(mb, mid, flags, sent_fid, &sent, arena);
 *     rc == EXS_OK ? exs_txn_commit(txn) : exs_txn_abort(txn);
 *
 *   MAPI RopSubmitMessage:   flags 0, sent_fid 0 (the message's
 *                            PR_SENTMAIL_ENTRYID, else Sent Items;
 *                            PR_DELETE_AFTER_SUBMIT deletes it instead)
 *   EWS SendAndSaveCopy:     flags 0, sent_fid = SavedItemFolderId's
 *                            folder (0: Sent Items)
 *   EWS SendOnly:            flags EXS_MAIL_SUBMIT_DELETE
 *   EWS SendItem:            as the two above, on an existing draft
 *
 * exs_mail_submit() converts the message to MIME, delivers it to the local
 * recipients in the same transaction, queues it for the remote ones,
 * writes a non-delivery report into the sender's Inbox for recipients
 * that can't be reached at all (a local address nobody has, no SMTP
 * address), and moves the message into the sent folder (read, sent:
 * MSGFLAG_UNSENT and MSGFLAG_SUBMIT cleared, PR_CLIENT_SUBMIT_TIME,
 * PR_MESSAGE_DELIVERY_TIME, PR_INTERNET_MESSAGE_ID, PR_SENDER_* and
 * PR_SENT_REPRESENTING_* set) or deletes it.  The relay then sends the
 * queued copy without any further call: nginx workers drain the queue.
 * PR_SENDER_* is always the acting user (mb's user; the owner when mb was
 * opened as the system, user 0); PR_SENT_REPRESENTING_* stays as the
 * client set it (send on behalf), else it is the mailbox owner.  Bcc
 * recipients get the message but no Bcc header.
 *
 * The conversion and local deliveries cost about a millisecond for a
 * typical message and more for large ones: callers in nginx's event loop
 * run exs_mail_submit() (with its write transaction) in the thread pool.
 *
 *
 * Delivering, for LMTP, IMAP APPEND and the tools
 * -----------------------------------------------
 *
 *     rc = exs_mail_parse(rtxn, mime, len, 0, &m, arena);   (any txn)
 *     rc = exs_mail_deliver(wtxn, m, rcpts, n, 0, results, arena);
 *
 * Parsing needs only a read transaction (for resolving local addresses),
 * so a caller may parse before it opens the write transaction, which then
 * stays short.  The parsed message can be delivered to several mailboxes
 * and into several transactions.
 */


#ifndef _EXS_MAIL_H_INCLUDED_
#define _EXS_MAIL_H_INCLUDED_


#include <exs_store.h>
#include <exs_oxcmail.h>


/* the converter's directory look-up over this store; data is an
 * exs_txn_t (read or write) */
int exs_mail_lookup(void *data, int by, const char *key,
    exs_oxcmail_addr_t *out, exs_arena_t *a);


/* the directory entry of a local address: primary, alias, or either
 * without a "+detail" in the local part (RFC 5233); EXS_NOTFOUND */
int exs_mail_resolve(exs_txn_t *txn, const char *address, exs_dirent_t *e,
    exs_arena_t *a);


/* parsing */

typedef struct exs_mail_s  exs_mail_t;

/* flags of exs_mail_parse(): the EXS_OXCMAIL_RAW_* / _KEEP_TNEF import
 * flags of exs_oxcmail.h, passed through */

/*
 * Converts one Internet message (CRLF or LF; an mbox From_ line first is
 * skipped).  txn may be NULL: then no address is local.  Broken mail still
 * parses (what could be read, the original bytes kept);
 * exs_mail_info()->lossy tells what was lost.  EXS_NOMEM is the only
 * failure besides the directory's.
 */
int exs_mail_parse(exs_txn_t *txn, const void *mime, size_t len,
    unsigned flags, exs_mail_t **m, exs_arena_t *a);

/*
 * Optional, in any thread, before the write transaction: hashes and
 * compresses the parsed message's large values (exs_message_prepare()), so
 * that storing it (once or into many mailboxes) holds the write lock every
 * process shares for less time.  Afterwards the message is for storing
 * only: its large values are no longer readable in place.
 */
int exs_mail_prepare(exs_env_t *env, exs_mail_t *m, exs_arena_t *a);

/* the parsed message; its named properties use a private name map, which
 * exs_mail_store() translates for each mailbox */
exs_msg_t *exs_mail_msg(exs_mail_t *m);
const exs_oxcmail_info_t *exs_mail_info(exs_mail_t *m);


/* flags of exs_mail_store() and exs_mail_deliver() */
#define EXS_MAIL_NEW            0x0001   /* a delivery: PR_RECEIVED_BY_*,
                                            PR_MESSAGE_TO_ME..., unread,
                                            PR_MESSAGE_DELIVERY_TIME now,
                                            EXS_CHANGE_NEW_MAIL */
#define EXS_MAIL_READ           0x0002   /* store it read (imports) */

/*
 * Stores a parsed message into a folder of a mailbox: import, IMAP
 * APPEND, and each mailbox of a delivery.  Named properties are mapped to
 * the mailbox's ids.  Without EXS_MAIL_NEW the delivery time is the
 * message's own (its last Received:, else Date:), as imports want.
 */
int exs_mail_store(exs_mbox_t *mb, exs_mail_t *m, exs_id_t fid,
    unsigned flags, exs_id_t *mid);


/* one recipient of a delivery, in the order given */

typedef struct {
    const char               *address;      /* as given */
    int                       rc;           /* EXS_OK: delivered;
                                               EXS_NOTFOUND: no such
                                               address (or an empty group)
                                               ; else the store's error */
    uint32_t                  mailboxes;    /* mailboxes it reached that
                                               no earlier recipient did */
} exs_mail_rcpt_t;

#define EXS_MAIL_ALL_OR_NOTHING 0x0100   /* deliver: if any recipient is
                                            unknown, deliver nothing and
                                            return EXS_NOTFOUND */
#define EXS_MAIL_MAX_EXPAND     10000    /* mailboxes one delivery reaches
                                            at most (nested groups) */

/*
 * Delivers m to the Inbox of every mailbox the recipients name: users by
 * primary address or alias, groups expanded recursively (a loop is
 * harmless), every mailbox once however often it is named.  Each copy is
 * a new mail (EXS_MAIL_NEW is implied).  results (n entries, may be NULL)
 * says what became of each recipient.
 *
 * Returns EXS_OK when every recipient was delivered; EXS_NOTFOUND when at
 * least one is unknown (the others are delivered unless
 * EXS_MAIL_ALL_OR_NOTHING); any other code fails the transaction (map
 * full, I/O): the caller aborts it and nothing was delivered.
 */
int exs_mail_deliver(exs_txn_t *txn, exs_mail_t *m, const char *const *rcpts,
    uint32_t n, unsigned flags, exs_mail_rcpt_t *results, exs_arena_t *a);


/* submission */

#define EXS_MAIL_SUBMIT_DELETE  0x0001   /* no sent copy (EWS SendOnly);
                                            PR_DELETE_AFTER_SUBMIT on the
                                            message does the same */

typedef struct {
    exs_id_t                  sent_mid;     /* the sent copy, 0: deleted */
    exs_id_t                  sent_fid;     /* its folder */
    const char               *message_id;   /* PR_INTERNET_MESSAGE_ID */
    uint32_t                  local;        /* mailboxes delivered to */
    uint32_t                  remote;       /* recipients queued */
    uint32_t                  failed;       /* recipients reported in an
                                               NDR at once */
    uint64_t                  queue_id;     /* 0: nothing queued */
} exs_mail_sent_t;

/*
 * Sends message mid of mailbox mb (see the top of this file).  mb's user
 * must be able to read and delete the message (the owner, or a delegate
 * with those rights).  sent_fid 0: the message's PR_SENTMAIL_ENTRYID when
 * it names a folder of mb, else Sent Items.  sent may be NULL.
 *
 * EXS_OK; EXS_NOTFOUND (no such message, or sent_fid is no folder);
 * EXS_INVALID (no recipients at all: MAPI's MAPI_E_NO_RECIPIENTS, EWS's
 * ErrorInvalidRecipients); EXS_DENIED; a store error, after which the
 * caller aborts the transaction.  Recipients that can't be reached are no
 * error: they are in the NDR and counted in sent->failed.
 */
int exs_mail_submit(exs_mbox_t *mb, exs_id_t mid, unsigned flags,
    exs_id_t sent_fid, exs_mail_sent_t *sent, exs_arena_t *a);


/*
 * Non-delivery report (MS-OXOMSG 2.2.2.x, class REPORT.<class>.NDR) into
 * the Inbox of mailbox: the original's subject, submit time, message id
 * and display To; one recipient row per failed recipient with its reason
 * (PR_SUPPLEMENTARY_INFO: the relay's reply, PR_NDR_DIAG_CODE,
 * PR_NDR_REASON_CODE, PR_NDR_STATUS_CODE...); the original attached when
 * given (mime, len; headers only above 1 MB).
 */

typedef struct {
    const char               *address;
    int                       code;         /* SMTP reply code, 0: none */
    const char               *reason;       /* the reply or our words */
} exs_mail_failure_t;

typedef struct {
    const char               *subject;
    const char               *message_id;
    const char               *message_class;  /* NULL: IPM.Note */
    int64_t                   submit_time;    /* FILETIME, 0: unknown */
    const void               *mime;           /* the original, or NULL */
    size_t                    mime_len;
} exs_mail_original_t;

int exs_mail_ndr(exs_txn_t *txn, uint32_t mailbox,
    const exs_mail_original_t *orig, const exs_mail_failure_t *failures,
    uint32_t n, exs_id_t *mid, exs_arena_t *a);


/*
 * The outgoing queue.  Times are Unix seconds.  An entry holds one
 * message (its MIME, CRLF, as it goes over SMTP), its envelope, the
 * mailbox that sent it, and per recipient a state: pending, done or
 * failed.  An entry is due at its next attempt time; exs_queue_claim()
 * takes due entries for a lease (their next time moves to the end of the
 * lease, so a crashed worker's claim becomes due again by itself), and
 * exs_queue_done() reports the outcome with the claim's token: done
 * recipients are done, permanently failed ones go into an NDR, temporary
 * failures wait for the next attempt (exponential back-off) until the
 * entry is older than the give-up age.  An entry with nothing pending is
 * removed.
 */

#define EXS_QRCPT_PENDING       0
#define EXS_QRCPT_DONE          1
#define EXS_QRCPT_FAILED        2

typedef struct {
    const char               *address;
    uint8_t                   state;        /* EXS_QRCPT_* */
    int                       code;         /* the last reply, 0: none */
    const char               *reply;        /* its text, or NULL */
} exs_queue_rcpt_t;

typedef struct {
    uint64_t                  id;
    uint64_t                  token;        /* of the claim; 0: none */
    uint32_t                  mailbox;      /* the sender's */
    uint32_t                  attempts;
    int64_t                   queued;
    int64_t                   next;         /* due then */
    const char               *from;         /* MAIL FROM, may be "" */
    const char               *subject;
    const char               *message_id;
    int64_t                   submit_time;  /* FILETIME */
    uint32_t                  nrcpts;
    exs_queue_rcpt_t         *rcpts;
    uint64_t                  size;         /* of the MIME */
    exs_bin_t                 mime;         /* when asked for */
} exs_queue_entry_t;

typedef struct {
    int64_t                   retry_min;    /* first delay; 0: 60 */
    int64_t                   retry_max;    /* delay cap; 0: 3600 */
    int64_t                   give_up;      /* age; 0: 5 days */
} exs_queue_policy_t;

/* the outcome for one recipient of a claimed entry, in its order */
typedef struct {
    int                       code;         /* 2xx done, 5xx failed, 4xx
                                               and 0 (no answer) retry,
                                               -1 not tried this time */
    const char               *reply;        /* may be NULL */
} exs_queue_result_t;

int exs_queue_add(exs_txn_t *txn, uint32_t mailbox, const char *from,
    const char *const *rcpts, uint32_t n, const void *mime, size_t len,
    const exs_mail_original_t *orig, uint64_t *id);

/* the earliest next-attempt time: cheap (one cursor step) for the
 * workers' timer; EXS_NOTFOUND when the queue is empty */
int exs_queue_next(exs_txn_t *txn, int64_t *when);

/*
 * Claims at most max entries due at now for lease seconds, with their
 * MIME, in a write transaction; token identifies this claim in
 * exs_queue_done() and exs_queue_release().
 */
int exs_queue_claim(exs_txn_t *txn, int64_t now, int64_t lease,
    uint32_t max, exs_queue_entry_t **entries, uint32_t *n, exs_arena_t *a);

/*
 * The outcome of a claimed entry's attempt: results has one element per
 * recipient of the entry as claimed (those not pending then are ignored).
 * EXS_CONFLICT when the claim is no longer held (its lease expired and
 * another worker took it; the results are dropped, it will try again).
 */
int exs_queue_done(exs_txn_t *txn, uint64_t id, uint64_t token,
    const exs_queue_result_t *results, uint32_t n, int64_t now,
    const exs_queue_policy_t *policy, exs_arena_t *a);

/* gives a claim back without an attempt, due at when (a worker that
 * shuts down) */
int exs_queue_release(exs_txn_t *txn, uint64_t id, uint64_t token,
    int64_t when);

/* every entry (without MIME), oldest first; one entry, with its MIME */
int exs_queue_list(exs_txn_t *txn, exs_queue_entry_t **entries,
    uint32_t *n, exs_arena_t *a);
int exs_queue_get(exs_txn_t *txn, uint64_t id, exs_queue_entry_t *e,
    exs_arena_t *a);

/* makes an entry (id 0: every entry) due at once, dropping claims */
int exs_queue_kick(exs_txn_t *txn, uint64_t id, int64_t now);

/* removes an entry; with ndr set, its pending recipients go into an NDR
 * ("deleted by the administrator") */
int exs_queue_delete(exs_txn_t *txn, uint64_t id, int ndr,
    exs_arena_t *a);


#endif /* _EXS_MAIL_H_INCLUDED_ */
