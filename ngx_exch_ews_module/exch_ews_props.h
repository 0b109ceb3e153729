
/*
 * exch EWS: the property mapping -- every FieldURI of the item and folder
 * types to its MAPI property, so that what MAPI writes shows in EWS and
 * the other way round -- and the paths of AdditionalProperties, SortOrder,
 * Restriction and UpdateItem (FieldURI, IndexedFieldURI, ExtendedFieldURI).
 */


#ifndef _EXCH_EWS_PROPS_H_INCLUDED_
#define _EXCH_EWS_PROPS_H_INCLUDED_


#include "exch_ews.h"


/* named properties, indexes into exch_ews_named[] */

enum {
    EXCH_NP_NONE = 0,
    EXCH_NP_KEYWORDS,
    EXCH_NP_REMINDER_DELTA,
    EXCH_NP_REMINDER_TIME,
    EXCH_NP_REMINDER_SET,
    EXCH_NP_COMMON_START,
    EXCH_NP_COMMON_END,
    EXCH_NP_FLAG_REQUEST,
    EXCH_NP_MILEAGE,
    EXCH_NP_BILLING,
    EXCH_NP_COMPANIES,
    EXCH_NP_CONTACTS,
    EXCH_NP_REMINDER_SIGNAL_TIME,
    EXCH_NP_APPT_SEQUENCE,
    EXCH_NP_BUSY_STATUS,
    EXCH_NP_LOCATION,
    EXCH_NP_MEETING_WORKSPACE_URL,
    EXCH_NP_APPT_START_WHOLE,
    EXCH_NP_APPT_END_WHOLE,
    EXCH_NP_APPT_DURATION,
    EXCH_NP_APPT_SUBTYPE,
    EXCH_NP_APPT_RECUR,
    EXCH_NP_APPT_STATE_FLAGS,
    EXCH_NP_RESPONSE_STATUS,
    EXCH_NP_APPT_REPLY_TIME,
    EXCH_NP_RECURRING,
    EXCH_NP_INTENDED_BUSY_STATUS,
    EXCH_NP_FINVITED,
    EXCH_NP_TIMEZONE_DESC,
    EXCH_NP_CLIP_START,
    EXCH_NP_CLIP_END,
    EXCH_NP_CONF_TYPE,
    EXCH_NP_NETSHOW_URL,
    EXCH_NP_NOT_ALLOW_PROPOSE,
    EXCH_NP_TZDEF_START,
    EXCH_NP_TZDEF_END,
    EXCH_NP_TZDEF_RECUR,
    EXCH_NP_GLOBAL_OBJID,
    EXCH_NP_CLEAN_GLOBAL_OBJID,
    EXCH_NP_OWNER_CRITICAL_CHANGE,
    EXCH_NP_MEETING_TYPE,
    EXCH_NP_FILE_UNDER,
    EXCH_NP_FILE_UNDER_ID,
    EXCH_NP_HAS_PICTURE,
    EXCH_NP_POSTAL_ADDRESS_ID,
    EXCH_NP_YOMI_FIRST,
    EXCH_NP_YOMI_LAST,
    EXCH_NP_YOMI_COMPANY,
    EXCH_NP_WORK_STREET,
    EXCH_NP_WORK_CITY,
    EXCH_NP_WORK_STATE,
    EXCH_NP_WORK_POSTAL,
    EXCH_NP_WORK_COUNTRY,
    EXCH_NP_WORK_POBOX,
    EXCH_NP_DL_NAME,
    EXCH_NP_DL_ONEOFF_MEMBERS,
    EXCH_NP_DL_MEMBERS,
    EXCH_NP_IM_ADDRESS,
    EXCH_NP_IM_ADDRESS2,
    EXCH_NP_IM_ADDRESS3,
    EXCH_NP_EMAIL1_DISPLAY,
    EXCH_NP_EMAIL1_TYPE,
    EXCH_NP_EMAIL1_ADDR,
    EXCH_NP_EMAIL1_ORIGDISP,
    EXCH_NP_EMAIL1_ENTRYID,
    EXCH_NP_EMAIL2_DISPLAY,
    EXCH_NP_EMAIL2_TYPE,
    EXCH_NP_EMAIL2_ADDR,
    EXCH_NP_EMAIL2_ORIGDISP,
    EXCH_NP_EMAIL2_ENTRYID,
    EXCH_NP_EMAIL3_DISPLAY,
    EXCH_NP_EMAIL3_TYPE,
    EXCH_NP_EMAIL3_ADDR,
    EXCH_NP_EMAIL3_ORIGDISP,
    EXCH_NP_EMAIL3_ENTRYID,
    EXCH_NP_AB_EMAIL_LIST,
    EXCH_NP_AB_ARRAY_TYPE,
    EXCH_NP_TASK_STATUS,
    EXCH_NP_PERCENT_COMPLETE,
    EXCH_NP_TEAM_TASK,
    EXCH_NP_TASK_START,
    EXCH_NP_TASK_DUE,
    EXCH_NP_TASK_COMPLETED,
    EXCH_NP_TASK_ACTUAL_EFFORT,
    EXCH_NP_TASK_ESTIMATED_EFFORT,
    EXCH_NP_TASK_VERSION,
    EXCH_NP_TASK_STATE,
    EXCH_NP_TASK_RECURRENCE,
    EXCH_NP_TASK_ASSIGNER,
    EXCH_NP_TASK_COMPLETE,
    EXCH_NP_TASK_OWNER,
    EXCH_NP_TASK_FRECURRING,
    EXCH_NP_TASK_OWNERSHIP,
    EXCH_NP_TASK_ACCEPTANCE_STATE,
    EXCH_NP_CONTACT_SOURCE,
    EXCH_NP_RECURRENCE_TYPE,
    EXCH_NP_RECURRENCE_PATTERN,
    EXCH_NP_COUNT
};


/* item types, by PR_MESSAGE_CLASS */

#define EXCH_IT_ITEM            0x0001
#define EXCH_IT_MESSAGE         0x0002
#define EXCH_IT_CALENDAR        0x0004
#define EXCH_IT_CONTACT         0x0008
#define EXCH_IT_DL              0x0010
#define EXCH_IT_TASK            0x0020
#define EXCH_IT_POST            0x0040
#define EXCH_IT_MREQ            0x0080
#define EXCH_IT_MRESP           0x0100
#define EXCH_IT_MCANCEL         0x0200
#define EXCH_IT_FOLDER          0x0400   /* folder fields */
#define EXCH_IT_ALL             0x03FF
#define EXCH_IT_MTG             (EXCH_IT_MREQ|EXCH_IT_MRESP|EXCH_IT_MCANCEL)
#define EXCH_IT_MSGLIKE         (EXCH_IT_MESSAGE|EXCH_IT_MTG)

/* the type of an item class; its element name ("Message") */
unsigned exch_ews_item_type(const char *message_class);
const char *exch_ews_item_type_name(unsigned type);
/* the item type of an element name of a create request, 0 unknown */
unsigned exch_ews_item_type_of(const char *elem);
/* the default class of a type ("IPM.Note") */
const char *exch_ews_item_type_class(unsigned type);


/* value kinds: how a field reads and writes */

enum {
    EXCH_K_STRING = 1,          /* PT_UNICODE */
    EXCH_K_BOOL,                /* PT_BOOLEAN */
    EXCH_K_INT,                 /* PT_LONG */
    EXCH_K_LONG,                /* PT_I8 */
    EXCH_K_DOUBLE,              /* PT_DOUBLE */
    EXCH_K_TIME,                /* PT_SYSTIME */
    EXCH_K_BASE64,              /* PT_BINARY */
    EXCH_K_ENUM,                /* PT_LONG <-> names (aux) */
    EXCH_K_STRINGS,             /* PT_MV_UNICODE as <t:String> */
    EXCH_K_MSGFLAG,             /* a PR_MESSAGE_FLAGS bit (aux) */
    EXCH_K_READ,                /* IsRead: MSGFLAG_READ, settable */
    EXCH_K_NOTBOOL,             /* PT_BOOLEAN inverted */
    EXCH_K_PERCENT,             /* PT_DOUBLE 0..1 as 0..100 */
    EXCH_K_STATEFLAG,           /* a bit of PidLidAppointmentStateFlags */
    EXCH_K_MIME,
    EXCH_K_ITEMID,
    EXCH_K_PARENTFOLDER,
    EXCH_K_BODY,
    EXCH_K_UNIQUEBODY,
    EXCH_K_NORMBODY,
    EXCH_K_TEXTBODY,
    EXCH_K_PREVIEW,
    EXCH_K_ATTACHMENTS,
    EXCH_K_HEADERS,
    EXCH_K_RESPONSEOBJECTS,
    EXCH_K_EXTENDED,            /* the place of ExtendedProperty */
    EXCH_K_CULTURE,
    EXCH_K_RIGHTS,
    EXCH_K_CONVID,
    EXCH_K_FLAG,
    EXCH_K_MAILBOX,             /* one mailbox from a property group */
    EXCH_K_RCPTS,               /* recipients of one type (aux) */
    EXCH_K_REPLYTO,
    EXCH_K_ATTENDEES,           /* recipients of one type (aux) */
    EXCH_K_UID,
    EXCH_K_CALTYPE,
    EXCH_K_DURATION,
    EXCH_K_RECURRENCE,
    EXCH_K_TZ,                  /* StartTimeZone, EndTimeZone */
    EXCH_K_COMPLETENAME,
    EXCH_K_EMAILS,
    EXCH_K_ADDRESSES,
    EXCH_K_PHONES,
    EXCH_K_IMADDRS,
    EXCH_K_DLMEMBERS,
    EXCH_K_CONTACTSOURCE,
    EXCH_K_SIZE,
    EXCH_K_FOLDERID,            /* folder fields */
    EXCH_K_FOLDERCOUNT,
    EXCH_K_FOLDERRIGHTS,
    EXCH_K_PERMISSIONS,
    EXCH_K_DISTFOLDER,
    EXCH_K_SEARCHPARAMS,
    EXCH_K_NONE                 /* known to the schema, no value here */
};

#define EXCH_F_DEFAULT          0x01     /* in the Default shape */
#define EXCH_F_RO               0x02     /* read-only */
#define EXCH_F_NOALL            0x04     /* not in AllProperties */
#define EXCH_F_CREATE           0x08     /* settable on create only */
#define EXCH_F_FIND             0x10     /* FindItem's Default shape */


typedef struct {
    const char               *name;
    int32_t                   value;
} exch_ews_enum_t;

/* the tags of a property group (mailboxes) */
typedef struct {
    uint32_t                  name;
    uint32_t                  email;
    uint32_t                  addrtype;
    uint32_t                  smtp;
    uint32_t                  entryid;
    uint32_t                  search_key;
} exch_ews_mbox_tags_t;

typedef struct {
    const char               *uri;          /* "item:Subject" */
    const char               *name;         /* element "Subject" */
    uint16_t                  kind;
    uint16_t                  np;           /* EXCH_NP_*, 0: tag */
    uint32_t                  tag;          /* with its type */
    uint16_t                  types;        /* EXCH_IT_* */
    uint8_t                   since;        /* EXCH_EWS_V* */
    uint8_t                   flags;
    const void               *aux;
} exch_ews_field_t;


/* the field groups of a type, in schema order, NULL-terminated */
const exch_ews_field_t *const *exch_ews_type_groups(unsigned type);
/* folder fields in schema order */
extern const exch_ews_field_t  exch_ews_folder_fields[];

/* a FieldURI, or NULL when unknown */
const exch_ews_field_t *exch_ews_field_by_uri(const char *uri);
/* fields by number: the index of a field, how many there are, and the
 * bits of a field and of every field with the same FieldURI */
int exch_ews_field_index(const exch_ews_field_t *f);
uint32_t exch_ews_field_count(void);
void exch_ews_field_mark(const exch_ews_field_t *f, uint8_t *bitmap);

/* the element of an item type, or NULL */
const exch_ews_field_t *exch_ews_field_by_name(unsigned type,
    const char *name);

extern const exch_ews_enum_t  exch_ews_enum_sensitivity[];
extern const exch_ews_enum_t  exch_ews_enum_importance[];

const char *exch_ews_enum_name(const exch_ews_enum_t *e, int32_t v);
int exch_ews_enum_value(const exch_ews_enum_t *e, const char *name,
    int32_t *v);


/* indexed fields */

typedef struct {
    const char               *key;          /* FieldIndex */
    uint32_t                  tag;          /* or */
    uint16_t                  np;
} exch_ews_index_t;

extern const exch_ews_index_t  exch_ews_phones[];
extern const exch_ews_index_t  exch_ews_imaddrs[];
extern const exch_ews_index_t  exch_ews_emails[];

/* the tags of one physical address (Business, Home, Other) */
typedef struct {
    const char               *key;
    exch_ews_index_t          part[5];      /* Street, City, State,
                                               CountryOrRegion,
                                               PostalCode */
} exch_ews_address_t;

extern const exch_ews_address_t  exch_ews_addresses[];
extern const char               *exch_ews_address_parts[];


/*
 * A property path of a request, resolved in a mailbox: the field (when it
 * names one), and the MAPI tag it stands for (0: none, e.g. a named
 * property the mailbox never had: it has no value anywhere).
 */
typedef struct {
    const exch_ews_field_t   *field;        /* FieldURI / IndexedFieldURI
                                               parent */
    uint32_t                  tag;
    unsigned                  extended:1;
    unsigned                  indexed:1;
    const char               *index;        /* FieldIndex */
    exs_propname_t            name;         /* extended, named */
    uint16_t                  type;         /* extended */
    int                       named;
} exch_ews_path_t;

/* 1 when a FieldURI is a name of the schema's UnindexedFieldURIType */
int exch_ews_field_uri_valid(const char *uri);

/*
 * Checks a FieldURI / IndexedFieldURI / ExtendedFieldURI element against
 * the schema alone (no mailbox): the attributes it must have, the
 * enumerations (UnindexedFieldURIType, DictionaryURIType,
 * MapiPropertyTypeType, DistinguishedPropertySetType) and the value types
 * (PropertyTag, PropertyId, PropertySetId).  EXCH_EWS_ERR_SCHEMA_VALIDATION
 * with *attr the attribute at fault (NULL: the element), else
 * EXCH_EWS_NOERROR.  exch_ews_path_parse starts with it.
 */
exch_ews_code_t exch_ews_path_check(xmlNodePtr node, const char **attr);

/*
 * The same for every path element under node (an operation): what
 * Exchange's schema validation of the request does before the operation
 * runs, answered with a SOAP fault.  *bad: the element at fault.
 */
exch_ews_code_t exch_ews_paths_check(xmlNodePtr node, xmlNodePtr *bad,
    const char **attr);

/*
 * Parses a FieldURI / IndexedFieldURI / ExtendedFieldURI element into
 * path; create: assign ids to new names.  Returns EXCH_EWS_NOERROR,
 * EXCH_EWS_ERR_SCHEMA_VALIDATION for what exch_ews_path_check rejects,
 * EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY for a schema-valid extended field
 * whose attributes don't go together (a tag with a property set, both a
 * name and an id, a tag in the named range, a type that holds no value),
 * EXCH_EWS_ERR_INVALID_PROPERTY_REQUEST for an IndexedFieldURI whose
 * FieldIndex is not one of its field's.  A FieldURI of the schema that no
 * field maps resolves to no field and no tag: it has no value.
 */
exch_ews_code_t exch_ews_path_parse(exch_ews_t *ews, exch_ews_mbox_t *m,
    xmlNodePtr node, int create, exch_ews_path_t *path);

/* the first path element child of node */
xmlNodePtr exch_ews_path_node(xmlNodePtr node);

/* the tag a field stands for in restrictions and sorts; 0: none */
uint32_t exch_ews_field_tag(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_field_t *f, int create);

/* PropertyType names <-> MAPI types */
uint16_t exch_ews_proptype_parse(const char *name);
const char *exch_ews_proptype_name(uint16_t type);

/* a value as text (ExtendedProperty, Constant), into the buffer */
void exch_ews_value_write(exch_buf_t *b, const exs_prop_t *p);
/* text to a value of a type; -1 when it doesn't parse */
int exch_ews_value_parse(exch_ews_t *ews, const char *s, uint16_t type,
    exs_prop_t *p);

/* the same for element i of a multi-value of type (without PT_MV) */
int exch_ews_mv_value_parse(exch_ews_t *ews, const char *s, uint16_t type,
    exs_mv_t *mv, uint32_t i);

/* writes <t:ExtendedFieldURI .../> for a tag of a mailbox */
void exch_ews_ext_uri_write(exch_ews_t *ews, exch_ews_mbox_t *m,
    uint32_t tag, const exs_propname_t *name);


#endif /* _EXCH_EWS_PROPS_H_INCLUDED_ */
