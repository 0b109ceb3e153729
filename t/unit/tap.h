
/*
 * A small TAP emitter for the C unit tests (t/README says how they run).
 *
 *     ok(cond, "what it proves");
 *     is_int(got, want, "...");  is_str(got, want, "...");
 *     is_mem(got, got_len, want, want_len, "...");
 *     return done_testing();
 */


#ifndef _TAP_H_INCLUDED_
#define _TAP_H_INCLUDED_


#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>


static int  tap_run;
static int  tap_failed;


static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list  ap;

    tap_run++;

    printf("%sok %d - ", pass ? "" : "not ", tap_run);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");

    if (!pass) {
        tap_failed++;
        printf("#   Failed at %s line %d.\n", file, line);
    }

    fflush(stdout);

    return pass;
}


#define ok(cond, ...)                                                         \
    tap_ok((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)


#define is_int(got, want, ...)                                                \
    do {                                                                      \
        long long  g_ = (long long) (got), w_ = (long long) (want);           \
        if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__)) {             \
            printf("#          got: %lld\n#     expected: %lld\n", g_, w_);   \
        }                                                                     \
    } while (0)


#define is_str(got, want, ...)                                                \
    do {                                                                      \
        const char  *g_ = (got), *w_ = (want);                                \
        int  p_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;                \
        if (!tap_ok(p_, __FILE__, __LINE__, __VA_ARGS__)) {                   \
            printf("#          got: '%s'\n#     expected: '%s'\n",            \
                   g_ ? g_ : "(null)", w_ ? w_ : "(null)");                   \
        }                                                                     \
    } while (0)


#define is_mem(got, glen, want, wlen, ...)                                    \
    do {                                                                      \
        size_t  gl_ = (glen), wl_ = (wlen);                                   \
        int  p_ = gl_ == wl_ && memcmp((got), (want), gl_) == 0;              \
        if (!tap_ok(p_, __FILE__, __LINE__, __VA_ARGS__)) {                   \
            printf("#     lengths: got %zu, expected %zu\n", gl_, wl_);       \
        }                                                                     \
    } while (0)


static int
done_testing(void)
{
    printf("1..%d\n", tap_run);

    return tap_failed ? 1 : 0;
}


#endif /* _TAP_H_INCLUDED_ */
