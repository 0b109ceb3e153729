
/*
 * exch: notifications as the protocols see them, read from the store's
 * change log (nginx-free).  MAPI (MS-OXCNOTIF) and EWS (MS-OXWSNTIF) both
 * turn "what changed after change number N in these folders" into events:
 * the change log is the truth, a subscription is a cursor into it.
 */


#ifndef _EXCH_NOTIFY_H_INCLUDED_
#define _EXCH_NOTIFY_H_INCLUDED_


#include <stdint.h>

#include <exs_store.h>


/* event types: the fnev* bits of MS-OXCNOTIF 2.2.1.4.1.2 */
#define EXCH_EV_CRITICAL_ERROR  0x0001
#define EXCH_EV_NEW_MAIL        0x0002
#define EXCH_EV_CREATED         0x0004
#define EXCH_EV_DELETED         0x0008
#define EXCH_EV_MODIFIED        0x0010
#define EXCH_EV_MOVED           0x0020
#define EXCH_EV_COPIED          0x0040
#define EXCH_EV_SEARCH_COMPLETE 0x0080
#define EXCH_EV_TABLE_MODIFIED  0x0100
#define EXCH_EV_ALL             0x01FF

/* what the event is about */
#define EXCH_EVO_FOLDER         0x01     /* a folder, else a message */
#define EXCH_EVO_ASSOCIATED     0x02     /* an FAI message */
#define EXCH_EVO_PARENT         0x04     /* a folder whose contents
                                            changed (derived, see
                                            EXCH_EVF_PARENTS) */
#define EXCH_EVO_READ           0x08     /* a modification of the read
                                            state only */
#define EXCH_EVO_SOFT           0x10     /* a soft delete */

/* filter flags */
#define EXCH_EVF_PARENTS        0x01     /* a message change modifies its
                                            folder (and the folder it left):
                                            one EXCH_EV_MODIFIED for each,
                                            after the message's event */
#define EXCH_EVF_NO_ASSOCIATED  0x02     /* leave FAI messages out */
#define EXCH_EVF_DEEP           0x04     /* folders: their subfolders'
                                            changes too */


typedef struct {
    uint16_t                  type;         /* one EXCH_EV_* */
    uint8_t                   object;       /* EXCH_EVO_* */
    uint64_t                  cn;
    exs_id_t                  id;           /* the object (after a move or
                                               copy: its new id) */
    exs_id_t                  folder;       /* its parent */
    exs_id_t                  old_id;       /* moves and copies */
    exs_id_t                  old_folder;
    int64_t                   time;         /* FILETIME */
} exch_event_t;


typedef struct {
    uint16_t                  types;        /* EXCH_EV_* wanted; 0: all */
    uint16_t                  flags;        /* EXCH_EVF_* */
    uint32_t                  nfolders;     /* 0: the whole mailbox */
    const exs_id_t           *folders;      /* events in (or out of) these
                                               folders, and of these
                                               folders themselves */
} exch_event_filter_t;


/*
 * The events after change number cn that pass the filter, oldest first,
 * at most max (a change may give up to three events: a batch may end
 * with a few more than max).  *next is the change number to read from
 * next time: the last change looked at, whether it made an event or not;
 * *more says whether more changes follow.
 */
int exch_events_read(exs_mbox_t *mb, uint64_t cn,
    const exch_event_filter_t *f, uint32_t max, exch_event_t **events,
    uint32_t *n, uint64_t *next, int *more, exs_arena_t *a);

/* the event(s) one change makes, without a filter (up to 3 into ev) */
uint32_t exch_events_of_change(const exs_change_t *c, exch_event_t *ev);

/* the newest change number of a mailbox (0 when it has none or is gone) */
uint64_t exch_mailbox_last_cn(exs_env_t *env, uint32_t mailbox);

/* a short name of an event type, for logs and tests: "NewMail" ... */
const char *exch_event_name(uint16_t type);


#endif /* _EXCH_NOTIFY_H_INCLUDED_ */
