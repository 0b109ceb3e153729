
/*
 * exch EWS: the Out of Office settings a mailbox keeps (exch_oxwsoof.c
 * says where), for GetMailTips now and for delivery's auto-replies.
 */


#ifndef _EXCH_EWS_OOF_H_INCLUDED_
#define _EXCH_EWS_OOF_H_INCLUDED_


#include "exch_ews.h"


#define EXCH_OOF_DISABLED       0
#define EXCH_OOF_ENABLED        1
#define EXCH_OOF_SCHEDULED      2

#define EXCH_OOF_NONE           0
#define EXCH_OOF_KNOWN          1
#define EXCH_OOF_ALL            2

typedef struct {
    int                       state;
    int                       audience;     /* external audience */
    int64_t                   start;        /* FILETIME, scheduled */
    int64_t                   end;
    const char               *internal;     /* reply texts */
    const char               *external;
} exch_ews_oof_t;

/* the settings of a mailbox (disabled when it never had any) */
int exch_ews_oof_read(exs_mbox_t *mb, exch_ews_oof_t *oof, exs_arena_t *a);
/* whether replies go out at now (FILETIME) */
int exch_ews_oof_active(const exch_ews_oof_t *oof, int64_t now);


#endif /* _EXCH_EWS_OOF_H_INCLUDED_ */
