
/*
 * exch EWS: what clients ask at start-up -- GetMailTips and
 * GetServiceConfiguration (MS-OXWSMTIP), GetAppManifests (none here).
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "exch_ews_ops.h"
#include "exch_ews_oof.h"


#define EXCH_MTIP_MAX_RECIPIENTS  50
#define EXCH_MTIP_MAX_SIZE        (64 * 1024 * 1024)


static void exch_ews_mailtip_write(exch_ews_t *ews, xmlNodePtr mbx);


static void
exch_ews_mailtip_write(exch_ews_t *ews, xmlNodePtr mbx)
{
    int               local, active;
    uint32_t          n, *ids;
    exch_buf_t       *b;
    const char       *addr, *name;
    exs_dirent_t      e;
    exch_ews_oof_t    oof;
    exch_ews_mbox_t  *m;

    b = &ews->out;
    addr = exch_ews_value(exch_ews_tchild(mbx, "EmailAddress"));
    name = exch_ews_value(exch_ews_tchild(mbx, "Name"));

    local = addr && exch_ews_dir_lookup(ews, addr, &e) == EXS_OK;

    exch_buf_str(b, "<m:MailTipsResponseMessageType ResponseClass=\"Success\">"
                    "<m:ResponseCode>NoError</m:ResponseCode><m:MailTips>"
                    "<t:RecipientAddress>");

    if (name && *name) {
        exch_ews_elem(b, "Name", name);
    }

    exch_ews_elem(b, "EmailAddress", addr ? addr : "");
    exch_ews_elem(b, "RoutingType", "SMTP");
    exch_buf_str(b, "</t:RecipientAddress><t:PendingMailTips/>");

    if (local && e.type == EXS_DIR_USER
        && exch_ews_mbox_id(ews, e.mailbox, &m) == EXS_OK
        && exch_ews_oof_read(m->mb, &oof, ews->a) == EXS_OK)
    {
        active = exch_ews_oof_active(&oof, ews->now);

        exch_buf_str(b, "<t:OutOfOffice><t:ReplyBody>");
        exch_ews_elem(b, "Message", active && oof.internal ? oof.internal
                                                           : "");
        exch_buf_str(b, "</t:ReplyBody>");

        if (active && oof.state == EXCH_OOF_SCHEDULED) {
            exch_buf_str(b, "<t:Duration>");
            exch_ews_elem_time(b, "StartTime", oof.start);
            exch_ews_elem_time(b, "EndTime", oof.end);
            exch_buf_str(b, "</t:Duration>");
        }

        exch_buf_str(b, "</t:OutOfOffice>");
    }

    exch_ews_elem_bool(b, "MailboxFull", 0);

    n = 1;

    if (local && e.type == EXS_DIR_GROUP
        && exs_dir_members(ews->txn, e.id, &ids, &n, ews->a) != EXS_OK)
    {
        n = 0;
    }

    exch_ews_elem_int(b, "TotalMemberCount", n);
    exch_ews_elem_int(b, "ExternalMemberCount", local ? 0 : 1);
    exch_ews_elem_int(b, "MaxMessageSize", EXCH_MTIP_MAX_SIZE);
    exch_ews_elem_bool(b, "DeliveryRestricted", 0);
    exch_ews_elem_bool(b, "IsModerated", 0);
    exch_ews_elem_bool(b, "InvalidRecipient", 0);
    exch_buf_str(b, "</m:MailTips></m:MailTipsResponseMessageType>");
}


int
exch_ews_op_get_mail_tips(exch_ews_t *ews, xmlNodePtr req)
{
    uint32_t     n;
    xmlNodePtr   rcpts, c;

    rcpts = exch_ews_mchild(req, "Recipients");

    if (rcpts == NULL || exch_ews_mchild(req, "SendingAs") == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "GetMailTips needs SendingAs and Recipients.");
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_single_begin(ews, EXCH_EWS_NOERROR, NULL);
    exch_buf_str(&ews->out, "<m:ResponseMessages>");

    n = 0;

    for (c = rcpts->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (++n > EXCH_MTIP_MAX_RECIPIENTS) {
            break;
        }

        exch_ews_mailtip_write(ews, c);
    }

    exch_buf_str(&ews->out, "</m:ResponseMessages>");
    exch_ews_single_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


int
exch_ews_op_get_service_configuration(exch_ews_t *ews, xmlNodePtr req)
{
    uint32_t       n, i;
    exch_buf_t    *b;
    exs_domain_t  *doms;

    b = &ews->out;

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    if (exs_dir_domains(ews->txn, &doms, &n, ews->a) != EXS_OK) {
        n = 0;
    }

    exch_ews_single_begin(ews, EXCH_EWS_NOERROR, NULL);
    exch_buf_str(b, "<m:ResponseMessages>"
                    "<m:ServiceConfigurationResponseMessageType "
                    "ResponseClass=\"Success\"><m:ResponseCode>NoError"
                    "</m:ResponseCode><m:MailTipsConfiguration>");
    exch_ews_elem_bool(b, "MailTipsEnabled", 1);
    exch_ews_elem_int(b, "MaxRecipientsPerGetMailTipsRequest",
                      EXCH_MTIP_MAX_RECIPIENTS);
    exch_ews_elem_int(b, "MaxMessageSize", EXCH_MTIP_MAX_SIZE);
    exch_ews_elem_int(b, "LargeAudienceThreshold", 25);
    exch_ews_elem_bool(b, "ShowExternalRecipientCount", 0);
    exch_buf_str(b, "<t:InternalDomains>");

    for (i = 0; i < n; i++) {
        exch_buf_str(b, "<t:Domain Name=\"");
        exch_buf_cstr_text(b, doms[i].name);
        exch_buf_str(b, "\"/>");
    }

    exch_buf_str(b, "</t:InternalDomains>");
    exch_ews_elem_bool(b, "PolicyTipsEnabled", 0);
    exch_ews_elem_int(b, "LargeAudienceCap", 1000);
    exch_buf_str(b, "</m:MailTipsConfiguration>"
                    "<m:UnifiedMessagingConfiguration>"
                    "<t:UmEnabled>false</t:UmEnabled>"
                    "<t:PlayOnPhoneDialString/>"
                    "<t:PlayOnPhoneEnabled>false</t:PlayOnPhoneEnabled>"
                    "</m:UnifiedMessagingConfiguration>"
                    "<m:ProtectionRulesConfiguration RefreshInterval=\"24\">"
                    "<t:Rules/><t:InternalDomains/>"
                    "</m:ProtectionRulesConfiguration>"
                    "</m:ServiceConfigurationResponseMessageType>"
                    "</m:ResponseMessages>");
    exch_ews_single_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


int
exch_ews_op_get_app_manifests(exch_ews_t *ews, xmlNodePtr req)
{
    exch_ews_single_begin(ews, EXCH_EWS_NOERROR, NULL);
    exch_buf_str(&ews->out, ews->version >= EXCH_EWS_V2013_SP1
                            ? "<m:Apps/>" : "<m:Manifests/>");
    exch_ews_single_end(ews);

    return EXCH_EWS_OK;
}
