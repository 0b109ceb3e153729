
/*
 * exch EWS: FilterHtmlContent (MS-OXWSCORE 2.2.4.37): the HTML of a body
 * without what runs code or loads another document -- script, iframe,
 * frame(set), object, embed, applet, noscript, form elements, base, link
 * and meta tags, comments, on* event attributes, and attribute values
 * that name a script: scheme or a CSS expression().  Everything else is
 * kept byte for byte.  The input is the message's, so untrusted: every
 * read is checked against its end.
 */


#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "exch_ews.h"


#define EXCH_HF_DROP            1        /* the tag alone */
#define EXCH_HF_DROP_ALL        2        /* the element and its content */


typedef struct {
    size_t                    name;
    size_t                    nlen;
    size_t                    val;
    size_t                    vlen;
} exch_hf_attr_t;


static int exch_hf_kind(const char *name, size_t len);
static int exch_hf_name_char(unsigned char c);
static size_t exch_hf_attr(const char *p, size_t i, size_t n,
    exch_hf_attr_t *at);
static size_t exch_hf_tag_end(const char *p, size_t i, size_t n);
static size_t exch_hf_skip_element(const char *p, size_t i, size_t n,
    const char *name, size_t len);
static int exch_hf_bad_attr(const char *name, size_t nlen, const char *val,
    size_t vlen);
static size_t exch_hf_copy_tag(const char *p, size_t i, size_t end,
    char *out, size_t o);


static const struct {
    const char  *name;
    int          kind;
} exch_hf_tags[] = {
    { "script", EXCH_HF_DROP_ALL },
    { "iframe", EXCH_HF_DROP_ALL },
    { "frameset", EXCH_HF_DROP_ALL },
    { "object", EXCH_HF_DROP_ALL },
    { "applet", EXCH_HF_DROP_ALL },
    { "noscript", EXCH_HF_DROP_ALL },
    { "frame", EXCH_HF_DROP },
    { "embed", EXCH_HF_DROP },
    { "base", EXCH_HF_DROP },
    { "link", EXCH_HF_DROP },
    { "meta", EXCH_HF_DROP },
    { "form", EXCH_HF_DROP },
    { "input", EXCH_HF_DROP },
    { "button", EXCH_HF_DROP },
    { "textarea", EXCH_HF_DROP },
    { "select", EXCH_HF_DROP },
    { NULL, 0 }
};


char *
exch_ews_html_filter(const char *p, size_t n, size_t *outlen, exs_arena_t *a)
{
    int      kind;
    char    *out;
    size_t   i, j, o, end, name, nlen;

    /* a kept attribute gets a blank before it, which the input may not
     * have had (<a b="1"c="2">), a "<" of the text becomes "&lt;": at
     * most four bytes for one */

    if (n > (SIZE_MAX - 1) / 4) {
        return NULL;
    }

    out = exs_alloc(a, 4 * n + 1);
    if (out == NULL) {
        return NULL;
    }

    i = 0;
    o = 0;

    while (i < n) {
        if (p[i] != '<') {
            out[o++] = p[i++];
            continue;
        }

        if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
            /* comments go, conditional ones with them */
            for (j = i + 4; j + 3 <= n; j++) {
                if (memcmp(p + j, "-->", 3) == 0) {
                    break;
                }
            }

            i = j + 3 <= n ? j + 3 : n;
            continue;
        }

        j = i + 1;

        if (j < n && p[j] == '/') {
            j++;
        }

        name = j;

        /* a tag name starts with a letter: "<3" is text */

        while (j < n && exch_hf_name_char((unsigned char) p[j])
               && (j > name
                   || ((p[j] | 0x20) >= 'a' && (p[j] | 0x20) <= 'z')))
        {
            j++;
        }

        nlen = j - name;

        if (nlen == 0 && !(j < n && (p[j] == '!' || p[j] == '?'))) {
            /* a "<" of the text, written as the entity: a tag dropped
             * after it must not join it to what follows ("<<b>img") */
            memcpy(out + o, "&lt;", 4);
            o += 4;
            i++;
            continue;
        }

        if (nlen == 0) {
            /* <! or <?: a declaration, or a bogus comment that the first
             * ">" ends, quotes or not; kept as it is */
            end = j;

            while (end < n && p[end] != '>') {
                end++;
            }

            if (end == n) {
                break;
            }

            memcpy(out + o, p + i, end + 1 - i);
            o += end + 1 - i;
            i = end + 1;
            continue;
        }

        end = exch_hf_tag_end(p, j, n);

        if (end == n) {
            break;                      /* an unterminated tag: dropped */
        }

        kind = exch_hf_kind(p + name, nlen);

        if (kind == EXCH_HF_DROP_ALL && p[i + 1] != '/') {
            /* even <script/> opens an element that runs */
            i = exch_hf_skip_element(p, end + 1, n, p + name, nlen);
            continue;
        }

        if (kind) {
            i = end + 1;
            continue;
        }

        o = exch_hf_copy_tag(p, i, end, out, o);
        i = end + 1;
    }

    out[o] = '\0';
    *outlen = o;

    return out;
}


static int
exch_hf_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '_';
}


static int
exch_hf_kind(const char *name, size_t len)
{
    int  i;

    for (i = 0; exch_hf_tags[i].name; i++) {
        if (strlen(exch_hf_tags[i].name) == len
            && strncasecmp(exch_hf_tags[i].name, name, len) == 0)
        {
            return exch_hf_tags[i].kind;
        }
    }

    return 0;
}


/*
 * One attribute from p[i] (not a blank, "/" or ">") as browsers read it
 * (HTML's tokenizer): a quote opens a value only right after "=" and
 * blanks, a bare value ends at a blank or ">", quotes in it or not.
 * Returns the position after it.  exch_hf_tag_end() and
 * exch_hf_copy_tag() both read through here, so they agree on where a
 * tag ends.
 */

static size_t
exch_hf_attr(const char *p, size_t i, size_t n, exch_hf_attr_t *at)
{
    char    q;
    size_t  j;

    at->name = i;

    if (p[i] == '=') {
        i++;                            /* a leading "=" is of the name */
    }

    while (i < n && (unsigned char) p[i] > ' ' && p[i] != '='
           && p[i] != '/' && p[i] != '>')
    {
        i++;
    }

    at->nlen = i - at->name;
    at->val = i;
    at->vlen = 0;

    j = i;

    while (j < n && (unsigned char) p[j] <= ' ') {
        j++;
    }

    if (j == n || p[j] != '=') {
        return i;
    }

    j++;

    while (j < n && (unsigned char) p[j] <= ' ') {
        j++;
    }

    if (j < n && (p[j] == '"' || p[j] == '\'')) {
        q = p[j++];
        at->val = j;

        while (j < n && p[j] != q) {
            j++;
        }

        at->vlen = j - at->val;

        return j < n ? j + 1 : n;
    }

    at->val = j;

    while (j < n && (unsigned char) p[j] > ' ' && p[j] != '>') {
        j++;
    }

    at->vlen = j - at->val;

    return j;
}


/* the position of the tag's closing ">" from i (after its name); n when
 * there is none */

static size_t
exch_hf_tag_end(const char *p, size_t i, size_t n)
{
    exch_hf_attr_t  at;

    while (i < n) {
        if (p[i] == '>') {
            return i;
        }

        if ((unsigned char) p[i] <= ' ' || p[i] == '/') {
            i++;
            continue;
        }

        i = exch_hf_attr(p, i, n, &at);
    }

    return n;
}


/* past the element's end tag (</name ...>) from i; n when it has none */

static size_t
exch_hf_skip_element(const char *p, size_t i, size_t n, const char *name,
    size_t len)
{
    size_t  end;

    for ( /* void */ ; i + 2 + len <= n; i++) {
        if (p[i] == '<' && p[i + 1] == '/'
            && strncasecmp(p + i + 2, name, len) == 0
            && (i + 2 + len == n
                || !exch_hf_name_char((unsigned char) p[i + 2 + len])))
        {
            end = exch_hf_tag_end(p, i + 2 + len, n);
            return end < n ? end + 1 : n;
        }
    }

    return n;
}


static int
exch_hf_bad_attr(const char *name, size_t nlen, const char *val,
    size_t vlen)
{
    char    norm[64];
    size_t  i, k;

    if (nlen >= 2 && strncasecmp(name, "on", 2) == 0) {
        return 1;                       /* event handlers */
    }

    if (nlen == 10 && strncasecmp(name, "formaction", 10) == 0) {
        return 1;
    }

    /* the value without blanks and controls, lower case: browsers skip
     * those inside a scheme; an entity there hides one */

    for (i = 0, k = 0; i < vlen; i++) {
        if ((unsigned char) val[i] <= ' ') {
            continue;
        }

        if (val[i] == '&' && i + 1 < vlen && val[i + 1] == '#') {
            return 1;
        }

        if (k < sizeof(norm)) {
            norm[k++] = (char) ((val[i] >= 'A' && val[i] <= 'Z')
                                ? val[i] + 32 : val[i]);
        }

        if (k >= 7 && memcmp(norm + k - 7, "script:", 7) == 0) {
            return 1;
        }

        if (k >= 11 && memcmp(norm + k - 11, "expression(", 11) == 0) {
            return 1;
        }

        if (k == 10 && memcmp(norm, "data:text/", 10) == 0) {
            return 1;                   /* a document, not an image */
        }

        if (k == sizeof(norm)) {
            /* past the scheme: only expression( can come later */
            memmove(norm, norm + sizeof(norm) - 16, 16);
            k = 16;
        }
    }

    return 0;
}


/* the tag p[i..end] with its bad attributes left out; returns the new o */

static size_t
exch_hf_copy_tag(const char *p, size_t i, size_t end, char *out, size_t o)
{
    size_t          j, next;
    exch_hf_attr_t  at;

    /* "<", "/", the name */

    j = i + 1;

    if (p[j] == '/') {
        j++;
    }

    while (j < end && exch_hf_name_char((unsigned char) p[j])) {
        j++;
    }

    memcpy(out + o, p + i, j - i);
    o += j - i;

    while (j < end) {
        if ((unsigned char) p[j] <= ' ' || p[j] == '/') {
            j++;
            continue;
        }

        next = exch_hf_attr(p, j, end, &at);

        /* a name of "=..." would become the value of the attribute
         * before it once a blank stands between them */

        if (p[at.name] != '='
            && !exch_hf_bad_attr(p + at.name, at.nlen, p + at.val, at.vlen))
        {
            out[o++] = ' ';
            memcpy(out + o, p + j, next - j);
            o += next - j;
        }

        j = next;
    }

    if (p[end - 1] == '/' && out[o - 1] != '/') {
        out[o++] = '/';
    }

    out[o++] = '>';

    return o;
}
