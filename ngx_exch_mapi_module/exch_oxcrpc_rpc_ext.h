
/*
 * exch: the extended buffers of MS-OXCRPC 2.2.2: RPC_HEADER_EXT chains
 * (the framing of the ROP and auxiliary buffers of EcDoRpcExt2 and of
 * MAPI/HTTP Execute, Connect...), and the AUX_HEADER blocks of the
 * auxiliary buffers.  Nginx-free.
 */


#ifndef _EXCH_OXCRPC_RPC_EXT_H_INCLUDED_
#define _EXCH_OXCRPC_RPC_EXT_H_INCLUDED_


#include "exch_wire.h"


/* RPC_HEADER_EXT, MS-OXCRPC 2.2.2.1 */

#define EXCH_RHE_VERSION        0x0000
#define EXCH_RHE_COMPRESSED     0x0001
#define EXCH_RHE_XORMAGIC       0x0002
#define EXCH_RHE_LAST           0x0004

#define EXCH_RHE_SIZE           8

/* our choice: payloads shorter than this are sent uncompressed */
#define EXCH_RHE_MIN_COMPRESS   1024


typedef struct {
    uint16_t                  version;
    uint16_t                  flags;
    uint16_t                  size;          /* bytes on the wire */
    uint16_t                  size_actual;   /* bytes after decoding */
    const uint8_t            *data;          /* decoded payload (arena) */
    size_t                    len;           /* == size_actual */
} exch_rhe_seg_t;


typedef struct {
    uint32_t                  n;
    exch_rhe_seg_t           *segs;
    const uint8_t            *data;          /* all payloads, concatenated */
    size_t                    len;
    size_t                    consumed;      /* input bytes read */
} exch_rhe_chain_t;


/*
 * Reads RPC_HEADER_EXT + payload segments from p until one with the Last
 * flag, un-XORing and decompressing each into the arena (the input is not
 * modified).  max_total caps the decoded size.  Errors: EXCH_ERR_TRUNCATED,
 * EXCH_ERR_FORMAT (version, sizes, a chain without Last),
 * EXCH_ERR_COMPRESSION, EXCH_ERR_TOOBIG.  Bytes after the Last segment are
 * not read; chain->consumed tells how far it got.
 */
int exch_rhe_parse(const uint8_t *p, size_t len, exs_arena_t *a,
    size_t max_total, exch_rhe_chain_t *chain);

/*
 * Writes one RPC_HEADER_EXT and its payload (at most 0xFFFF bytes).
 * flags may ask for EXCH_RHE_COMPRESSED (applied when the payload is at
 * least EXCH_RHE_MIN_COMPRESS bytes and it shrinks), EXCH_RHE_XORMAGIC
 * and EXCH_RHE_LAST.  The flags written are returned in *written_flags
 * (may be NULL).  Compression scratch comes from the arena.
 */
int exch_rhe_write(exch_wr_t *w, exs_arena_t *a, const uint8_t *payload,
    size_t len, uint16_t flags, uint16_t *written_flags);

/* sets the Last flag of the header written at off */
void exch_rhe_set_last(exch_wr_t *w, size_t off);


/* AUX_HEADER, MS-OXCRPC 2.2.2.2 */

#define EXCH_AUX_VERSION_1      0x01
#define EXCH_AUX_VERSION_2      0x02

#define EXCH_AUX_PERF_REQUESTID             0x01
#define EXCH_AUX_PERF_CLIENTINFO            0x02
#define EXCH_AUX_PERF_SERVERINFO            0x03
#define EXCH_AUX_PERF_SESSIONINFO           0x04
#define EXCH_AUX_PERF_DEFMDB_SUCCESS        0x05
#define EXCH_AUX_PERF_DEFGC_SUCCESS         0x06
#define EXCH_AUX_PERF_MDB_SUCCESS           0x07
#define EXCH_AUX_PERF_GC_SUCCESS            0x08
#define EXCH_AUX_PERF_FAILURE               0x09
#define EXCH_AUX_CLIENT_CONTROL             0x0A
#define EXCH_AUX_PERF_PROCESSINFO           0x0B
#define EXCH_AUX_PERF_BG_DEFMDB_SUCCESS     0x0C
#define EXCH_AUX_PERF_BG_DEFGC_SUCCESS      0x0D
#define EXCH_AUX_PERF_BG_MDB_SUCCESS        0x0E
#define EXCH_AUX_PERF_BG_GC_SUCCESS         0x0F
#define EXCH_AUX_PERF_BG_FAILURE            0x10
#define EXCH_AUX_PERF_FG_DEFMDB_SUCCESS     0x11
#define EXCH_AUX_PERF_FG_DEFGC_SUCCESS      0x12
#define EXCH_AUX_PERF_FG_MDB_SUCCESS        0x13
#define EXCH_AUX_PERF_FG_GC_SUCCESS         0x14
#define EXCH_AUX_PERF_FG_FAILURE            0x15
#define EXCH_AUX_OSVERSIONINFO              0x16
#define EXCH_AUX_EXORGINFO                  0x17
#define EXCH_AUX_PERF_ACCOUNTINFO           0x18
#define EXCH_AUX_ENDPOINT_CAPABILITIES      0x46
#define EXCH_AUX_CLIENT_CONNECTION_INFO     0x47
#define EXCH_AUX_SERVER_SESSION_INFO        0x48
#define EXCH_AUX_PROTOCOL_DEVICE_ID         0x4A

/* AUX_ENDPOINT_CAPABILITIES: one endpoint serves mailbox and directory */
#define EXCH_AUX_ENDPOINT_CAPABILITIES_SINGLE_ENDPOINT  0x00000001

/* AUX_EXORGINFO */
#define EXCH_AUX_ORG_PUBLIC_FOLDERS_ENABLED             0x00000001
#define EXCH_AUX_ORG_USE_AUTODISCOVER_FOR_PUBLIC_FOLDER 0x00000002

/* AUX_CLIENT_CONTROL */
#define EXCH_AUX_CC_ENABLE_PERF_SENDTOSERVER            0x00000001
#define EXCH_AUX_CC_ENABLE_COMPRESSION                  0x00000004
#define EXCH_AUX_CC_ENABLE_HTTP_TUNNELING               0x00000008
#define EXCH_AUX_CC_ENABLE_PERF_SENDGCDATA              0x00000010


/*
 * One parsed block.  Known types are decoded into u (strings converted
 * from UTF-16 to UTF-8, NULL when the offset is 0); every block keeps
 * its raw payload (after the 4-byte header) in data/len.
 */

typedef struct {
    uint8_t                   version;
    uint8_t                   type;
    unsigned                  decoded:1;
    const uint8_t            *data;
    size_t                    len;

    union {
        struct {
            uint16_t              session_id;
            uint16_t              request_id;
        } request_id;

        struct {
            uint32_t              adapter_speed;
            uint16_t              client_id;
            uint16_t              client_mode;
            const char           *machine_name;
            const char           *user_name;
            const char           *adapter_name;
            exs_bin_t             client_ip;
            exs_bin_t             client_ip_mask;
            exs_bin_t             mac_address;
        } client_info;

        struct {
            uint16_t              server_id;
            uint16_t              server_type;
            const char           *server_dn;
            const char           *server_name;
        } server_info;

        struct {
            uint16_t              session_id;
            uint8_t               session_guid[16];
            uint32_t              connection_id;     /* version 2 */
        } session_info;

        struct {
            uint16_t              process_id;
            uint8_t               process_guid[16];
            const char           *process_name;
        } process_info;

        struct {
            uint32_t              enable_flags;
            uint32_t              expiry_time;
        } client_control;

        struct {
            uint32_t              major;
            uint32_t              minor;
            uint32_t              build;
            uint16_t              sp_major;
            uint16_t              sp_minor;
        } os_version;

        struct {
            uint32_t              org_flags;
        } exorg_info;

        struct {
            uint16_t              client_id;
            uint8_t               account[16];
        } account_info;

        struct {
            uint32_t              flags;
        } endpoint_capabilities;

        struct {
            uint8_t               connection_guid[16];
            uint32_t              connection_attempts;
            uint32_t              connection_flags;
            const char           *context_info;
        } client_connection_info;

        struct {
            const char           *context_info;
        } server_session_info;

        struct {
            const char           *manufacturer;
            const char           *model;
            const char           *serial_number;
            const char           *version;
            const char           *firmware_version;
        } device_id;
    } u;
} exch_aux_block_t;


typedef struct {
    uint32_t                  n;
    exch_aux_block_t         *blocks;
} exch_aux_t;


/*
 * Parses the AUX_HEADER blocks of a decoded auxiliary payload (the data
 * of an RPC_HEADER_EXT chain).  A block of a known type whose body is
 * malformed is kept undecoded (decoded = 0) rather than failing the
 * request; a header whose Size runs past the end is EXCH_ERR_TRUNCATED.
 */
int exch_aux_parse(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_aux_t *aux);

/* the server's blocks: each writes one AUX_HEADER and its body */
int exch_aux_write_endpoint_capabilities(exch_wr_t *w, uint32_t flags);
int exch_aux_write_server_session_info(exch_wr_t *w, const char *info);
int exch_aux_write_exorginfo(exch_wr_t *w, uint32_t org_flags);
int exch_aux_write_client_control(exch_wr_t *w, uint32_t enable_flags,
    uint32_t expiry_ms);
/* any block from raw body bytes */
int exch_aux_write_raw(exch_wr_t *w, uint8_t version, uint8_t type,
    const void *body, size_t len);


#endif /* _EXCH_OXCRPC_RPC_EXT_H_INCLUDED_ */
