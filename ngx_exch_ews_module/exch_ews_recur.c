
/*
 * exch EWS: recurrences -- the Recurrence element of calendar items and
 * tasks (MS-OXWSCDATA RecurrenceType, TaskRecurrenceType) and the
 * recurrence blobs of MAPI: RecurrencePattern (MS-OXOCAL 2.2.1.44.1, a
 * task's PidLidTaskRecurrence) and AppointmentRecurrencePattern
 * (2.2.1.44.5, PidLidAppointmentRecur).
 *
 * Dates in the blobs are minutes since 1601-01-01 at local midnight; here
 * they are kept as days since 1601-01-01 (a Monday).  Exceptions and
 * deleted instances a MAPI client wrote are kept when EWS only changes the
 * time of the series (the offsets are patched in place); a Recurrence set
 * over EWS replaces the pattern and its exceptions.
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "exch_ews_items.h"


#define EXCH_R_DAILY            0x200A
#define EXCH_R_WEEKLY           0x200B
#define EXCH_R_MONTHLY          0x200C
#define EXCH_R_YEARLY           0x200D

#define EXCH_RP_DAY             0x0000
#define EXCH_RP_WEEK            0x0001
#define EXCH_RP_MONTH           0x0002
#define EXCH_RP_MONTHNTH        0x0003
#define EXCH_RP_MONTHEND        0x0004

#define EXCH_RE_DATE            0x2021
#define EXCH_RE_COUNT           0x2022
#define EXCH_RE_NEVER           0x2023

#define EXCH_R_NO_END_DATE      0x5AE980DF   /* 4500-12-31 23:59 */
#define EXCH_R_MAX_COUNT        999
#define EXCH_R_MAX_DAYS         (366 * 1200)  /* how far occurrences are
                                                 looked for */

/* days from 1601-01-01 to 1970-01-01 */
#define EXCH_D1601              134774


typedef struct {
    uint16_t                  freq;
    uint16_t                  ptype;
    uint32_t                  period;       /* minutes (daily), weeks,
                                               months */
    uint32_t                  sliding;      /* tasks: regenerating */
    uint32_t                  days;         /* a day mask, or a day of
                                               the month */
    uint32_t                  nth;          /* 1..5, 5 the last */
    uint32_t                  end_type;
    uint32_t                  count;
    uint32_t                  first_dow;    /* 0 Sunday */
    uint32_t                  first_dt;     /* FirstDateTime, minutes */
    int64_t                   start;        /* days since 1601 */
    int64_t                   end;
    size_t                    appt;         /* where the appointment part
                                               starts, 0: none */
} exch_ews_recur_t;


static const char  *exch_ews_dows[] = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday"
};

static const char  *exch_ews_months[] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"
};

static const char  *exch_ews_nths[] = {
    "First", "Second", "Third", "Fourth", "Last"
};


static int exch_ews_recur_decode(const uint8_t *p, size_t n,
    exch_ews_recur_t *r);
static int exch_ews_recur_encode(exch_ews_t *ews, const exch_ews_recur_t *r,
    int appt, uint32_t soff, uint32_t eoff, exs_bin_t *out);
static int exch_ews_recur_match(const exch_ews_recur_t *r, int64_t day);
static void exch_ews_recur_bound(exch_ews_recur_t *r);
static uint32_t exch_ews_recur_first_dt(const exch_ews_recur_t *r);
static int exch_ews_recur_month(const exch_ews_recur_t *r);
static int exch_ews_recur_date(const char *s, int64_t *day);
static void exch_ews_recur_date_write(exch_buf_t *b, const char *name,
    int64_t day, int bias);
static int exch_ews_name_index(const char *s, const char **names,
    size_t n);
static uint32_t exch_ews_dow_mask(const char *s, int list);
static void exch_ews_dow_write(exch_buf_t *b, const char *name,
    uint32_t mask, int aggregate);
static uint32_t exch_ews_uint_value(xmlNodePtr node, uint32_t min,
    uint32_t max);
static void exch_ews_recur_civil(int64_t day, int64_t *y, unsigned *m,
    unsigned *d);
static int64_t exch_ews_recur_days(int64_t y, unsigned m, unsigned d);
static unsigned exch_ews_recur_dim(int64_t y, unsigned m);
static uint32_t exch_ews_le32(const uint8_t *p);
static void exch_ews_put32(uint8_t *p, uint32_t v);


static uint32_t
exch_ews_le32(const uint8_t *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
           | ((uint32_t) p[3] << 24);
}


static void
exch_ews_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    p[2] = (uint8_t) (v >> 16);
    p[3] = (uint8_t) (v >> 24);
}


static void
exch_ews_recur_civil(int64_t day, int64_t *y, unsigned *m, unsigned *d)
{
    exch_ews_civil_from_days(day - EXCH_D1601, y, m, d);
}


static int64_t
exch_ews_recur_days(int64_t y, unsigned m, unsigned d)
{
    return exch_ews_days_from_civil(y, m, d) + EXCH_D1601;
}


static unsigned
exch_ews_recur_dim(int64_t y, unsigned m)
{
    return (unsigned) (exch_ews_recur_days(y + (m == 12), m % 12 + 1, 1)
                       - exch_ews_recur_days(y, m, 1));
}


/* RecurrencePattern, and where an appointment's part would start */

static int
exch_ews_recur_decode(const uint8_t *p, size_t n, exch_ews_recur_t *r)
{
    size_t    o;
    uint32_t  k;

    memset(r, 0, sizeof(exch_ews_recur_t));

    if (n < 22) {
        return -1;
    }

    r->freq = (uint16_t) (p[4] | (p[5] << 8));
    r->ptype = (uint16_t) (p[6] | (p[7] << 8));
    r->first_dt = exch_ews_le32(p + 10);
    r->period = exch_ews_le32(p + 14);
    r->sliding = exch_ews_le32(p + 18);
    o = 22;

    switch (r->ptype) {

    case EXCH_RP_DAY:
        break;

    case EXCH_RP_WEEK:
    case EXCH_RP_MONTH:
    case EXCH_RP_MONTHEND:
    case 0x000A:
    case 0x000C:
        if (o + 4 > n) {
            return -1;
        }

        r->days = exch_ews_le32(p + o);
        o += 4;
        break;

    case EXCH_RP_MONTHNTH:
    case 0x000B:
        if (o + 8 > n) {
            return -1;
        }

        r->days = exch_ews_le32(p + o);
        r->nth = exch_ews_le32(p + o + 4);
        o += 8;
        break;

    default:
        return -1;
    }

    if (o + 16 > n) {
        return -1;
    }

    r->end_type = exch_ews_le32(p + o);
    r->count = exch_ews_le32(p + o + 4);
    r->first_dow = exch_ews_le32(p + o + 8) % 7;
    k = exch_ews_le32(p + o + 12);                  /* deleted instances */
    o += 16;

    if (k > (n - o) / 4) {
        return -1;
    }

    o += (size_t) k * 4;

    if (o + 4 > n) {
        return -1;
    }

    k = exch_ews_le32(p + o);                       /* modified ones */
    o += 4;

    if (k > (n - o) / 4) {
        return -1;
    }

    o += (size_t) k * 4;

    if (o + 8 > n) {
        return -1;
    }

    r->start = exch_ews_le32(p + o) / 1440;
    r->end = exch_ews_le32(p + o + 4) / 1440;
    o += 8;

    r->appt = o + 16 <= n ? o : 0;

    if (r->period == 0) {
        return -1;
    }

    return 0;
}


static int
exch_ews_recur_encode(exch_ews_t *ews, const exch_ews_recur_t *r, int appt,
    uint32_t soff, uint32_t eoff, exs_bin_t *out)
{
    size_t    n, o;
    uint8_t  *p;

    n = 22 + 8 + 16 + 4 + 8 + (appt ? 16 + 2 + 4 + 4 : 0);

    p = exs_calloc(ews->a, n);
    if (p == NULL) {
        return EXS_NOMEM;
    }

    p[0] = 0x04;                         /* ReaderVersion 0x3004 */
    p[1] = 0x30;
    p[2] = 0x04;                         /* WriterVersion */
    p[3] = 0x30;
    p[4] = (uint8_t) r->freq;
    p[5] = (uint8_t) (r->freq >> 8);
    p[6] = (uint8_t) r->ptype;
    p[7] = (uint8_t) (r->ptype >> 8);
    /* CalendarType 0: Gregorian */
    exch_ews_put32(p + 10, exch_ews_recur_first_dt(r));
    exch_ews_put32(p + 14, r->period);
    exch_ews_put32(p + 18, r->sliding);
    o = 22;

    if (r->ptype == EXCH_RP_MONTHNTH) {
        exch_ews_put32(p + o, r->days);
        exch_ews_put32(p + o + 4, r->nth);
        o += 8;

    } else if (r->ptype != EXCH_RP_DAY) {
        exch_ews_put32(p + o, r->days);
        o += 4;
    }

    exch_ews_put32(p + o, r->end_type);
    exch_ews_put32(p + o + 4, r->count);
    exch_ews_put32(p + o + 8, r->first_dow);
    o += 12;
    o += 8;                              /* no deleted or modified ones */
    exch_ews_put32(p + o, (uint32_t) (r->start * 1440));
    exch_ews_put32(p + o + 4, r->end_type == EXCH_RE_NEVER
                              ? EXCH_R_NO_END_DATE
                              : (uint32_t) (r->end * 1440));
    o += 8;

    if (appt) {
        exch_ews_put32(p + o, 0x3006);   /* ReaderVersion2 */
        exch_ews_put32(p + o + 4, 0x3009);
        exch_ews_put32(p + o + 8, soff);
        exch_ews_put32(p + o + 12, eoff);
        o += 16;
        o += 2 + 4 + 4;                  /* no exceptions, empty blocks */
    }

    out->data = p;
    out->len = o;

    return EXS_OK;
}


/* MS-OXOCAL 2.2.1.44.1.1 */

static uint32_t
exch_ews_recur_first_dt(const exch_ews_recur_t *r)
{
    int64_t   y, months, ws;
    unsigned  m, d;

    if (r->freq == EXCH_R_DAILY && r->ptype == EXCH_RP_DAY) {
        return (uint32_t) ((r->start * 1440) % r->period);
    }

    switch (r->freq) {

    case EXCH_R_DAILY:                  /* every weekday: a weekly one */
    case EXCH_R_WEEKLY:
        ws = r->start - (int64_t) (((r->start + 1) % 7 + 7 - r->first_dow)
                                   % 7);
        return (uint32_t) ((ws * 1440) % ((int64_t) r->period * 10080));

    default:
        exch_ews_recur_civil(r->start, &y, &m, &d);

        if (r->freq == EXCH_R_YEARLY && r->first_dt) {
            /* the month a yearly pattern is on came with it */
            m = (unsigned) exch_ews_recur_month(r);
        }

        months = ((y - 1601) * 12 + m - 1) % r->period;

        return (uint32_t) (exch_ews_recur_days(1601 + months / 12,
                                               (unsigned) (months % 12) + 1,
                                               1) * 1440);
    }
}


/* the month (1..12) of a yearly pattern: FirstDateTime's */

static int
exch_ews_recur_month(const exch_ews_recur_t *r)
{
    int64_t   y;
    unsigned  m, d;

    exch_ews_recur_civil(r->first_dt / 1440, &y, &m, &d);

    return (int) m;
}


/* is day (since 1601) an occurrence? */

static int
exch_ews_recur_match(const exch_ews_recur_t *r, int64_t day)
{
    int64_t   y, ys, idx, anchor, k, period, first, dim, i, nmatch;
    unsigned  m, d, ms, ds, dow;

    if (day < r->start) {
        return 0;
    }

    dow = (unsigned) ((day + 1) % 7);

    if (r->ptype == EXCH_RP_DAY) {
        period = r->period / 1440;
        return period > 0 && (day - r->start) % period == 0;
    }

    if (r->ptype == EXCH_RP_WEEK) {
        if (!(r->days & (1u << dow))) {
            return 0;
        }

        k = ((day - (int64_t) ((dow + 7 - r->first_dow) % 7))
             - (r->start - (int64_t) (((r->start + 1) % 7 + 7 - r->first_dow)
                                      % 7))) / 7;

        return k % r->period == 0;
    }

    exch_ews_recur_civil(day, &y, &m, &d);
    exch_ews_recur_civil(r->start, &ys, &ms, &ds);

    if (r->freq == EXCH_R_YEARLY) {
        ms = (unsigned) exch_ews_recur_month(r);
    }

    idx = y * 12 + m - 1;
    anchor = ys * 12 + ms - 1;

    if ((((idx - anchor) % r->period) + r->period) % r->period != 0) {
        return 0;
    }

    dim = exch_ews_recur_dim(y, m);

    switch (r->ptype) {

    case EXCH_RP_MONTH:
        return (int64_t) d == (r->days < (uint32_t) dim ? (int64_t) r->days
                                                        : dim);

    case EXCH_RP_MONTHEND:
        return (int64_t) d == dim;

    case EXCH_RP_MONTHNTH:
        if (!(r->days & (1u << dow))) {
            return 0;
        }

        first = day - (d - 1);
        nmatch = 0;
        k = 0;

        for (i = 0; i < dim; i++) {
            if (r->days & (1u << ((first + i + 1) % 7))) {
                nmatch++;

                if (first + i == day) {
                    k = nmatch;
                }
            }
        }

        return r->nth >= 5 ? k == nmatch : k == (int64_t) r->nth;

    default:
        return 0;
    }
}


/* the end date of a numbered series, the count of a dated one */

static void
exch_ews_recur_bound(exch_ews_recur_t *r)
{
    int64_t   day, last, limit;
    uint32_t  n;

    n = 0;
    last = r->start;
    limit = r->start + EXCH_R_MAX_DAYS;

    if (r->end_type == EXCH_RE_COUNT) {
        for (day = r->start; day < limit && n < r->count; day++) {
            if (exch_ews_recur_match(r, day)) {
                n++;
                last = day;
            }
        }

        r->end = last;

    } else if (r->end_type == EXCH_RE_DATE) {
        for (day = r->start; day <= r->end && day < limit; day++) {
            n += exch_ews_recur_match(r, day);
        }

        r->count = n;

    } else {
        r->count = 10;                   /* what Outlook writes */
        r->end = EXCH_R_NO_END_DATE / 1440;
    }
}


static int
exch_ews_name_index(const char *s, const char **names, size_t n)
{
    size_t  i;

    for (i = 0; s && i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            return (int) i;
        }
    }

    return -1;
}


/* DaysOfWeek: a list of days (weekly), or one day, Day, Weekday or
 * WeekendDay */

static uint32_t
exch_ews_dow_mask(const char *s, int list)
{
    int          i;
    char         word[16];
    size_t       len;
    uint32_t     mask;
    const char  *p, *e;

    mask = 0;

    for (p = s; p && *p; p = e) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
        }

        for (e = p; *e && *e != ' ' && *e != '\t' && *e != '\n'
                    && *e != '\r'; e++)
        {
            /* void */
        }

        len = (size_t) (e - p);

        if (len == 0) {
            break;
        }

        if (len >= sizeof(word)) {
            return 0;
        }

        memcpy(word, p, len);
        word[len] = '\0';

        i = exch_ews_name_index(word, exch_ews_dows, 7);

        if (i >= 0) {
            mask |= 1u << i;

        } else if (strcmp(word, "Day") == 0) {
            mask |= 0x7F;

        } else if (strcmp(word, "Weekday") == 0) {
            mask |= 0x3E;

        } else if (strcmp(word, "WeekendDay") == 0) {
            mask |= 0x41;

        } else {
            return 0;
        }

        if (!list && *e) {
            while (*e == ' ') {
                e++;
            }

            if (*e) {
                return 0;
            }
        }
    }

    return mask;
}


static void
exch_ews_dow_write(exch_buf_t *b, const char *name, uint32_t mask,
    int aggregate)
{
    int  i, first;

    exch_ews_open(b, name);

    if (aggregate && (mask & 0x7F) == 0x7F) {
        exch_buf_str(b, "Day");

    } else if (aggregate && (mask & 0x7F) == 0x3E) {
        exch_buf_str(b, "Weekday");

    } else if (aggregate && (mask & 0x7F) == 0x41) {
        exch_buf_str(b, "WeekendDay");

    } else {
        first = 1;

        for (i = 0; i < 7; i++) {
            if (mask & (1u << i)) {
                exch_buf_printf(b, "%s%s", first ? "" : " ",
                                exch_ews_dows[i]);
                first = 0;

                if (aggregate) {
                    break;              /* one day only */
                }
            }
        }
    }

    exch_ews_close(b, name);
}


static uint32_t
exch_ews_uint_value(xmlNodePtr node, uint32_t min, uint32_t max)
{
    char           *end;
    const char     *s;
    unsigned long   v;

    s = exch_ews_value(node);

    if (s == NULL || *s < '0' || *s > '9') {
        return 0;
    }

    v = strtoul(s, &end, 10);

    if (*end != '\0' || v < min || v > max) {
        return 0;
    }

    return (uint32_t) v;
}


/* an xs:date ("2030-03-04", a zone after it is ignored) as days since
 * 1601 */

static int
exch_ews_recur_date(const char *s, int64_t *day)
{
    int       y, m, d, n;

    if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3
        || n != 10 || y < 1601 || y > 4500 || m < 1 || m > 12 || d < 1
        || d > 31)
    {
        return -1;
    }

    *day = exch_ews_recur_days(y, (unsigned) m, (unsigned) d);

    return 0;
}


/* as Exchange writes them: with the zone's offset, "2030-03-04+01:00" */

static void
exch_ews_recur_date_write(exch_buf_t *b, const char *name, int64_t day,
    int bias)
{
    int64_t   y;
    unsigned  m, d, off;

    exch_ews_recur_civil(day, &y, &m, &d);
    off = (unsigned) (bias < 0 ? -bias : bias);
    exch_buf_printf(b, "<t:%s>%04lld-%02u-%02u%c%02u:%02u</t:%s>", name,
                    (long long) y, m, d, bias > 0 ? '-' : '+', off / 60,
                    off % 60, name);
}


exch_ews_code_t
exch_ews_recurrence_read(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_field_t *f, xmlNodePtr elem, exs_msg_t *msg)
{
    int                task, i, rc;
    uint32_t           interval, tag;
    xmlNodePtr         pat, range, c;
    exs_bin_t          blob;
    const char        *name;
    exch_ews_recur_t   r;

    task = f->np == EXCH_NP_TASK_RECURRENCE;
    pat = range = NULL;

    for (c = elem->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (pat == NULL) {
            pat = c;

        } else if (range == NULL) {
            range = c;

        } else {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }
    }

    if (pat == NULL || range == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    memset(&r, 0, sizeof(exch_ews_recur_t));

    name = (const char *) pat->name;
    interval = exch_ews_uint_value(exch_ews_tchild(pat, "Interval"), 1, 999);

    if (strcmp(name, "DailyRecurrence") == 0
        || strcmp(name, "DailyRegeneration") == 0)
    {
        r.freq = EXCH_R_DAILY;
        r.ptype = EXCH_RP_DAY;
        r.period = interval * 1440;

    } else if (strcmp(name, "WeeklyRecurrence") == 0) {
        r.freq = EXCH_R_WEEKLY;
        r.ptype = EXCH_RP_WEEK;
        r.period = interval;
        r.days = exch_ews_dow_mask(exch_ews_value(
                     exch_ews_tchild(pat, "DaysOfWeek")), 1);

        if (r.days == 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        i = exch_ews_name_index(exch_ews_value(
                exch_ews_tchild(pat, "FirstDayOfWeek")), exch_ews_dows, 7);
        r.first_dow = i < 0 ? 0 : (uint32_t) i;

    } else if (strcmp(name, "WeeklyRegeneration") == 0) {
        r.freq = EXCH_R_WEEKLY;
        r.ptype = EXCH_RP_WEEK;
        r.period = interval;

    } else if (strcmp(name, "AbsoluteMonthlyRecurrence") == 0
               || strcmp(name, "AbsoluteYearlyRecurrence") == 0)
    {
        r.freq = name[8] == 'M' ? EXCH_R_MONTHLY : EXCH_R_YEARLY;
        r.ptype = EXCH_RP_MONTH;
        r.period = r.freq == EXCH_R_MONTHLY ? interval : 12;
        r.days = exch_ews_uint_value(exch_ews_tchild(pat, "DayOfMonth"), 1,
                                     31);
        if (r.days == 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

    } else if (strcmp(name, "RelativeMonthlyRecurrence") == 0
               || strcmp(name, "RelativeYearlyRecurrence") == 0)
    {
        r.freq = name[8] == 'M' ? EXCH_R_MONTHLY : EXCH_R_YEARLY;
        r.ptype = EXCH_RP_MONTHNTH;
        r.period = r.freq == EXCH_R_MONTHLY ? interval : 12;
        r.days = exch_ews_dow_mask(exch_ews_value(
                     exch_ews_tchild(pat, "DaysOfWeek")), 0);
        i = exch_ews_name_index(exch_ews_value(
                exch_ews_tchild(pat, "DayOfWeekIndex")), exch_ews_nths, 5);

        if (r.days == 0 || i < 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        r.nth = (uint32_t) i + 1;

    } else if (strcmp(name, "MonthlyRegeneration") == 0) {
        r.freq = EXCH_R_MONTHLY;
        r.ptype = EXCH_RP_MONTH;
        r.period = interval;

    } else if (strcmp(name, "YearlyRegeneration") == 0) {
        r.freq = EXCH_R_YEARLY;
        r.ptype = EXCH_RP_MONTH;
        r.period = interval * 12;

    } else {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (r.period == 0) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (strstr(name, "Regeneration")) {
        if (!task) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        r.sliding = 1;
    }

    if (exch_ews_recur_date(exch_ews_value(exch_ews_tchild(range,
                                                           "StartDate")),
                            &r.start) != 0)
    {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (r.freq == EXCH_R_YEARLY && !r.sliding) {
        i = exch_ews_name_index(exch_ews_value(exch_ews_tchild(pat, "Month")),
                                exch_ews_months, 12);
        if (i < 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        /* FirstDateTime carries the month: the first of it in 1601 */
        r.first_dt = (uint32_t) (exch_ews_recur_days(1601, (unsigned) i + 1,
                                                     1) * 1440);
    }

    if (r.sliding) {
        /* regenerating: the day (of the week, of the month) of the start */
        int64_t   y;
        unsigned  mo, d;

        exch_ews_recur_civil(r.start, &y, &mo, &d);

        if (r.ptype == EXCH_RP_WEEK) {
            r.days = 1u << ((r.start + 1) % 7);

        } else if (r.ptype == EXCH_RP_MONTH) {
            r.days = d;

            if (r.freq == EXCH_R_YEARLY) {
                r.first_dt = (uint32_t) (exch_ews_recur_days(1601, mo, 1)
                                         * 1440);
            }
        }
    }

    name = (const char *) range->name;

    if (strcmp(name, "NoEndRecurrence") == 0) {
        r.end_type = EXCH_RE_NEVER;

    } else if (strcmp(name, "EndDateRecurrence") == 0) {
        r.end_type = EXCH_RE_DATE;

        if (exch_ews_recur_date(exch_ews_value(exch_ews_tchild(range,
                                                               "EndDate")),
                                &r.end) != 0)
        {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (r.end < r.start) {
            return EXCH_EWS_ERR_RECURRENCE_HAS_NO_OCCURRENCE;
        }

    } else if (strcmp(name, "NumberedRecurrence") == 0) {
        r.end_type = EXCH_RE_COUNT;
        r.count = exch_ews_uint_value(exch_ews_tchild(range,
                                                      "NumberOfOccurrences"),
                                      1, EXCH_R_MAX_COUNT);
        if (r.count == 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

    } else {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    exch_ews_recur_bound(&r);

    if (exch_ews_recur_encode(ews, &r, !task, 0, 0, &blob) != EXS_OK) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    tag = exch_ews_np_tag(ews, m, f->np, 1);

    if (tag == 0) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    rc = exs_props_set_bin(ews->a, &msg->props, tag, blob.data, blob.len);

    tag = exch_ews_np_tag(ews, m, task ? EXCH_NP_TASK_FRECURRING
                                       : EXCH_NP_RECURRING, 1);
    rc |= exs_props_set_bool(ews->a, &msg->props, tag, 1);

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


/* after the fields of a calendar item are set: the time of day of the
 * series follows the item's start and end, and so do the clip range and
 * the recurrence type */

int
exch_ews_recurrence_fix(exch_ews_t *ews, exch_ews_mbox_t *m, exs_msg_t *msg)
{
    int                bias, rc, type;
    int64_t            start, end, local;
    uint32_t           tag, soff;
    uint8_t           *copy;
    exs_prop_t        *p, *s, *e, *tz;
    exch_ews_recur_t   r;

    tag = exch_ews_np_tag(ews, m, EXCH_NP_APPT_RECUR, 0);
    p = tag ? exs_props_get(&msg->props, tag) : NULL;

    if (p == NULL || PROP_TYPE(p->tag) != PT_BINARY
        || exch_ews_recur_decode(p->v.bin.data, p->v.bin.len, &r) != 0
        || r.appt == 0)
    {
        tag = exch_ews_np_tag(ews, m, EXCH_NP_RECURRING, 1);
        return exs_props_set_bool(ews->a, &msg->props, tag, 0);
    }

    s = exs_props_get(&msg->props,
                      exch_ews_np_tag(ews, m, EXCH_NP_APPT_START_WHOLE, 1));
    e = exs_props_get(&msg->props,
                      exch_ews_np_tag(ews, m, EXCH_NP_APPT_END_WHOLE, 1));

    rc = EXS_OK;

    if (s && e) {
        start = s->v.ll;
        end = e->v.ll;

        tz = exs_props_get(&msg->props,
                           exch_ews_np_tag(ews, m, EXCH_NP_TZDEF_RECUR, 1));
        if (tz == NULL) {
            tz = exs_props_get(&msg->props,
                               exch_ews_np_tag(ews, m, EXCH_NP_TZDEF_START,
                                               1));
        }

        bias = 0;

        if (tz && PROP_TYPE(tz->tag) == PT_BINARY) {
            (void) exch_ews_tzdef_bias(tz->v.bin.data, tz->v.bin.len, start,
                                       &bias);
        }

        local = exs_filetime_to_unix(start) / 60 - bias;
        soff = (uint32_t) (((local % 1440) + 1440) % 1440);

        copy = exs_alloc(ews->a, p->v.bin.len);
        if (copy == NULL) {
            return EXS_NOMEM;
        }

        memcpy(copy, p->v.bin.data, p->v.bin.len);
        exch_ews_put32(copy + r.appt + 8, soff);
        exch_ews_put32(copy + r.appt + 12,
                       soff + (uint32_t) ((end - start) / 600000000LL));

        rc |= exs_props_set_bin(ews->a, &msg->props, p->tag, copy,
                                p->v.bin.len);

        /* the series from the midnight of its first day to the end of its
         * last */
        rc |= exs_props_set_i8(ews->a, &msg->props,
                               exch_ews_np_tag(ews, m, EXCH_NP_CLIP_START, 1),
                               (r.start - EXCH_D1601) * 864000000000LL
                               + EXS_FILETIME_UNIX_EPOCH);
        rc |= exs_props_set_i8(ews->a, &msg->props,
                               exch_ews_np_tag(ews, m, EXCH_NP_CLIP_END, 1),
                               (r.end_type == EXCH_RE_NEVER
                                ? (int64_t) EXCH_R_NO_END_DATE * 600000000LL
                                  - EXCH_D1601 * 864000000000LL
                                : (r.end - EXCH_D1601) * 864000000000LL)
                               + EXS_FILETIME_UNIX_EPOCH);
    }

    type = r.freq == EXCH_R_DAILY ? 1 : r.freq == EXCH_R_WEEKLY ? 2
           : r.freq == EXCH_R_MONTHLY ? 3 : 4;

    rc |= exs_props_set_long(ews->a, &msg->props,
                             exch_ews_np_tag(ews, m, EXCH_NP_RECURRENCE_TYPE,
                                             1),
                             type);
    rc |= exs_props_set_bool(ews->a, &msg->props,
                             exch_ews_np_tag(ews, m, EXCH_NP_RECURRING, 1),
                             1);

    return rc;
}


void
exch_ews_recurrence_write(exch_ews_t *ews, const char *elem,
    const exs_bin_t *blob, int task, int bias)
{
    int                month;
    uint32_t           interval;
    exch_buf_t        *b;
    const char        *name;
    exch_ews_recur_t   r;

    if (exch_ews_recur_decode(blob->data, blob->len, &r) != 0) {
        return;
    }

    b = &ews->out;
    interval = r.ptype == EXCH_RP_DAY ? r.period / 1440 : r.period;
    month = exch_ews_recur_month(&r);

    exch_ews_open(b, elem);

    if (r.sliding && task) {
        name = r.freq == EXCH_R_DAILY ? "DailyRegeneration"
               : r.freq == EXCH_R_WEEKLY ? "WeeklyRegeneration"
               : r.freq == EXCH_R_MONTHLY ? "MonthlyRegeneration"
               : "YearlyRegeneration";

        if (r.freq == EXCH_R_YEARLY) {
            interval = r.period / 12;
        }

        exch_buf_printf(b, "<t:%s><t:Interval>%u</t:Interval></t:%s>", name,
                        interval ? interval : 1, name);

    } else if (r.ptype == EXCH_RP_DAY) {
        exch_buf_printf(b, "<t:DailyRecurrence><t:Interval>%u</t:Interval>"
                           "</t:DailyRecurrence>", interval ? interval : 1);

    } else if (r.ptype == EXCH_RP_WEEK) {
        exch_buf_printf(b, "<t:WeeklyRecurrence><t:Interval>%u</t:Interval>",
                        interval);
        exch_ews_dow_write(b, "DaysOfWeek", r.days, 0);

        if (ews->version >= EXCH_EWS_V2010_SP1) {
            exch_ews_elem(b, "FirstDayOfWeek", exch_ews_dows[r.first_dow]);
        }

        exch_buf_str(b, "</t:WeeklyRecurrence>");

    } else if (r.freq == EXCH_R_YEARLY) {
        if (r.ptype == EXCH_RP_MONTHNTH) {
            exch_buf_str(b, "<t:RelativeYearlyRecurrence>");
            exch_ews_dow_write(b, "DaysOfWeek", r.days, 1);
            exch_ews_elem(b, "DayOfWeekIndex",
                          exch_ews_nths[r.nth >= 1 && r.nth <= 5 ? r.nth - 1
                                                                 : 0]);
            exch_ews_elem(b, "Month", exch_ews_months[month - 1]);
            exch_buf_str(b, "</t:RelativeYearlyRecurrence>");

        } else {
            exch_buf_printf(b, "<t:AbsoluteYearlyRecurrence><t:DayOfMonth>%u"
                               "</t:DayOfMonth>",
                            r.ptype == EXCH_RP_MONTHEND ? 31 : r.days);
            exch_ews_elem(b, "Month", exch_ews_months[month - 1]);
            exch_buf_str(b, "</t:AbsoluteYearlyRecurrence>");
        }

    } else if (r.ptype == EXCH_RP_MONTHNTH) {
        exch_buf_printf(b, "<t:RelativeMonthlyRecurrence><t:Interval>%u"
                           "</t:Interval>", interval);
        exch_ews_dow_write(b, "DaysOfWeek", r.days, 1);
        exch_ews_elem(b, "DayOfWeekIndex",
                      exch_ews_nths[r.nth >= 1 && r.nth <= 5 ? r.nth - 1 : 0]);
        exch_buf_str(b, "</t:RelativeMonthlyRecurrence>");

    } else {
        exch_buf_printf(b, "<t:AbsoluteMonthlyRecurrence><t:Interval>%u"
                           "</t:Interval><t:DayOfMonth>%u</t:DayOfMonth>"
                           "</t:AbsoluteMonthlyRecurrence>", interval,
                        r.ptype == EXCH_RP_MONTHEND ? 31 : r.days);
    }

    switch (r.end_type) {

    case EXCH_RE_DATE:
        exch_buf_str(b, "<t:EndDateRecurrence>");
        exch_ews_recur_date_write(b, "StartDate", r.start, bias);
        exch_ews_recur_date_write(b, "EndDate", r.end, bias);
        exch_buf_str(b, "</t:EndDateRecurrence>");
        break;

    case EXCH_RE_COUNT:
        exch_buf_str(b, "<t:NumberedRecurrence>");
        exch_ews_recur_date_write(b, "StartDate", r.start, bias);
        exch_ews_elem_int(b, "NumberOfOccurrences", r.count);
        exch_buf_str(b, "</t:NumberedRecurrence>");
        break;

    default:
        exch_buf_str(b, "<t:NoEndRecurrence>");
        exch_ews_recur_date_write(b, "StartDate", r.start, bias);
        exch_buf_str(b, "</t:NoEndRecurrence>");
        break;
    }

    exch_ews_close(b, elem);
}
