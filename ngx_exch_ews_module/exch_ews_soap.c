
/*
 * exch EWS: the SOAP 1.1 envelope, RequestServerVersion, routing on the
 * first element inside soap:Body, the response frame, response messages
 * and SOAP faults as Exchange writes them.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "exch_ews.h"
#include "exch_ews_ops.h"
#include "exch_ews_props.h"


#define EXCH_EWS_XSI  "http://www.w3.org/2001/XMLSchema-instance"
#define EXCH_EWS_XSD  "http://www.w3.org/2001/XMLSchema"


static int exch_ews_op_cmp(const void *key, const void *elt);
static int exch_ews_headers(exch_ews_t *ews);
static int exch_ews_dispatch(exch_ews_t *ews);
static void exch_ews_write_code(exch_ews_t *ews, exch_ews_code_t code,
    const char *text);
static void exch_ews_msg_begin(exch_ews_t *ews, const char *cls,
    exch_ews_code_t code, const char *text);
static int exch_ews_op_len(const exch_ews_op_t *op);


static const char  *exch_ews_versions[] = {
    "Exchange2007",
    "Exchange2007_SP1",
    "Exchange2010",
    "Exchange2010_SP1",
    "Exchange2010_SP2",
    "Exchange2013",
    "Exchange2013_SP1",
    "Exchange2015",
    "Exchange2016",
    "V2015_10_05",
    "V2016_01_06",
    "V2016_04_13",
    "V2016_07_13",
    "V2016_10_10",
    "V2017_01_07",
    "V2017_04_14",
    "V2017_07_11",
};


typedef struct {
    const char               *name;
    const char               *text;
} exch_ews_code_def_t;


static const exch_ews_code_def_t  exch_ews_codes[] = {
    { "NoError", "" },
    { "ErrorAccessDenied",
      "Access is denied. Check credentials and try again." },
    { "ErrorAttachmentSizeLimitExceeded",
      "The attachment could not be created because it is too large." },
    { "ErrorCalendarEndDateIsEarlierThanStartDate",
      "EndDate is earlier than StartDate" },
    { "ErrorCannotDeleteObject",
      "The object cannot be deleted." },
    { "ErrorCannotEmptyFolder",
      "The folder cannot be emptied." },
    { "ErrorCannotUseFolderIdForItemId",
      "The folder id cannot be used as an item id." },
    { "ErrorCannotUseItemIdForFolderId",
      "The item id cannot be used as a folder id." },
    { "ErrorChangeKeyRequiredForWriteOperations",
      "When making a write request, you must specify a change key." },
    { "ErrorCorruptData",
      "The data is corrupt." },
    { "ErrorCreateItemAccessDenied",
      "You don't have permission to create items in this folder." },
    { "ErrorCreateSubfolderAccessDenied",
      "You don't have permission to create subfolders in this folder." },
    { "ErrorCrossMailboxMoveCopy",
      "Moving or copying between mailboxes is not supported." },
    { "ErrorDeleteDistinguishedFolder",
      "Distinguished folders cannot be deleted." },
    { "ErrorDistributionListMemberNotExist",
      "The distribution list member doesn't exist." },
    { "ErrorExpiredSubscription",
      "The subscription has expired and is being deleted." },
    { "ErrorFolderExists",
      "A folder with the specified name already exists." },
    { "ErrorFolderNotFound",
      "The specified folder could not be found in the store." },
    { "ErrorFolderSave",
      "The folder save operation failed." },
    { "ErrorImpersonateUserDenied",
      "The account does not have permission to impersonate the requested "
      "user." },
    { "ErrorIncorrectUpdatePropertyCount",
      "An object within a change description must contain one and only "
      "one property to modify." },
    { "ErrorInternalServerError",
      "An internal server error occurred. The operation failed." },
    { "ErrorInvalidArgument",
      "An argument is not valid." },
    { "ErrorInvalidAttachmentId",
      "The attachment id is invalid." },
    { "ErrorInvalidChangeKey",
      "The change key is invalid." },
    { "ErrorInvalidExcludesRestriction",
      "The Excludes restriction is not valid." },
    { "ErrorInvalidExtendedProperty",
      "The extended property is not valid." },
    { "ErrorInvalidExtendedPropertyValue",
      "The extended property value is not valid." },
    { "ErrorInvalidFractionalPagingParameters",
      "The fractional paging parameters are invalid." },
    { "ErrorInvalidIdEmpty",
      "Id must be non-empty." },
    { "ErrorInvalidIdMalformed",
      "Id is malformed." },
    { "ErrorInvalidIdNotAnItemAttachmentId",
      "The Id is not an item attachment id." },
    { "ErrorInvalidIndexedPagingParameters",
      "The indexed paging parameters are invalid." },
    { "ErrorInvalidOperation",
      "The operation is not valid." },
    { "ErrorInvalidPagingMaxRows",
      "The MaxEntriesReturned value is invalid." },
    { "ErrorInvalidPropertyAppend",
      "This property doesn't support append." },
    { "ErrorInvalidPropertyDelete",
      "This property can't be deleted." },
    { "ErrorInvalidPropertyForOperation",
      "This property is not valid for this operation." },
    { "ErrorInvalidPropertyRequest",
      "The property request is invalid." },
    { "ErrorInvalidPropertySet",
      "This property can't be set." },
    { "ErrorInvalidPropertyUpdateSentMessage",
      "This property can't be updated on a message that has been sent." },
    { "ErrorInvalidPullSubscriptionId",
      "The subscription id is not a pull subscription's." },
    { "ErrorInvalidPushSubscriptionUrl",
      "The URL of the push subscription is not valid." },
    { "ErrorInvalidRecipients",
      "At least one recipient isn't valid." },
    { "ErrorInvalidRequest",
      "The request is invalid." },
    { "ErrorInvalidRestriction",
      "The restriction is invalid." },
    { "ErrorInvalidScheduledOofDuration",
      "The scheduled Out of Office duration is invalid." },
    { "ErrorInvalidServerVersion",
      "The specified server version is invalid." },
    { "ErrorInvalidSmtpAddress",
      "The SMTP address format is invalid." },
    { "ErrorInvalidSubscription",
      "The subscription is not valid." },
    { "ErrorInvalidSubscriptionRequest",
      "The subscription request is not valid." },
    { "ErrorInvalidSyncStateData",
      "Synchronization state data is corrupt or otherwise invalid." },
    { "ErrorInvalidUserOofSettings",
      "The Out of Office settings are invalid." },
    { "ErrorInvalidValueForProperty",
      "The value is invalid for the property." },
    { "ErrorInvalidWatermark",
      "The watermark is not valid." },
    { "ErrorIrresolvableConflict",
      "The send or update operation could not be performed because the "
      "change key passed in the request does not match the current change "
      "key for the item." },
    { "ErrorItemNotFound",
      "The specified object was not found in the store." },
    { "ErrorItemSave",
      "The item could not be saved." },
    { "ErrorMailboxStoreUnavailable",
      "The mailbox database is temporarily unavailable." },
    { "ErrorMimeContentConversionFailed",
      "The MIME content could not be converted." },
    { "ErrorMissingRecipients",
      "The message must have at least one recipient." },
    { "ErrorMoveDistinguishedFolder",
      "Distinguished folders cannot be moved." },
    { "ErrorNameResolutionMultipleResults",
      "Multiple results were found." },
    { "ErrorNameResolutionNoResults",
      "No results were found." },
    { "ErrorNonExistentMailbox",
      "The SMTP address has no mailbox associated with it." },
    { "ErrorObjectTypeChanged",
      "The object type can't be changed." },
    { "ErrorParentFolderNotFound",
      "The parent folder could not be found." },
    { "ErrorQuotaExceeded",
      "The mailbox quota has been exceeded." },
    { "ErrorRecurrenceHasNoOccurrence",
      "The recurrence pattern has no occurrences in the given range." },
    { "ErrorRequestStreamTooBig",
      "The request is too large." },
    { "ErrorSchemaValidation",
      "The request failed schema validation." },
    { "ErrorServerBusy",
      "The server cannot service this request right now. Try again "
      "later." },
    { "ErrorSubscriptionAccessDenied",
      "The subscription belongs to another user." },
    { "ErrorSubscriptionDelegateAccessNotSupported",
      "Subscriptions to another user's mailbox are not supported." },
    { "ErrorSubscriptionNotFound",
      "The subscription was not found or has expired." },
    { "ErrorToFolderNotFound",
      "The destination folder could not be found." },
    { "ErrorUnsupportedPathForQuery",
      "The property path is not supported in a restriction." },
    { "ErrorUnsupportedPathForSortGroup",
      "The property path is not supported for sorting or grouping." },
    { "ErrorUnsupportedTypeForConversion",
      "The id type is not supported for conversion." },
    { "ErrorItemSave",
      "The user configuration object already exists." },
    { "ErrorItemNotFound",
      "The specified object was not found in the store." },
};


/* the operations of messages.xsd, sorted by name for bsearch */

static const exch_ews_op_t  exch_ews_ops[] = {

#define OP(n, h, v, f, c)  { n, h, EXCH_EWS_##v, f, c }
#define RM  "ResponseMessages"
#define W   EXCH_EWS_OP_WRITE
#define H   EXCH_EWS_OP_HEAVY

    OP("AddDelegate", NULL, V2007_SP1, W, NULL),
    OP("ApplyConversationAction", NULL, V2010_SP1, W, RM),
    OP("ArchiveItem", NULL, V2013, W, RM),
    OP("ConvertId", exch_ews_op_convert_id, V2007_SP1, 0, RM),
    OP("CopyFolder", exch_ews_op_copy_folder, V2007, W | H, RM),
    OP("CopyItem", exch_ews_op_copy_item, V2007, W, RM),
    OP("CreateAttachment", exch_ews_op_create_attachment, V2007, W, RM),
    OP("CreateFolder", exch_ews_op_create_folder, V2007, W, RM),
    OP("CreateFolderPath", exch_ews_op_create_folder_path, V2013, W, RM),
    OP("CreateItem", exch_ews_op_create_item, V2007, W, RM),
    OP("CreateManagedFolder", NULL, V2007, W, RM),
    OP("CreateUserConfiguration", exch_ews_op_create_user_config, V2010,
       W, RM),
    OP("DeleteAttachment", exch_ews_op_delete_attachment, V2007, W, RM),
    OP("DeleteFolder", exch_ews_op_delete_folder, V2007, W | H, RM),
    OP("DeleteItem", exch_ews_op_delete_item, V2007, W, RM),
    OP("DeleteUserConfiguration", exch_ews_op_delete_user_config, V2010,
       W, RM),
    OP("DisableApp", NULL, V2013, W, NULL),
    OP("EmptyFolder", exch_ews_op_empty_folder, V2010, W | H, RM),
    OP("ExpandDL", exch_ews_op_expand_dl, V2007, 0, RM),
    OP("ExportItems", NULL, V2010_SP1, 0, RM),
    OP("FindConversation", NULL, V2010_SP1, 0, NULL),
    OP("FindFolder", exch_ews_op_find_folder, V2007, 0, RM),
    OP("FindItem", exch_ews_op_find_item, V2007, 0, RM),
    OP("FindMailboxStatisticsByKeywords", NULL, V2013, 0, RM),
    OP("FindMessageTrackingReport", NULL, V2010_SP1, 0, NULL),
    OP("FindPeople", exch_ews_op_find_people, V2013, 0, NULL),
    OP("GetAppManifests", exch_ews_op_get_app_manifests, V2013, 0, NULL),
    OP("GetAppMarketplaceUrl", NULL, V2013, 0, NULL),
    OP("GetAttachment", exch_ews_op_get_attachment, V2007, 0, RM),
    OP("GetClientAccessToken", NULL, V2013, 0, RM),
    OP("GetConversationItems", NULL, V2013, 0, RM),
    OP("GetDelegate", NULL, V2007_SP1, 0, NULL),
    OP("GetDiscoverySearchConfiguration", NULL, V2013, 0, NULL),
    OP("GetEvents", exch_ews_op_get_events, V2007, 0, RM),
    OP("GetFolder", exch_ews_op_get_folder, V2007, 0, RM),
    OP("GetHoldOnMailboxes", NULL, V2013, 0, NULL),
    OP("GetImItemList", NULL, V2013, 0, NULL),
    OP("GetImItems", NULL, V2013, 0, NULL),
    OP("GetInboxRules", NULL, V2010_SP1, 0, NULL),
    OP("GetItem", exch_ews_op_get_item, V2007, 0, RM),
    OP("GetMailTips", exch_ews_op_get_mail_tips, V2010, 0, NULL),
    OP("GetMessageTrackingReport", NULL, V2010_SP1, 0, NULL),
    OP("GetNonIndexableItemDetails", NULL, V2013, 0, NULL),
    OP("GetNonIndexableItemStatistics", NULL, V2013, 0, NULL),
    OP("GetPasswordExpirationDate", NULL, V2010_SP2, 0, NULL),
    OP("GetPersona", NULL, V2013, 0, NULL),
    OP("GetPhoneCallInformation", NULL, V2010, 0, NULL),
    OP("GetReminders", NULL, V2013, 0, NULL),
    OP("GetRoomLists", NULL, V2010, 0, NULL),
    OP("GetRooms", NULL, V2010_SP1, 0, NULL),
    OP("GetSearchableMailboxes", NULL, V2013, 0, NULL),
    OP("GetServerTimeZones", exch_ews_op_get_server_time_zones, V2010, 0,
       RM),
    OP("GetServiceConfiguration", exch_ews_op_get_service_configuration,
       V2010, 0, NULL),
    OP("GetSharingFolder", NULL, V2010, 0, NULL),
    OP("GetSharingMetadata", NULL, V2010, 0, NULL),
    OP("GetStreamingEvents", exch_ews_op_get_streaming_events, V2010_SP1,
       0, RM),
    OP("GetUserAvailabilityRequest", NULL, V2007, 0, NULL),
    OP("GetUserConfiguration", exch_ews_op_get_user_config, V2010, 0, RM),
    OP("GetUserOofSettingsRequest", exch_ews_op_get_user_oof_settings,
       V2007, 0, NULL),
    OP("GetUserPhoto", exch_ews_op_get_user_photo, V2013, 0, NULL),
    OP("GetUserRetentionPolicyTags", NULL, V2013, 0, NULL),
    OP("InstallApp", NULL, V2013, W, NULL),
    OP("MarkAllItemsAsRead", exch_ews_op_mark_all_items_as_read, V2013,
       W | H, RM),
    OP("MarkAsJunk", exch_ews_op_mark_as_junk, V2013, W, RM),
    OP("MoveFolder", exch_ews_op_move_folder, V2007, W, RM),
    OP("MoveItem", exch_ews_op_move_item, V2007, W, RM),
    OP("PerformReminderAction", NULL, V2013, W, NULL),
    OP("PlayOnPhone", NULL, V2010, 0, NULL),
    OP("RefreshSharingFolder", NULL, V2010, W, NULL),
    OP("RemoveDelegate", NULL, V2007_SP1, W, NULL),
    OP("ResolveNames", exch_ews_op_resolve_names, V2007, 0, RM),
    OP("SearchMailboxes", NULL, V2013, 0, RM),
    OP("SendItem", exch_ews_op_send_item, V2007, W | H, RM),
    OP("SetHoldOnMailboxes", NULL, V2013, W, NULL),
    OP("SetUserOofSettingsRequest", exch_ews_op_set_user_oof_settings,
       V2007, W, NULL),
    OP("Subscribe", exch_ews_op_subscribe, V2007, W, RM),
    OP("SyncFolderHierarchy", exch_ews_op_sync_folder_hierarchy, V2007, 0,
       RM),
    OP("SyncFolderItems", exch_ews_op_sync_folder_items, V2007, 0, RM),
    OP("UninstallApp", NULL, V2013, W, NULL),
    OP("Unsubscribe", exch_ews_op_unsubscribe, V2007, W, RM),
    OP("UpdateDelegate", NULL, V2007_SP1, W, NULL),
    OP("UpdateFolder", exch_ews_op_update_folder, V2007, W, RM),
    OP("UpdateInboxRules", NULL, V2010_SP1, W, NULL),
    OP("UpdateItem", exch_ews_op_update_item, V2007, W, RM),
    OP("UpdateUserConfiguration", exch_ews_op_update_user_config, V2010,
       W, RM),
    OP("UploadItems", NULL, V2010_SP1, W, RM),

#undef OP
#undef RM
#undef W
#undef H
};


const char *
exch_ews_version_name(int v)
{
    if (v < 0 || v > EXCH_EWS_VLAST) {
        return NULL;
    }

    return exch_ews_versions[v];
}


int
exch_ews_version_parse(const char *name)
{
    int  i;

    if (name == NULL) {
        return -1;
    }

    for (i = 0; i <= EXCH_EWS_VLAST; i++) {
        if (strcmp(exch_ews_versions[i], name) == 0) {
            return i;
        }
    }

    return -1;
}


const char *
exch_ews_code_name(exch_ews_code_t code)
{
    if (code >= EXCH_EWS_ERR_LAST) {
        code = EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    return exch_ews_codes[code].name;
}


const char *
exch_ews_code_text(exch_ews_code_t code)
{
    if (code >= EXCH_EWS_ERR_LAST) {
        code = EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    return exch_ews_codes[code].text;
}


exch_ews_code_t
exch_ews_code_from_rc(int rc, int folder)
{
    switch (rc) {
    case EXS_OK:
        return EXCH_EWS_NOERROR;
    case EXS_NOTFOUND:
        return folder ? EXCH_EWS_ERR_FOLDER_NOT_FOUND
                      : EXCH_EWS_ERR_ITEM_NOT_FOUND;
    case EXS_DENIED:
        return EXCH_EWS_ERR_ACCESS_DENIED;
    case EXS_EXISTS:
        return folder ? EXCH_EWS_ERR_FOLDER_EXISTS : EXCH_EWS_ERR_ITEM_SAVE;
    case EXS_CONFLICT:
        return EXCH_EWS_ERR_IRRESOLVABLE_CONFLICT;
    case EXS_FULL:
        return EXCH_EWS_ERR_QUOTA_EXCEEDED;
    case EXS_TOOBIG:
        return EXCH_EWS_ERR_ATTACHMENT_SIZE;
    case EXS_INVALID:
        return EXCH_EWS_ERR_INVALID_REQUEST;
    case EXS_BUSY:
        return EXCH_EWS_ERR_SERVER_BUSY;
    case EXS_CORRUPT:
        return EXCH_EWS_ERR_CORRUPT_DATA;
    case EXS_NOTSUP:
        return EXCH_EWS_ERR_INVALID_OPERATION;
    default:
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }
}


static int
exch_ews_op_cmp(const void *key, const void *elt)
{
    return strcmp(key, ((const exch_ews_op_t *) elt)->name);
}


const exch_ews_op_t *
exch_ews_op_find(const char *name)
{
    return bsearch(name, exch_ews_ops,
                   sizeof(exch_ews_ops) / sizeof(exch_ews_ops[0]),
                   sizeof(exch_ews_op_t), exch_ews_op_cmp);
}


void
exch_ews_init(exch_ews_t *ews)
{
    memset(ews, 0, sizeof(exch_ews_t));
    exch_buf_init(&ews->out);
    ews->status = 200;
    ews->version = EXCH_EWS_V2007_SP1;
}


void
exch_ews_free(exch_ews_t *ews)
{
    if (ews->txn) {
        exs_txn_abort(ews->txn);
        ews->txn = NULL;
    }

    if (ews->doc) {
        xmlFreeDoc(ews->doc);
        ews->doc = NULL;
    }

    exch_buf_free(&ews->out);

    if (ews->md5) {
        EVP_MD_free(ews->md5);
        ews->md5 = NULL;
    }
}


void
exch_ews_log(exch_ews_t *ews, int level, const char *fmt, ...)
{
    va_list  ap;
    char     msg[512];

    if (ews->log == NULL) {
        return;
    }

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    ews->log(ews->log_data, level, msg);
}


int
exch_ews_process(exch_ews_t *ews, const void *body, size_t len)
{
    int          line, column;
    char         violation[320];
    xmlNodePtr   root, c;
    const char  *attr, *v;

    ews->now = exs_filetime_now();

    if (ews->doc == NULL) {
        if (ews->max_body && len > ews->max_body) {
            return exch_ews_fault(ews, EXCH_EWS_ERR_REQUEST_STREAM_TOO_BIG,
                                  NULL, NULL);
        }

        ews->doc = exch_xml_parse_ex(body, len, EXCH_XML_HUGE, &line,
                                     &column);

        if (ews->doc == NULL) {
            snprintf(violation, sizeof(violation),
                     "The request is not well-formed XML. Line %d, "
                     "position %d.", line ? line : 1, column ? column : 1);
            exch_ews_log(ews, EXCH_EWS_LOG_INFO, "EWS request is not XML");
            return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION,
                                  NULL, violation);
        }
    }

    root = xmlDocGetRootElement(ews->doc);

    if (!exch_xml_is(root, EXCH_EWS_NS_SOAP, "Envelope")) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "The root element must be Envelope in "
                              "namespace 'http://schemas.xmlsoap.org/soap/"
                              "envelope/'.");
    }

    ews->header = exch_xml_child(root, EXCH_EWS_NS_SOAP, "Header");
    ews->body = exch_xml_child(root, EXCH_EWS_NS_SOAP, "Body");

    if (ews->body == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "The element 'Envelope' has no child "
                              "element 'Body'.");
    }

    if (exch_ews_headers(ews) != EXCH_EWS_OK) {
        return EXCH_EWS_OK;
    }

    ews->op_node = NULL;

    for (c = ews->body->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            ews->op_node = c;
            break;
        }
    }

    if (ews->op_node == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "The element 'Body' in namespace "
                              "'http://schemas.xmlsoap.org/soap/envelope/' "
                              "has no operation.");
    }

    if (!exch_xml_is(ews->op_node, EXCH_EWS_NS_M, NULL)) {
        snprintf(violation, sizeof(violation),
                 "The element 'Body' in namespace 'http://schemas.xmlsoap."
                 "org/soap/envelope/' has invalid child element '%.40s' in "
                 "namespace '%.60s'.", (const char *) ews->op_node->name,
                 ews->op_node->ns && ews->op_node->ns->href
                 ? (const char *) ews->op_node->ns->href : "");
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              violation);
    }

    ews->op = exch_ews_op_find((const char *) ews->op_node->name);

    if (ews->op == NULL) {
        exch_ews_log(ews, EXCH_EWS_LOG_INFO, "EWS: unknown operation \"%.64s\"",
                     (const char *) ews->op_node->name);
        return exch_ews_fault(ews, EXCH_EWS_ERR_INVALID_REQUEST, NULL, NULL);
    }

    /* the property paths against the schema, wherever they are (shapes,
     * restrictions, sort orders, groupings, updates, extended
     * properties), before anything runs */
    if (exch_ews_paths_check(ews->op_node, &c, &attr) != EXCH_EWS_NOERROR) {
        v = attr ? exch_ews_attr(c, attr) : NULL;

        if (attr && v) {
            snprintf(violation, sizeof(violation),
                     "The '%s' attribute is invalid - The value '%.80s' is "
                     "invalid according to its datatype.", attr, v);

        } else if (attr) {
            snprintf(violation, sizeof(violation),
                     "The required attribute '%s' is missing.", attr);

        } else {
            snprintf(violation, sizeof(violation),
                     "The element '%.40s' is invalid.",
                     (const char *) c->name);
        }

        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              violation);
    }

    return exch_ews_dispatch(ews);
}


static int
exch_ews_headers(exch_ews_t *ews)
{
    int          v;
    xmlNodePtr   h, tz;
    const char  *s;

    if (ews->header == NULL) {
        return EXCH_EWS_OK;
    }

    for (h = ews->header->children; h; h = h->next) {
        if (h->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (strcmp((const char *) h->name, "RequestServerVersion") == 0) {
            if (!exch_xml_is(h, EXCH_EWS_NS_T, NULL)) {
                exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                               "The element 'RequestServerVersion' is not "
                               "in the types namespace.");
                return EXCH_EWS_FAIL;
            }

            s = exch_ews_attr(h, "Version");
            v = exch_ews_version_parse(s);

            if (v < 0) {
                exch_ews_log(ews, EXCH_EWS_LOG_INFO,
                             "EWS: unknown server version \"%.32s\"",
                             s ? s : "");
                exch_ews_fault(ews, EXCH_EWS_ERR_INVALID_SERVER_VERSION,
                               NULL, NULL);
                return EXCH_EWS_FAIL;
            }

            ews->version = v;
            continue;
        }

        if (strcmp((const char *) h->name, "ExchangeImpersonation") == 0) {
            exch_ews_fault(ews, EXCH_EWS_ERR_IMPERSONATE_USER_DENIED, NULL,
                           NULL);
            return EXCH_EWS_FAIL;
        }

        if (strcmp((const char *) h->name, "TimeZoneContext") == 0) {
            tz = exch_ews_tchild(h, "TimeZoneDefinition");
            ews->tz_id = tz ? exch_ews_attr(tz, "Id") : NULL;
        }
    }

    return EXCH_EWS_OK;
}


static int
exch_ews_dispatch(exch_ews_t *ews)
{
    int     rc;
    size_t  mark;

    if (!ews->in_thread && (ews->op->flags & EXCH_EWS_OP_HEAVY)
        && ews->op->handler)
    {
        return EXCH_EWS_AGAIN;
    }

    exch_buf_free(&ews->out);
    exch_ews_envelope_begin(ews);

    mark = ews->out.len;

    if (ews->op->handler == NULL) {
        rc = exch_ews_op_unsupported(ews, ews->op_node);

    } else {
        rc = ews->op->handler(ews, ews->op_node);
    }

    if (ews->txn) {
        exs_txn_abort(ews->txn);
        ews->txn = NULL;
        ews->nmbox = 0;
    }

    if (rc == EXCH_EWS_AGAIN) {
        ews->out.len = mark;
        return EXCH_EWS_AGAIN;
    }

    if (rc != EXCH_EWS_OK) {
        return rc;
    }

    if (ews->status != 200) {
        /* the operation answered with a fault */
        return ews->out.nomem ? EXCH_EWS_FAIL : EXCH_EWS_OK;
    }

    exch_buf_str(&ews->out, "</s:Body></s:Envelope>");

    return ews->out.nomem ? EXCH_EWS_FAIL : EXCH_EWS_OK;
}


void
exch_ews_envelope_begin(exch_ews_t *ews)
{
    exch_buf_printf(&ews->out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        "<s:Envelope xmlns:s=\"" EXCH_EWS_NS_SOAP "\">"
        "<s:Header><h:ServerVersionInfo MajorVersion=\"%d\" "
        "MinorVersion=\"%d\" MajorBuildNumber=\"%d\" "
        "MinorBuildNumber=\"%d\" Version=\"%s\" "
        "xmlns:h=\"" EXCH_EWS_NS_T "\" xmlns=\"" EXCH_EWS_NS_T "\" "
        "xmlns:xsd=\"" EXCH_EWS_XSD "\" xmlns:xsi=\"" EXCH_EWS_XSI "\"/>"
        "</s:Header>", EXCH_VERSION_MAJOR, EXCH_VERSION_MINOR,
        EXCH_VERSION_BUILD, EXCH_VERSION_REVISION, EXCH_VERSION_EWS_SCHEMA);

    exch_buf_str(&ews->out, "<s:Body xmlns:xsi=\"" EXCH_EWS_XSI "\" "
                            "xmlns:xsd=\"" EXCH_EWS_XSD "\">");
}


int
exch_ews_fault(exch_ews_t *ews, exch_ews_code_t code, const char *text,
    const char *violation)
{
    const char  *name;

    name = exch_ews_code_name(code);

    if (text == NULL) {
        text = exch_ews_code_text(code);
    }

    exch_buf_free(&ews->out);
    exch_ews_envelope_begin(ews);

    exch_buf_str(&ews->out, "<s:Fault><faultcode xmlns:a=\"" EXCH_EWS_NS_T
                            "\">a:");
    exch_buf_str(&ews->out, name);
    exch_buf_str(&ews->out, "</faultcode><faultstring xml:lang=\"en-US\">");
    exch_buf_cstr_text(&ews->out, text);

    if (violation) {
        exch_buf_str(&ews->out, " ");
        exch_buf_cstr_text(&ews->out, violation);
    }

    exch_buf_str(&ews->out, "</faultstring><detail>"
                            "<e:ResponseCode xmlns:e=\"" EXCH_EWS_NS_E "\">");
    exch_buf_str(&ews->out, name);
    exch_buf_str(&ews->out, "</e:ResponseCode>"
                            "<e:Message xmlns:e=\"" EXCH_EWS_NS_E "\">");
    exch_buf_cstr_text(&ews->out, text);
    exch_buf_str(&ews->out, "</e:Message>");

    if (violation) {
        exch_buf_str(&ews->out, "<t:MessageXml xmlns:t=\"" EXCH_EWS_NS_T
                                "\"><t:LineNumber>1</t:LineNumber>"
                                "<t:LinePosition>1</t:LinePosition>"
                                "<t:Violation>");
        exch_buf_cstr_text(&ews->out, violation);
        exch_buf_str(&ews->out, "</t:Violation></t:MessageXml>");
    }

    exch_buf_str(&ews->out, "</detail></s:Fault></s:Body></s:Envelope>");

    ews->status = 500;

    return ews->out.nomem ? EXCH_EWS_FAIL : EXCH_EWS_OK;
}


/* the operation's name in its response elements: GetUserOofSettingsRequest
 * answers with GetUserOofSettingsResponse */

static int
exch_ews_op_len(const exch_ews_op_t *op)
{
    size_t  n;

    n = strlen(op->name);

    if (n > 7 && strcmp(op->name + n - 7, "Request") == 0) {
        n -= 7;
    }

    return (int) n;
}


void
exch_ews_resp_begin(exch_ews_t *ews)
{
    exch_buf_printf(&ews->out, "<m:%.*sResponse xmlns:m=\"" EXCH_EWS_NS_M
                    "\" xmlns:t=\"" EXCH_EWS_NS_T "\"><m:ResponseMessages>",
                    exch_ews_op_len(ews->op), ews->op->name);
    ews->nmsgs = 0;
    ews->msg_start = 0;
}


void
exch_ews_resp_end(exch_ews_t *ews)
{
    exch_buf_printf(&ews->out, "</m:ResponseMessages></m:%.*sResponse>",
                    exch_ews_op_len(ews->op), ews->op->name);
}


/* MessageText, ResponseCode and DescriptiveLinkKey of a response */

static void
exch_ews_write_code(exch_ews_t *ews, exch_ews_code_t code, const char *text)
{
    if (code != EXCH_EWS_NOERROR) {
        exch_buf_str(&ews->out, "<m:MessageText>");
        exch_buf_cstr_text(&ews->out,
                           text ? text : exch_ews_code_text(code));
        exch_buf_str(&ews->out, "</m:MessageText>");
    }

    exch_buf_str(&ews->out, "<m:ResponseCode>");
    exch_buf_str(&ews->out, exch_ews_code_name(code));
    exch_buf_str(&ews->out, "</m:ResponseCode>");

    if (code != EXCH_EWS_NOERROR) {
        exch_buf_str(&ews->out,
                     "<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>");
    }
}


static void
exch_ews_msg_begin(exch_ews_t *ews, const char *cls, exch_ews_code_t code,
    const char *text)
{
    ews->msg_start = ews->out.len;
    ews->nmsgs++;

    exch_buf_printf(&ews->out, "<m:%.*sResponseMessage ResponseClass=\"%s\">",
                    exch_ews_op_len(ews->op), ews->op->name, cls);

    exch_ews_write_code(ews, code, text);
}


void
exch_ews_msg_ok(exch_ews_t *ews)
{
    exch_ews_msg_begin(ews, "Success", EXCH_EWS_NOERROR, NULL);
}


void
exch_ews_msg_warning(exch_ews_t *ews, exch_ews_code_t code, const char *text)
{
    exch_ews_msg_begin(ews, "Warning", code, text);
}


void
exch_ews_msg_end(exch_ews_t *ews)
{
    exch_buf_printf(&ews->out, "</m:%.*sResponseMessage>",
                    exch_ews_op_len(ews->op), ews->op->name);
    ews->msg_start = 0;
}


void
exch_ews_msg_error(exch_ews_t *ews, exch_ews_code_t code, const char *text)
{
    if (ews->msg_start) {
        ews->out.len = ews->msg_start;
        ews->nmsgs--;
    }

    exch_ews_msg_begin(ews, "Error", code, text);
    exch_ews_msg_end(ews);
}


void
exch_ews_msg_result(exch_ews_t *ews, exch_ews_code_t code)
{
    if (code != EXCH_EWS_NOERROR) {
        exch_ews_msg_error(ews, code, NULL);
        return;
    }

    exch_ews_msg_ok(ews);
    exch_ews_msg_end(ews);
}


void
exch_ews_single_begin(exch_ews_t *ews, exch_ews_code_t code,
    const char *text)
{
    exch_buf_printf(&ews->out, "<m:%.*sResponse ResponseClass=\"%s\" "
                    "xmlns:m=\"" EXCH_EWS_NS_M "\" xmlns:t=\"" EXCH_EWS_NS_T
                    "\">", exch_ews_op_len(ews->op), ews->op->name,
                    code == EXCH_EWS_NOERROR ? "Success" : "Error");

    exch_ews_write_code(ews, code, text);
}


void
exch_ews_single_end(exch_ews_t *ews)
{
    exch_buf_printf(&ews->out, "</m:%.*sResponse>",
                    exch_ews_op_len(ews->op), ews->op->name);
}


int
exch_ews_op_unsupported(exch_ews_t *ews, xmlNodePtr req)
{
    char  text[160];

    exch_ews_log(ews, EXCH_EWS_LOG_INFO, "EWS: %s is not supported",
                 ews->op->name);

    snprintf(text, sizeof(text), "The operation %s is not supported by "
             "this server.", ews->op->name);

    if (ews->op->container == NULL) {
        exch_ews_single_begin(ews, EXCH_EWS_ERR_INVALID_REQUEST, text);
        exch_ews_single_end(ews);
        return EXCH_EWS_OK;
    }

    exch_ews_resp_begin(ews);
    exch_ews_msg_error(ews, EXCH_EWS_ERR_INVALID_REQUEST, text);
    exch_ews_resp_end(ews);

    return EXCH_EWS_OK;
}


xmlNodePtr
exch_ews_mchild(xmlNodePtr node, const char *name)
{
    return exch_xml_child(node, EXCH_EWS_NS_M, name);
}


xmlNodePtr
exch_ews_tchild(xmlNodePtr node, const char *name)
{
    return exch_xml_child(node, EXCH_EWS_NS_T, name);
}


xmlNodePtr
exch_ews_tnext(xmlNodePtr node, const char *name)
{
    return exch_xml_next(node, EXCH_EWS_NS_T, name);
}


xmlNodePtr
exch_ews_child(xmlNodePtr node, const char *name)
{
    xmlNodePtr  c;

    if (node == NULL) {
        return NULL;
    }

    for (c = node->children; c; c = c->next) {
        if (exch_xml_is(c, EXCH_EWS_NS_T, name)
            || exch_xml_is(c, EXCH_EWS_NS_M, name))
        {
            return c;
        }
    }

    return NULL;
}


const char *
exch_ews_attr(xmlNodePtr node, const char *name)
{
    xmlAttrPtr  a;

    if (node == NULL) {
        return NULL;
    }

    for (a = node->properties; a; a = a->next) {
        if (a->ns == NULL && strcmp((const char *) a->name, name) == 0) {
            if (a->children && a->children->content) {
                return (const char *) a->children->content;
            }

            return "";
        }
    }

    return NULL;
}


const char *
exch_ews_text(exch_ews_t *ews, xmlNodePtr node, size_t *len)
{
    xmlNodePtr  c;

    *len = 0;

    if (node == NULL) {
        return "";
    }

    /* exch_xml_parse() merged adjacent text nodes into one */

    for (c = node->children; c; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            && c->content)
        {
            *len = strlen((const char *) c->content);
            return (const char *) c->content;
        }
    }

    return "";
}


const char *
exch_ews_value(xmlNodePtr node)
{
    return exch_xml_value(node);
}


int
exch_ews_bool(const char *s)
{
    if (s == NULL) {
        return -1;
    }

    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        return 1;
    }

    if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
        return 0;
    }

    return -1;
}
