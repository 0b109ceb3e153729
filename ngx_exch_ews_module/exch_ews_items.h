
/*
 * exch EWS: writing folders and items (shapes), reading items from
 * requests, restrictions and sort orders -- what the operation files
 * share.
 */


#ifndef _EXCH_EWS_ITEMS_H_INCLUDED_
#define _EXCH_EWS_ITEMS_H_INCLUDED_


#include "exch_ews.h"
#include "exch_ews_props.h"


#define EXCH_SHAPE_IDONLY       0
#define EXCH_SHAPE_DEFAULT      1
#define EXCH_SHAPE_ALL          2

#define EXCH_BODY_BEST          0
#define EXCH_BODY_HTML          1
#define EXCH_BODY_TEXT          2

#define EXCH_EWS_MAX_PATHS      256


/* a FolderShape, ItemShape or AttachmentShape */

typedef struct {
    int                       base;
    int                       body_type;
    int                       unique_body_type;
    int                       normalized_body_type;
    unsigned                  include_mime:1;
    unsigned                  filter_html:1;
    unsigned                  find:1;       /* FindItem's Default shape */
    unsigned                  folder:1;
    uint32_t                  npaths;
    xmlNodePtr                paths[EXCH_EWS_MAX_PATHS];

    /* resolved for one mailbox at a time */
    exch_ews_mbox_t          *resolved_for;
    exch_ews_path_t          *resolved;
    uint8_t                  *wanted;       /* fields asked for by name */
    exch_ews_code_t           error;        /* why a path did not resolve
                                               (read through
                                               exch_ews_shape_error) */

    /* the fields to write for items of one type, in order: a listing
     * decides once, not for each item */
    uint32_t                  plan_type;
    uint32_t                  nplan;
    const exch_ews_field_t  **plan;
} exch_ews_shape_t;

exch_ews_code_t exch_ews_shape_parse(exch_ews_t *ews, xmlNodePtr node,
    int folder, exch_ews_shape_t *shape);
/* a shape from ews->a, parsed from node (the defaults when NULL); NULL
 * when out of memory, else *code is exch_ews_shape_parse()'s result */
exch_ews_shape_t *exch_ews_shape_new(exch_ews_t *ews, xmlNodePtr node,
    int folder, exch_ews_code_t *code);
int exch_ews_shape_resolve(exch_ews_t *ews, exch_ews_mbox_t *m,
    exch_ews_shape_t *shape);
/* the code for an item or folder whose shape did not resolve (the reads
 * say EXS_INVALID): the path's own error, else ErrorInvalidPropertyRequest */
exch_ews_code_t exch_ews_shape_error(const exch_ews_shape_t *shape);
/* the field is asked for (its FieldURI in AdditionalProperties, or the
 * base shape includes it) */
int exch_ews_shape_wants(exch_ews_shape_t *shape,
    const exch_ews_field_t *f, int version);


/* exch_oxwsfold.c: a folder with its shape */
int exch_ews_folder_write(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, exch_ews_shape_t *shape);
/* the ExtendedProperty elements of a shape, from a bag */
void exch_ews_shape_ext_write(exch_ews_t *ews, exch_ews_shape_t *shape,
    const exs_props_t *props);
/* commits the request's transaction, else answers with a fault */
int exch_ews_commit_or_fault(exch_ews_t *ews);


/* exch_oxwsfold.c: paging of FindFolder and FindItem */

typedef struct {
    int                       kind;         /* 0 none, 1 indexed, 2 frac */
    int                       from_end;
    uint32_t                  max;          /* 0: all */
    uint32_t                  offset;
    uint32_t                  num;
    uint32_t                  den;
} exch_ews_paging_t;

exch_ews_code_t exch_ews_paging_parse(xmlNodePtr op, exch_ews_paging_t *pg);
void exch_ews_paging_range(exch_ews_paging_t *pg, uint32_t total,
    uint32_t *start, uint32_t *count);
void exch_ews_paging_attrs(exch_ews_t *ews, exch_ews_paging_t *pg,
    uint32_t total, uint32_t start, uint32_t count);


/* exch_ews_item.c: writing items */

/*
 * The tags to read for a shape (named ones resolved in m); *body set when
 * the shape wants a body, so the caller reads the message whole.
 */
int exch_ews_item_tags(exch_ews_t *ews, exch_ews_mbox_t *m,
    exch_ews_shape_t *shape, uint32_t **tags, uint32_t *ntags, int *whole);

/*
 * Writes <t:Message>... for an item.  msg: the message as read (props,
 * and recipients and attachments when the shape needs them); fid/mid its
 * place; parent_item: for an item attachment's embedded message, the root
 * item and the attachment path (NULL otherwise).
 */
int exch_ews_item_write(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    exs_id_t mid, const exs_msg_t *msg, exch_ews_shape_t *shape,
    const uint32_t *att_path, uint32_t natt);

/* adds a tag to a list once */
void exch_ews_tags_add(uint32_t *tags, uint32_t *n, uint32_t max,
    uint32_t tag);

/* reads a message and writes it with its shape */
exch_ews_code_t exch_ews_item_get_write(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, exs_id_t mid, exch_ews_shape_t *shape);

/* writes a message's attachments list (<t:Attachments>) */
void exch_ews_attachments_write(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, exs_id_t mid, const exs_msg_t *msg,
    const exs_props_t *root, const uint32_t *att_path, uint32_t natt);

/* the MIME of a message (MimeContent), in the arena */
int exch_ews_mime_export(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exs_msg_t *msg, exs_bin_t *out);


/* exch_ews_item.c: reading items from requests */

/*
 * Applies the elements of an item element (<t:Message>...) to msg:
 * properties, recipients, body, attachments (create).  type: the item
 * type; create: CreateItem (else an UpdateItem SetItemField).  *mime set
 * when the element had MimeContent (already converted into msg).
 */
exch_ews_code_t exch_ews_item_read(exch_ews_t *ews, exch_ews_mbox_t *m,
    xmlNodePtr item, unsigned type, int create, exs_msg_t *msg);

/* applies one field (SetItemField's element) */
exch_ews_code_t exch_ews_field_set(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_path_t *path, xmlNodePtr value, unsigned type,
    int append, exs_msg_t *msg);
/* removes one field (DeleteItemField) */
exch_ews_code_t exch_ews_field_delete(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_path_t *path, exs_msg_t *msg);

/* MimeContent (base64 MIME) into a new message, named properties in the
 * mailbox's ids */
exch_ews_code_t exch_ews_mime_import(exch_ews_t *ews, exch_ews_mbox_t *m,
    xmlNodePtr node, exs_msg_t **msg);

/* the defaults a new item of a type gets (class, flags, times) */
int exch_ews_item_defaults(exch_ews_t *ews, exch_ews_mbox_t *m,
    unsigned type, exs_msg_t *msg);

/* a recipient from <t:Mailbox> */
exch_ews_code_t exch_ews_rcpt_read(exch_ews_t *ews, xmlNodePtr mbx,
    int rtype, exs_msg_t *msg);


/* exch_oxwsatt.c: an attachment element (FileAttachment, ItemAttachment)
 * added to msg; *num its attachment number (may be NULL) */
exch_ews_code_t exch_ews_attach_read(exch_ews_t *ews, exch_ews_mbox_t *m,
    xmlNodePtr node, exs_msg_t *msg, int32_t *num);

/* exch_ews_send.c: sends message mid of m (exs_mail_submit): delete for
 * SendOnly, sent_fid where the sent copy goes (0: Sent Items) */
int exch_ews_submit(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t mid,
    int delete, exs_id_t sent_fid);
/* a meeting request (cancel: a cancellation) for the attendees of calendar
 * item mid; save: a copy in Sent Items */
int exch_ews_meeting_send(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t mid,
    int cancel, int save);
/* SendMeetingInvitations / ...OrCancellations / SendMeetingCancellations:
 * 0 none, 1 send, 2 send and save a copy; -1 not a value of the schema */
int exch_ews_meeting_disposition(const char *s);

/* exch_oxwsgtz.c: a TZDEFINITION (MS-OXOCAL 2.2.1.41) for a time zone id */
int exch_ews_tzdef_make(exch_ews_t *ews, const char *id, exs_bin_t *out);
/* the bias (minutes, UTC = local + bias) a TZDEFINITION has at a time
 * (FILETIME, UTC); -1 when the blob is broken */
int exch_ews_tzdef_bias(const uint8_t *p, size_t n, int64_t ft, int *bias);

/* exch_ews_recur.c: Recurrence elements <-> PidLidAppointmentRecur,
 * PidLidTaskRecurrence */
exch_ews_code_t exch_ews_recurrence_read(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_field_t *f, xmlNodePtr elem, exs_msg_t *msg);
void exch_ews_recurrence_write(exch_ews_t *ews, const char *elem,
    const exs_bin_t *blob, int task, int bias);
/* a calendar item's series after its fields changed: time offsets, clip
 * range, recurrence type, IsRecurring */
int exch_ews_recurrence_fix(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_msg_t *msg);


/* exch_ews_restrict.c */

/* a <m:Restriction> (its child) into a store restriction */
exch_ews_code_t exch_ews_restriction_parse(exch_ews_t *ews,
    exch_ews_mbox_t *m, xmlNodePtr node, int folder, exs_restriction_t **res);
/* a <m:SortOrder> */
exch_ews_code_t exch_ews_sort_parse(exch_ews_t *ews, exch_ews_mbox_t *m,
    xmlNodePtr node, exs_sortorder_t *sort);


#endif /* _EXCH_EWS_ITEMS_H_INCLUDED_ */
