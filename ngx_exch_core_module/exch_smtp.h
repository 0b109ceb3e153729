
/*
 * exch: the nginx-free parts of the SMTP client (RFC 5321): reading the
 * server's replies and preparing the DATA payload.  ngx_exch_smtp.c is the
 * state machine on nginx's event loop.
 */


#ifndef _EXCH_SMTP_H_INCLUDED_
#define _EXCH_SMTP_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define EXCH_SMTP_OK            0        /* a whole reply */
#define EXCH_SMTP_AGAIN         1        /* more bytes needed */
#define EXCH_SMTP_BAD           -1       /* not an SMTP reply */

/* longer lines than this are not SMTP (RFC 5321 says 512) */
#define EXCH_SMTP_LINE_MAX      2048


typedef struct {
    int                       code;         /* 200..599 */
    size_t                    consumed;     /* bytes of the reply */
    const uint8_t            *text;         /* the last line's text */
    size_t                    text_len;
    uint32_t                  lines;
} exch_smtp_reply_t;

/*
 * One reply at the start of p: "250-..." lines then "250 ...".  Every
 * line must carry the same three-digit code; CRLF or bare LF ends a line.
 * EXCH_SMTP_AGAIN when it is incomplete (and no line is too long yet).
 */
int exch_smtp_reply_parse(const uint8_t *p, size_t len, exch_smtp_reply_t *r);

/* whether the EHLO reply advertises an extension (case-insensitive) */
int exch_smtp_has_ext(const uint8_t *p, size_t len, const char *ext);

/* the DATA payload for a message: CRLF line ends, a dot added to lines
 * that begin with one, and the final ".\r\n"; out has room for
 * exch_smtp_data_len(len) bytes; returns the length */
size_t exch_smtp_data_len(size_t len);
size_t exch_smtp_data(const uint8_t *p, size_t len, uint8_t *out);

/* an SMTP address for MAIL FROM / RCPT TO: printable, no spaces, angle
 * brackets or controls; 1 when it may be sent */
int exch_smtp_addr_ok(const char *addr);


#endif /* _EXCH_SMTP_H_INCLUDED_ */
