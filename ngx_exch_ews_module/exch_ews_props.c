
/*
 * exch EWS: the property mapping tables (see exch_ews_props.h).  The field
 * groups list each type's elements in the order of the EWS schema
 * (types.xsd), which is the order responses write them in.
 */


#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exch_ews.h"
#include "exch_ews_props.h"


/* named properties, MS-OXPROPS */

#define NP_ID(g, lid, t)    { g, lid, NULL, t }
#define NP_NAME(g, n, t)    { g, 0, n, t }

const exch_ews_named_t  exch_ews_named[] = {
    { NULL, 0, NULL, 0 },
    NP_NAME(PS_PUBLIC_STRINGS, "Keywords", PT_MV_UNICODE),
    NP_ID(PSETID_COMMON, 0x8501, PT_LONG),
    NP_ID(PSETID_COMMON, 0x8502, PT_SYSTIME),
    NP_ID(PSETID_COMMON, 0x8503, PT_BOOLEAN),
    NP_ID(PSETID_COMMON, 0x8516, PT_SYSTIME),
    NP_ID(PSETID_COMMON, 0x8517, PT_SYSTIME),
    NP_ID(PSETID_COMMON, 0x8530, PT_UNICODE),
    NP_ID(PSETID_COMMON, 0x8534, PT_UNICODE),
    NP_ID(PSETID_COMMON, 0x8535, PT_UNICODE),
    NP_ID(PSETID_COMMON, 0x8539, PT_MV_UNICODE),
    NP_ID(PSETID_COMMON, 0x853A, PT_MV_UNICODE),
    NP_ID(PSETID_COMMON, 0x8560, PT_SYSTIME),
    NP_ID(PSETID_APPOINTMENT, 0x8201, PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8205, PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8208, PT_UNICODE),
    NP_ID(PSETID_APPOINTMENT, 0x8209, PT_UNICODE),
    NP_ID(PSETID_APPOINTMENT, 0x820D, PT_SYSTIME),
    NP_ID(PSETID_APPOINTMENT, 0x820E, PT_SYSTIME),
    NP_ID(PSETID_APPOINTMENT, 0x8213, PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8215, PT_BOOLEAN),
    NP_ID(PSETID_APPOINTMENT, 0x8216, PT_BINARY),
    NP_ID(PSETID_APPOINTMENT, 0x8217, PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8218, PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8220, PT_SYSTIME),
    NP_ID(PSETID_APPOINTMENT, 0x8223, PT_BOOLEAN),
    NP_ID(PSETID_APPOINTMENT, 0x8224, PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8229, PT_BOOLEAN),
    NP_ID(PSETID_APPOINTMENT, 0x8234, PT_UNICODE),
    NP_ID(PSETID_APPOINTMENT, 0x8235, PT_SYSTIME),
    NP_ID(PSETID_APPOINTMENT, 0x8236, PT_SYSTIME),
    NP_ID(PSETID_APPOINTMENT, 0x8241, PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8248, PT_UNICODE),
    NP_ID(PSETID_APPOINTMENT, 0x825A, PT_BOOLEAN),
    NP_ID(PSETID_APPOINTMENT, 0x825E, PT_BINARY),
    NP_ID(PSETID_APPOINTMENT, 0x825F, PT_BINARY),
    NP_ID(PSETID_APPOINTMENT, 0x8260, PT_BINARY),
    NP_ID(PSETID_MEETING, 0x0003, PT_BINARY),
    NP_ID(PSETID_MEETING, 0x0023, PT_BINARY),
    NP_ID(PSETID_MEETING, 0x001A, PT_SYSTIME),
    NP_ID(PSETID_MEETING, 0x0026, PT_LONG),
    NP_ID(PSETID_ADDRESS, 0x8005, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8006, PT_LONG),
    NP_ID(PSETID_ADDRESS, 0x8015, PT_BOOLEAN),
    NP_ID(PSETID_ADDRESS, 0x8022, PT_LONG),
    NP_ID(PSETID_ADDRESS, 0x802C, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x802D, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x802E, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8045, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8046, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8047, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8048, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8049, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x804A, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8053, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8054, PT_MV_BINARY),
    NP_ID(PSETID_ADDRESS, 0x8055, PT_MV_BINARY),
    NP_ID(PSETID_ADDRESS, 0x8062, PT_UNICODE),
    NP_NAME(PSETID_ADDRESS, "ImAddress2", PT_UNICODE),
    NP_NAME(PSETID_ADDRESS, "ImAddress3", PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8080, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8082, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8083, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8084, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8085, PT_BINARY),
    NP_ID(PSETID_ADDRESS, 0x8090, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8092, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8093, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8094, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x8095, PT_BINARY),
    NP_ID(PSETID_ADDRESS, 0x80A0, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x80A2, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x80A3, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x80A4, PT_UNICODE),
    NP_ID(PSETID_ADDRESS, 0x80A5, PT_BINARY),
    NP_ID(PSETID_ADDRESS, 0x8028, PT_MV_LONG),
    NP_ID(PSETID_ADDRESS, 0x8029, PT_LONG),
    NP_ID(PSETID_TASK, 0x8101, PT_LONG),
    NP_ID(PSETID_TASK, 0x8102, PT_DOUBLE),
    NP_ID(PSETID_TASK, 0x8103, PT_BOOLEAN),
    NP_ID(PSETID_TASK, 0x8104, PT_SYSTIME),
    NP_ID(PSETID_TASK, 0x8105, PT_SYSTIME),
    NP_ID(PSETID_TASK, 0x810F, PT_SYSTIME),
    NP_ID(PSETID_TASK, 0x8110, PT_LONG),
    NP_ID(PSETID_TASK, 0x8111, PT_LONG),
    NP_ID(PSETID_TASK, 0x8112, PT_LONG),
    NP_ID(PSETID_TASK, 0x8113, PT_LONG),
    NP_ID(PSETID_TASK, 0x8116, PT_BINARY),
    NP_ID(PSETID_TASK, 0x8121, PT_UNICODE),
    NP_ID(PSETID_TASK, 0x811C, PT_BOOLEAN),
    NP_ID(PSETID_TASK, 0x811F, PT_UNICODE),
    NP_ID(PSETID_TASK, 0x8126, PT_BOOLEAN),
    NP_ID(PSETID_TASK, 0x8129, PT_LONG),
    NP_ID(PSETID_TASK, 0x812A, PT_LONG),
    NP_NAME(PSETID_ADDRESS, "ContactSource", PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8231, PT_LONG),
    NP_ID(PSETID_APPOINTMENT, 0x8232, PT_UNICODE),
};

const uint32_t  exch_ews_nnamed = EXCH_NP_COUNT;

#undef NP_ID
#undef NP_NAME


/* enumerations */

const exch_ews_enum_t  exch_ews_enum_sensitivity[] = {
    { "Normal", 0 }, { "Personal", 1 }, { "Private", 2 },
    { "Confidential", 3 }, { NULL, 0 }
};

const exch_ews_enum_t  exch_ews_enum_importance[] = {
    { "Low", 0 }, { "Normal", 1 }, { "High", 2 }, { NULL, 0 }
};

static const exch_ews_enum_t  exch_ews_enum_busy[] = {
    { "Free", 0 }, { "Tentative", 1 }, { "Busy", 2 }, { "OOF", 3 },
    { "WorkingElsewhere", 4 }, { "NoData", 5 }, { NULL, 0 }
};

static const exch_ews_enum_t  exch_ews_enum_response[] = {
    { "Unknown", 0 }, { "Organizer", 1 }, { "Tentative", 2 },
    { "Accept", 3 }, { "Decline", 4 }, { "NoResponseReceived", 5 },
    { NULL, 0 }
};

static const exch_ews_enum_t  exch_ews_enum_task_status[] = {
    { "NotStarted", 0 }, { "InProgress", 1 }, { "Completed", 2 },
    { "WaitingOnOthers", 3 }, { "Deferred", 4 }, { NULL, 0 }
};

static const exch_ews_enum_t  exch_ews_enum_delegation[] = {
    { "NoMatch", 0 }, { "OwnNew", 1 }, { "Owned", 2 }, { "Accepted", 3 },
    { "Declined", 4 }, { "Max", 5 }, { NULL, 0 }
};

static const exch_ews_enum_t  exch_ews_enum_postal_index[] = {
    { "None", 0 }, { "Home", 1 }, { "Business", 2 }, { "Other", 3 },
    { NULL, 0 }
};

/* PidLidFileUnderId values, MS-OXOCNTC 2.2.1.1.3 */
static const exch_ews_enum_t  exch_ews_enum_file_as[] = {
    { "None", 0 }, { "LastCommaFirst", 0x8017 },
    { "FirstSpaceLast", 0x8016 }, { "Company", 0x3A16 },
    { "LastCommaFirstCompany", 0x8019 }, { "CompanyLastFirst", 0x8018 },
    { "LastFirst", 0x8030 }, { "LastFirstCompany", 0x8031 },
    { "CompanyLastCommaFirst", 0x8032 }, { "LastFirstSuffix", 0x8033 },
    { "LastSpaceFirstCompany", 0x8034 }, { "CompanyLastSpaceFirst", 0x8035 },
    { "LastSpaceFirst", 0x8036 }, { "DisplayName", 0x3001 },
    { "FirstName", 0x3A06 }, { "LastFirstMiddleSuffix", 0x8037 },
    { "LastName", 0x3A11 }, { "Empty", -1 }, { NULL, 0 }
};

static const exch_ews_enum_t  exch_ews_enum_meeting_type[] = {
    { "None", 0 }, { "FullUpdate", 0x00010000 }, { "InformationalUpdate",
    0x00020000 }, { "NewMeetingRequest", 1 }, { "Outdated", 0x00080000 },
    { "SilentUpdate", 0x00040000 }, { "PrincipalWantsCopy", 0x00000002 },
    { NULL, 0 }
};

static const exch_ews_enum_t  exch_ews_msgflag_submit[] = {
    { NULL, MSGFLAG_SUBMIT } };
static const exch_ews_enum_t  exch_ews_msgflag_unsent[] = {
    { NULL, MSGFLAG_UNSENT } };
static const exch_ews_enum_t  exch_ews_msgflag_fromme[] = {
    { NULL, MSGFLAG_FROMME } };
static const exch_ews_enum_t  exch_ews_msgflag_resend[] = {
    { NULL, MSGFLAG_RESEND } };
static const exch_ews_enum_t  exch_ews_msgflag_unmodified[] = {
    { NULL, MSGFLAG_UNMODIFIED } };
static const exch_ews_enum_t  exch_ews_msgflag_assoc[] = {
    { NULL, MSGFLAG_ASSOCIATED } };
static const exch_ews_enum_t  exch_ews_state_meeting[] = { { NULL, 1 } };
static const exch_ews_enum_t  exch_ews_state_cancelled[] = { { NULL, 4 } };

static const exch_ews_enum_t  exch_ews_rcpt_to[] = { { NULL, 1 } };
static const exch_ews_enum_t  exch_ews_rcpt_cc[] = { { NULL, 2 } };
static const exch_ews_enum_t  exch_ews_rcpt_bcc[] = { { NULL, 3 } };


/* property groups of mailboxes */

static const exch_ews_mbox_tags_t  exch_ews_tags_sender = {
    PR_SENDER_NAME, PR_SENDER_EMAIL_ADDRESS, PR_SENDER_ADDRTYPE,
    PR_SENDER_SMTP_ADDRESS, PR_SENDER_ENTRYID, PR_SENDER_SEARCH_KEY
};

static const exch_ews_mbox_tags_t  exch_ews_tags_from = {
    PR_SENT_REPRESENTING_NAME, PR_SENT_REPRESENTING_EMAIL_ADDRESS,
    PR_SENT_REPRESENTING_ADDRTYPE, PR_SENT_REPRESENTING_SMTP_ADDRESS,
    PR_SENT_REPRESENTING_ENTRYID, PR_SENT_REPRESENTING_SEARCH_KEY
};

static const exch_ews_mbox_tags_t  exch_ews_tags_received_by = {
    PR_RECEIVED_BY_NAME, PR_RECEIVED_BY_EMAIL_ADDRESS,
    PR_RECEIVED_BY_ADDRTYPE, PR_RECEIVED_BY_SMTP_ADDRESS,
    PR_RECEIVED_BY_ENTRYID, PR_RECEIVED_BY_SEARCH_KEY
};

static const exch_ews_mbox_tags_t  exch_ews_tags_received_rep = {
    PR_RCVD_REPRESENTING_NAME, PR_RCVD_REPRESENTING_EMAIL_ADDRESS,
    PR_RCVD_REPRESENTING_ADDRTYPE, PR_RCVD_REPRESENTING_SMTP_ADDRESS,
    PR_RCVD_REPRESENTING_ENTRYID, PR_RCVD_REPRESENTING_SEARCH_KEY
};


#define F(u, n, k, np, tag, ty, v, fl, aux)                                   \
    { u, n, EXCH_K_##k, np, tag, ty, EXCH_EWS_##v, fl, aux }
#define ALL     EXCH_IT_ALL
#define D       EXCH_F_DEFAULT
#define RO      EXCH_F_RO
#define NA      EXCH_F_NOALL
#define FI      EXCH_F_FIND


/* ItemType */

static const exch_ews_field_t  exch_ews_item_fields[] = {
    F("item:MimeContent", "MimeContent", MIME, 0, 0, ALL, V2007, NA, NULL),
    F("item:ItemId", "ItemId", ITEMID, 0, PR_ENTRYID, ALL, V2007,
      D | RO | FI, NULL),
    F("item:ParentFolderId", "ParentFolderId", PARENTFOLDER, 0,
      PR_PARENT_ENTRYID, ALL, V2007, RO | FI, NULL),
    F("item:ItemClass", "ItemClass", STRING, 0, PR_MESSAGE_CLASS, ALL,
      V2007, EXCH_F_CREATE | FI, NULL),
    F("item:Subject", "Subject", STRING, 0, PR_SUBJECT, ALL, V2007, D | FI,
      NULL),
    F("item:Sensitivity", "Sensitivity", ENUM, 0, PR_SENSITIVITY, ALL,
      V2007, FI, exch_ews_enum_sensitivity),
    F("item:Body", "Body", BODY, 0, PR_BODY, ALL, V2007, D, NULL),
    F("item:Attachments", "Attachments", ATTACHMENTS, 0, 0, ALL, V2007,
      D | RO, NULL),
    F("item:DateTimeReceived", "DateTimeReceived", TIME, 0,
      PR_MESSAGE_DELIVERY_TIME, ALL, V2007, RO | FI, NULL),
    F("item:Size", "Size", SIZE, 0, PR_MESSAGE_SIZE, ALL, V2007, RO | FI,
      NULL),
    F("item:Categories", "Categories", STRINGS, EXCH_NP_KEYWORDS, 0, ALL,
      V2007, FI, NULL),
    F("item:Importance", "Importance", ENUM, 0, PR_IMPORTANCE, ALL, V2007,
      FI, exch_ews_enum_importance),
    F("item:InReplyTo", "InReplyTo", STRING, 0, PR_IN_REPLY_TO_ID, ALL,
      V2007, FI, NULL),
    F("item:IsSubmitted", "IsSubmitted", MSGFLAG, 0, PR_MESSAGE_FLAGS, ALL,
      V2007, RO | FI, exch_ews_msgflag_submit),
    F("item:IsDraft", "IsDraft", MSGFLAG, 0, PR_MESSAGE_FLAGS, ALL, V2007,
      RO | FI, exch_ews_msgflag_unsent),
    F("item:IsFromMe", "IsFromMe", MSGFLAG, 0, PR_MESSAGE_FLAGS, ALL, V2007,
      RO | FI, exch_ews_msgflag_fromme),
    F("item:IsResend", "IsResend", MSGFLAG, 0, PR_MESSAGE_FLAGS, ALL, V2007,
      RO | FI, exch_ews_msgflag_resend),
    F("item:IsUnmodified", "IsUnmodified", MSGFLAG, 0, PR_MESSAGE_FLAGS,
      ALL, V2007, RO | FI, exch_ews_msgflag_unmodified),
    F("item:InternetMessageHeaders", "InternetMessageHeaders", HEADERS, 0,
      PR_TRANSPORT_MESSAGE_HEADERS, ALL, V2007, RO, NULL),
    F("item:DateTimeSent", "DateTimeSent", TIME, 0, PR_CLIENT_SUBMIT_TIME,
      ALL, V2007, RO | FI, NULL),
    F("item:DateTimeCreated", "DateTimeCreated", TIME, 0, PR_CREATION_TIME,
      ALL, V2007, RO | FI, NULL),
    F("item:ResponseObjects", "ResponseObjects", RESPONSEOBJECTS, 0, 0,
      ALL, V2007, RO, NULL),
    F("item:ReminderDueBy", "ReminderDueBy", TIME, EXCH_NP_REMINDER_TIME,
      0, ALL, V2007, FI, NULL),
    F("item:ReminderIsSet", "ReminderIsSet", BOOL, EXCH_NP_REMINDER_SET, 0,
      ALL, V2007, FI, NULL),
    F("item:ReminderNextTime", "ReminderNextTime", TIME,
      EXCH_NP_REMINDER_SIGNAL_TIME, 0, ALL, V2013, FI, NULL),
    F("item:ReminderMinutesBeforeStart", "ReminderMinutesBeforeStart", INT,
      EXCH_NP_REMINDER_DELTA, 0, ALL, V2007, FI, NULL),
    F("item:DisplayCc", "DisplayCc", STRING, 0, PR_DISPLAY_CC, ALL, V2007,
      RO | FI, NULL),
    F("item:DisplayTo", "DisplayTo", STRING, 0, PR_DISPLAY_TO, ALL, V2007,
      RO | FI, NULL),
    F("item:DisplayBcc", "DisplayBcc", STRING, 0, PR_DISPLAY_BCC, ALL,
      V2013, RO, NULL),
    F("item:HasAttachments", "HasAttachments", BOOL, 0, PR_HASATTACH, ALL,
      V2007, D | RO | FI, NULL),
    F(NULL, "ExtendedProperty", EXTENDED, 0, 0, ALL, V2007, 0, NULL),
    F("item:Culture", "Culture", CULTURE, 0, PR_MESSAGE_LOCALE_ID, ALL,
      V2007, FI, NULL),
    F("item:EffectiveRights", "EffectiveRights", RIGHTS, 0, PR_ACCESS, ALL,
      V2007_SP1, RO | FI, NULL),
    F("item:LastModifiedName", "LastModifiedName", STRING, 0,
      PR_LAST_MODIFIER_NAME, ALL, V2007_SP1, RO | FI, NULL),
    F("item:LastModifiedTime", "LastModifiedTime", TIME, 0,
      PR_LAST_MODIFICATION_TIME, ALL, V2007_SP1, RO | FI, NULL),
    F("item:IsAssociated", "IsAssociated", MSGFLAG, 0, PR_MESSAGE_FLAGS,
      ALL, V2010, D | RO | FI, exch_ews_msgflag_assoc),
    F("item:WebClientReadFormQueryString", "WebClientReadFormQueryString",
      NONE, 0, 0, ALL, V2010, RO, NULL),
    F("item:WebClientEditFormQueryString", "WebClientEditFormQueryString",
      NONE, 0, 0, ALL, V2010, RO, NULL),
    F("item:ConversationId", "ConversationId", CONVID, 0,
      PR_CONVERSATION_ID, ALL, V2010, RO | FI, NULL),
    F("item:UniqueBody", "UniqueBody", UNIQUEBODY, 0, 0, ALL, V2010,
      RO | NA, NULL),
    F("item:Flag", "Flag", FLAG, 0, PR_FLAG_STATUS, ALL, V2013, 0, NULL),
    F("item:StoreEntryId", "StoreEntryId", BASE64, 0, PR_ENTRYID, ALL,
      V2013, RO, NULL),
    F("item:InstanceKey", "InstanceKey", NONE, 0, 0, ALL, V2013, RO, NULL),
    F("item:NormalizedBody", "NormalizedBody", NORMBODY, 0, 0, ALL, V2013,
      RO | NA, NULL),
    F("item:EntityExtractionResult", "EntityExtractionResult", NONE, 0, 0,
      ALL, V2013, RO, NULL),
    F("item:PolicyTag", "PolicyTag", NONE, 0, 0, ALL, V2013, 0, NULL),
    F("item:ArchiveTag", "ArchiveTag", NONE, 0, 0, ALL, V2013, 0, NULL),
    F("item:RetentionDate", "RetentionDate", NONE, 0, 0, ALL, V2013, RO,
      NULL),
    F("item:Preview", "Preview", PREVIEW, 0, 0, ALL, V2013, RO, NULL),
    F("item:RightsManagementLicenseData", "RightsManagementLicenseData",
      NONE, 0, 0, ALL, V2013, RO, NULL),
    F("item:PredictedActionReasons", "PredictedActionReasons", NONE, 0, 0,
      ALL, V2013, RO, NULL),
    F("item:IsClutter", "IsClutter", NONE, 0, 0, ALL, V2013, RO, NULL),
    F("item:BlockStatus", "BlockStatus", NONE, 0, 0, ALL, V2013, RO, NULL),
    F("item:HasBlockedImages", "HasBlockedImages", NONE, 0, 0, ALL, V2013,
      RO, NULL),
    F("item:TextBody", "TextBody", TEXTBODY, 0, 0, ALL, V2013, RO | NA,
      NULL),
    F("item:IconIndex", "IconIndex", NONE, 0, 0, ALL, V2013, RO, NULL),
    F("item:SearchKey", "SearchKey", BASE64, 0, PR_SEARCH_KEY, ALL, V2013,
      RO, NULL),
    F("item:SortKey", "SortKey", NONE, 0, 0, ALL, V2013, RO, NULL),
    F("item:Hashtags", "Hashtags", NONE, 0, 0, ALL, V2015, RO, NULL),
    F("item:Mentions", "Mentions", NONE, 0, 0, ALL, V2015, RO, NULL),
    F("item:MentionedMe", "MentionedMe", NONE, 0, 0, ALL, V2015, RO, NULL),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};


/* MessageType */

static const exch_ews_field_t  exch_ews_message_fields[] = {
    F("message:Sender", "Sender", MAILBOX, 0, PR_SENDER_NAME,
      EXCH_IT_MSGLIKE, V2007, FI, &exch_ews_tags_sender),
    F("message:ToRecipients", "ToRecipients", RCPTS, 0, PR_DISPLAY_TO,
      EXCH_IT_MSGLIKE, V2007, D, exch_ews_rcpt_to),
    F("message:CcRecipients", "CcRecipients", RCPTS, 0, PR_DISPLAY_CC,
      EXCH_IT_MSGLIKE, V2007, D, exch_ews_rcpt_cc),
    F("message:BccRecipients", "BccRecipients", RCPTS, 0, PR_DISPLAY_BCC,
      EXCH_IT_MSGLIKE, V2007, D, exch_ews_rcpt_bcc),
    F("message:IsReadReceiptRequested", "IsReadReceiptRequested", BOOL, 0,
      PR_READ_RECEIPT_REQUESTED, EXCH_IT_MSGLIKE, V2007, FI, NULL),
    F("message:IsDeliveryReceiptRequested", "IsDeliveryReceiptRequested",
      BOOL, 0, PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED, EXCH_IT_MSGLIKE,
      V2007, FI, NULL),
    F("message:ConversationIndex", "ConversationIndex", BASE64, 0,
      PR_CONVERSATION_INDEX, EXCH_IT_MSGLIKE, V2007, RO | FI, NULL),
    F("message:ConversationTopic", "ConversationTopic", STRING, 0,
      PR_CONVERSATION_TOPIC, EXCH_IT_MSGLIKE, V2007, RO | FI, NULL),
    F("message:From", "From", MAILBOX, 0, PR_SENT_REPRESENTING_NAME,
      EXCH_IT_MSGLIKE, V2007, D | FI, &exch_ews_tags_from),
    F("message:InternetMessageId", "InternetMessageId", STRING, 0,
      PR_INTERNET_MESSAGE_ID, EXCH_IT_MSGLIKE, V2007, FI, NULL),
    F("message:IsRead", "IsRead", READ, 0, PR_MESSAGE_FLAGS,
      EXCH_IT_MSGLIKE, V2007, D | FI, NULL),
    F("message:IsResponseRequested", "IsResponseRequested", BOOL, 0,
      PR_RESPONSE_REQUESTED, EXCH_IT_MSGLIKE, V2007, FI, NULL),
    F("message:References", "References", STRING, 0,
      PR_INTERNET_REFERENCES, EXCH_IT_MSGLIKE, V2007, FI, NULL),
    F("message:ReplyTo", "ReplyTo", REPLYTO, 0, PR_REPLY_RECIPIENT_NAMES,
      EXCH_IT_MSGLIKE, V2007, 0, NULL),
    F("message:ReceivedBy", "ReceivedBy", MAILBOX, 0, PR_RECEIVED_BY_NAME,
      EXCH_IT_MSGLIKE, V2007_SP1, RO, &exch_ews_tags_received_by),
    F("message:ReceivedRepresenting", "ReceivedRepresenting", MAILBOX, 0,
      PR_RCVD_REPRESENTING_NAME, EXCH_IT_MSGLIKE, V2007_SP1, RO,
      &exch_ews_tags_received_rep),
    F("message:ApprovalRequestData", "ApprovalRequestData", NONE, 0, 0,
      EXCH_IT_MSGLIKE, V2013, RO, NULL),
    F("message:VotingInformation", "VotingInformation", NONE, 0, 0,
      EXCH_IT_MSGLIKE, V2013, RO, NULL),
    F("message:ReminderMessageData", "ReminderMessageData", NONE, 0, 0,
      EXCH_IT_MSGLIKE, V2013, RO, NULL),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};


/* MeetingMessageType */

static const exch_ews_field_t  exch_ews_meeting_fields[] = {
    F("meeting:AssociatedCalendarItemId", "AssociatedCalendarItemId", NONE,
      0, 0, EXCH_IT_MTG, V2007, RO, NULL),
    F("meeting:IsDelegated", "IsDelegated", NONE, 0, 0, EXCH_IT_MTG, V2007,
      RO, NULL),
    F("meeting:IsOutOfDate", "IsOutOfDate", NONE, 0, 0, EXCH_IT_MTG, V2007,
      RO, NULL),
    F("meeting:HasBeenProcessed", "HasBeenProcessed", NONE, 0, 0,
      EXCH_IT_MTG, V2007, RO, NULL),
    F("meeting:ResponseType", "ResponseType", ENUM,
      EXCH_NP_RESPONSE_STATUS, 0, EXCH_IT_MTG, V2007, RO,
      exch_ews_enum_response),
    F("calendar:UID", "UID", UID, EXCH_NP_GLOBAL_OBJID, 0, EXCH_IT_MTG,
      V2007_SP1, 0, NULL),
    F("calendar:DateTimeStamp", "DateTimeStamp", TIME,
      EXCH_NP_OWNER_CRITICAL_CHANGE, 0, EXCH_IT_MTG, V2007_SP1, 0, NULL),
    F("meetingRequest:MeetingRequestType", "MeetingRequestType", ENUM,
      EXCH_NP_MEETING_TYPE, 0, EXCH_IT_MREQ, V2007_SP1, RO,
      exch_ews_enum_meeting_type),
    F("meetingRequest:IntendedFreeBusyStatus", "IntendedFreeBusyStatus",
      ENUM, EXCH_NP_INTENDED_BUSY_STATUS, 0, EXCH_IT_MREQ, V2007_SP1, RO,
      exch_ews_enum_busy),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};


/* CalendarItemType, and the calendar part of meeting requests */

#define CAL     (EXCH_IT_CALENDAR|EXCH_IT_MREQ)

static const exch_ews_field_t  exch_ews_calendar_fields[] = {
    F("calendar:UID", "UID", UID, EXCH_NP_GLOBAL_OBJID, 0, EXCH_IT_CALENDAR,
      V2007_SP1, FI, NULL),
    F("calendar:RecurrenceId", "RecurrenceId", NONE, 0, 0,
      EXCH_IT_CALENDAR, V2010, RO, NULL),
    F("calendar:DateTimeStamp", "DateTimeStamp", TIME,
      EXCH_NP_OWNER_CRITICAL_CHANGE, 0, EXCH_IT_CALENDAR, V2007_SP1, FI,
      NULL),
    F("calendar:Start", "Start", TIME, EXCH_NP_APPT_START_WHOLE, 0,
      CAL | EXCH_IT_MCANCEL, V2007, D | FI, NULL),
    F("calendar:End", "End", TIME, EXCH_NP_APPT_END_WHOLE, 0,
      CAL | EXCH_IT_MCANCEL, V2007, D | FI, NULL),
    F("calendar:OriginalStart", "OriginalStart", NONE, 0, 0, CAL, V2007,
      RO, NULL),
    F("calendar:IsAllDayEvent", "IsAllDayEvent", BOOL, EXCH_NP_APPT_SUBTYPE,
      0, CAL, V2007, FI, NULL),
    F("calendar:LegacyFreeBusyStatus", "LegacyFreeBusyStatus", ENUM,
      EXCH_NP_BUSY_STATUS, 0, CAL, V2007, D | FI, exch_ews_enum_busy),
    F("calendar:Location", "Location", STRING, EXCH_NP_LOCATION, 0,
      CAL | EXCH_IT_MCANCEL, V2007, D | FI, NULL),
    F("calendar:When", "When", NONE, 0, 0, CAL, V2007, 0, NULL),
    F("calendar:IsMeeting", "IsMeeting", STATEFLAG,
      EXCH_NP_APPT_STATE_FLAGS, 0, CAL, V2007, RO | FI,
      exch_ews_state_meeting),
    F("calendar:IsCancelled", "IsCancelled", STATEFLAG,
      EXCH_NP_APPT_STATE_FLAGS, 0, CAL, V2007, RO | FI,
      exch_ews_state_cancelled),
    F("calendar:IsRecurring", "IsRecurring", BOOL, EXCH_NP_RECURRING, 0,
      CAL, V2007, RO | FI, NULL),
    F("calendar:MeetingRequestWasSent", "MeetingRequestWasSent", BOOL,
      EXCH_NP_FINVITED, 0, CAL, V2007, RO | FI, NULL),
    F("calendar:IsResponseRequested", "IsResponseRequested", BOOL, 0,
      PR_RESPONSE_REQUESTED, CAL, V2007, FI, NULL),
    F("calendar:CalendarItemType", "CalendarItemType", CALTYPE,
      EXCH_NP_RECURRING, 0, CAL, V2007, RO | FI, NULL),
    F("calendar:MyResponseType", "MyResponseType", ENUM,
      EXCH_NP_RESPONSE_STATUS, 0, CAL, V2007, RO | FI,
      exch_ews_enum_response),
    F("calendar:Organizer", "Organizer", MAILBOX, 0,
      PR_SENT_REPRESENTING_NAME, CAL, V2007, RO | FI, &exch_ews_tags_from),
    F("calendar:RequiredAttendees", "RequiredAttendees", ATTENDEES, 0, 0,
      CAL, V2007, 0, exch_ews_rcpt_to),
    F("calendar:OptionalAttendees", "OptionalAttendees", ATTENDEES, 0, 0,
      CAL, V2007, 0, exch_ews_rcpt_cc),
    F("calendar:Resources", "Resources", ATTENDEES, 0, 0, CAL, V2007, 0,
      exch_ews_rcpt_bcc),
    F("calendar:ConflictingMeetingCount", "ConflictingMeetingCount", NONE,
      0, 0, CAL, V2007, RO, NULL),
    F("calendar:AdjacentMeetingCount", "AdjacentMeetingCount", NONE, 0, 0,
      CAL, V2007, RO, NULL),
    F("calendar:Duration", "Duration", DURATION, EXCH_NP_APPT_DURATION, 0,
      CAL, V2007, RO | FI, NULL),
    F("calendar:TimeZone", "TimeZone", STRING, EXCH_NP_TIMEZONE_DESC, 0,
      CAL, V2007, RO | FI, NULL),
    F("calendar:AppointmentReplyTime", "AppointmentReplyTime", TIME,
      EXCH_NP_APPT_REPLY_TIME, 0, CAL, V2007, RO | FI, NULL),
    F("calendar:AppointmentSequenceNumber", "AppointmentSequenceNumber",
      INT, EXCH_NP_APPT_SEQUENCE, 0, CAL, V2007, RO | FI, NULL),
    F("calendar:AppointmentState", "AppointmentState", INT,
      EXCH_NP_APPT_STATE_FLAGS, 0, CAL, V2007, RO | FI, NULL),
    F("calendar:Recurrence", "Recurrence", RECURRENCE, EXCH_NP_APPT_RECUR,
      0, CAL, V2007, 0, NULL),
    F("calendar:FirstOccurrence", "FirstOccurrence", NONE, 0, 0, CAL, V2007,
      RO, NULL),
    F("calendar:LastOccurrence", "LastOccurrence", NONE, 0, 0, CAL, V2007,
      RO, NULL),
    F("calendar:ModifiedOccurrences", "ModifiedOccurrences", NONE, 0, 0,
      CAL, V2007, RO, NULL),
    F("calendar:DeletedOccurrences", "DeletedOccurrences", NONE, 0, 0, CAL,
      V2007, RO, NULL),
    F("calendar:MeetingTimeZone", "MeetingTimeZone", NONE, 0, 0, CAL,
      V2007, NA, NULL),
    F("calendar:StartTimeZone", "StartTimeZone", TZ, EXCH_NP_TZDEF_START, 0,
      CAL, V2010, 0, NULL),
    F("calendar:EndTimeZone", "EndTimeZone", TZ, EXCH_NP_TZDEF_END, 0, CAL,
      V2010, 0, NULL),
    F("calendar:ConferenceType", "ConferenceType", INT, EXCH_NP_CONF_TYPE,
      0, CAL, V2007, FI, NULL),
    F("calendar:AllowNewTimeProposal", "AllowNewTimeProposal", NOTBOOL,
      EXCH_NP_NOT_ALLOW_PROPOSE, 0, CAL, V2007, FI, NULL),
    F("calendar:IsOnlineMeeting", "IsOnlineMeeting", NONE, 0, 0, CAL, V2007,
      0, NULL),
    F("calendar:MeetingWorkspaceUrl", "MeetingWorkspaceUrl", STRING,
      EXCH_NP_MEETING_WORKSPACE_URL, 0, CAL, V2007, FI, NULL),
    F("calendar:NetShowUrl", "NetShowUrl", STRING, EXCH_NP_NETSHOW_URL, 0,
      CAL, V2007, FI, NULL),
    F("calendar:EnhancedLocation", "EnhancedLocation", NONE, 0, 0, CAL,
      V2015, 0, NULL),
    F("calendar:StartWallClock", "StartWallClock", NONE, 0, 0, CAL, V2015,
      RO, NULL),
    F("calendar:EndWallClock", "EndWallClock", NONE, 0, 0, CAL, V2015, RO,
      NULL),
    F("calendar:StartTimeZoneId", "StartTimeZoneId", NONE, 0, 0, CAL,
      V2015, RO, NULL),
    F("calendar:EndTimeZoneId", "EndTimeZoneId", NONE, 0, 0, CAL, V2015, RO,
      NULL),
    F("calendar:IntendedFreeBusyStatus", "IntendedFreeBusyStatus", ENUM,
      EXCH_NP_INTENDED_BUSY_STATUS, 0, EXCH_IT_CALENDAR, V2015, RO,
      exch_ews_enum_busy),
    F("calendar:JoinOnlineMeetingUrl", "JoinOnlineMeetingUrl", NONE, 0, 0,
      CAL, V2015, RO, NULL),
    F("calendar:OnlineMeetingSettings", "OnlineMeetingSettings", NONE, 0, 0,
      CAL, V2015, RO, NULL),
    F("calendar:IsOrganizer", "IsOrganizer", NONE, 0, 0, CAL, V2015, RO,
      NULL),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};

#undef CAL


/* ContactItemType and DistributionListType */

#define CT      EXCH_IT_CONTACT
#define CTDL    (EXCH_IT_CONTACT|EXCH_IT_DL)

static const exch_ews_field_t  exch_ews_contact_fields[] = {
    F("contacts:FileAs", "FileAs", STRING, EXCH_NP_FILE_UNDER, 0, CT, V2007,
      FI, NULL),
    F("contacts:FileAsMapping", "FileAsMapping", ENUM,
      EXCH_NP_FILE_UNDER_ID, 0, CT, V2007, FI, exch_ews_enum_file_as),
    F("contacts:DisplayName", "DisplayName", STRING, 0, PR_DISPLAY_NAME, CT,
      V2007, D | FI, NULL),
    F("contacts:GivenName", "GivenName", STRING, 0, PR_GIVEN_NAME, CT,
      V2007, FI, NULL),
    F("contacts:Initials", "Initials", STRING, 0, PR_INITIALS, CT, V2007,
      FI, NULL),
    F("contacts:MiddleName", "MiddleName", STRING, 0, PR_MIDDLE_NAME, CT,
      V2007, FI, NULL),
    F("contacts:Nickname", "Nickname", STRING, 0, PR_NICKNAME, CT, V2007,
      FI, NULL),
    F("contacts:CompleteName", "CompleteName", COMPLETENAME, 0, 0, CT,
      V2007, RO, NULL),
    F("contacts:CompanyName", "CompanyName", STRING, 0, PR_COMPANY_NAME, CT,
      V2007, FI, NULL),
    F("contacts:EmailAddresses", "EmailAddresses", EMAILS, 0, 0, CT, V2007,
      D, NULL),
    F("contacts:PhysicalAddresses", "PhysicalAddresses", ADDRESSES, 0, 0,
      CT, V2007, 0, NULL),
    F("contacts:PhoneNumbers", "PhoneNumbers", PHONES, 0, 0, CT, V2007, D,
      NULL),
    F("contacts:AssistantName", "AssistantName", STRING, 0, PR_ASSISTANT,
      CT, V2007, FI, NULL),
    F("contacts:Birthday", "Birthday", TIME, 0, PR_BIRTHDAY, CT, V2007, FI,
      NULL),
    F("contacts:BusinessHomePage", "BusinessHomePage", STRING, 0,
      PR_BUSINESS_HOME_PAGE, CT, V2007, FI, NULL),
    F("contacts:Children", "Children", STRINGS, 0, PR_CHILDRENS_NAMES, CT,
      V2007, 0, NULL),
    F("contacts:Companies", "Companies", STRINGS, EXCH_NP_COMPANIES, 0, CT,
      V2007, 0, NULL),
    F("contacts:ContactSource", "ContactSource", CONTACTSOURCE, 0, 0, CTDL,
      V2007, RO | FI, NULL),
    F("contacts:Department", "Department", STRING, 0, PR_DEPARTMENT_NAME,
      CT, V2007, FI, NULL),
    F("contacts:Generation", "Generation", STRING, 0, PR_GENERATION, CT,
      V2007, FI, NULL),
    F("contacts:ImAddresses", "ImAddresses", IMADDRS, 0, 0, CT, V2007, 0,
      NULL),
    F("contacts:JobTitle", "JobTitle", STRING, 0, PR_TITLE, CT, V2007, FI,
      NULL),
    F("contacts:Manager", "Manager", STRING, 0, PR_MANAGER_NAME, CT, V2007,
      FI, NULL),
    F("contacts:Mileage", "Mileage", STRING, EXCH_NP_MILEAGE, 0, CT, V2007,
      FI, NULL),
    F("contacts:OfficeLocation", "OfficeLocation", STRING, 0,
      PR_OFFICE_LOCATION, CT, V2007, FI, NULL),
    F("contacts:PostalAddressIndex", "PostalAddressIndex", ENUM,
      EXCH_NP_POSTAL_ADDRESS_ID, 0, CT, V2007, FI,
      exch_ews_enum_postal_index),
    F("contacts:Profession", "Profession", STRING, 0, PR_PROFESSION, CT,
      V2007, FI, NULL),
    F("contacts:SpouseName", "SpouseName", STRING, 0, PR_SPOUSE_NAME, CT,
      V2007, FI, NULL),
    F("contacts:Surname", "Surname", STRING, 0, PR_SURNAME, CT, V2007, FI,
      NULL),
    F("contacts:WeddingAnniversary", "WeddingAnniversary", TIME, 0,
      PR_WEDDING_ANNIVERSARY, CT, V2007, FI, NULL),
    F("contacts:HasPicture", "HasPicture", BOOL, EXCH_NP_HAS_PICTURE, 0, CT,
      V2010, RO | FI, NULL),
    F("contacts:PhoneticFullName", "PhoneticFullName", NONE, 0, 0, CT,
      V2010_SP2, RO, NULL),
    F("contacts:PhoneticFirstName", "PhoneticFirstName", STRING,
      EXCH_NP_YOMI_FIRST, 0, CT, V2010_SP2, RO, NULL),
    F("contacts:PhoneticLastName", "PhoneticLastName", STRING,
      EXCH_NP_YOMI_LAST, 0, CT, V2010_SP2, RO, NULL),
    F("contacts:Alias", "Alias", NONE, 0, 0, CT, V2010_SP2, RO, NULL),
    F("contacts:Notes", "Notes", NONE, 0, 0, CT, V2010_SP2, RO, NULL),
    F("contacts:Photo", "Photo", NONE, 0, 0, CT, V2010_SP2, RO, NULL),
    F("contacts:UserSMIMECertificate", "UserSMIMECertificate", NONE, 0, 0,
      CT, V2010_SP2, RO, NULL),
    F("contacts:MSExchangeCertificate", "MSExchangeCertificate", NONE, 0, 0,
      CT, V2010_SP2, RO, NULL),
    F("contacts:DirectoryId", "DirectoryId", NONE, 0, 0, CT, V2010_SP2, RO,
      NULL),
    F("contacts:ManagerMailbox", "ManagerMailbox", NONE, 0, 0, CT,
      V2010_SP2, RO, NULL),
    F("contacts:DirectReports", "DirectReports", NONE, 0, 0, CT, V2010_SP2,
      RO, NULL),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};

static const exch_ews_field_t  exch_ews_dl_fields[] = {
    F("contacts:DisplayName", "DisplayName", STRING, 0, PR_DISPLAY_NAME,
      EXCH_IT_DL, V2007, D | FI, NULL),
    F("contacts:FileAs", "FileAs", STRING, EXCH_NP_FILE_UNDER, 0,
      EXCH_IT_DL, V2007, FI, NULL),
    F("contacts:ContactSource", "ContactSource", CONTACTSOURCE, 0, 0,
      EXCH_IT_DL, V2007, RO | FI, NULL),
    F("distributionlist:Members", "Members", DLMEMBERS, 0, 0, EXCH_IT_DL,
      V2010, 0, NULL),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};

#undef CT
#undef CTDL


/* TaskType */

#define TK      EXCH_IT_TASK

static const exch_ews_field_t  exch_ews_task_fields[] = {
    F("task:ActualWork", "ActualWork", INT, EXCH_NP_TASK_ACTUAL_EFFORT, 0,
      TK, V2007, FI, NULL),
    F("task:AssignedTime", "AssignedTime", NONE, 0, 0, TK, V2007, RO, NULL),
    F("task:BillingInformation", "BillingInformation", STRING,
      EXCH_NP_BILLING, 0, TK, V2007, FI, NULL),
    F("task:ChangeCount", "ChangeCount", INT, EXCH_NP_TASK_VERSION, 0, TK,
      V2007, RO | FI, NULL),
    F("task:Companies", "Companies", STRINGS, EXCH_NP_COMPANIES, 0, TK,
      V2007, 0, NULL),
    F("task:CompleteDate", "CompleteDate", TIME, EXCH_NP_TASK_COMPLETED, 0,
      TK, V2007, FI, NULL),
    F("task:Contacts", "Contacts", STRINGS, EXCH_NP_CONTACTS, 0, TK, V2007,
      0, NULL),
    F("task:DelegationState", "DelegationState", ENUM,
      EXCH_NP_TASK_ACCEPTANCE_STATE, 0, TK, V2007, RO | FI,
      exch_ews_enum_delegation),
    F("task:Delegator", "Delegator", STRING, EXCH_NP_TASK_ASSIGNER, 0, TK,
      V2007, RO | FI, NULL),
    F("task:DueDate", "DueDate", TIME, EXCH_NP_TASK_DUE, 0, TK, V2007,
      D | FI, NULL),
    F("task:IsAssignmentEditable", "IsAssignmentEditable", NONE, 0, 0, TK,
      V2007, RO, NULL),
    F("task:IsComplete", "IsComplete", BOOL, EXCH_NP_TASK_COMPLETE, 0, TK,
      V2007, RO | FI, NULL),
    F("task:IsRecurring", "IsRecurring", BOOL, EXCH_NP_TASK_FRECURRING, 0,
      TK, V2007, RO | FI, NULL),
    F("task:IsTeamTask", "IsTeamTask", BOOL, EXCH_NP_TEAM_TASK, 0, TK,
      V2007, RO | FI, NULL),
    F("task:Mileage", "Mileage", STRING, EXCH_NP_MILEAGE, 0, TK, V2007, FI,
      NULL),
    F("task:Owner", "Owner", STRING, EXCH_NP_TASK_OWNER, 0, TK, V2007,
      RO | FI, NULL),
    F("task:PercentComplete", "PercentComplete", PERCENT,
      EXCH_NP_PERCENT_COMPLETE, 0, TK, V2007, D | FI, NULL),
    F("task:Recurrence", "Recurrence", RECURRENCE, EXCH_NP_TASK_RECURRENCE,
      0, TK, V2007, 0, NULL),
    F("task:StartDate", "StartDate", TIME, EXCH_NP_TASK_START, 0, TK, V2007,
      FI, NULL),
    F("task:Status", "Status", ENUM, EXCH_NP_TASK_STATUS, 0, TK, V2007,
      D | FI, exch_ews_enum_task_status),
    F("task:StatusDescription", "StatusDescription", NONE, 0, 0, TK, V2007,
      RO, NULL),
    F("task:TotalWork", "TotalWork", INT, EXCH_NP_TASK_ESTIMATED_EFFORT, 0,
      TK, V2007, FI, NULL),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};

#undef TK


/* PostItemType */

static const exch_ews_field_t  exch_ews_post_fields[] = {
    F("message:ConversationIndex", "ConversationIndex", BASE64, 0,
      PR_CONVERSATION_INDEX, EXCH_IT_POST, V2007, RO | FI, NULL),
    F("message:ConversationTopic", "ConversationTopic", STRING, 0,
      PR_CONVERSATION_TOPIC, EXCH_IT_POST, V2007, RO | FI, NULL),
    F("message:From", "From", MAILBOX, 0, PR_SENT_REPRESENTING_NAME,
      EXCH_IT_POST, V2007, D | FI, &exch_ews_tags_from),
    F("message:InternetMessageId", "InternetMessageId", STRING, 0,
      PR_INTERNET_MESSAGE_ID, EXCH_IT_POST, V2007, FI, NULL),
    F("message:IsRead", "IsRead", READ, 0, PR_MESSAGE_FLAGS, EXCH_IT_POST,
      V2007, D | FI, NULL),
    F("postitem:PostedTime", "PostedTime", TIME, 0, PR_CLIENT_SUBMIT_TIME,
      EXCH_IT_POST, V2007, RO | FI, NULL),
    F("message:References", "References", STRING, 0, PR_INTERNET_REFERENCES,
      EXCH_IT_POST, V2007, FI, NULL),
    F("message:Sender", "Sender", MAILBOX, 0, PR_SENDER_NAME, EXCH_IT_POST,
      V2007, FI, &exch_ews_tags_sender),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};


/* BaseFolderType, FolderType and its kinds */

#define FO      EXCH_IT_FOLDER

const exch_ews_field_t  exch_ews_folder_fields[] = {
    F("folder:FolderId", "FolderId", FOLDERID, 0, PR_ENTRYID, FO, V2007,
      D | RO, NULL),
    F("folder:ParentFolderId", "ParentFolderId", PARENTFOLDER, 0,
      PR_PARENT_ENTRYID, FO, V2007, RO, NULL),
    F("folder:FolderClass", "FolderClass", STRING, 0, PR_CONTAINER_CLASS,
      FO, V2007, 0, NULL),
    F("folder:DisplayName", "DisplayName", STRING, 0, PR_DISPLAY_NAME, FO,
      V2007, D, NULL),
    F("folder:TotalCount", "TotalCount", FOLDERCOUNT, 0, PR_CONTENT_COUNT,
      FO, V2007, D | RO, NULL),
    F("folder:ChildFolderCount", "ChildFolderCount", FOLDERCOUNT, 0,
      PR_FOLDER_CHILD_COUNT, FO, V2007, D | RO, NULL),
    F(NULL, "ExtendedProperty", EXTENDED, 0, 0, FO, V2007, 0, NULL),
    F("folder:ManagedFolderInformation", "ManagedFolderInformation", NONE,
      0, 0, FO, V2007, RO, NULL),
    F("folder:EffectiveRights", "EffectiveRights", FOLDERRIGHTS, 0,
      PR_RIGHTS, FO, V2007_SP1, RO, NULL),
    F("folder:DistinguishedFolderId", "DistinguishedFolderId", DISTFOLDER,
      0, 0, FO, V2013, RO, NULL),
    F("folder:PolicyTag", "PolicyTag", NONE, 0, 0, FO, V2013, 0, NULL),
    F("folder:ArchiveTag", "ArchiveTag", NONE, 0, 0, FO, V2013, 0, NULL),
    F("folder:PermissionSet", "PermissionSet", PERMISSIONS, 0, 0, FO,
      V2007_SP1, NA, NULL),
    F("folder:UnreadCount", "UnreadCount", FOLDERCOUNT, 0,
      PR_CONTENT_UNREAD, FO, V2007, D | RO, NULL),
    F("folder:SearchParameters", "SearchParameters", SEARCHPARAMS, 0, 0,
      FO, V2007, NA, NULL),
    F("folder:SharingEffectiveRights", "SharingEffectiveRights", NONE, 0, 0,
      FO, V2007_SP1, RO, NULL),
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL }
};

#undef FO
#undef F
#undef ALL
#undef D
#undef RO
#undef NA
#undef FI


/* the groups of each item type */

static const exch_ews_field_t *const  exch_ews_groups_item[] = {
    exch_ews_item_fields, NULL
};
static const exch_ews_field_t *const  exch_ews_groups_message[] = {
    exch_ews_item_fields, exch_ews_message_fields, NULL
};
static const exch_ews_field_t *const  exch_ews_groups_calendar[] = {
    exch_ews_item_fields, exch_ews_calendar_fields, NULL
};
static const exch_ews_field_t *const  exch_ews_groups_contact[] = {
    exch_ews_item_fields, exch_ews_contact_fields, NULL
};
static const exch_ews_field_t *const  exch_ews_groups_dl[] = {
    exch_ews_item_fields, exch_ews_dl_fields, NULL
};
static const exch_ews_field_t *const  exch_ews_groups_task[] = {
    exch_ews_item_fields, exch_ews_task_fields, NULL
};
static const exch_ews_field_t *const  exch_ews_groups_post[] = {
    exch_ews_item_fields, exch_ews_post_fields, NULL
};
static const exch_ews_field_t *const  exch_ews_groups_meeting[] = {
    exch_ews_item_fields, exch_ews_message_fields, exch_ews_meeting_fields,
    exch_ews_calendar_fields, NULL
};
static const exch_ews_field_t *const  exch_ews_groups_all[] = {
    exch_ews_item_fields, exch_ews_message_fields, exch_ews_meeting_fields,
    exch_ews_calendar_fields, exch_ews_contact_fields, exch_ews_dl_fields,
    exch_ews_task_fields, exch_ews_post_fields, exch_ews_folder_fields, NULL
};


/* every field a number of its own, for the bitmaps of shapes */

#define SPAN(a)  { a, sizeof(a) / sizeof(exch_ews_field_t) - 1 }

static const struct {
    const exch_ews_field_t   *f;
    uint32_t                  n;
} exch_ews_spans[] = {
    SPAN(exch_ews_item_fields),
    SPAN(exch_ews_message_fields),
    SPAN(exch_ews_meeting_fields),
    SPAN(exch_ews_calendar_fields),
    SPAN(exch_ews_contact_fields),
    SPAN(exch_ews_dl_fields),
    SPAN(exch_ews_task_fields),
    SPAN(exch_ews_post_fields),
    { NULL, 0 }
};

#undef SPAN


int
exch_ews_field_index(const exch_ews_field_t *f)
{
    int       base;
    uint32_t  i;

    base = 0;

    for (i = 0; exch_ews_spans[i].f; i++) {
        if (f >= exch_ews_spans[i].f
            && f < exch_ews_spans[i].f + exch_ews_spans[i].n)
        {
            return base + (int) (f - exch_ews_spans[i].f);
        }

        base += (int) exch_ews_spans[i].n;
    }

    if (f >= exch_ews_folder_fields && f->name) {
        return base + (int) (f - exch_ews_folder_fields);
    }

    return -1;
}


uint32_t
exch_ews_field_count(void)
{
    uint32_t                  n, i;
    const exch_ews_field_t   *f;

    n = 0;

    for (i = 0; exch_ews_spans[i].f; i++) {
        n += exch_ews_spans[i].n;
    }

    for (f = exch_ews_folder_fields; f->name; f++) {
        n++;
    }

    return n;
}


void
exch_ews_field_mark(const exch_ews_field_t *field, uint8_t *bitmap)
{
    uint32_t                        i;
    const exch_ews_field_t         *f;
    const exch_ews_field_t *const  *g;

    /* the same FieldURI in several types' groups: all of them */

    i = 0;

    for (g = exch_ews_groups_all; *g; g++) {
        for (f = *g; f->name; f++, i++) {
            if (f == field || (f->uri && field->uri
                               && f->uri[0] == field->uri[0]
                               && strcmp(f->uri, field->uri) == 0))
            {
                bitmap[i / 8] |= (uint8_t) (1 << (i % 8));
            }
        }
    }
}


const exch_ews_field_t *const *
exch_ews_type_groups(unsigned type)
{
    switch (type) {
    case EXCH_IT_MESSAGE:
        return exch_ews_groups_message;
    case EXCH_IT_CALENDAR:
        return exch_ews_groups_calendar;
    case EXCH_IT_CONTACT:
        return exch_ews_groups_contact;
    case EXCH_IT_DL:
        return exch_ews_groups_dl;
    case EXCH_IT_TASK:
        return exch_ews_groups_task;
    case EXCH_IT_POST:
        return exch_ews_groups_post;
    case EXCH_IT_MREQ:
    case EXCH_IT_MRESP:
    case EXCH_IT_MCANCEL:
        return exch_ews_groups_meeting;
    default:
        return exch_ews_groups_item;
    }
}


unsigned
exch_ews_item_type(const char *cls)
{
    if (cls == NULL || *cls == '\0') {
        return EXCH_IT_MESSAGE;
    }

#define PFX(s)  (strncasecmp(cls, s, sizeof(s) - 1) == 0                      \
                 && (cls[sizeof(s) - 1] == '\0' || cls[sizeof(s) - 1] == '.'))

    if (PFX("IPM.Note") || PFX("REPORT") || PFX("IPM.Outlook.Recall")
        || PFX("IPM.Sharing") || PFX("IPM.Document") || PFX("IPM.Recall"))
    {
        return EXCH_IT_MESSAGE;
    }

    if (PFX("IPM.Appointment")) {
        return EXCH_IT_CALENDAR;
    }

    if (PFX("IPM.Contact")) {
        return EXCH_IT_CONTACT;
    }

    if (PFX("IPM.DistList")) {
        return EXCH_IT_DL;
    }

    if (PFX("IPM.Task")) {
        return EXCH_IT_TASK;
    }

    if (PFX("IPM.Post")) {
        return EXCH_IT_POST;
    }

    if (PFX("IPM.Schedule.Meeting.Request")) {
        return EXCH_IT_MREQ;
    }

    if (PFX("IPM.Schedule.Meeting.Resp")) {
        return EXCH_IT_MRESP;
    }

    if (PFX("IPM.Schedule.Meeting.Canceled")) {
        return EXCH_IT_MCANCEL;
    }

    if (PFX("IPM") && strchr(cls, '.') == NULL) {
        return EXCH_IT_MESSAGE;
    }

#undef PFX

    return EXCH_IT_ITEM;
}


const char *
exch_ews_item_type_name(unsigned type)
{
    switch (type) {
    case EXCH_IT_MESSAGE:
        return "Message";
    case EXCH_IT_CALENDAR:
        return "CalendarItem";
    case EXCH_IT_CONTACT:
        return "Contact";
    case EXCH_IT_DL:
        return "DistributionList";
    case EXCH_IT_TASK:
        return "Task";
    case EXCH_IT_POST:
        return "PostItem";
    case EXCH_IT_MREQ:
        return "MeetingRequest";
    case EXCH_IT_MRESP:
        return "MeetingResponse";
    case EXCH_IT_MCANCEL:
        return "MeetingCancellation";
    default:
        return "Item";
    }
}


unsigned
exch_ews_item_type_of(const char *elem)
{
    static const unsigned  types[] = {
        EXCH_IT_ITEM, EXCH_IT_MESSAGE, EXCH_IT_CALENDAR, EXCH_IT_CONTACT,
        EXCH_IT_DL, EXCH_IT_TASK, EXCH_IT_POST, EXCH_IT_MREQ, EXCH_IT_MRESP,
        EXCH_IT_MCANCEL, 0
    };
    const unsigned  *t;

    for (t = types; *t; t++) {
        if (strcmp(elem, exch_ews_item_type_name(*t)) == 0) {
            return *t;
        }
    }

    /* the response objects that CreateItem accepts are answered
     * elsewhere; anything else is not an item */
    return 0;
}


const char *
exch_ews_item_type_class(unsigned type)
{
    switch (type) {
    case EXCH_IT_CALENDAR:
        return "IPM.Appointment";
    case EXCH_IT_CONTACT:
        return "IPM.Contact";
    case EXCH_IT_DL:
        return "IPM.DistList";
    case EXCH_IT_TASK:
        return "IPM.Task";
    case EXCH_IT_POST:
        return "IPM.Post";
    case EXCH_IT_MREQ:
        return "IPM.Schedule.Meeting.Request";
    case EXCH_IT_MRESP:
        return "IPM.Schedule.Meeting.Resp.Pos";
    case EXCH_IT_MCANCEL:
        return "IPM.Schedule.Meeting.Canceled";
    case EXCH_IT_ITEM:
        return "IPM";
    default:
        return "IPM.Note";
    }
}


const exch_ews_field_t *
exch_ews_field_by_uri(const char *uri)
{
    const exch_ews_field_t         *f;
    const exch_ews_field_t *const  *g;

    for (g = exch_ews_groups_all; *g; g++) {
        for (f = *g; f->name; f++) {
            if (f->uri && strcmp(f->uri, uri) == 0) {
                return f;
            }
        }
    }

    return NULL;
}


const exch_ews_field_t *
exch_ews_field_by_name(unsigned type, const char *name)
{
    const exch_ews_field_t         *f;
    const exch_ews_field_t *const  *g;

    if (type == EXCH_IT_FOLDER) {
        for (f = exch_ews_folder_fields; f->name; f++) {
            if (strcmp(f->name, name) == 0) {
                return f;
            }
        }

        return NULL;
    }

    for (g = exch_ews_type_groups(type); *g; g++) {
        for (f = *g; f->name; f++) {
            if ((f->types & type) && strcmp(f->name, name) == 0) {
                return f;
            }
        }
    }

    return NULL;
}


const char *
exch_ews_enum_name(const exch_ews_enum_t *e, int32_t v)
{
    for ( ; e->name; e++) {
        if (e->value == v) {
            return e->name;
        }
    }

    return NULL;
}


int
exch_ews_enum_value(const exch_ews_enum_t *e, const char *name, int32_t *v)
{
    if (name == NULL) {
        return -1;
    }

    for ( ; e->name; e++) {
        if (strcmp(e->name, name) == 0) {
            *v = e->value;
            return 0;
        }
    }

    return -1;
}


/* indexed fields */

const exch_ews_index_t  exch_ews_phones[] = {
    { "AssistantPhone", PR_ASSISTANT_TELEPHONE_NUMBER, 0 },
    { "BusinessFax", PR_BUSINESS_FAX_NUMBER, 0 },
    { "BusinessPhone", PR_BUSINESS_TELEPHONE_NUMBER, 0 },
    { "BusinessPhone2", PR_BUSINESS2_TELEPHONE_NUMBER, 0 },
    { "Callback", PR_CALLBACK_TELEPHONE_NUMBER, 0 },
    { "CarPhone", PR_CAR_TELEPHONE_NUMBER, 0 },
    { "CompanyMainPhone", PR_COMPANY_MAIN_PHONE_NUMBER, 0 },
    { "HomeFax", PR_HOME_FAX_NUMBER, 0 },
    { "HomePhone", PR_HOME_TELEPHONE_NUMBER, 0 },
    { "HomePhone2", PR_HOME2_TELEPHONE_NUMBER, 0 },
    { "Isdn", PR_ISDN_NUMBER, 0 },
    { "MobilePhone", PR_MOBILE_TELEPHONE_NUMBER, 0 },
    { "OtherFax", PR_PRIMARY_FAX_NUMBER, 0 },
    { "OtherTelephone", PR_OTHER_TELEPHONE_NUMBER, 0 },
    { "Pager", PR_PAGER_TELEPHONE_NUMBER, 0 },
    { "PrimaryPhone", PR_PRIMARY_TELEPHONE_NUMBER, 0 },
    { "RadioPhone", PR_RADIO_TELEPHONE_NUMBER, 0 },
    { "Telex", PR_TELEX_NUMBER, 0 },
    { "TtyTddPhone", PR_TTYTDD_PHONE_NUMBER, 0 },
    { NULL, 0, 0 }
};

const exch_ews_index_t  exch_ews_imaddrs[] = {
    { "ImAddress1", 0, EXCH_NP_IM_ADDRESS },
    { "ImAddress2", 0, EXCH_NP_IM_ADDRESS2 },
    { "ImAddress3", 0, EXCH_NP_IM_ADDRESS3 },
    { NULL, 0, 0 }
};

const exch_ews_index_t  exch_ews_emails[] = {
    { "EmailAddress1", 0, EXCH_NP_EMAIL1_ADDR },
    { "EmailAddress2", 0, EXCH_NP_EMAIL2_ADDR },
    { "EmailAddress3", 0, EXCH_NP_EMAIL3_ADDR },
    { NULL, 0, 0 }
};

const char  *exch_ews_address_parts[] = {
    "Street", "City", "State", "CountryOrRegion", "PostalCode", NULL
};

const exch_ews_address_t  exch_ews_addresses[] = {
    { "Business", { { "Street", 0, EXCH_NP_WORK_STREET },
                    { "City", 0, EXCH_NP_WORK_CITY },
                    { "State", 0, EXCH_NP_WORK_STATE },
                    { "CountryOrRegion", 0, EXCH_NP_WORK_COUNTRY },
                    { "PostalCode", 0, EXCH_NP_WORK_POSTAL } } },
    { "Home", { { "Street", PR_HOME_ADDRESS_STREET, 0 },
                { "City", PR_HOME_ADDRESS_CITY, 0 },
                { "State", PR_HOME_ADDRESS_STATE_OR_PROVINCE, 0 },
                { "CountryOrRegion", PR_HOME_ADDRESS_COUNTRY, 0 },
                { "PostalCode", PR_HOME_ADDRESS_POSTAL_CODE, 0 } } },
    { "Other", { { "Street", PR_OTHER_ADDRESS_STREET, 0 },
                 { "City", PR_OTHER_ADDRESS_CITY, 0 },
                 { "State", PR_OTHER_ADDRESS_STATE_OR_PROVINCE, 0 },
                 { "CountryOrRegion", PR_OTHER_ADDRESS_COUNTRY, 0 },
                 { "PostalCode", PR_OTHER_ADDRESS_POSTAL_CODE, 0 } } },
    { NULL, { { NULL, 0, 0 } } }
};


/* named properties in a mailbox */

uint32_t
exch_ews_np_tag(exch_ews_t *ews, exch_ews_mbox_t *m, int np, int create)
{
    uint16_t                 id;
    exs_propname_t           name;
    exs_namemap_t           *map;
    const exch_ews_named_t  *n;

    if (np <= 0 || np >= EXCH_NP_COUNT) {
        return 0;
    }

    n = &exch_ews_named[np];

    if (m->named[np] && m->named[np] != 0xFFFF) {
        return PROP_TAG(n->type, m->named[np]);
    }

    if (m->named[np] == 0xFFFF && !create) {
        return 0;
    }

    memset(&name, 0, sizeof(exs_propname_t));
    memcpy(name.guid, n->guid, 16);

    if (n->name) {
        name.kind = MNID_STRING;
        name.name = n->name;

    } else {
        name.kind = MNID_ID;
        name.lid = n->lid;
    }

    map = exs_mbox_namemap(m->mb);

    if (map == NULL || map->get_id(map, &name, create, &id) != EXS_OK) {
        m->named[np] = 0xFFFF;
        return 0;
    }

    m->named[np] = id;

    return PROP_TAG(n->type, id);
}


uint32_t
exch_ews_name_tag(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exs_propname_t *name, uint16_t type, int create)
{
    uint16_t        id;
    exs_namemap_t  *map;

    map = exs_mbox_namemap(m->mb);

    if (map == NULL || map->get_id(map, (exs_propname_t *) name, create, &id)
        != EXS_OK)
    {
        return 0;
    }

    return PROP_TAG(type, id);
}


uint32_t
exch_ews_field_tag(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_field_t *f, int create)
{
    if (f->np) {
        return exch_ews_np_tag(ews, m, f->np, create);
    }

    return f->tag;
}


/* property types */

typedef struct {
    const char               *name;
    uint16_t                  type;
} exch_ews_ptype_t;

static const exch_ews_ptype_t  exch_ews_ptypes[] = {
    { "ApplicationTime", PT_APPTIME },
    { "ApplicationTimeArray", PT_MV_APPTIME },
    { "Binary", PT_BINARY },
    { "BinaryArray", PT_MV_BINARY },
    { "Boolean", PT_BOOLEAN },
    { "CLSID", PT_CLSID },
    { "CLSIDArray", PT_MV_CLSID },
    { "Currency", PT_CURRENCY },
    { "CurrencyArray", PT_MV_CURRENCY },
    { "Double", PT_DOUBLE },
    { "DoubleArray", PT_MV_DOUBLE },
    { "Error", PT_ERROR },
    { "Float", PT_FLOAT },
    { "FloatArray", PT_MV_FLOAT },
    { "Integer", PT_LONG },
    { "IntegerArray", PT_MV_LONG },
    { "Long", PT_I8 },
    { "LongArray", PT_MV_I8 },
    { "Null", PT_NULL },
    { "Object", PT_OBJECT },
    { "ObjectArray", PT_MV | PT_OBJECT },
    { "Short", PT_SHORT },
    { "ShortArray", PT_MV_SHORT },
    { "SystemTime", PT_SYSTIME },
    { "SystemTimeArray", PT_MV_SYSTIME },
    { "String", PT_UNICODE },
    { "StringArray", PT_MV_UNICODE },
    { NULL, 0 }
};


uint16_t
exch_ews_proptype_parse(const char *name)
{
    const exch_ews_ptype_t  *t;

    if (name == NULL) {
        return 0;
    }

    for (t = exch_ews_ptypes; t->name; t++) {
        if (strcmp(t->name, name) == 0) {
            return t->type;
        }
    }

    return 0;
}


const char *
exch_ews_proptype_name(uint16_t type)
{
    const exch_ews_ptype_t  *t;

    if (type == PT_STRING8) {
        type = PT_UNICODE;

    } else if (type == PT_MV_STRING8) {
        type = PT_MV_UNICODE;
    }

    for (t = exch_ews_ptypes; t->name; t++) {
        if (t->type == type) {
            return t->name;
        }
    }

    return NULL;
}


/* distinguished property sets of ExtendedFieldURI */

typedef struct {
    const char               *name;
    const uint8_t            *guid;
} exch_ews_pset_t;

static const exch_ews_pset_t  exch_ews_psets[] = {
    { "Meeting", PSETID_MEETING },
    { "Appointment", PSETID_APPOINTMENT },
    { "Common", PSETID_COMMON },
    { "PublicStrings", PS_PUBLIC_STRINGS },
    { "Address", PSETID_ADDRESS },
    { "InternetHeaders", PS_INTERNET_HEADERS },
    { "CalendarAssistant", PSETID_CALENDARASSISTANT },
    { "UnifiedMessaging", PSETID_UNIFIEDMESSAGING },
    { "Task", PSETID_TASK },
    { "Sharing", PSETID_SHARING },
    { NULL, NULL }
};


xmlNodePtr
exch_ews_path_node(xmlNodePtr node)
{
    xmlNodePtr  c;

    if (node == NULL) {
        return NULL;
    }

    for (c = node->children; c; c = c->next) {
        if (exch_xml_is(c, EXCH_EWS_NS_T, "FieldURI")
            || exch_xml_is(c, EXCH_EWS_NS_T, "IndexedFieldURI")
            || exch_xml_is(c, EXCH_EWS_NS_T, "ExtendedFieldURI")
            || exch_xml_is(c, EXCH_EWS_NS_T, "Path"))
        {
            return c;
        }
    }

    return NULL;
}


static int
exch_ews_int_parse(const char *s, int64_t *v)
{
    char  *end;

    if (s == NULL || *s == '\0') {
        return -1;
    }

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        *v = strtoll(s + 2, &end, 16);

    } else {
        *v = strtoll(s, &end, 10);
    }

    return *end == '\0' ? 0 : -1;
}


/* the schema's DictionaryURIType: the FieldURI of an IndexedFieldURI */

static const char *const  exch_ews_dictionary_uris[] = {
    "item:InternetMessageHeader",
    "contacts:ImAddress",
    "contacts:PhysicalAddress:Street",
    "contacts:PhysicalAddress:City",
    "contacts:PhysicalAddress:State",
    "contacts:PhysicalAddress:CountryOrRegion",
    "contacts:PhysicalAddress:PostalCode",
    "contacts:PhoneNumber",
    "contacts:EmailAddress",
    "distributionlist:Members:Member",
    NULL
};


static int exch_ews_tag_valid(const char *s);
static int exch_ews_int_valid(const char *s);


/* PropertyTagType: an xs:unsignedShort, or 0x and one to four hex digits;
 * PropertyId: an xs:int */

static int
exch_ews_tag_valid(const char *s)
{
    size_t  n, i;

    n = strlen(s);

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (n > 6) {
            return 0;
        }

        for (i = 2; i < n; i++) {
            if (!isxdigit((unsigned char) s[i])) {
                return 0;
            }
        }

        return 1;
    }

    if (n == 0 || n > 5) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char) s[i])) {
            return 0;
        }
    }

    return atoi(s) <= 0xFFFF;
}


static int
exch_ews_int_valid(const char *s)
{
    size_t     n, i;
    long long  v;

    i = (s[0] == '-' || s[0] == '+');
    n = strlen(s);

    if (n == i || n - i > 10) {
        return 0;
    }

    for ( ; i < n; i++) {
        if (!isdigit((unsigned char) s[i])) {
            return 0;
        }
    }

    v = strtoll(s, NULL, 10);

    return v >= INT32_MIN && v <= INT32_MAX;
}


exch_ews_code_t
exch_ews_path_check(xmlNodePtr node, const char **attr)
{
    uint8_t                 guid[16];
    const char             *uri, *v, *const *d;
    const exch_ews_pset_t  *ps;

    *attr = NULL;

    if (exch_xml_is(node, EXCH_EWS_NS_T, "FieldURI")
        || exch_xml_is(node, EXCH_EWS_NS_T, "Path"))
    {
        *attr = "FieldURI";
        uri = exch_ews_attr(node, "FieldURI");

        return exch_ews_field_uri_valid(uri) ? EXCH_EWS_NOERROR
                                             : EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (exch_xml_is(node, EXCH_EWS_NS_T, "IndexedFieldURI")) {
        *attr = "FieldIndex";

        if (exch_ews_attr(node, "FieldIndex") == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        *attr = "FieldURI";
        uri = exch_ews_attr(node, "FieldURI");

        for (d = exch_ews_dictionary_uris; uri && *d; d++) {
            if (strcmp(*d, uri) == 0) {
                return EXCH_EWS_NOERROR;
            }
        }

        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (!exch_xml_is(node, EXCH_EWS_NS_T, "ExtendedFieldURI")) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    *attr = "PropertyType";
    v = exch_ews_attr(node, "PropertyType");

    if (exch_ews_proptype_parse(v) == 0) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    *attr = "DistinguishedPropertySetId";
    v = exch_ews_attr(node, "DistinguishedPropertySetId");

    if (v) {
        for (ps = exch_ews_psets; ps->name; ps++) {
            if (strcmp(ps->name, v) == 0) {
                break;
            }
        }

        if (ps->name == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }
    }

    *attr = "PropertySetId";
    v = exch_ews_attr(node, "PropertySetId");

    if (v && exch_guid_parse(v, guid) != 0) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    *attr = "PropertyTag";
    v = exch_ews_attr(node, "PropertyTag");

    if (v && !exch_ews_tag_valid(v)) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    *attr = "PropertyId";
    v = exch_ews_attr(node, "PropertyId");

    if (v && !exch_ews_int_valid(v)) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    *attr = NULL;

    return EXCH_EWS_NOERROR;
}


exch_ews_code_t
exch_ews_paths_check(xmlNodePtr node, xmlNodePtr *bad, const char **attr)
{
    xmlNodePtr       c;
    exch_ews_code_t  code;

    /* depth first, without recursion: down to the first child, else on
     * to the next sibling of the nearest ancestor that has one */

    c = node->children;

    while (c && c != node) {
        if (c->type == XML_ELEMENT_NODE
            && (exch_xml_is(c, EXCH_EWS_NS_T, "FieldURI")
                || exch_xml_is(c, EXCH_EWS_NS_T, "IndexedFieldURI")
                || exch_xml_is(c, EXCH_EWS_NS_T, "ExtendedFieldURI")))
        {
            code = exch_ews_path_check(c, attr);

            if (code != EXCH_EWS_NOERROR) {
                *bad = c;
                return code;
            }
        }

        if (c->type == XML_ELEMENT_NODE && c->children) {
            c = c->children;
            continue;
        }

        while (c != node && c->next == NULL) {
            c = c->parent;
        }

        if (c != node) {
            c = c->next;
        }
    }

    return EXCH_EWS_NOERROR;
}


exch_ews_code_t
exch_ews_path_parse(exch_ews_t *ews, exch_ews_mbox_t *m, xmlNodePtr node,
    int create, exch_ews_path_t *path)
{
    int64_t                   v;
    uint16_t                  type;
    const char               *uri, *set, *setid, *tag, *pname, *pid, *ptype;
    exch_ews_code_t           code;
    const exch_ews_pset_t    *ps;
    const exch_ews_index_t   *ix;
    const exch_ews_address_t *ad;

    memset(path, 0, sizeof(exch_ews_path_t));

    code = exch_ews_path_check(node, &uri);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    if (exch_xml_is(node, EXCH_EWS_NS_T, "FieldURI")
        || exch_xml_is(node, EXCH_EWS_NS_T, "Path"))
    {
        uri = exch_ews_attr(node, "FieldURI");
        path->field = exch_ews_field_by_uri(uri);

        if (path->field) {
            /* else a name of the schema we don't map: it has no value */
            path->tag = exch_ews_field_tag(ews, m, path->field, create);
        }

        return EXCH_EWS_NOERROR;
    }

    if (exch_xml_is(node, EXCH_EWS_NS_T, "IndexedFieldURI")) {
        uri = exch_ews_attr(node, "FieldURI");
        path->index = exch_ews_attr(node, "FieldIndex");
        path->indexed = 1;

        if (strcmp(uri, "contacts:EmailAddress") == 0) {
            path->field = exch_ews_field_by_uri("contacts:EmailAddresses");
            ix = exch_ews_emails;

        } else if (strcmp(uri, "contacts:PhoneNumber") == 0) {
            path->field = exch_ews_field_by_uri("contacts:PhoneNumbers");
            ix = exch_ews_phones;

        } else if (strcmp(uri, "contacts:ImAddress") == 0) {
            path->field = exch_ews_field_by_uri("contacts:ImAddresses");
            ix = exch_ews_imaddrs;

        } else if (strncmp(uri, "contacts:PhysicalAddress:", 25) == 0) {
            path->field = exch_ews_field_by_uri("contacts:PhysicalAddresses");

            for (ad = exch_ews_addresses; ad->key; ad++) {
                if (strcmp(ad->key, path->index) == 0) {
                    break;
                }
            }

            if (ad->key == NULL) {
                return EXCH_EWS_ERR_INVALID_PROPERTY_REQUEST;
            }

            for (ix = ad->part; ix < ad->part + 5; ix++) {
                if (strcmp(ix->key, uri + 25) == 0) {
                    path->tag = ix->np
                                ? exch_ews_np_tag(ews, m, ix->np, create)
                                : ix->tag;
                    return EXCH_EWS_NOERROR;
                }
            }

            return EXCH_EWS_ERR_INVALID_PROPERTY_REQUEST;

        } else if (strcmp(uri, "item:InternetMessageHeader") == 0) {
            /* a header: PS_INTERNET_HEADERS, the name in lower case */
            path->field = NULL;
            path->extended = 1;
            path->named = 1;
            path->type = PT_UNICODE;
            memcpy(path->name.guid, PS_INTERNET_HEADERS, 16);
            path->name.kind = MNID_STRING;
            path->name.name = path->index;
            path->tag = exch_ews_name_tag(ews, m, &path->name, PT_UNICODE,
                                          create);
            return EXCH_EWS_NOERROR;

        } else {
            /* distributionlist:Members:Member: a member is no property */
            return EXCH_EWS_NOERROR;
        }

        for ( ; ix->key; ix++) {
            if (strcmp(ix->key, path->index) == 0) {
                path->tag = ix->np ? exch_ews_np_tag(ews, m, ix->np, create)
                                   : ix->tag;
                return EXCH_EWS_NOERROR;
            }
        }

        return EXCH_EWS_ERR_INVALID_PROPERTY_REQUEST;
    }

    path->extended = 1;

    set = exch_ews_attr(node, "DistinguishedPropertySetId");
    setid = exch_ews_attr(node, "PropertySetId");
    tag = exch_ews_attr(node, "PropertyTag");
    pname = exch_ews_attr(node, "PropertyName");
    pid = exch_ews_attr(node, "PropertyId");
    ptype = exch_ews_attr(node, "PropertyType");

    type = exch_ews_proptype_parse(ptype);

    if (type == PT_ERROR || type == PT_NULL || type == PT_OBJECT
        || type == (PT_MV | PT_OBJECT))
    {
        return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY;
    }

    path->type = type;

    if (tag) {
        if (set || setid || pname || pid
            || exch_ews_int_parse(tag, &v) != 0 || v <= 0
            || v >= EXS_NAMED_FIRST)
        {
            return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY;
        }

        path->tag = PROP_TAG(type, (uint16_t) v);

        return EXCH_EWS_NOERROR;
    }

    if ((set == NULL) == (setid == NULL) || (pname == NULL) == (pid == NULL))
    {
        return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY;
    }

    path->named = 1;

    if (set) {
        for (ps = exch_ews_psets; strcmp(ps->name, set) != 0; ps++) {
            /* exch_ews_path_check found it */
        }

        memcpy(path->name.guid, ps->guid, 16);

    } else {
        (void) exch_guid_parse(setid, path->name.guid);
    }

    if (pname) {
        if (*pname == '\0') {
            return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY;
        }

        path->name.kind = MNID_STRING;
        path->name.name = pname;

    } else {
        if (exch_ews_int_parse(pid, &v) != 0 || v < 0) {
            return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY;
        }

        path->name.kind = MNID_ID;
        path->name.lid = (uint32_t) v;
    }

    path->tag = exch_ews_name_tag(ews, m, &path->name, type, create);

    return EXCH_EWS_NOERROR;
}


void
exch_ews_ext_uri_write(exch_ews_t *ews, exch_ews_mbox_t *m, uint32_t tag,
    const exs_propname_t *name)
{
    exch_buf_t              *b;
    const char              *tname;
    char                     guid[40];
    const exch_ews_pset_t   *ps;

    b = &ews->out;
    tname = exch_ews_proptype_name(PROP_TYPE(tag));

    if (name == NULL) {
        exch_buf_printf(b, "<t:ExtendedFieldURI PropertyTag=\"0x%x\" "
                        "PropertyType=\"%s\"/>", PROP_ID(tag),
                        tname ? tname : "Binary");
        return;
    }

    exch_buf_str(b, "<t:ExtendedFieldURI ");

    for (ps = exch_ews_psets; ps->name; ps++) {
        if (memcmp(ps->guid, name->guid, 16) == 0) {
            break;
        }
    }

    if (ps->name) {
        exch_buf_printf(b, "DistinguishedPropertySetId=\"%s\" ", ps->name);

    } else {
        exch_guid_format(name->guid, guid);
        exch_buf_printf(b, "PropertySetId=\"%s\" ", guid);
    }

    if (name->kind == MNID_STRING) {
        exch_buf_str(b, "PropertyName=\"");
        exch_buf_cstr_text(b, name->name);
        exch_buf_str(b, "\" ");

    } else {
        exch_buf_printf(b, "PropertyId=\"%u\" ", name->lid);
    }

    exch_buf_printf(b, "PropertyType=\"%s\"/>", tname ? tname : "Binary");
}


/* values as text */

static void
exch_ews_one_value(exch_buf_t *b, uint16_t type, const void *v)
{
    char  tmp[64];

    switch (type) {
    case PT_SHORT:
        exch_buf_printf(b, "%d", *(const int16_t *) v);
        break;
    case PT_LONG:
        exch_buf_printf(b, "%d", *(const int32_t *) v);
        break;
    case PT_FLOAT:
        exch_buf_printf(b, "%.9g", (double) *(const float *) v);
        break;
    case PT_DOUBLE:
    case PT_APPTIME:
        exch_buf_printf(b, "%.17g", *(const double *) v);
        break;
    case PT_I8:
    case PT_CURRENCY:
        exch_buf_printf(b, "%lld", (long long) *(const int64_t *) v);
        break;
    case PT_SYSTIME:
        exch_ews_time_format(*(const int64_t *) v, tmp, sizeof(tmp));
        exch_buf_str(b, tmp);
        break;
    case PT_BOOLEAN:
        exch_buf_str(b, *(const uint8_t *) v ? "true" : "false");
        break;
    case PT_UNICODE:
    case PT_STRING8:
        exch_buf_text(b, ((const exs_str_t *) v)->data,
                      ((const exs_str_t *) v)->len);
        break;
    case PT_CLSID:
        if (((const exs_bin_t *) v)->len == 16) {
            exch_guid_format(((const exs_bin_t *) v)->data, tmp);
            exch_buf_str(b, tmp);
        }
        break;
    default:
        exch_buf_base64(b, ((const exs_bin_t *) v)->data,
                        ((const exs_bin_t *) v)->len);
        break;
    }
}


void
exch_ews_value_write(exch_buf_t *b, const exs_prop_t *p)
{
    uint32_t  i;
    uint16_t  type;

    type = PROP_TYPE(p->tag);

    if (!(type & PT_MV)) {
        exch_buf_str(b, "<t:Value>");

        switch (type) {
        case PT_SHORT:
            exch_ews_one_value(b, type, &p->v.i);
            break;
        case PT_LONG:
        case PT_ERROR:
            exch_ews_one_value(b, PT_LONG, &p->v.l);
            break;
        case PT_FLOAT:
            exch_ews_one_value(b, type, &p->v.f);
            break;
        case PT_DOUBLE:
        case PT_APPTIME:
            exch_ews_one_value(b, type, &p->v.d);
            break;
        case PT_I8:
        case PT_CURRENCY:
        case PT_SYSTIME:
            exch_ews_one_value(b, type, &p->v.ll);
            break;
        case PT_BOOLEAN:
            exch_ews_one_value(b, type, &p->v.b);
            break;
        case PT_UNICODE:
        case PT_STRING8:
            exch_ews_one_value(b, type, &p->v.str);
            break;
        default:
            exch_ews_one_value(b, type, &p->v.bin);
            break;
        }

        exch_buf_str(b, "</t:Value>");
        return;
    }

    type &= ~(PT_MV | PT_MV_INSTANCE);

    exch_buf_str(b, "<t:Values>");

    for (i = 0; i < p->v.mv.n; i++) {
        exch_buf_str(b, "<t:Value>");

        switch (type) {
        case PT_SHORT:
            exch_ews_one_value(b, type, &p->v.mv.v.i[i]);
            break;
        case PT_LONG:
            exch_ews_one_value(b, type, &p->v.mv.v.l[i]);
            break;
        case PT_FLOAT:
            exch_ews_one_value(b, type, &p->v.mv.v.f[i]);
            break;
        case PT_DOUBLE:
        case PT_APPTIME:
            exch_ews_one_value(b, type, &p->v.mv.v.d[i]);
            break;
        case PT_I8:
        case PT_CURRENCY:
        case PT_SYSTIME:
            exch_ews_one_value(b, type, &p->v.mv.v.ll[i]);
            break;
        case PT_UNICODE:
        case PT_STRING8:
            exch_ews_one_value(b, type, &p->v.mv.v.str[i]);
            break;
        default:
            exch_ews_one_value(b, type, &p->v.mv.v.bin[i]);
            break;
        }

        exch_buf_str(b, "</t:Value>");
    }

    exch_buf_str(b, "</t:Values>");
}


static int
exch_ews_scalar_parse(exch_ews_t *ews, const char *s, uint16_t type,
    void *out)
{
    int        b;
    char      *end;
    size_t     n, len;
    int64_t    v;
    double     d;
    uint8_t   *data;
    exs_bin_t *bin;
    exs_str_t *str;

    switch (type) {
    case PT_SHORT:
    case PT_LONG:
    case PT_I8:
    case PT_CURRENCY:
        if (exch_ews_int_parse(s, &v) != 0) {
            return -1;
        }

        if (type == PT_SHORT) {
            if (v < -32768 || v > 65535) {
                return -1;
            }

            *(int16_t *) out = (int16_t) v;

        } else if (type == PT_LONG) {
            if (v < INT32_MIN || v > (int64_t) UINT32_MAX) {
                return -1;
            }

            *(int32_t *) out = (int32_t) v;

        } else {
            *(int64_t *) out = v;
        }

        return 0;

    case PT_FLOAT:
    case PT_DOUBLE:
    case PT_APPTIME:
        d = strtod(s, &end);

        if (*s == '\0' || *end != '\0') {
            return -1;
        }

        if (type == PT_FLOAT) {
            *(float *) out = (float) d;

        } else {
            *(double *) out = d;
        }

        return 0;

    case PT_SYSTIME:
        return exch_ews_time_parse(s, (int64_t *) out);

    case PT_BOOLEAN:
        b = exch_ews_bool(s);

        if (b < 0) {
            return -1;
        }

        *(uint8_t *) out = (uint8_t) b;
        return 0;

    case PT_UNICODE:
    case PT_STRING8:
        str = out;
        str->len = strlen(s);
        str->data = exs_strndup(ews->a, s, str->len);
        return str->data ? 0 : -1;

    case PT_CLSID:
        bin = out;
        data = exs_alloc(ews->a, 16);

        if (data == NULL || exch_guid_parse(s, data) != 0) {
            return -1;
        }

        bin->data = data;
        bin->len = 16;
        return 0;

    default:
        bin = out;
        len = strlen(s);
        data = exs_alloc(ews->a, len / 4 * 3 + 3);

        if (data == NULL || exch_base64_decode(s, len, data, &n) != 0) {
            return -1;
        }

        bin->data = data;
        bin->len = n;
        return 0;
    }
}


int
exch_ews_value_parse(exch_ews_t *ews, const char *s, uint16_t type,
    exs_prop_t *p)
{
    void  *dst;

    if (s == NULL) {
        return -1;
    }

    switch (type) {
    case PT_SHORT:
        dst = &p->v.i;
        break;
    case PT_LONG:
        dst = &p->v.l;
        break;
    case PT_FLOAT:
        dst = &p->v.f;
        break;
    case PT_DOUBLE:
    case PT_APPTIME:
        dst = &p->v.d;
        break;
    case PT_I8:
    case PT_CURRENCY:
    case PT_SYSTIME:
        dst = &p->v.ll;
        break;
    case PT_BOOLEAN:
        dst = &p->v.b;
        break;
    case PT_UNICODE:
    case PT_STRING8:
        dst = &p->v.str;
        break;
    default:
        dst = &p->v.bin;
        break;
    }

    return exch_ews_scalar_parse(ews, s, type, dst);
}


int
exch_ews_mv_value_parse(exch_ews_t *ews, const char *s, uint16_t type,
    exs_mv_t *mv, uint32_t i)
{
    void  *dst;

    switch (type) {
    case PT_SHORT:
        dst = &mv->v.i[i];
        break;
    case PT_LONG:
        dst = &mv->v.l[i];
        break;
    case PT_FLOAT:
        dst = &mv->v.f[i];
        break;
    case PT_DOUBLE:
    case PT_APPTIME:
        dst = &mv->v.d[i];
        break;
    case PT_I8:
    case PT_CURRENCY:
    case PT_SYSTIME:
        dst = &mv->v.ll[i];
        break;
    case PT_UNICODE:
    case PT_STRING8:
        dst = &mv->v.str[i];
        break;
    default:
        dst = &mv->v.bin[i];
        break;
    }

    return exch_ews_scalar_parse(ews, s, type, dst);
}
