
/*
 * exch store: Internet mail <-> MAPI messages, MS-OXCMAIL.
 *
 * exs_oxcmail_import() turns one RFC 5322 message (MIME) into an exs_msg_t:
 * properties, recipients, attachments, embedded messages, the contents of
 * a TNEF winmail.dat (MS-OXTNEF) and S/MIME messages as MS-OXOSMIME keeps
 * them.  exs_oxcmail_export() is the way back, for sending, for EWS
 * MimeContent and for IMAP.  GMime 3 parses and writes the MIME; the
 * mapping is ours.
 *
 * Usage (deliver, import, EWS, IMAP):
 *
 *     exs_mime_init();                        once per process, at start
 *
 *     exs_oxcmail_opts_t  o = { 0 };
 *     o.namemap = exs_mbox_namemap(mb);       the mailbox's named props
 *     o.lookup = my_directory_lookup;         local addresses -> EX
 *     o.lookup_data = txn;
 *     rc = exs_oxcmail_import(buf, len, &o, &msg, &info, arena);
 *     ... exs_oxcmail_set_received(arena, msg, &me) for a delivery ...
 *     exs_message_create(mb, EXS_FID_INBOX, msg, 0, &mid);
 *
 *     rc = exs_oxcmail_export(msg, &o, &mime, arena);     o.flags:
 *         EXS_OXCMAIL_FOR_READ for IMAP FETCH / EWS MimeContent,
 *         EXS_OXCMAIL_FOR_SEND for the SMTP relay (no Bcc header),
 *         | EXS_OXCMAIL_TNEF for a recipient that wants rich text
 *           (PR_SEND_RICH_INFO): legacy TNEF carries what MIME cannot.
 *
 *     sending: exs_oxcmail_envelope() gives MAIL FROM and RCPT TO;
 *     set PR_CLIENT_SUBMIT_TIME and PR_INTERNET_MESSAGE_ID
 *     (exs_oxcmail_make_message_id()) before exporting: the export
 *     invents nothing, so that the same message gives the same bytes.
 *
 * Conversions cost about 0.4 ms for a typical message and 7 ms per MB
 * (bench/mail): callers in nginx's event loop run large ones in a thread
 * pool.
 *
 * Everything returned lives in the caller's arena.  The functions are
 * reentrant: they keep no state between calls, and several threads may
 * convert different messages at once (after exs_mime_init()).  A GMime
 * object never leaves the call that made it.
 *
 * Lossy input.  Broken mail still converts: whatever GMime could read
 * becomes properties and attachments, never an error.  When something
 * could not be represented (a malformed structure, undecodable bytes,
 * nesting beyond the cap, a broken TNEF, a PGP signature that regenerated
 * MIME would break), info->lossy says what, and the original bytes are
 * kept in PR_INTERNET_CONTENT (policy: EXS_OXCMAIL_RAW_*); export with
 * EXS_OXCMAIL_PREFER_RAW hands those bytes back verbatim, so nothing is
 * ever lost.  Only a failure to allocate memory is an error.
 * PR_INTERNET_CONTENT describes the message as it arrived: the store drops
 * it when a client changes the content, and it is not shown to MAPI or
 * EWS clients; IMAP and EWS MimeContent use PREFER_RAW.
 */


#ifndef _EXS_OXCMAIL_H_INCLUDED_
#define _EXS_OXCMAIL_H_INCLUDED_


#include <exs_mapi.h>


/*
 * GMime's process-wide set-up (g_mime_init): idempotent and thread-safe;
 * the converters call it too, so calling it early only moves the cost.
 * exs_mime_shutdown() frees GMime's caches: call it once, at exit, when no
 * other thread converts.
 */
int exs_mime_init(void);
void exs_mime_shutdown(void);


/* a directory entry as the converter needs it */

typedef struct {
    const char               *smtp;         /* primary SMTP address */
    const char               *display_name;
    const char               *legacy_dn;    /* NULL: not an EX entry */
    exs_bin_t                 entryid;      /* address book entry id
                                               (MS-OXCDATA 2.2.5.2);
                                               len 0: made from the DN */
    uint32_t                  display_type; /* DT_MAILUSER, DT_DISTLIST */
} exs_oxcmail_addr_t;

#define EXS_OXCMAIL_BY_SMTP     1        /* key: an SMTP address */
#define EXS_OXCMAIL_BY_DN       2        /* key: a legacyExchangeDN */

/*
 * Looks an address up in the directory: EXS_OK and *out filled when it is
 * local, EXS_NOTFOUND when not (any other code is passed up).  Strings in
 * out must live in a (the arena given) or longer.
 */
typedef int (*exs_oxcmail_lookup_pt)(void *data, int by, const char *key,
    exs_oxcmail_addr_t *out, exs_arena_t *a);


/* flags, import */
#define EXS_OXCMAIL_RAW_LOSSY   0x0000   /* PR_INTERNET_CONTENT when lossy
                                            (the default) */
#define EXS_OXCMAIL_RAW_ALWAYS  0x0001   /* ... always */
#define EXS_OXCMAIL_RAW_NEVER   0x0002   /* ... never */
#define EXS_OXCMAIL_KEEP_TNEF   0x0004   /* winmail.dat stays an attachment
                                            (besides being unpacked) */

/* flags, export */
#define EXS_OXCMAIL_BCC         0x0100   /* write a Bcc header */
#define EXS_OXCMAIL_TRANSPORT   0x0200   /* write the received transport
                                            headers not mapped otherwise
                                            (Received, X-..., DKIM...) */
#define EXS_OXCMAIL_PREFER_RAW  0x0400   /* PR_INTERNET_CONTENT verbatim
                                            when the message has it */
#define EXS_OXCMAIL_LF          0x0800   /* LF line ends, not CRLF */
#define EXS_OXCMAIL_TNEF        0x1000   /* add a winmail.dat carrying the
                                            MAPI properties MIME has no
                                            header for (legacy TNEF) */

#define EXS_OXCMAIL_FOR_READ                                                  \
    (EXS_OXCMAIL_BCC|EXS_OXCMAIL_TRANSPORT)
#define EXS_OXCMAIL_FOR_SEND    0


typedef struct {
    exs_namemap_t            *namemap;      /* required */
    exs_oxcmail_lookup_pt     lookup;       /* NULL: nothing is local */
    void                     *lookup_data;
    unsigned                  flags;
    unsigned                  max_depth;    /* embedded messages; 0: 16 */
    size_t                    max_size;     /* import: 0 = no cap, else
                                               EXS_TOOBIG above it */
} exs_oxcmail_opts_t;


/* what import could not represent (info.lossy) */
#define EXS_OXCMAIL_LOST_STRUCTURE  0x0001  /* malformed MIME structure:
                                               missing boundaries, parts
                                               without headers, ... */
#define EXS_OXCMAIL_LOST_ENCODING   0x0002  /* bad base64/uuencode bytes */
#define EXS_OXCMAIL_LOST_CHARSET    0x0004  /* bytes invalid in their
                                               charset, replaced */
#define EXS_OXCMAIL_LOST_DEPTH      0x0008  /* nesting beyond the cap,
                                               kept as .eml attachments */
#define EXS_OXCMAIL_LOST_TNEF       0x0010  /* a TNEF stream that did not
                                               decode fully */
#define EXS_OXCMAIL_LOST_SIGNATURE  0x0020  /* a PGP/MIME signature or
                                               encryption the regenerated
                                               MIME would not keep */
#define EXS_OXCMAIL_LOST_HEADERS    0x0040  /* a header that maps to one
                                               value had several */
#define EXS_OXCMAIL_LOST_NAMES      0x0080  /* named properties beyond the
                                               per-message cap, dropped */

typedef struct {
    unsigned                  lossy;        /* EXS_OXCMAIL_LOST_* */
    unsigned                  warnings;     /* GMime parser warnings */
    uint32_t                  attachments;  /* at the top level */
    uint32_t                  depth;        /* deepest embedded message */
} exs_oxcmail_info_t;


/*
 * MIME -> MAPI.  mime/len: the whole message (CRLF or LF; an mbox "From "
 * line first is skipped, ">From " unescaping is the mbox reader's).  info
 * may be NULL.  EXS_OK, EXS_NOMEM, EXS_INVALID (no namemap), EXS_TOOBIG
 * (opts->max_size), or a code the lookup or the name map returned.
 */
int exs_oxcmail_import(const void *mime, size_t len,
    const exs_oxcmail_opts_t *opts, exs_msg_t **msg,
    exs_oxcmail_info_t *info, exs_arena_t *a);

/*
 * MAPI -> MIME.  The output depends only on msg and the options (the
 * multipart boundaries are derived from a digest of the content), so the
 * same message always gives the same bytes: IMAP sizes and partial
 * fetches stay stable.  out->data is NUL-terminated.
 */
int exs_oxcmail_export(const exs_msg_t *msg, const exs_oxcmail_opts_t *opts,
    exs_bin_t *out, exs_arena_t *a);


/*
 * For delivery: sets PR_RECEIVED_BY_* and PR_RCVD_REPRESENTING_* to the
 * mailbox owner me and PR_MESSAGE_TO_ME / _CC_ME / _RECIP_ME from the
 * recipients (matched on SMTP address, case-insensitively).
 */
int exs_oxcmail_set_received(exs_arena_t *a, exs_msg_t *msg,
    const exs_oxcmail_addr_t *me);

/*
 * For sending: the SMTP envelope of a message: the sender (MAIL FROM) and
 * every recipient (RCPT TO, Bcc included, deduplicated), EX recipients
 * resolved through opts->lookup.  A recipient with no SMTP address is
 * left out and counted in *unresolved.
 */
int exs_oxcmail_envelope(const exs_msg_t *msg, const exs_oxcmail_opts_t *opts,
    const char **from, const char ***rcpts, uint32_t *nrcpts,
    uint32_t *unresolved, exs_arena_t *a);

/* a new Message-ID "<hex@domain>" for a message about to be sent */
const char *exs_oxcmail_make_message_id(const char *domain, exs_arena_t *a);


/* MAPI values the converter computes, for other code that needs them */

/* MS-OXCDATA 2.2.5.1 one-off entry id (Unicode) for an SMTP address */
int exs_oxcmail_oneoff_entryid(const char *name, const char *addrtype,
    const char *address, exs_bin_t *out, exs_arena_t *a);
/* parses a one-off entry id or an address book entry id (MS-OXCDATA
 * 2.2.5.2, address: the DN, addrtype "EX") */
int exs_oxcmail_parse_entryid(const uint8_t *p, size_t len,
    const char **name, const char **addrtype, const char **address,
    exs_arena_t *a);
/* PR_SEARCH_KEY of an address: "ADDRTYPE:ADDRESS" upper case, with NUL */
int exs_oxcmail_search_key(const char *addrtype, const char *address,
    exs_bin_t *out, exs_arena_t *a);
/* the subject prefix rule of MS-OXCMSG: "Re: x" -> prefix len 4 */
size_t exs_oxcmail_subject_prefix(const char *subject, size_t len);
/* charset name <-> Windows code page (PR_INTERNET_CPID); 0 / NULL when
 * unknown */
uint32_t exs_oxcmail_charset_cpid(const char *charset);
const char *exs_oxcmail_cpid_charset(uint32_t cpid);
/* plain text from HTML (UTF-8 in and out), for PR_BODY */
char *exs_oxcmail_html_to_text(const char *html, size_t len, size_t *outlen,
    exs_arena_t *a);


#endif /* _EXS_OXCMAIL_H_INCLUDED_ */
