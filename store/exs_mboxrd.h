
/*
 * exch store: mbox files (RFC 4155), read and written the "mboxrd" way:
 * a message starts after a From_ line; a body line ">*From " had one ">"
 * added when it was written, which reading takes away again.
 *
 * A From_ line is a line that starts with "From ", comes first in the file
 * or after an empty line, and carries a time ("12:34"), as every mbox
 * writer's asctime() date does: a body line "From here on..." after a
 * paragraph of an unescaped (mboxo) file does not split the message.
 */


#ifndef _EXS_MBOXRD_H_INCLUDED_
#define _EXS_MBOXRD_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


typedef struct {
    const uint8_t            *p;            /* where the next search starts */
    const uint8_t            *end;
} exs_mboxrd_t;

typedef struct {
    const uint8_t            *from;         /* the From_ line, without EOL */
    size_t                    from_len;
    const uint8_t            *data;         /* the message, still escaped */
    size_t                    len;
} exs_mboxrd_msg_t;


/* 1 when data starts like an mbox file (a From_ line) */
int exs_mboxrd_is_mbox(const void *data, size_t len);

void exs_mboxrd_init(exs_mboxrd_t *r, const void *data, size_t len);

/* the next message: 1 and m filled, 0 at the end (bytes before the first
 * From_ line are skipped) */
int exs_mboxrd_next(exs_mboxrd_t *r, exs_mboxrd_msg_t *m);

/* takes one ">" off every ">+From " line; out has room for len bytes;
 * returns the length written */
size_t exs_mboxrd_unescape(const uint8_t *p, size_t len, uint8_t *out);

/* the length exs_mboxrd_escape() writes for p (at most len + len / 5 + 1:
 * a ">" per "From " line, and an LF at the end when p lacks one) */
size_t exs_mboxrd_escaped_len(const uint8_t *p, size_t len);
/* adds one ">" to every ">*From " line and ends the text with an LF; out
 * has room for exs_mboxrd_escaped_len() bytes (NULL: only the length);
 * returns that length */
size_t exs_mboxrd_escape(const uint8_t *p, size_t len, uint8_t *out);


#endif /* _EXS_MBOXRD_H_INCLUDED_ */
