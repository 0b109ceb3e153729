
/*
 * exch: the LZ77 compression of MS-OXCRPC 3.1.4.1.1.2 (the "DIRECT2"
 * encoding: 32-bit flag groups read from the high bit, 2-byte metadata
 * with a 13-bit offset and a 3-bit length, longer lengths in shared
 * nibbles, a byte and a 16-bit word), and the XorMagic obfuscation of
 * MS-OXCRPC 3.1.4.1.1.3.  Nginx-free.
 */


#ifndef _EXCH_OXCRPC_LZ77_H_INCLUDED_
#define _EXCH_OXCRPC_LZ77_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/* the largest compressed size of len input bytes */
size_t exch_lz77_bound(size_t len);

/*
 * Compresses len bytes into out (cap bytes); EXCH_ERR_BUFSIZE when the
 * result does not fit (exch_lz77_bound() always fits).
 */
int exch_lz77_compress(const uint8_t *in, size_t len, uint8_t *out,
    size_t cap, size_t *outlen);

/*
 * Decompresses len bytes into out, writing at most cap bytes.  It stops
 * at the end of the input (or at the terminating flag bit); *outlen is
 * what it produced, which the caller compares with the size it expects
 * (SizeActual).  EXCH_ERR_COMPRESSION: a back reference before the start,
 * output beyond cap, or input ending inside an item.
 */
int exch_lz77_decompress(const uint8_t *in, size_t len, uint8_t *out,
    size_t cap, size_t *outlen);

/* XorMagic: every byte XORed with 0xA5, in place (its own inverse) */
void exch_xor_magic(uint8_t *p, size_t len);


#endif /* _EXCH_OXCRPC_LZ77_H_INCLUDED_ */
