
/*
 * exch store: what the two halves of the MIME -> MAPI converter share
 * (exs_oxcmail_in.c: the MIME tree; exs_oxcmail_hdr.c: the headers).
 */


#ifndef _EXS_OXCMAIL_IN_H_INCLUDED_
#define _EXS_OXCMAIL_IN_H_INCLUDED_


#include <gmime/gmime.h>

#include "exs_oxcmail_int.h"


#define EXS_IN_MAX_LEVELS       128      /* multipart nesting we walk */
#define EXS_IN_MAX_GROUP        4        /* nested address groups */
#define EXS_IN_MAX_NAMED        256      /* named props made per import */


/* one conversion */

typedef struct {
    exs_arena_t               *a;
    const exs_oxcmail_opts_t  *opts;
    GMimeParserOptions        *popts;
    const uint8_t             *raw;      /* the whole input */
    size_t                     rawlen;
    size_t                     body_off; /* of the top message; 0: none */
    unsigned                   lossy;
    unsigned                   warnings;
    unsigned                   max_depth;
    uint32_t                   depth_seen;
    exs_tnef_ctx_t             tnef;     /* .named counts every creation */
    int                        rc;       /* sticky: the first error */
} exs_in_t;


/* exs_oxcmail_hdr.c */

/* a trimmed, valid UTF-8 copy in the arena (c->rc on failure) */
const char *exs_in_trim(exs_in_t *c, const char *s);
/* an attachment's file name, RFC 2231 / 2047 decoded, on one line */
const char *exs_in_filename(exs_in_t *c, GMimeObject *o);
/* the headers of one message as properties (MS-OXCMAIL 2.2.3.2) */
int exs_in_headers(exs_in_t *c, GMimeMessage *gm, exs_msg_t *msg);
/* From, Sender, Reply-To, To, Cc, Bcc, Disposition-Notification-To */
int exs_in_addresses(exs_in_t *c, GMimeMessage *gm, exs_msg_t *msg);
/* PR_CONVERSATION_INDEX when there was no Thread-Index */
int exs_in_conversation(exs_in_t *c, GMimeMessage *gm, exs_msg_t *msg);
/* PR_DISPLAY_TO, _CC, _BCC from the recipients */
int exs_in_display(exs_in_t *c, exs_msg_t *msg);


#endif /* _EXS_OXCMAIL_IN_H_INCLUDED_ */
