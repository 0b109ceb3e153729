
/*
 * exch EWS: the SyncState of SyncFolderHierarchy and SyncFolderItems
 * (exch_oxwssync.c), a codec the fuzzers reach.
 */


#ifndef _EXCH_EWS_SYNC_H_INCLUDED_
#define _EXCH_EWS_SYNC_H_INCLUDED_


#include "exch_ews.h"


#define EXCH_SYNC_HIERARCHY     1
#define EXCH_SYNC_ITEMS         2

typedef struct {
    int                       kind;
    unsigned                  flags;        /* items: associated too */
    uint8_t                   guid[16];
    exs_id_t                  fid;
    uint64_t                  cn;           /* reported up to here */
    uint32_t                  n;
    exs_id_t                 *ids;          /* what the client has,
                                               ascending */
} exch_ews_syncstate_t;

/* "" (len 0) is the empty state; EXS_INVALID for anything malformed */
int exch_ews_syncstate_decode(const char *s, size_t len,
    exch_ews_syncstate_t *st, exs_arena_t *a);
char *exch_ews_syncstate_encode(const exch_ews_syncstate_t *st,
    exs_arena_t *a);


#endif /* _EXCH_EWS_SYNC_H_INCLUDED_ */
