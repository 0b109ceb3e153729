
/*
 * exch store: TNEF (MS-OXTNEF), the encapsulation Outlook and Exchange use
 * for MAPI properties in Internet mail (winmail.dat, application/ms-tnef).
 *
 * exs_tnef_read() decodes a stream into msg: message attributes and
 * properties, the recipient table, attachments (by value, OLE, and
 * embedded messages, which are TNEF streams of their own, recursively).
 * Every read is checked against the end; a damaged stream yields what was
 * read before the damage and ctx->corrupt.  Named properties are mapped
 * through nm (created), at most ctx->max_named of them per call chain;
 * properties beyond that, or of types TNEF cannot size, are counted in
 * ctx->dropped.
 *
 * exs_tnef_write() encodes msg (properties, recipients, attachments) as a
 * TNEF stream for legacy TNEF sending.
 */


#ifndef _EXS_TNEF_H_INCLUDED_
#define _EXS_TNEF_H_INCLUDED_


#include <exs_mapi.h>


#define EXS_TNEF_SIGNATURE      0x223E9F78u

typedef struct {
    unsigned                  max_depth;    /* embedded messages; 0: 8 */
    uint32_t                  max_named;    /* 0: 256 */
    uint32_t                  named;        /* created so far (in/out) */
    uint32_t                  dropped;      /* out */
    int                       corrupt;      /* out: stopped early */
    unsigned                  depth;        /* internal */
} exs_tnef_ctx_t;

int exs_tnef_read(const uint8_t *p, size_t len, exs_namemap_t *nm,
    exs_msg_t *msg, exs_tnef_ctx_t *ctx, exs_arena_t *a);

int exs_tnef_write(const exs_msg_t *msg, exs_namemap_t *nm, exs_bin_t *out,
    exs_arena_t *a);


#endif /* _EXS_TNEF_H_INCLUDED_ */
