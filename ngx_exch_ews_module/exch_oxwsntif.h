
/*
 * exch EWS: notifications, MS-OXWSNTIF -- Subscribe (pull, push,
 * streaming), GetEvents, GetStreamingEvents, Unsubscribe, and the
 * SendNotification requests a push subscription makes.  Nginx-free: the
 * streaming connections and the push client are ngx_exch_ews_notify.c.
 *
 * A subscription lives in the state environment (EXCH_NS_EWS_SUB, key: its
 * 17-byte id, a kind byte then 16 random bytes), so that any worker
 * serves it and it survives a reload.  It is a cursor into the mailbox's
 * change log: every change up to cn was delivered (streaming, push) or
 * acknowledged with a watermark (pull).  A watermark is base64 of
 *
 *     "EXW"  u8 version 1  u32 mailbox  u64 change number   (big-endian)
 *
 * A subscription record (little-endian):
 *
 *     "EXN1"  u8 kind  u8 flags  u16 event types  u8 version
 *     u32 user  u32 mailbox  u64 cn  i64 created  i64 used  u32 timeout
 *     u32 lease pid  i64 lease until  i64 last sent  i64 failing since
 *     u32 retry  u16 n  n * u64 folder  u16 len  URL  u16 len  caller data
 */


#ifndef _EXCH_OXWSNTIF_H_INCLUDED_
#define _EXCH_OXWSNTIF_H_INCLUDED_


#include "exch_ews.h"
#include <exch_notify.h>


/* the state namespace of subscriptions */
#define EXCH_NS_EWS_SUB         0x21

#define EXCH_EWS_SUB_PULL       1
#define EXCH_EWS_SUB_PUSH       2
#define EXCH_EWS_SUB_STREAMING  3

#define EXCH_EWS_SUB_ALL        0x01     /* SubscribeToAllFolders */

/* EWS event types (NotificationEventTypeType) */
#define EXCH_EWS_EVT_COPIED     0x0001
#define EXCH_EWS_EVT_CREATED    0x0002
#define EXCH_EWS_EVT_DELETED    0x0004
#define EXCH_EWS_EVT_MODIFIED   0x0008
#define EXCH_EWS_EVT_MOVED      0x0010
#define EXCH_EWS_EVT_NEW_MAIL   0x0020
#define EXCH_EWS_EVT_FREE_BUSY  0x0040

#define EXCH_EWS_SUB_ID_LEN     17
#define EXCH_EWS_SUB_FOLDERS_MAX  256
#define EXCH_EWS_SUB_URL_MAX    2048
#define EXCH_EWS_SUB_DATA_MAX   4096

/* what Exchange allows: pull timeouts and push status frequencies in
 * minutes, streaming connections in minutes */
#define EXCH_EWS_PULL_TIMEOUT_MAX     1440
#define EXCH_EWS_PUSH_FREQUENCY_MAX   1440
#define EXCH_EWS_STREAM_TIMEOUT_MAX   30
/* a streaming subscription without a connection expires after this */
#define EXCH_EWS_STREAM_IDLE          (30 * 60)
/* the changes one notification looks at (MoreEvents beyond) */
#define EXCH_EWS_EVENTS_BATCH         128


typedef struct {
    uint8_t                   id[EXCH_EWS_SUB_ID_LEN];
    uint8_t                   kind;
    uint8_t                   flags;
    uint16_t                  events;       /* EXCH_EWS_EVT_* */
    uint8_t                   version;      /* the client's EWS version */
    uint32_t                  user;
    uint32_t                  mailbox;
    uint64_t                  cn;
    int64_t                   created;      /* Unix seconds */
    int64_t                   used;
    uint32_t                  timeout;      /* pull: minutes; push: the
                                               status frequency, minutes */
    uint32_t                  lease_pid;    /* push: the worker sending */
    int64_t                   lease_until;
    int64_t                   last_sent;    /* push: last notification the
                                               client took */
    int64_t                   fail_since;   /* push: first failure of the
                                               current run, 0: none */
    uint32_t                  retry;        /* push: seconds to the next */
    uint16_t                  nfolders;
    exs_id_t                 *folders;
    const char               *url;          /* push */
    size_t                    url_len;
    const char               *caller_data;  /* push */
    size_t                    caller_data_len;

    uint64_t                  version_state;  /* not stored: the state
                                                 entry's version */
} exch_ews_sub_t;


/* the record codec (fuzzed: it reads what the state environment holds) */
void exch_ews_sub_encode(const exch_ews_sub_t *s, exch_buf_t *out);
int exch_ews_sub_decode(const uint8_t *p, size_t len, exch_ews_sub_t *s,
    exs_arena_t *a);

/* the subscription of an id; EXS_NOTFOUND when it never was or expired */
int exch_ews_sub_load(exs_env_t *env, const uint8_t *id, exch_ews_sub_t *s,
    exs_arena_t *a);
/* writes it back: EXS_CONFLICT when it changed since it was loaded (or it
 * is new and the id is taken); its expiry follows from kind and used */
int exch_ews_sub_save(exs_env_t *env, exch_ews_sub_t *s);
int exch_ews_sub_delete(exs_env_t *env, const uint8_t *id);
/* when it expires (Unix seconds, 0: never): pull subscriptions Timeout
 * minutes after the last GetEvents, streaming ones EXCH_EWS_STREAM_IDLE
 * after the last connection ended, push ones while the client answers */
int64_t exch_ews_sub_expires(const exch_ews_sub_t *s);
/* 1 when the id's subscription expired by now but is still stored (the
 * sweep has not removed it yet) */
int exch_ews_sub_lapsed(exs_env_t *env, const uint8_t *id, int64_t now);
/* the ids of every push subscription (the push client adopts them) */
int exch_ews_sub_push_ids(exs_env_t *env, uint8_t (**ids)[EXCH_EWS_SUB_ID_LEN],
    uint32_t *n, exs_arena_t *a);

/* the text forms */
char *exch_ews_sub_id_str(const uint8_t *id, exs_arena_t *a);
int exch_ews_sub_id_parse(const char *s, size_t len, uint8_t *id);
char *exch_ews_watermark_str(uint32_t mailbox, uint64_t cn, exs_arena_t *a);
int exch_ews_watermark_parse(const char *s, size_t len, uint32_t *mailbox,
    uint64_t *cn);

/* the names of EventTypeType, and back; 0 for an unknown name */
uint16_t exch_ews_event_type(const char *name);

/*
 * Writes <m:Notification> (or, with push, the same content under its own
 * element name) for the events of s after from: at most one batch, each
 * event with its watermark; a StatusEvent when none.  *next is the
 * subscription's new cursor, *nevents how many events were written,
 * *more whether more wait.  Works in ews's transaction (begun by the
 * caller) as ews's user.
 */
int exch_ews_notification(exch_ews_t *ews, const exch_ews_sub_t *s,
    uint64_t from, const char *elem, uint64_t *next, uint32_t *nevents,
    int *more);

/*
 * The envelope of one streaming response message: the notifications of
 * the subscriptions that have events (their cursors advanced in subs),
 * then ConnectionStatus ("OK" or "Closed").  *nevents counts the events;
 * with only_events, nothing is written when there are none.
 */
int exch_ews_stream_envelope(exch_ews_t *ews, exch_ews_sub_t *subs,
    uint32_t n, const char *status, int only_events, uint32_t *nevents);

/* the body of a push notification (SendNotification) for s; *next,
 * *nevents and *more as above; a StatusEvent when there are no events,
 * or nothing at all with only_events */
int exch_ews_push_envelope(exch_ews_t *ews, exch_ews_sub_t *s,
    int only_events, uint64_t *next, uint32_t *nevents, int *more);

/* the client's answer to a push: 1 OK, 0 Unsubscribe, -1 not an answer */
int exch_ews_push_result(const void *p, size_t len);

/* a push URL: http://host[:port]/path (host and path point into url);
 * EXS_INVALID when it is not one we can POST to */
typedef struct {
    const char               *host;
    size_t                    host_len;
    unsigned                  port;
    const char               *path;
    size_t                    path_len;
    unsigned                  tls:1;
} exch_ews_url_t;

int exch_ews_url_parse(const char *url, size_t len, exch_ews_url_t *u);

/*
 * The answer to a push: EXCH_EWS_HTTP_AGAIN until it is whole (eof: the
 * server closed the connection).  A chunked body is decoded in place.
 */
#define EXCH_EWS_HTTP_OK        0
#define EXCH_EWS_HTTP_AGAIN     1
#define EXCH_EWS_HTTP_BAD       -1

#define EXCH_EWS_HTTP_MAX       65536      /* the longest body we read */

typedef struct {
    unsigned                  status;
    const uint8_t            *body;
    size_t                    body_len;
} exch_ews_http_rsp_t;

int exch_ews_http_response(uint8_t *p, size_t len, int eof,
    exch_ews_http_rsp_t *rsp);

/* what GetStreamingEvents leaves for the nginx glue (ews->stream) */
typedef struct {
    uint32_t                  n;
    exch_ews_sub_t           *subs;
    uint32_t                  timeout;      /* minutes */
} exch_ews_stream_t;



#endif /* _EXCH_OXWSNTIF_H_INCLUDED_ */
