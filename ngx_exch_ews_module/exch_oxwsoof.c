
/*
 * exch EWS: Out of Office settings, MS-OXWSOOF -- GetUserOofSettings and
 * SetUserOofSettings.
 *
 * The settings are kept where delivery can act on them: a folder-
 * associated message in the mailbox's root folder, class
 * "IPM.Microsoft.OOF.UserOofSettings", whose PR_ROAMING_XMLSTREAM is
 *
 *     <UserOofSettings><OofState>Enabled|Scheduled|Disabled</OofState>
 *     <ExternalAudience>None|Known|All</ExternalAudience>
 *     [<StartTime>xs:dateTime</StartTime><EndTime>...</EndTime>]
 *     <InternalReply>text</InternalReply><ExternalReply>text</ExternalReply>
 *     </UserOofSettings>
 *
 * and PR_OOF_STATE of the store object says whether OOF is on (as MAPI
 * clients read it).  exch_ews_oof_read() parses the message for others.
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"
#include "exch_ews_oof.h"


#define EXCH_OOF_CLASS          "IPM.Microsoft.OOF.UserOofSettings"


static const char  *exch_ews_oof_states[] = {
    "Disabled", "Enabled", "Scheduled", NULL
};

static const char  *exch_ews_oof_audiences[] = {
    "None", "Known", "All", NULL
};


static int exch_ews_oof_index(const char **names, const char *s);
static exs_id_t exch_ews_oof_find(exch_ews_t *ews, exch_ews_mbox_t *m);
static void exch_ews_oof_xml(exch_buf_t *b, const exch_ews_oof_t *oof);
static int exch_ews_oof_mailbox(exch_ews_t *ews, xmlNodePtr req,
    exch_ews_mbox_t **m);


static int
exch_ews_oof_index(const char **names, const char *s)
{
    int  i;

    if (s == NULL) {
        return -1;
    }

    for (i = 0; names[i]; i++) {
        if (strcmp(names[i], s) == 0) {
            return i;
        }
    }

    return -1;
}


/* the settings message of a mailbox, 0 when there is none */

static exs_id_t
exch_ews_oof_find(exch_ews_t *ews, exch_ews_mbox_t *m)
{
    return exch_ews_assoc_find(m->mb, EXS_FID_ROOT, EXCH_OOF_CLASS, ews->a);
}


int
exch_ews_oof_read(exs_mbox_t *mb, exch_ews_oof_t *oof, exs_arena_t *a)
{
    size_t        n;
    uint32_t      tag;
    exs_id_t      mid;
    xmlDocPtr     doc;
    xmlNodePtr    root;
    exs_prop_t   *p;
    exs_props_t   props;
    const char   *s;

    memset(oof, 0, sizeof(exch_ews_oof_t));
    oof->audience = EXCH_OOF_ALL;

    mid = exch_ews_assoc_find(mb, EXS_FID_ROOT, EXCH_OOF_CLASS, a);

    if (mid == 0) {
        return EXS_OK;
    }

    memset(&props, 0, sizeof(exs_props_t));
    tag = PR_ROAMING_XMLSTREAM;

    if (exs_message_get(mb, mid, &tag, 1, &props, a) != EXS_OK) {
        return EXS_OK;
    }

    p = exs_props_get(&props, PR_ROAMING_XMLSTREAM);

    if (p == NULL || PROP_TYPE(p->tag) != PT_BINARY) {
        return EXS_OK;
    }

    doc = exch_xml_parse(p->v.bin.data, p->v.bin.len);
    if (doc == NULL) {
        return EXS_CORRUPT;
    }

    root = xmlDocGetRootElement(doc);

#define CHILD(name)  exch_xml_child(root, NULL, name)

    oof->state = exch_ews_oof_index(exch_ews_oof_states,
                                    exch_xml_value(CHILD("OofState")));
    if (oof->state < 0) {
        oof->state = EXCH_OOF_DISABLED;
    }

    oof->audience = exch_ews_oof_index(exch_ews_oof_audiences,
                              exch_xml_value(CHILD("ExternalAudience")));
    if (oof->audience < 0) {
        oof->audience = EXCH_OOF_ALL;
    }

    s = exch_xml_value(CHILD("StartTime"));
    if (s && exch_ews_time_parse(s, &oof->start) != 0) {
        oof->start = 0;
    }

    s = exch_xml_value(CHILD("EndTime"));
    if (s && exch_ews_time_parse(s, &oof->end) != 0) {
        oof->end = 0;
    }

    s = exch_xml_text(CHILD("InternalReply"), &n);
    oof->internal = exs_strndup(a, s, n);

    s = exch_xml_text(CHILD("ExternalReply"), &n);
    oof->external = exs_strndup(a, s, n);

#undef CHILD

    xmlFreeDoc(doc);

    return EXS_OK;
}


int
exch_ews_oof_active(const exch_ews_oof_t *oof, int64_t now)
{
    if (oof->state == EXCH_OOF_ENABLED) {
        return 1;
    }

    return oof->state == EXCH_OOF_SCHEDULED && now >= oof->start
           && now < oof->end;
}


static void
exch_ews_oof_xml(exch_buf_t *b, const exch_ews_oof_t *oof)
{
    char  tmp[40];

    exch_buf_str(b, "<UserOofSettings><OofState>");
    exch_buf_str(b, exch_ews_oof_states[oof->state]);
    exch_buf_str(b, "</OofState><ExternalAudience>");
    exch_buf_str(b, exch_ews_oof_audiences[oof->audience]);
    exch_buf_str(b, "</ExternalAudience>");

    if (oof->start || oof->end) {
        exch_ews_time_format(oof->start, tmp, sizeof(tmp));
        exch_buf_printf(b, "<StartTime>%s</StartTime>", tmp);
        exch_ews_time_format(oof->end, tmp, sizeof(tmp));
        exch_buf_printf(b, "<EndTime>%s</EndTime>", tmp);
    }

    exch_buf_str(b, "<InternalReply>");
    exch_buf_cstr_text(b, oof->internal);
    exch_buf_str(b, "</InternalReply><ExternalReply>");
    exch_buf_cstr_text(b, oof->external);
    exch_buf_str(b, "</ExternalReply></UserOofSettings>");
}


/* the <t:Mailbox><t:Address> of the request: the user's own mailbox only */

static int
exch_ews_oof_mailbox(exch_ews_t *ews, xmlNodePtr req, exch_ews_mbox_t **m)
{
    int           rc;
    xmlNodePtr    mbx;
    const char   *addr;
    exs_dirent_t  e;

    mbx = exch_ews_tchild(req, "Mailbox");
    addr = mbx ? exch_ews_value(exch_ews_tchild(mbx, "Address")) : NULL;

    if (addr && *addr && strcasecmp(addr, ews->user.address) != 0) {
        rc = exch_ews_dir_lookup(ews, addr, &e);

        if (rc == EXS_NOTFOUND || (rc == EXS_OK && e.id != ews->user.id)) {
            return rc == EXS_NOTFOUND ? EXS_NOTFOUND : EXS_DENIED;
        }

        if (rc != EXS_OK) {
            return rc;
        }
    }

    return exch_ews_mbox(ews, NULL, m);
}


int
exch_ews_op_get_user_oof_settings(exch_ews_t *ews, xmlNodePtr req)
{
    int               rc;
    exch_buf_t       *b;
    exch_ews_oof_t    oof;
    exch_ews_mbox_t  *m;

    b = &ews->out;

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    rc = exch_ews_oof_mailbox(ews, req, &m);

    if (rc == EXS_OK) {
        rc = exch_ews_oof_read(m->mb, &oof, ews->a);
    }

    exch_buf_str(b, "<m:GetUserOofSettingsResponse xmlns:m=\"" EXCH_EWS_NS_M
                    "\" xmlns:t=\"" EXCH_EWS_NS_T "\">");

    if (rc != EXS_OK) {
        exch_buf_printf(b, "<m:ResponseMessage ResponseClass=\"Error\">"
                        "<m:MessageText>%s</m:MessageText><m:ResponseCode>%s"
                        "</m:ResponseCode><m:DescriptiveLinkKey>0"
                        "</m:DescriptiveLinkKey></m:ResponseMessage>",
                        rc == EXS_NOTFOUND ? "The mailbox does not exist."
                        : exch_ews_code_text(exch_ews_code_from_rc(rc, 0)),
                        rc == EXS_NOTFOUND ? "ErrorNonExistentMailbox"
                        : exch_ews_code_name(exch_ews_code_from_rc(rc, 0)));
        exch_buf_str(b, "</m:GetUserOofSettingsResponse>");
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_OK;
    }

    exch_buf_str(b, "<m:ResponseMessage ResponseClass=\"Success\">"
                    "<m:ResponseCode>NoError</m:ResponseCode>"
                    "</m:ResponseMessage><t:OofSettings>");
    exch_ews_elem(b, "OofState", exch_ews_oof_states[oof.state]);
    exch_ews_elem(b, "ExternalAudience",
                  exch_ews_oof_audiences[oof.audience]);

    if (oof.start || oof.end) {
        exch_buf_str(b, "<t:Duration>");
        exch_ews_elem_time(b, "StartTime", oof.start);
        exch_ews_elem_time(b, "EndTime", oof.end);
        exch_buf_str(b, "</t:Duration>");
    }

    exch_buf_str(b, "<t:InternalReply>");
    exch_ews_elem(b, "Message", oof.internal ? oof.internal : "");
    exch_buf_str(b, "</t:InternalReply><t:ExternalReply>");
    exch_ews_elem(b, "Message", oof.external ? oof.external : "");
    exch_buf_str(b, "</t:ExternalReply></t:OofSettings>"
                    "<m:AllowExternalOof>All</m:AllowExternalOof>"
                    "</m:GetUserOofSettingsResponse>");

    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


int
exch_ews_op_set_user_oof_settings(exch_ews_t *ews, xmlNodePtr req)
{
    int               rc;
    size_t            n;
    exs_id_t          mid;
    exs_msg_t        *msg;
    xmlNodePtr        set, dur, r;
    exs_props_t       sp;
    exch_buf_t        xml, *b;
    const char       *s;
    exch_ews_oof_t    oof;
    exch_ews_code_t   code;
    exch_ews_mbox_t  *m;

    b = &ews->out;
    set = exch_ews_tchild(req, "UserOofSettings");

    if (set == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "SetUserOofSettings needs UserOofSettings.");
    }

    memset(&oof, 0, sizeof(exch_ews_oof_t));

    oof.state = exch_ews_oof_index(exch_ews_oof_states,
                                   exch_ews_value(exch_ews_tchild(set,
                                                                  "OofState")));
    s = exch_ews_value(exch_ews_tchild(set, "ExternalAudience"));
    oof.audience = s ? exch_ews_oof_index(exch_ews_oof_audiences, s)
                     : EXCH_OOF_ALL;

    if (oof.state < 0 || oof.audience < 0) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "OofState or ExternalAudience is not valid.");
    }

    code = EXCH_EWS_NOERROR;
    dur = exch_ews_tchild(set, "Duration");

    if (dur) {
        if (exch_ews_time_parse(exch_ews_value(exch_ews_tchild(dur,
                                                               "StartTime")),
                                &oof.start) != 0
            || exch_ews_time_parse(exch_ews_value(exch_ews_tchild(dur,
                                                                  "EndTime")),
                                   &oof.end) != 0)
        {
            return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                                  "The Duration is not valid.");
        }

        if (oof.end <= oof.start) {
            code = EXCH_EWS_ERR_INVALID_SCHEDULED_OOF_DURATION;
        }

    } else if (oof.state == EXCH_OOF_SCHEDULED) {
        code = EXCH_EWS_ERR_INVALID_SCHEDULED_OOF_DURATION;
    }

    r = exch_ews_tchild(set, "InternalReply");
    s = exch_ews_text(ews, exch_ews_tchild(r, "Message"), &n);
    oof.internal = exs_strndup(ews->a, s, n);

    r = exch_ews_tchild(set, "ExternalReply");
    s = exch_ews_text(ews, exch_ews_tchild(r, "Message"), &n);
    oof.external = exs_strndup(ews->a, s, n);

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    rc = EXS_OK;

    if (code == EXCH_EWS_NOERROR) {
        rc = exch_ews_oof_mailbox(ews, req, &m);
        code = rc == EXS_NOTFOUND ? EXCH_EWS_ERR_NON_EXISTENT_MAILBOX
                                  : exch_ews_code_from_rc(rc, 0);
    }

    if (code == EXCH_EWS_NOERROR) {
        exch_buf_init(&xml);
        exch_ews_oof_xml(&xml, &oof);

        msg = exs_msg_create(ews->a);

        if (msg == NULL || xml.nomem) {
            exch_buf_free(&xml);
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_FAIL;
        }

        rc = exs_props_set_str(ews->a, &msg->props, PR_MESSAGE_CLASS,
                               EXCH_OOF_CLASS, sizeof(EXCH_OOF_CLASS) - 1);
        rc |= exs_props_set_bin(ews->a, &msg->props, PR_ROAMING_XMLSTREAM,
                                xml.data, xml.len);
        exch_buf_free(&xml);

        if (rc == EXS_OK) {
            mid = exch_ews_oof_find(ews, m);

            if (mid) {
                rc = exs_message_set(m->mb, mid, &msg->props);

            } else {
                rc = exs_message_create(m->mb, EXS_FID_ROOT, msg,
                                        EXS_MSG_ASSOCIATED, &mid);
            }
        }

        if (rc == EXS_OK) {
            memset(&sp, 0, sizeof(exs_props_t));
            rc = exs_props_set_bool(ews->a, &sp, PR_OOF_STATE,
                                    oof.state != EXCH_OOF_DISABLED);

            if (rc == EXS_OK) {
                rc = exs_mbox_set_props(m->mb, &sp);
            }
        }

        code = exch_ews_code_from_rc(rc, 0);
    }

    if (code == EXCH_EWS_NOERROR) {
        rc = exch_ews_end(ews, EXS_OK);
        code = exch_ews_code_from_rc(rc, 0);

    } else {
        exch_ews_end(ews, EXS_ERROR);
    }

    exch_buf_str(b, "<m:SetUserOofSettingsResponse xmlns:m=\"" EXCH_EWS_NS_M
                    "\" xmlns:t=\"" EXCH_EWS_NS_T "\">");

    if (code == EXCH_EWS_NOERROR) {
        exch_buf_str(b, "<m:ResponseMessage ResponseClass=\"Success\">"
                        "<m:ResponseCode>NoError</m:ResponseCode>"
                        "</m:ResponseMessage>");

    } else {
        exch_buf_str(b, "<m:ResponseMessage ResponseClass=\"Error\">"
                        "<m:MessageText>");
        exch_buf_cstr_text(b, exch_ews_code_text(code));
        exch_buf_printf(b, "</m:MessageText><m:ResponseCode>%s"
                        "</m:ResponseCode><m:DescriptiveLinkKey>0"
                        "</m:DescriptiveLinkKey></m:ResponseMessage>",
                        exch_ews_code_name(code));
    }

    exch_buf_str(b, "</m:SetUserOofSettingsResponse>");

    return EXCH_EWS_OK;
}
