
/*
 * exch EWS: value codecs -- xs:dateTime, xs:duration, base64, GUIDs -- and
 * small writers of elements in the types namespace.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exch_ews.h"


static int64_t exch_days_from_civil(int64_t y, unsigned m, unsigned d);
static void exch_civil_from_days(int64_t z, int64_t *y, unsigned *m,
    unsigned *d);
static int exch_digits(const char **p, const char *end, int n, int *v);


static const char  exch_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";


/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */

static int64_t
exch_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t   era;
    unsigned  yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned) (y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + (int64_t) doe - 719468;
}


static void
exch_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t   era;
    unsigned  doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned) (z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t) yoe + era * 400 + (*m <= 2);
}


static int
exch_digits(const char **p, const char *end, int n, int *v)
{
    int  i;

    *v = 0;

    for (i = 0; i < n; i++) {
        if (*p >= end || **p < '0' || **p > '9') {
            return -1;
        }

        *v = *v * 10 + (**p - '0');
        (*p)++;
    }

    return 0;
}


int
exch_ews_time_parse(const char *s, int64_t *ft)
{
    int          y, mo, d, h, mi, sec, oh, om, neg;
    int64_t      days, t, frac, scale;
    const char  *p, *end;

    if (s == NULL) {
        return -1;
    }

    p = s;
    end = s + strlen(s);

    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }

    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'
                       || end[-1] == '\r'))
    {
        end--;
    }

    if (exch_digits(&p, end, 4, &y) != 0 || p >= end || *p++ != '-'
        || exch_digits(&p, end, 2, &mo) != 0 || p >= end || *p++ != '-'
        || exch_digits(&p, end, 2, &d) != 0)
    {
        return -1;
    }

    if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31) {
        return -1;
    }

    h = mi = sec = 0;
    frac = 0;

    if (p < end && *p == 'T') {
        p++;

        if (exch_digits(&p, end, 2, &h) != 0 || p >= end || *p++ != ':'
            || exch_digits(&p, end, 2, &mi) != 0 || p >= end || *p++ != ':'
            || exch_digits(&p, end, 2, &sec) != 0)
        {
            return -1;
        }

        if (h > 24 || mi > 59 || sec > 60) {
            return -1;
        }

        if (p < end && *p == '.') {
            p++;
            scale = 1000000;

            if (p >= end || *p < '0' || *p > '9') {
                return -1;
            }

            while (p < end && *p >= '0' && *p <= '9') {
                if (scale) {
                    frac += (*p - '0') * scale;
                    scale /= 10;
                }

                p++;
            }
        }
    }

    days = exch_days_from_civil(y, (unsigned) mo, (unsigned) d);
    t = days * 86400 + h * 3600 + mi * 60 + sec;

    if (p < end) {
        if (*p == 'Z' && p + 1 == end) {
            p++;

        } else if (*p == '+' || *p == '-') {
            neg = *p++ == '-';

            if (exch_digits(&p, end, 2, &oh) != 0 || p >= end || *p++ != ':'
                || exch_digits(&p, end, 2, &om) != 0 || p != end
                || oh > 14 || om > 59)
            {
                return -1;
            }

            t += neg ? (oh * 3600 + om * 60) : -(oh * 3600 + om * 60);

        } else {
            return -1;
        }
    }

    *ft = exs_filetime_from_unix(t) + frac;

    return 0;
}


void
exch_ews_time_format(int64_t ft, char *buf, size_t size)
{
    int64_t   t, days, y;
    unsigned  m, d, secs;

    t = ft - EXS_FILETIME_UNIX_EPOCH;
    t = t >= 0 ? t / 10000000 : (t - 9999999) / 10000000;

    days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    secs = (unsigned) (t - days * 86400);

    exch_civil_from_days(days, &y, &m, &d);

    if (y < 1601) {
        y = 1601;
        m = 1;
        d = 1;
        secs = 0;
    }

    if (y > 9999) {
        y = 9999;
        m = 12;
        d = 31;
        secs = 86399;
    }

    snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int) y, m, d,
             secs / 3600, secs / 60 % 60, secs % 60);
}


int
exch_ews_duration_parse(const char *s, int64_t *secs)
{
    int          neg, time_part, any;
    int64_t      total, v;
    const char  *p;

    if (s == NULL) {
        return -1;
    }

    p = s;
    neg = 0;

    if (*p == '-') {
        neg = 1;
        p++;
    }

    if (*p++ != 'P') {
        return -1;
    }

    total = 0;
    time_part = 0;
    any = 0;

    while (*p) {
        if (*p == 'T') {
            time_part = 1;
            p++;
            continue;
        }

        if (*p < '0' || *p > '9') {
            return -1;
        }

        v = 0;

        while (*p >= '0' && *p <= '9') {
            if (v > 1000000000) {
                return -1;
            }

            v = v * 10 + (*p++ - '0');
        }

        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                p++;
            }
        }

        switch (*p++) {
        case 'Y':
            total += v * 365 * 86400;
            break;
        case 'M':
            total += time_part ? v * 60 : v * 30 * 86400;
            break;
        case 'W':
            total += v * 7 * 86400;
            break;
        case 'D':
            total += v * 86400;
            break;
        case 'H':
            total += v * 3600;
            break;
        case 'S':
            total += v;
            break;
        default:
            return -1;
        }

        any = 1;
    }

    if (!any) {
        return -1;
    }

    *secs = neg ? -total : total;

    return 0;
}


size_t
exch_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}


void
exch_base64_encode(const uint8_t *p, size_t n, char *out)
{
    size_t  i;

    for (i = 0; i + 2 < n; i += 3) {
        *out++ = exch_b64[p[i] >> 2];
        *out++ = exch_b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        *out++ = exch_b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
        *out++ = exch_b64[p[i + 2] & 63];
    }

    if (i < n) {
        *out++ = exch_b64[p[i] >> 2];

        if (i + 1 < n) {
            *out++ = exch_b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
            *out++ = exch_b64[(p[i + 1] & 15) << 2];

        } else {
            *out++ = exch_b64[(p[i] & 3) << 4];
            *out++ = '=';
        }

        *out++ = '=';
    }

    *out = '\0';
}


int
exch_base64_decode(const char *s, size_t n, uint8_t *out, size_t *outlen)
{
    int            pad;
    size_t         i, o, q;
    uint32_t       acc;
    unsigned char  c;
    int            v;

    o = 0;
    q = 0;
    acc = 0;
    pad = 0;

    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];

        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '+' || c == '-') {
            v = 62;
        } else if (c == '/' || c == '_') {
            v = 63;
        } else if (c == '=') {
            pad++;
            continue;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        } else {
            return -1;
        }

        if (pad) {
            return -1;      /* data after padding */
        }

        acc = (acc << 6) | (uint32_t) v;
        q++;

        if (q == 4) {
            out[o++] = (uint8_t) (acc >> 16);
            out[o++] = (uint8_t) (acc >> 8);
            out[o++] = (uint8_t) acc;
            q = 0;
            acc = 0;
        }
    }

    switch (q) {
    case 0:
        break;
    case 2:
        out[o++] = (uint8_t) (acc >> 4);
        break;
    case 3:
        out[o++] = (uint8_t) (acc >> 10);
        out[o++] = (uint8_t) (acc >> 2);
        break;
    default:
        return -1;
    }

    if (pad > 2) {
        return -1;
    }

    *outlen = o;

    return 0;
}


void
exch_buf_base64(exch_buf_t *b, const void *p, size_t n)
{
    size_t          len, chunk;
    const uint8_t  *s;
    char            tmp[4097];

    /* in pieces of 3 KiB, so that no large temporary is needed */

    s = p;

    while (n) {
        chunk = n > 3072 ? 3072 : n;
        exch_base64_encode(s, chunk, tmp);
        len = exch_base64_encoded_len(chunk);
        exch_buf_add(b, tmp, len);
        s += chunk;
        n -= chunk;
    }
}


void
exch_guid_format(const uint8_t *g, char *out)
{
    /* MS-OXCDATA GUIDs: Data1..3 little-endian */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
             g[10], g[11], g[12], g[13], g[14], g[15]);
}


int
exch_guid_parse(const char *s, uint8_t *g)
{
    int            i, j, hi, lo;
    uint8_t        raw[16];
    size_t         n;
    static const int  order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
                                    8, 9, 10, 11, 12, 13, 14, 15 };

    n = strlen(s);

    if (n == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        n = 36;
    }

    if (n != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-'
        || s[23] != '-')
    {
        return -1;
    }

    for (i = 0, j = 0; i < 36 && j < 16; ) {
        if (s[i] == '-') {
            i++;
            continue;
        }

        hi = s[i] >= '0' && s[i] <= '9' ? s[i] - '0'
             : (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'
               ? (s[i] | 0x20) - 'a' + 10 : -1;
        lo = s[i + 1] >= '0' && s[i + 1] <= '9' ? s[i + 1] - '0'
             : (s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'f'
               ? (s[i + 1] | 0x20) - 'a' + 10 : -1;

        if (hi < 0 || lo < 0) {
            return -1;
        }

        raw[j++] = (uint8_t) (hi << 4 | lo);
        i += 2;
    }

    for (i = 0; i < 16; i++) {
        g[order[i]] = raw[i];
    }

    return 0;
}


void
exch_ews_elem(exch_buf_t *b, const char *name, const char *text)
{
    exch_ews_elem_n(b, name, text, text ? strlen(text) : 0);
}


void
exch_ews_elem_n(exch_buf_t *b, const char *name, const char *text, size_t n)
{
    size_t  len;

    len = strlen(name);

    exch_buf_add(b, "<t:", 3);
    exch_buf_add(b, name, len);

    if (n == 0) {
        exch_buf_add(b, "/>", 2);
        return;
    }

    exch_buf_add(b, ">", 1);
    exch_buf_text(b, text, n);
    exch_buf_add(b, "</t:", 4);
    exch_buf_add(b, name, len);
    exch_buf_add(b, ">", 1);
}


void
exch_ews_elem_int(exch_buf_t *b, const char *name, int64_t v)
{
    exch_buf_printf(b, "<t:%s>%lld</t:%s>", name, (long long) v, name);
}


void
exch_ews_elem_bool(exch_buf_t *b, const char *name, int v)
{
    exch_buf_printf(b, "<t:%s>%s</t:%s>", name, v ? "true" : "false", name);
}


void
exch_ews_elem_time(exch_buf_t *b, const char *name, int64_t ft)
{
    char  tmp[40];

    exch_ews_time_format(ft, tmp, sizeof(tmp));
    exch_buf_printf(b, "<t:%s>%s</t:%s>", name, tmp, name);
}
