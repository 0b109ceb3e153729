
/*
 * exch: ROP buffers of MS-OXCROPS 2.2: the ROP input/output buffer
 * framing (RopSize, RopsList, server object handle table), one request
 * parser and one response writer per ROP, and the server-only ROPs
 * (RopNotify, RopPending, RopBackoff, RopBufferTooSmall).  Nginx-free.
 *
 * How the ROP layer uses it:
 *
 *   exch_ropbuf_parse()        splits the input buffer
 *   exch_rop_parse()           one request at a time, so that a Logon
 *                              processed earlier in the same buffer is
 *                              known when a later ROP's layout depends on
 *                              the logon (ctx->logon_is_public)
 *   exch_rop_info(id)->flags   which handle indexes the ROP has, whether
 *                              it is answered at all (RopRelease), whether
 *                              it is recognised but unsupported here (the
 *                              ICS and FastTransfer ROPs: answer
 *                              exch_rop_write_error(..., ecNotSupported))
 *   handler(req) -> rsp        a table of handlers indexed by rop id
 *   exch_rop_write_response()  writes rsp; EXCH_ERR_BUFSIZE means it did
 *                              not fit: truncate to the ROP's start and
 *                              write RopBufferTooSmall instead
 *   exch_ropbuf_begin/end()    frame the output buffer
 *
 * Everything a parse returns lives in the reader's arena or points into
 * the input buffer.
 */


#ifndef _EXCH_OXCROPS_H_INCLUDED_
#define _EXCH_OXCROPS_H_INCLUDED_


#include "exch_wire.h"
#include "exch_oxcdata.h"


/* RopId values, MS-OXCROPS 2.2.2 */

#define EXCH_ROP_RELEASE                        0x01
#define EXCH_ROP_OPEN_FOLDER                    0x02
#define EXCH_ROP_OPEN_MESSAGE                   0x03
#define EXCH_ROP_GET_HIERARCHY_TABLE            0x04
#define EXCH_ROP_GET_CONTENTS_TABLE             0x05
#define EXCH_ROP_CREATE_MESSAGE                 0x06
#define EXCH_ROP_GET_PROPERTIES_SPECIFIC        0x07
#define EXCH_ROP_GET_PROPERTIES_ALL             0x08
#define EXCH_ROP_GET_PROPERTIES_LIST            0x09
#define EXCH_ROP_SET_PROPERTIES                 0x0A
#define EXCH_ROP_DELETE_PROPERTIES              0x0B
#define EXCH_ROP_SAVE_CHANGES_MESSAGE           0x0C
#define EXCH_ROP_REMOVE_ALL_RECIPIENTS          0x0D
#define EXCH_ROP_MODIFY_RECIPIENTS              0x0E
#define EXCH_ROP_READ_RECIPIENTS                0x0F
#define EXCH_ROP_RELOAD_CACHED_INFORMATION      0x10
#define EXCH_ROP_SET_MESSAGE_READ_FLAG          0x11
#define EXCH_ROP_SET_COLUMNS                    0x12
#define EXCH_ROP_SORT_TABLE                     0x13
#define EXCH_ROP_RESTRICT                       0x14
#define EXCH_ROP_QUERY_ROWS                     0x15
#define EXCH_ROP_GET_STATUS                     0x16
#define EXCH_ROP_QUERY_POSITION                 0x17
#define EXCH_ROP_SEEK_ROW                       0x18
#define EXCH_ROP_SEEK_ROW_BOOKMARK              0x19
#define EXCH_ROP_SEEK_ROW_FRACTIONAL            0x1A
#define EXCH_ROP_CREATE_BOOKMARK                0x1B
#define EXCH_ROP_CREATE_FOLDER                  0x1C
#define EXCH_ROP_DELETE_FOLDER                  0x1D
#define EXCH_ROP_DELETE_MESSAGES                0x1E
#define EXCH_ROP_GET_MESSAGE_STATUS             0x1F
#define EXCH_ROP_SET_MESSAGE_STATUS             0x20
#define EXCH_ROP_GET_ATTACHMENT_TABLE           0x21
#define EXCH_ROP_OPEN_ATTACHMENT                0x22
#define EXCH_ROP_CREATE_ATTACHMENT              0x23
#define EXCH_ROP_DELETE_ATTACHMENT              0x24
#define EXCH_ROP_SAVE_CHANGES_ATTACHMENT        0x25
#define EXCH_ROP_SET_RECEIVE_FOLDER             0x26
#define EXCH_ROP_GET_RECEIVE_FOLDER             0x27
#define EXCH_ROP_REGISTER_NOTIFICATION          0x29
#define EXCH_ROP_NOTIFY                         0x2A
#define EXCH_ROP_OPEN_STREAM                    0x2B
#define EXCH_ROP_READ_STREAM                    0x2C
#define EXCH_ROP_WRITE_STREAM                   0x2D
#define EXCH_ROP_SEEK_STREAM                    0x2E
#define EXCH_ROP_SET_STREAM_SIZE                0x2F
#define EXCH_ROP_SET_SEARCH_CRITERIA            0x30
#define EXCH_ROP_GET_SEARCH_CRITERIA            0x31
#define EXCH_ROP_SUBMIT_MESSAGE                 0x32
#define EXCH_ROP_MOVE_COPY_MESSAGES             0x33
#define EXCH_ROP_ABORT_SUBMIT                   0x34
#define EXCH_ROP_MOVE_FOLDER                    0x35
#define EXCH_ROP_COPY_FOLDER                    0x36
#define EXCH_ROP_QUERY_COLUMNS_ALL              0x37
#define EXCH_ROP_ABORT                          0x38
#define EXCH_ROP_COPY_TO                        0x39
#define EXCH_ROP_COPY_TO_STREAM                 0x3A
#define EXCH_ROP_CLONE_STREAM                   0x3B
#define EXCH_ROP_GET_PERMISSIONS_TABLE          0x3E
#define EXCH_ROP_GET_RULES_TABLE                0x3F
#define EXCH_ROP_MODIFY_PERMISSIONS             0x40
#define EXCH_ROP_MODIFY_RULES                   0x41
#define EXCH_ROP_GET_OWNING_SERVERS             0x42
#define EXCH_ROP_LONG_TERM_ID_FROM_ID           0x43
#define EXCH_ROP_ID_FROM_LONG_TERM_ID           0x44
#define EXCH_ROP_PUBLIC_FOLDER_IS_GHOSTED       0x45
#define EXCH_ROP_OPEN_EMBEDDED_MESSAGE          0x46
#define EXCH_ROP_SET_SPOOLER                    0x47
#define EXCH_ROP_SPOOLER_LOCK_MESSAGE           0x48
#define EXCH_ROP_GET_ADDRESS_TYPES              0x49
#define EXCH_ROP_TRANSPORT_SEND                 0x4A
#define EXCH_ROP_FT_SOURCE_COPY_MESSAGES        0x4B
#define EXCH_ROP_FT_SOURCE_COPY_FOLDER          0x4C
#define EXCH_ROP_FT_SOURCE_COPY_TO              0x4D
#define EXCH_ROP_FT_SOURCE_GET_BUFFER           0x4E
#define EXCH_ROP_FIND_ROW                       0x4F
#define EXCH_ROP_PROGRESS                       0x50
#define EXCH_ROP_TRANSPORT_NEW_MAIL             0x51
#define EXCH_ROP_GET_VALID_ATTACHMENTS          0x52
#define EXCH_ROP_FT_DEST_CONFIGURE              0x53
#define EXCH_ROP_FT_DEST_PUT_BUFFER             0x54
#define EXCH_ROP_GET_NAMES_FROM_PROPERTY_IDS    0x55
#define EXCH_ROP_GET_PROPERTY_IDS_FROM_NAMES    0x56
#define EXCH_ROP_UPDATE_DEFERRED_ACTION_MESSAGES  0x57
#define EXCH_ROP_EMPTY_FOLDER                   0x58
#define EXCH_ROP_EXPAND_ROW                     0x59
#define EXCH_ROP_COLLAPSE_ROW                   0x5A
#define EXCH_ROP_LOCK_REGION_STREAM             0x5B
#define EXCH_ROP_UNLOCK_REGION_STREAM           0x5C
#define EXCH_ROP_COMMIT_STREAM                  0x5D
#define EXCH_ROP_GET_STREAM_SIZE                0x5E
#define EXCH_ROP_QUERY_NAMED_PROPERTIES         0x5F
#define EXCH_ROP_GET_PER_USER_LONG_TERM_IDS     0x60
#define EXCH_ROP_GET_PER_USER_GUID              0x61
#define EXCH_ROP_READ_PER_USER_INFORMATION      0x63
#define EXCH_ROP_WRITE_PER_USER_INFORMATION     0x64
#define EXCH_ROP_SET_READ_FLAGS                 0x66
#define EXCH_ROP_COPY_PROPERTIES                0x67
#define EXCH_ROP_GET_RECEIVE_FOLDER_TABLE       0x68
#define EXCH_ROP_FT_SOURCE_COPY_PROPERTIES      0x69
#define EXCH_ROP_GET_COLLAPSE_STATE             0x6B
#define EXCH_ROP_SET_COLLAPSE_STATE             0x6C
#define EXCH_ROP_GET_TRANSPORT_FOLDER           0x6D
#define EXCH_ROP_PENDING                        0x6E
#define EXCH_ROP_OPTIONS_DATA                   0x6F
#define EXCH_ROP_SYNC_CONFIGURE                 0x70
#define EXCH_ROP_SYNC_IMPORT_MESSAGE_CHANGE     0x72
#define EXCH_ROP_SYNC_IMPORT_HIERARCHY_CHANGE   0x73
#define EXCH_ROP_SYNC_IMPORT_DELETES            0x74
#define EXCH_ROP_SYNC_UPLOAD_STATE_STREAM_BEGIN     0x75
#define EXCH_ROP_SYNC_UPLOAD_STATE_STREAM_CONTINUE  0x76
#define EXCH_ROP_SYNC_UPLOAD_STATE_STREAM_END   0x77
#define EXCH_ROP_SYNC_IMPORT_MESSAGE_MOVE       0x78
#define EXCH_ROP_SET_PROPERTIES_NO_REPLICATE    0x79
#define EXCH_ROP_DELETE_PROPERTIES_NO_REPLICATE 0x7A
#define EXCH_ROP_GET_STORE_STATE                0x7B
#define EXCH_ROP_SYNC_OPEN_COLLECTOR            0x7E
#define EXCH_ROP_GET_LOCAL_REPLICA_IDS          0x7F
#define EXCH_ROP_SYNC_IMPORT_READ_STATE_CHANGES 0x80
#define EXCH_ROP_RESET_TABLE                    0x81
#define EXCH_ROP_SYNC_GET_TRANSFER_STATE        0x82
#define EXCH_ROP_TELL_VERSION                   0x86
#define EXCH_ROP_FREE_BOOKMARK                  0x89
#define EXCH_ROP_WRITE_AND_COMMIT_STREAM        0x90
#define EXCH_ROP_HARD_DELETE_MESSAGES           0x91
#define EXCH_ROP_HARD_DELETE_MESSAGES_AND_SUBFOLDERS  0x92
#define EXCH_ROP_SET_LOCAL_REPLICA_MIDSET_DELETED   0x93
#define EXCH_ROP_FT_DEST_PUT_BUFFER_EXTENDED    0x9D
#define EXCH_ROP_WRITE_STREAM_EXTENDED          0xA3
#define EXCH_ROP_BACKOFF                        0xF9
#define EXCH_ROP_LOGON                          0xFE
#define EXCH_ROP_BUFFER_TOO_SMALL               0xFF


/* what exch_rop_info() says about a RopId */

#define EXCH_ROPF_KNOWN         0x0001  /* parsed by exch_rop_parse() */
#define EXCH_ROPF_OUT           0x0002  /* creates an object: out_index */
#define EXCH_ROPF_RESP_INDEX    0x0004  /* ResponseHandleIndex, then input */
#define EXCH_ROPF_SRC_DST       0x0008  /* SourceHandleIndex, DestHandleIndex */
#define EXCH_ROPF_NO_RESPONSE   0x0010  /* RopRelease: nothing is answered */
#define EXCH_ROPF_NOTSUP        0x0020  /* ICS / FastTransfer: parsed, then
                                           answered ecNotSupported */
#define EXCH_ROPF_SERVER        0x0040  /* a response-only RopId */
#define EXCH_ROPF_FULL_ON_ERROR 0x0080  /* response fields follow even when
                                           ReturnValue is not 0 */

typedef struct {
    const char               *name;      /* "RopLogon" */
    unsigned                  flags;
} exch_rop_info_t;

/* never NULL: an unknown id gives { "RopUnknown", 0 } */
const exch_rop_info_t *exch_rop_info(uint8_t rop_id);


/* LogonFlags, OpenFlags, MS-OXCSTOR 2.2.1.1.1 */

#define EXCH_LOGON_PRIVATE              0x01
#define EXCH_LOGON_UNDERCOVER           0x02
#define EXCH_LOGON_GHOSTED              0x04

/* ResponseFlags of the private logon response */
#define EXCH_LOGON_RESPONSE_RESERVED    0x01
#define EXCH_LOGON_RESPONSE_OWNER_RIGHT 0x02
#define EXCH_LOGON_RESPONSE_SEND_AS     0x04
#define EXCH_LOGON_RESPONSE_OOF         0x10

/* ReadStream's ByteCount asking for MaximumByteCount */
#define EXCH_READ_STREAM_MAX            0xBABE

/* TypedString types, MS-OXCROPS 2.2.6.1.2.1 */
#define EXCH_TSTR_NONE                  0x00
#define EXCH_TSTR_EMPTY                 0x01
#define EXCH_TSTR_STRING8               0x02
#define EXCH_TSTR_REDUCED_UNICODE       0x03
#define EXCH_TSTR_UNICODE               0x04

/* RecipientFlags, MS-OXCDATA 2.8.3.1 */
#define EXCH_RCPT_TYPE_MASK             0x0007
#define EXCH_RCPT_TYPE_NONE             0x0000
#define EXCH_RCPT_TYPE_X500DN           0x0001
#define EXCH_RCPT_TYPE_MSMAIL           0x0002
#define EXCH_RCPT_TYPE_SMTP             0x0003
#define EXCH_RCPT_TYPE_FAX              0x0004
#define EXCH_RCPT_TYPE_PROFESSIONALOFFICESYSTEM  0x0005
#define EXCH_RCPT_TYPE_PERSONALDL1      0x0006
#define EXCH_RCPT_TYPE_PERSONALDL2      0x0007
#define EXCH_RCPT_E                     0x0008  /* EmailAddress */
#define EXCH_RCPT_D                     0x0010  /* DisplayName */
#define EXCH_RCPT_T                     0x0020  /* TransmittableDisplayName */
#define EXCH_RCPT_S                     0x0040  /* SendNoRichInformation */
#define EXCH_RCPT_R                     0x0080  /* reserved */
#define EXCH_RCPT_N                     0x0100  /* non-rich */
#define EXCH_RCPT_U                     0x0200  /* strings are Unicode */
#define EXCH_RCPT_I                     0x0400  /* SimpleDisplayName */
#define EXCH_RCPT_O                     0x8000  /* AddressType present */


/* RecipientRow, MS-OXCDATA 2.8.3.2; strings are UTF-8 with the U flag,
 * else the bytes sent (code page of the message) */

typedef struct {
    uint16_t                  flags;
    uint8_t                   prefix_used;     /* X500DN */
    uint8_t                   display_type;    /* X500DN */
    exs_str_t                 x500dn;          /* X500DN, 8-bit */
    exs_bin_t                 entry_id;        /* PersonalDistributionList */
    exs_bin_t                 search_key;      /* PersonalDistributionList */
    exs_str_t                 address_type;    /* NoType with O, 8-bit */
    exs_str_t                 email;           /* E */
    exs_str_t                 display_name;    /* D */
    exs_str_t                 simple_name;     /* I */
    exs_str_t                 transmittable_name;  /* T */
    uint16_t                  ncols;           /* RecipientColumnCount */
    exs_props_t               props;           /* the first ncols columns */
} exch_rcpt_row_t;

int exch_read_rcpt_row(exch_rd_t *r, const exch_tags_t *cols,
    exch_rcpt_row_t *row);
int exch_write_rcpt_row(exch_wr_t *w, const exch_tags_t *cols,
    const exch_rcpt_row_t *row);


/* GhostServer lists (OpenFolder, PublicFolderIsGhosted...) */

typedef struct {
    uint16_t                  n;
    uint16_t                  cheap;
    const char              **servers;     /* NUL-terminated ASCII */
} exch_ghost_t;


/* the request bodies that share a shape */

typedef struct {
    uint8_t                   flags;
} exch_rop_flags_req_t;

typedef struct {
    uint16_t                  n;
    uint64_t                 *ids;
} exch_rop_ids_t;

typedef struct {
    uint8_t                   flags;
    exs_props_t               props;
} exch_rop_data_row_t;             /* PermissionData, RuleData */


typedef struct {
    uint32_t                  row_id;
    uint8_t                   type;            /* RecipientType */
    unsigned                  has_row:1;       /* RecipientRowSize != 0 */
    exch_rcpt_row_t           row;
} exch_modrcpt_t;


/* one parsed ROP request */

typedef struct {
    uint8_t                   rop_id;
    uint8_t                   logon_id;
    uint8_t                   in_index;    /* InputHandleIndex, Source- */
    uint8_t                   out_index;   /* OutputHandleIndex, Dest- */
    uint8_t                   rsp_index;   /* what the response echoes */
    const uint8_t            *raw;         /* this request's bytes */
    size_t                    raw_len;

    union {
        struct {
            uint8_t               flags;
            uint32_t              open_flags;
            uint32_t              store_state;
            exs_str_t             essdn;       /* ASCII, may be empty */
        } logon;

        struct {
            exs_str_t             message_class;
        } get_receive_folder;

        struct {
            uint64_t              fid;
            exs_str_t             message_class;
        } set_receive_folder;

        struct {
            uint64_t              id;
        } long_term_id_from_id, get_owning_servers, public_folder_is_ghosted,
          get_message_status;

        struct {
            exch_ltid_t           ltid;
        } id_from_long_term_id, get_per_user_guid;

        struct {
            uint8_t               guid[16];
        } get_per_user_long_term_ids;

        struct {
            exch_ltid_t           folder;
            uint8_t               reserved;
            uint32_t              offset;
            uint16_t              max_size;
        } read_per_user_information;

        struct {
            exch_ltid_t           folder;
            uint8_t               has_finished;
            uint32_t              offset;
            exs_bin_t             data;
            unsigned              has_repl_guid:1;  /* offset 0, private */
            uint8_t               repl_guid[16];
        } write_per_user_information;

        struct {
            uint64_t              fid;
            uint8_t               flags;
        } open_folder;

        struct {
            uint8_t               type;
            uint8_t               unicode;
            uint8_t               open_existing;
            uint8_t               reserved;
            exs_str_t             name;        /* UTF-8 if unicode */
            exs_str_t             comment;
        } create_folder;

        struct {
            uint8_t               flags;
            uint64_t              fid;
        } delete_folder;

        struct {
            exs_restriction_t    *res;         /* NULL: none */
            exch_rop_ids_t        fids;
            uint32_t              flags;
        } set_search_criteria;

        struct {
            uint8_t               unicode;
            uint8_t               include_restriction;
            uint8_t               include_folders;
        } get_search_criteria;

        struct {
            exch_rop_ids_t        mids;
            uint8_t               want_async;
            uint8_t               want_copy;
        } move_copy_messages;

        struct {
            uint8_t               want_async;
            uint8_t               want_recursive;  /* CopyFolder only */
            uint8_t               unicode;
            uint64_t              fid;
            exs_str_t             new_name;
        } move_folder, copy_folder;

        struct {
            uint8_t               want_async;
            uint8_t               want_delete_associated;
        } empty_folder, hard_delete_messages_and_subfolders;

        struct {
            uint8_t               want_async;
            uint8_t               notify_non_read;
            exch_rop_ids_t        mids;
        } delete_messages, hard_delete_messages;

        /* Get{Hierarchy,Contents,Attachment,Permissions,Rules}Table */
        exch_rop_flags_req_t  table;

        struct {
            uint8_t               flags;
            exch_tags_t           cols;
        } set_columns;

        struct {
            uint8_t               flags;
            exs_sortorder_t       sort;
        } sort_table;

        struct {
            uint8_t               flags;
            exs_restriction_t    *res;         /* NULL: remove */
        } restriction;

        struct {
            uint8_t               flags;
            uint8_t               forward;
            uint16_t              count;
        } query_rows;

        struct {
            uint8_t               origin;
            int32_t               count;
            uint8_t               want_moved;
        } seek_row;

        struct {
            exs_bin_t             bookmark;
            int32_t               count;
            uint8_t               want_moved;
        } seek_row_bookmark;

        struct {
            uint32_t              numerator;
            uint32_t              denominator;
        } seek_row_fractional;

        struct {
            exs_bin_t             bookmark;
        } free_bookmark;

        struct {
            uint8_t               flags;
            exs_restriction_t    *res;
            uint8_t               origin;
            exs_bin_t             bookmark;
        } find_row;

        struct {
            uint16_t              max_rows;
            uint64_t              category_id;
        } expand_row;

        struct {
            uint64_t              category_id;
        } collapse_row;

        struct {
            uint64_t              row_id;
            uint32_t              row_instance;
        } get_collapse_state;

        struct {
            exs_bin_t             state;
        } set_collapse_state;

        struct {
            uint16_t              cpid;
            uint64_t              fid;
            uint8_t               flags;
            uint64_t              mid;
        } open_message;

        struct {
            uint16_t              cpid;
            uint64_t              fid;
            uint8_t               associated;
        } create_message;

        /* SaveChangesMessage, SaveChangesAttachment: SaveFlags */
        exch_rop_flags_req_t  save_changes;

        struct {
            uint32_t              reserved;
        } remove_all_recipients;

        struct {
            exch_tags_t           cols;
            uint16_t              n;
            exch_modrcpt_t       *rows;
        } modify_recipients;

        struct {
            uint32_t              row_id;
            uint16_t              reserved;
        } read_recipients;

        struct {
            uint16_t              reserved;
        } reload_cached_information;

        struct {
            uint64_t              mid;
            uint32_t              status;
            uint32_t              mask;
        } set_message_status;

        struct {
            uint8_t               want_async;
            uint8_t               flags;
            exch_rop_ids_t        mids;
        } set_read_flags;

        struct {
            uint8_t               flags;
            unsigned              has_client_data:1;  /* public logon */
            uint8_t               client_data[24];
        } set_message_read_flag;

        struct {
            uint8_t               flags;
            uint32_t              attach_id;
        } open_attachment;

        struct {
            uint32_t              attach_id;
        } delete_attachment;

        struct {
            uint16_t              cpid;
            uint8_t               flags;
        } open_embedded_message;

        /* SubmitMessage: SubmitFlags */
        exch_rop_flags_req_t  submit_message;

        struct {
            uint64_t              fid;
            uint64_t              mid;
        } abort_submit;

        struct {
            uint64_t              mid;
            uint8_t               state;
        } spooler_lock_message;

        struct {
            uint64_t              mid;
            uint64_t              fid;
            exs_str_t             message_class;
            uint32_t              flags;
        } transport_new_mail;

        struct {
            exs_str_t             address_type;
            uint8_t               want_win32;
        } options_data;

        struct {
            uint8_t               flags;
            uint16_t              n;
            exs_propname_t       *names;
        } get_property_ids_from_names;

        struct {
            uint16_t              n;
            uint16_t             *ids;
        } get_names_from_property_ids;

        struct {
            uint8_t               flags;
            unsigned              has_guid:1;
            uint8_t               guid[16];
        } query_named_properties;

        struct {
            uint16_t              size_limit;
            uint16_t              want_unicode;
            exch_tags_t           tags;
        } get_properties_specific;

        struct {
            uint16_t              size_limit;
            uint16_t              want_unicode;
        } get_properties_all;

        /* SetProperties, SetPropertiesNoReplicate */
        struct {
            exs_props_t           props;
        } set_properties;

        /* DeleteProperties, DeletePropertiesNoReplicate */
        struct {
            exch_tags_t           tags;
        } delete_properties;

        struct {
            uint8_t               want_async;
            uint8_t               flags;
            exch_tags_t           tags;
        } copy_properties;

        struct {
            uint8_t               want_async;
            uint8_t               want_subobjects;
            uint8_t               flags;
            exch_tags_t           excluded;
        } copy_to;

        struct {
            uint8_t               want_cancel;
        } progress;

        struct {
            uint32_t              tag;
            uint8_t               flags;
        } open_stream;

        struct {
            uint16_t              byte_count;
            uint32_t              max_byte_count;  /* byte_count 0xBABE */
        } read_stream;

        /* WriteStream, WriteStreamExtended, WriteAndCommitStream */
        struct {
            exs_bin_t             data;
        } write_stream;

        struct {
            uint64_t              size;
        } set_stream_size;

        struct {
            uint8_t               origin;
            int64_t               offset;
        } seek_stream;

        struct {
            uint64_t              byte_count;
        } copy_to_stream;

        /* LockRegionStream, UnlockRegionStream */
        struct {
            uint64_t              offset;
            uint64_t              size;
            uint32_t              flags;
        } lock_region_stream;

        /* ModifyPermissions, ModifyRules */
        struct {
            uint8_t               flags;
            uint16_t              n;
            exch_rop_data_row_t  *rows;
        } modify_permissions, modify_rules;

        struct {
            exs_bin_t             server_eid;
            exs_bin_t             client_eid;
        } update_deferred_action_messages;

        struct {
            uint8_t               types;
            uint8_t               reserved;
            uint8_t               whole_store;
            uint64_t              fid;
            uint64_t              mid;
        } register_notification;

        /* ICS and FastTransfer: the body bytes, for logging */
        struct {
            exs_bin_t             body;
        } notsup;
    } u;
} exch_rop_req_t;


/* the logon a ROP refers to decides some layouts */

typedef struct {
    int                     (*logon_is_public)(void *data, uint8_t logon_id);
    void                     *data;
} exch_rop_ctx_t;


/* ROP input buffer, MS-OXCROPS 2.2.1 */

typedef struct {
    const uint8_t            *rops;        /* RopsList */
    size_t                    rops_len;
    uint32_t                  nhandles;    /* ServerObjectHandleTable */
    uint32_t                 *handles;
} exch_ropbuf_t;

/*
 * EXCH_ERR_FORMAT when RopSize is below 2 or beyond the buffer, or the
 * handle table is not a whole number of 4-byte handles; EXCH_ERR_TOOBIG
 * beyond 256 handles (indexes are one byte).
 */
int exch_ropbuf_parse(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_ropbuf_t *rb);

/*
 * Parses the next ROP request from r (a reader over RopsList, with the
 * arena).  An unknown RopId is EXCH_ERR_UNKNOWN with req->rop_id set:
 * the rest of the buffer cannot be parsed (MS-OXCROPS 2.2.2: the server
 * fails the whole Execute).  A response-only RopId is EXCH_ERR_FORMAT.
 * ctx may be NULL (every logon private).
 */
int exch_rop_parse(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req);

/* all of them, for tools and fuzzers; *n counts the parsed ones even on
 * error */
int exch_rop_parse_all(const uint8_t *rops, size_t len, exs_arena_t *a,
    const exch_rop_ctx_t *ctx, exch_rop_req_t **reqs, uint32_t *n);


/* ROP responses */

typedef struct {
    uint8_t                   type;        /* EXCH_TSTR_*; 0xFF: choose */
    exs_str_t                 s;           /* UTF-8 (8-bit for STRING8) */
} exch_tstr_t;

typedef struct {
    uint32_t                  row_id;      /* ReadRecipients only */
    uint8_t                   type;        /* RecipientType */
    uint16_t                  cpid;
    exch_rcpt_row_t           row;
} exch_rsp_rcpt_t;

/* OpenMessage, ReloadCachedInformation, OpenEmbeddedMessage */
typedef struct {
    uint8_t                   reserved;    /* OpenEmbeddedMessage only */
    uint64_t                  mid;         /* OpenEmbeddedMessage only */
    uint8_t                   has_named_properties;
    exch_tstr_t               subject_prefix;
    exch_tstr_t               normalized_subject;
    uint16_t                  recipient_count;
    exch_tags_t               cols;
    uint8_t                   nrows;       /* rows offered */
    const exch_rsp_rcpt_t    *rows;
    uint8_t                   written;     /* out: rows that fit */
} exch_rsp_open_message_t;

typedef struct {
    uint64_t                  fid;
    exs_str_t                 message_class;   /* ASCII */
    int64_t                   mtime;           /* FILETIME */
} exch_receive_folder_row_t;

typedef struct {
    uint8_t                   sec;
    uint8_t                   min;
    uint8_t                   hour;
    uint8_t                   wday;
    uint8_t                   day;
    uint8_t                   month;
    uint16_t                  year;
} exch_logon_time_t;


typedef struct {
    uint8_t                   rop_id;
    uint8_t                   index;       /* req->rsp_index */
    uint32_t                  rv;          /* ReturnValue */

    union {
        struct {
            unsigned              is_private:1;  /* LogonFlags & PRIVATE */
            uint8_t               flags;
            uint64_t              fids[13];
            uint8_t               response_flags;   /* private */
            uint8_t               mailbox_guid[16]; /* private */
            uint16_t              replid;
            uint8_t               repl_guid[16];
            exch_logon_time_t     time;             /* private */
            uint64_t              gwart_time;       /* private */
            uint32_t              store_state;      /* private */
            uint8_t               per_user_guid[16];  /* public */
            const char           *server_name;      /* ecWrongServer */
        } logon;

        struct {
            uint64_t              fid;
            exs_str_t             explicit_class;
        } get_receive_folder;

        struct {
            uint32_t              n;
            const exch_receive_folder_row_t  *rows;
        } get_receive_folder_table;

        struct {
            uint32_t              state;
        } get_store_state;

        struct {
            exch_ghost_t          ghost;
        } get_owning_servers;

        struct {
            uint8_t               is_ghosted;
            exch_ghost_t          ghost;
        } public_folder_is_ghosted;

        struct {
            exch_ltid_t           ltid;
        } long_term_id_from_id;

        struct {
            uint64_t              id;
        } id_from_long_term_id;

        struct {
            uint16_t              n;
            const exch_ltid_t    *ltids;
        } get_per_user_long_term_ids;

        struct {
            uint8_t               guid[16];
        } get_per_user_guid;

        struct {
            uint8_t               has_finished;
            exs_bin_t             data;
        } read_per_user_information;

        struct {
            uint8_t               has_rules;
            uint8_t               is_ghosted;
            exch_ghost_t          ghost;
        } open_folder;

        struct {
            uint64_t              fid;
            uint8_t               is_existing;
            uint8_t               has_rules;        /* is_existing */
            uint8_t               is_ghosted;       /* is_existing */
            exch_ghost_t          ghost;
        } create_folder;

        /* DeleteFolder, DeleteMessages, HardDelete*, EmptyFolder,
         * SetReadFlags, MoveCopyMessages, MoveFolder, CopyFolder */
        struct {
            uint32_t              dest_index;   /* ecDstNullObject */
            uint8_t               partial;
        } partial;

        struct {
            const exs_restriction_t  *res;
            uint8_t               logon_id;
            uint16_t              nfids;
            const uint64_t       *fids;
            uint32_t              flags;
        } get_search_criteria;

        /* GetHierarchyTable, GetContentsTable */
        struct {
            uint32_t              row_count;
        } table;

        /* SetColumns, SortTable, Restrict, Abort, GetStatus */
        struct {
            uint8_t               status;
        } table_status;

        struct {
            uint8_t               origin;
            exch_tags_t           cols;
            uint16_t              nrows;
            const exs_props_t    *rows;
            uint16_t              written;  /* out: rows that fit */
        } query_rows;

        struct {
            uint32_t              numerator;
            uint32_t              denominator;
        } query_position;

        struct {
            uint8_t               has_sought_less;
            int32_t               rows_sought;
        } seek_row;

        struct {
            uint8_t               row_no_longer_visible;
            uint8_t               has_sought_less;
            int32_t               rows_sought;
        } seek_row_bookmark;

        /* CreateBookmark, GetCollapseState, SetCollapseState */
        struct {
            exs_bin_t             data;
        } bookmark;

        struct {
            exch_tags_t           tags;
        } tags;     /* QueryColumnsAll, GetPropertiesList */

        struct {
            uint8_t               row_no_longer_visible;
            uint8_t               has_row;
            exch_tags_t           cols;
            const exs_props_t    *row;
        } find_row;

        struct {
            uint32_t              expanded_count;
            exch_tags_t           cols;
            uint16_t              nrows;
            const exs_props_t    *rows;
            uint16_t              written;
        } expand_row;

        struct {
            uint32_t              collapsed_count;
        } collapse_row;

        exch_rsp_open_message_t  open_message;

        struct {
            uint8_t               has_mid;
            uint64_t              mid;
        } create_message;

        struct {
            uint8_t               in_index;
            uint64_t              mid;
        } save_changes_message;

        struct {
            exch_tags_t           cols;
            uint8_t               nrows;
            const exch_rsp_rcpt_t  *rows;
            uint8_t               written;
        } read_recipients;

        /* SetMessageStatus, GetMessageStatus */
        struct {
            uint32_t              status;
        } message_status;

        struct {
            uint8_t               changed;
            uint8_t               logon_id;
            uint8_t               client_data[24];  /* public logons */
            unsigned              has_client_data:1;
        } set_message_read_flag;

        struct {
            uint32_t              attach_id;
        } create_attachment;

        struct {
            uint16_t              n;
            const uint32_t       *ids;
        } get_valid_attachments;

        struct {
            uint16_t              n;
            const exs_str_t      *types;
        } get_address_types;

        struct {
            const exs_props_t    *props;       /* NULL: none returned */
        } transport_send;

        struct {
            uint64_t              fid;
        } get_transport_folder;

        struct {
            uint8_t               reserved;
            exs_bin_t             options_info;
            exs_bin_t             help_file;
            exs_str_t             help_file_name;
        } options_data;

        struct {
            uint16_t              n;
            const uint16_t       *ids;
        } get_property_ids_from_names;

        struct {
            uint16_t              n;
            const exs_propname_t *names;
        } get_names_from_property_ids;

        struct {
            uint16_t              n;
            const uint16_t       *ids;
            const exs_propname_t *names;
        } query_named_properties;

        struct {
            exch_tags_t           cols;
            const exs_props_t    *row;
        } get_properties_specific;

        struct {
            const exs_props_t    *props;
        } get_properties_all;

        /* Set/DeleteProperties(NoReplicate), CopyProperties, CopyTo */
        struct {
            uint32_t              dest_index;   /* ecDstNullObject */
            uint16_t              n;
            const exch_problem_t *problems;
        } problems;

        struct {
            uint8_t               logon_id;
            uint32_t              completed;
            uint32_t              total;
        } progress;

        /* OpenStream, GetStreamSize */
        struct {
            uint32_t              size;
        } stream_size;

        struct {
            exs_bin_t             data;
        } read_stream;

        /* WriteStream, WriteStreamExtended, WriteAndCommitStream */
        struct {
            uint32_t              written;  /* 2 bytes, 4 for Extended */
        } write_stream;

        struct {
            uint64_t              pos;
        } seek_stream;

        struct {
            uint32_t              dest_index;   /* ecDstNullObject */
            uint64_t              read;
            uint64_t              written;
        } copy_to_stream;
    } u;
} exch_rop_rsp_t;


/*
 * Writes one ROP response: RopId (0x20 for GetMessageStatus, as the spec
 * says), the index, ReturnValue, then the success fields, or the form the
 * spec gives for a failure: the short form, RopLogon's redirect on
 * ecWrongServer, the null-destination forms on ecDstNullObject, the full
 * form for EXCH_ROPF_FULL_ON_ERROR ROPs and GetPropertyIdsFromNames'
 * ecWarnWithErrors.  Rows (QueryRows, ExpandRow, ReadRecipients,
 * OpenMessage recipients) are written while they fit and the count is
 * patched: rsp->u...written says how many; a first row that does not fit
 * is EXCH_ERR_BUFSIZE like any other overflow (w is then left as it was).
 */
int exch_rop_write_response(exch_wr_t *w, exch_rop_rsp_t *rsp);

/* RopId, index, ReturnValue: the failure response of any ROP */
int exch_rop_write_error(exch_wr_t *w, uint8_t rop_id, uint8_t index,
    uint32_t rv);


/* TypedString, OpenMessage's subject fields */
int exch_write_tstr(exch_wr_t *w, const exch_tstr_t *t);
int exch_read_tstr(exch_rd_t *r, exch_tstr_t *t);


/* RopBufferTooSmall, MS-OXCROPS 2.2.15.3: the unprocessed requests */
int exch_rop_write_buffer_too_small(exch_wr_t *w, uint16_t size_needed,
    const uint8_t *requests, size_t len);

/* RopPending, 2.2.14.3 */
int exch_rop_write_pending(exch_wr_t *w, uint16_t session_index);

/* RopBackoff, 2.2.15.2 */
typedef struct {
    uint8_t                   rop_id;
    uint32_t                  duration;
} exch_backoff_rop_t;

int exch_rop_write_backoff(exch_wr_t *w, uint8_t logon_id,
    uint32_t duration, const exch_backoff_rop_t *rops, uint8_t n,
    const uint8_t *extra, uint16_t extra_len);


/*
 * RopNotify, 2.2.14.2: NotificationData (2.2.14.2.1).  The layer sets the
 * flags (NotificationType and the T/U/S/M bits) and marks which of the
 * conditional fields are present in has; they are written in the spec's
 * order.
 */

#define EXCH_NOTIF_NEW_MAIL             0x0002
#define EXCH_NOTIF_OBJECT_CREATED       0x0004
#define EXCH_NOTIF_OBJECT_DELETED       0x0008
#define EXCH_NOTIF_OBJECT_MODIFIED      0x0010
#define EXCH_NOTIF_OBJECT_MOVED         0x0020
#define EXCH_NOTIF_OBJECT_COPIED        0x0040
#define EXCH_NOTIF_SEARCH_COMPLETE      0x0080
#define EXCH_NOTIF_TABLE_MODIFIED       0x0100
#define EXCH_NOTIF_STATUS_OBJECT_MODIFIED  0x0200
#define EXCH_NOTIF_T                    0x1000  /* TotalMessageCount */
#define EXCH_NOTIF_U                    0x2000  /* UnreadMessageCount */
#define EXCH_NOTIF_S                    0x4000  /* search folder */
#define EXCH_NOTIF_M                    0x8000  /* message */

#define EXCH_TABLE_CHANGED              0x0001
#define EXCH_TABLE_ROW_ADDED            0x0003
#define EXCH_TABLE_ROW_DELETED          0x0004
#define EXCH_TABLE_ROW_MODIFIED         0x0005
#define EXCH_TABLE_RESTRICT_DONE        0x0007

#define EXCH_NF_TABLE_EVENT             0x000001
#define EXCH_NF_ROW_FID                 0x000002
#define EXCH_NF_ROW_MID                 0x000004
#define EXCH_NF_ROW_INSTANCE            0x000008
#define EXCH_NF_AFTER_FID               0x000010
#define EXCH_NF_AFTER_MID               0x000020
#define EXCH_NF_AFTER_INSTANCE          0x000040
#define EXCH_NF_ROW_DATA                0x000080
#define EXCH_NF_FID                     0x000100
#define EXCH_NF_MID                     0x000200
#define EXCH_NF_PARENT_FID              0x000400
#define EXCH_NF_OLD_FID                 0x000800
#define EXCH_NF_OLD_MID                 0x001000
#define EXCH_NF_OLD_PARENT_FID          0x002000
#define EXCH_NF_TAGS                    0x004000
#define EXCH_NF_TOTAL                   0x008000
#define EXCH_NF_UNREAD                  0x010000
#define EXCH_NF_MESSAGE_FLAGS           0x020000
#define EXCH_NF_MESSAGE_CLASS           0x040000

typedef struct {
    uint16_t                  flags;
    uint32_t                  has;         /* EXCH_NF_* */
    uint16_t                  table_event;
    uint64_t                  row_fid;
    uint64_t                  row_mid;
    uint32_t                  row_instance;
    uint64_t                  after_fid;
    uint64_t                  after_mid;
    uint32_t                  after_instance;
    exs_bin_t                 row_data;
    uint64_t                  fid;
    uint64_t                  mid;
    uint64_t                  parent_fid;
    uint64_t                  old_fid;
    uint64_t                  old_mid;
    uint64_t                  old_parent_fid;
    exch_tags_t               tags;
    uint32_t                  total;
    uint32_t                  unread;
    uint32_t                  message_flags;
    uint8_t                   unicode;
    exs_str_t                 message_class;
} exch_notif_t;

int exch_rop_write_notify(exch_wr_t *w, uint32_t handle, uint8_t logon_id,
    const exch_notif_t *n);


/* ROP output buffer: RopSize reserved at begin, patched at end, then the
 * handle table; begin keeps room for nhandles handles at the end, so the
 * ROPs see EXCH_ERR_BUFSIZE before the table would not fit, and end must
 * be given the same count */
int exch_ropbuf_begin(exch_wr_t *w, uint32_t nhandles, size_t *mark);
int exch_ropbuf_end(exch_wr_t *w, size_t mark, const uint32_t *handles,
    uint32_t n);


#endif /* _EXCH_OXCROPS_H_INCLUDED_ */
