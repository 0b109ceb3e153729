
/*
 * exch EWS: time zones, MS-OXWSGTZ -- GetServerTimeZones -- and the
 * TZDEFINITION blobs (MS-OXOCAL 2.2.1.41) calendar items keep their start
 * and end time zones in.  The zones are the Windows ones clients name,
 * with the rules in force now.
 */


#include <stdio.h>
#include <string.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"


typedef struct {
    uint8_t                   month;        /* 0: no daylight saving */
    uint8_t                   week;         /* 1..4, 5 the last */
    uint8_t                   dow;          /* 0 Sunday */
    uint8_t                   hour;
} exch_ews_tzrule_t;

typedef struct {
    const char               *id;
    const char               *name;
    int                       bias;         /* minutes, UTC = local + bias */
    exch_ews_tzrule_t         dst;          /* daylight saving starts */
    exch_ews_tzrule_t         std;          /* and ends */
} exch_ews_tz_t;


#define NODST   { 0, 0, 0, 0 }, { 0, 0, 0, 0 }
#define US      { 3, 2, 0, 2 }, { 11, 1, 0, 2 }
#define EU1     { 3, 5, 0, 1 }, { 10, 5, 0, 2 }
#define EU2     { 3, 5, 0, 2 }, { 10, 5, 0, 3 }
#define EU3     { 3, 5, 0, 3 }, { 10, 5, 0, 4 }

static const exch_ews_tz_t  exch_ews_tzs[] = {
    { "Dateline Standard Time",
      "(UTC-12:00) International Date Line West", 720, NODST },
    { "Hawaiian Standard Time", "(UTC-10:00) Hawaii", 600, NODST },
    { "Alaskan Standard Time", "(UTC-09:00) Alaska", 540, US },
    { "Pacific Standard Time", "(UTC-08:00) Pacific Time (US & Canada)",
      480, US },
    { "US Mountain Standard Time", "(UTC-07:00) Arizona", 420, NODST },
    { "Mountain Standard Time", "(UTC-07:00) Mountain Time (US & Canada)",
      420, US },
    { "Central Standard Time", "(UTC-06:00) Central Time (US & Canada)",
      360, US },
    { "Eastern Standard Time", "(UTC-05:00) Eastern Time (US & Canada)",
      300, US },
    { "Atlantic Standard Time", "(UTC-04:00) Atlantic Time (Canada)", 240,
      US },
    { "E. South America Standard Time", "(UTC-03:00) Brasilia", 180,
      NODST },
    { "SA Eastern Standard Time", "(UTC-03:00) Cayenne, Fortaleza", 180,
      NODST },
    { "UTC", "(UTC) Coordinated Universal Time", 0, NODST },
    { "GMT Standard Time", "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
      0, EU1 },
    { "Greenwich Standard Time", "(UTC+00:00) Monrovia, Reykjavik", 0,
      NODST },
    { "W. Europe Standard Time",
      "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", -60,
      EU2 },
    { "Central Europe Standard Time",
      "(UTC+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague", -60,
      EU2 },
    { "Romance Standard Time",
      "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", -60, EU2 },
    { "Central European Standard Time",
      "(UTC+01:00) Sarajevo, Skopje, Warsaw, Zagreb", -60, EU2 },
    { "W. Central Africa Standard Time",
      "(UTC+01:00) West Central Africa", -60, NODST },
    { "GTB Standard Time", "(UTC+02:00) Athens, Bucharest", -120, EU3 },
    { "FLE Standard Time",
      "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", -120,
      EU3 },
    { "E. Europe Standard Time", "(UTC+02:00) Chisinau", -120, EU3 },
    { "South Africa Standard Time", "(UTC+02:00) Harare, Pretoria", -120,
      NODST },
    { "Israel Standard Time", "(UTC+02:00) Jerusalem", -120, NODST },
    { "Turkey Standard Time", "(UTC+03:00) Istanbul", -180, NODST },
    { "Russian Standard Time", "(UTC+03:00) Moscow, St. Petersburg", -180,
      NODST },
    { "Arab Standard Time", "(UTC+03:00) Kuwait, Riyadh", -180, NODST },
    { "Arabian Standard Time", "(UTC+04:00) Abu Dhabi, Muscat", -240,
      NODST },
    { "Pakistan Standard Time", "(UTC+05:00) Islamabad, Karachi", -300,
      NODST },
    { "India Standard Time",
      "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", -330, NODST },
    { "SE Asia Standard Time", "(UTC+07:00) Bangkok, Hanoi, Jakarta", -420,
      NODST },
    { "China Standard Time",
      "(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi", -480, NODST },
    { "Singapore Standard Time", "(UTC+08:00) Kuala Lumpur, Singapore",
      -480, NODST },
    { "Tokyo Standard Time", "(UTC+09:00) Osaka, Sapporo, Tokyo", -540,
      NODST },
    { "Korea Standard Time", "(UTC+09:00) Seoul", -540, NODST },
    { "AUS Eastern Standard Time",
      "(UTC+10:00) Canberra, Melbourne, Sydney", -600,
      { 10, 1, 0, 2 }, { 4, 1, 0, 3 } },
    { "New Zealand Standard Time", "(UTC+12:00) Auckland, Wellington",
      -720, { 9, 5, 0, 2 }, { 4, 1, 0, 3 } },
    { NULL, NULL, 0, NODST }
};

#undef NODST
#undef US
#undef EU1
#undef EU2
#undef EU3


static const char  *exch_ews_days[] = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday"
};

static const exch_ews_tz_t *exch_ews_tz_find(const char *id);
static void exch_ews_bias(char *buf, size_t size, int minutes);
static void exch_ews_tz_write(exch_ews_t *ews, const exch_ews_tz_t *tz,
    int full);
static void exch_ews_systime(uint8_t *p, const exch_ews_tzrule_t *r);


static const exch_ews_tz_t *
exch_ews_tz_find(const char *id)
{
    const exch_ews_tz_t  *tz;

    for (tz = exch_ews_tzs; tz->id; tz++) {
        if (strcmp(tz->id, id) == 0) {
            return tz;
        }
    }

    return NULL;
}


/* a bias as xs:duration: "PT8H", "-PT1H", "-PT5H30M", "PT0M" */

static void
exch_ews_bias(char *buf, size_t size, int minutes)
{
    int  a;

    a = minutes < 0 ? -minutes : minutes;

    if (a == 0) {
        snprintf(buf, size, "PT0M");

    } else if (a % 60 == 0) {
        snprintf(buf, size, "%sPT%dH", minutes < 0 ? "-" : "", a / 60);

    } else if (a < 60) {
        snprintf(buf, size, "%sPT%dM", minutes < 0 ? "-" : "", a);

    } else {
        snprintf(buf, size, "%sPT%dH%dM", minutes < 0 ? "-" : "", a / 60,
                 a % 60);
    }
}


static void
exch_ews_tz_write(exch_ews_t *ews, const exch_ews_tz_t *tz, int full)
{
    char         bias[32], dbias[32];
    exch_buf_t  *b;

    b = &ews->out;

    exch_buf_str(b, "<t:TimeZoneDefinition Name=\"");
    exch_buf_cstr_text(b, tz->name);
    exch_buf_str(b, "\" Id=\"");
    exch_buf_cstr_text(b, tz->id);

    if (!full) {
        exch_buf_str(b, "\"/>");
        return;
    }

    exch_buf_str(b, "\">");

    exch_ews_bias(bias, sizeof(bias), tz->bias);
    exch_ews_bias(dbias, sizeof(dbias), tz->bias - 60);

    exch_buf_str(b, "<t:Periods>");
    exch_buf_printf(b, "<t:Period Bias=\"%s\" Name=\"Standard\" "
                    "Id=\"Std\"/>", bias);

    if (tz->dst.month) {
        exch_buf_printf(b, "<t:Period Bias=\"%s\" Name=\"Daylight\" "
                        "Id=\"Dlt\"/>", dbias);
    }

    exch_buf_str(b, "</t:Periods><t:TransitionsGroups>"
                    "<t:TransitionsGroup Id=\"0\">");

    if (tz->dst.month) {
        exch_buf_printf(b, "<t:RecurringDayTransition><t:To Kind=\"Period\">"
                        "Dlt</t:To><t:TimeOffset>PT%uH</t:TimeOffset>"
                        "<t:Month>%u</t:Month><t:DayOfWeek>%s</t:DayOfWeek>"
                        "<t:Occurrence>%d</t:Occurrence>"
                        "</t:RecurringDayTransition>", tz->dst.hour,
                        tz->dst.month, exch_ews_days[tz->dst.dow],
                        tz->dst.week == 5 ? -1 : tz->dst.week);
        exch_buf_printf(b, "<t:RecurringDayTransition><t:To Kind=\"Period\">"
                        "Std</t:To><t:TimeOffset>PT%uH</t:TimeOffset>"
                        "<t:Month>%u</t:Month><t:DayOfWeek>%s</t:DayOfWeek>"
                        "<t:Occurrence>%d</t:Occurrence>"
                        "</t:RecurringDayTransition>", tz->std.hour,
                        tz->std.month, exch_ews_days[tz->std.dow],
                        tz->std.week == 5 ? -1 : tz->std.week);

    } else {
        exch_buf_str(b, "<t:Transition><t:To Kind=\"Period\">Std</t:To>"
                        "</t:Transition>");
    }

    exch_buf_str(b, "</t:TransitionsGroup></t:TransitionsGroups>"
                    "<t:Transitions><t:Transition><t:To Kind=\"Group\">0"
                    "</t:To></t:Transition></t:Transitions>"
                    "</t:TimeZoneDefinition>");
}


int
exch_ews_op_get_server_time_zones(exch_ews_t *ews, xmlNodePtr req)
{
    int                   full;
    xmlNodePtr            ids, c;
    const char           *id, *s;
    const exch_ews_tz_t  *tz;

    s = exch_ews_attr(req, "ReturnFullTimeZoneData");
    full = s == NULL || exch_ews_bool(s) != 0;
    ids = exch_ews_mchild(req, "Ids");

    exch_ews_resp_begin(ews);
    exch_ews_msg_ok(ews);
    exch_buf_str(&ews->out, "<m:TimeZoneDefinitions>");

    if (ids == NULL) {
        for (tz = exch_ews_tzs; tz->id; tz++) {
            exch_ews_tz_write(ews, tz, full);
        }

    } else {
        for (c = ids->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) {
                continue;
            }

            id = exch_ews_value(c);
            tz = id ? exch_ews_tz_find(id) : NULL;

            if (tz) {
                exch_ews_tz_write(ews, tz, full);
            }
        }
    }

    exch_buf_str(&ews->out, "</m:TimeZoneDefinitions>");
    exch_ews_msg_end(ews);
    exch_ews_resp_end(ews);

    return EXCH_EWS_OK;
}


/* SYSTEMTIME of a TZRULE: wYear, wMonth, wDayOfWeek, wDay, wHour... */

static void
exch_ews_systime(uint8_t *p, const exch_ews_tzrule_t *r)
{
    memset(p, 0, 16);
    p[2] = r->month;
    p[4] = r->dow;
    p[6] = r->week;
    p[8] = r->hour;
}


int
exch_ews_tzdef_make(exch_ews_t *ews, const char *id, exs_bin_t *out)
{
    int32_t               v;
    size_t                klen, i, n;
    uint8_t              *p, *r;
    const exch_ews_tz_t  *tz;

    tz = exch_ews_tz_find(id);
    klen = strlen(id);

    if (klen > 255) {
        klen = 255;
    }

    n = 8 + klen * 2 + 2 + 66;

    p = exs_calloc(ews->a, n);
    if (p == NULL) {
        return EXS_NOMEM;
    }

    p[0] = 0x02;
    p[1] = 0x01;
    p[2] = (uint8_t) (6 + klen * 2);
    p[3] = (uint8_t) ((6 + klen * 2) >> 8);
    p[4] = 0x02;                         /* TZDEFINITION_FLAG_VALID_KEYNAME */
    p[6] = (uint8_t) klen;

    for (i = 0; i < klen; i++) {
        p[8 + i * 2] = (uint8_t) id[i];
    }

    p[8 + klen * 2] = 1;                 /* one rule */

    r = p + 10 + klen * 2;
    r[0] = 0x02;
    r[1] = 0x01;
    r[2] = 0x3E;
    r[4] = 0x02;                         /* TZRULE_FLAG_EFFECTIVE_TZREG */
    r[6] = (uint8_t) (2007 & 0xFF);
    r[7] = (uint8_t) (2007 >> 8);

    if (tz) {
        v = tz->bias;
        r[22] = (uint8_t) v;
        r[23] = (uint8_t) (v >> 8);
        r[24] = (uint8_t) (v >> 16);
        r[25] = (uint8_t) (v >> 24);

        if (tz->dst.month) {
            v = -60;
            r[30] = (uint8_t) v;
            r[31] = (uint8_t) (v >> 8);
            r[32] = (uint8_t) (v >> 16);
            r[33] = (uint8_t) (v >> 24);
            exch_ews_systime(r + 34, &tz->std);
            exch_ews_systime(r + 50, &tz->dst);
        }
    }

    out->data = p;
    out->len = n;

    return EXS_OK;
}
