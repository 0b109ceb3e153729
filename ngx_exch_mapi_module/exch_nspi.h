
/*
 * exch: the NSPI side of MAPI over HTTP (the address book), MS-OXNSPI
 * over MS-OXCMAPIHTTP 2.2.5.  Nginx-free.
 *
 * The address book is the store's directory: one container, the global
 * address list (container id 0), with every user and group in display
 * name order; a minimal entry id is the directory id, which never
 * changes.  A bind is a small record in the state environment
 * (EXS_NS_NSPI_SESSION, key user + 16 random bytes): the client carries
 * its position in the STAT of each request, so there is little else to
 * keep.
 */


#ifndef _EXCH_NSPI_H_INCLUDED_
#define _EXCH_NSPI_H_INCLUDED_


#include <exs_store.h>

#include "exch_wire.h"
#include "exch_oxcdata.h"
#include "exch_oxcmapihttp.h"
#include "exch_emsmdb.h"


typedef struct {
    uint8_t                   key[20];
    uint32_t                  user;
    uint32_t                  codepage;
    uint32_t                  flags;
    uint8_t                   seq[16];
    uint8_t                   server_guid[16];
    int64_t                   created;
    int64_t                   expires;
    uint64_t                  version;
} exch_nspi_session_t;


typedef struct {
    exs_env_t                *env;
    exs_arena_t              *a;
    const exch_ems_conf_t    *conf;
    const exch_ems_user_t    *user;
    int64_t                   now;
    exch_nspi_session_t      *s;
    exs_txn_t                *txn;
    const char               *base_url;    /* "https://host", for the
                                              GetMailboxUrl answers */
} exch_nspi_t;


int exch_nspi_session_create(exch_nspi_t *n, uint32_t codepage,
    uint32_t flags);
int exch_nspi_session_load(exch_nspi_t *n, const uint8_t key[20]);
int exch_nspi_session_claim(exch_nspi_t *n);
int exch_nspi_session_destroy(exch_nspi_t *n);

/*
 * Answers one address book request other than Bind and Unbind (the glue
 * runs those on the session): fills rsp for exch_mh_write_nspi().
 * Returns EXS_OK (the request's own result is in rsp->error_code) or an
 * EXS_* error for the request as a whole.
 */
int exch_nspi_handle(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp);

/* Bind's answer for a new session */
int exch_nspi_bind(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp);


#endif /* _EXCH_NSPI_H_INCLUDED_ */
