
/*
 * exch EWS: the notifications that outlive a request (ngx_exch_ews_notify.c):
 * GetStreamingEvents connections parked on the notification bus, and the
 * push client that POSTs to subscribers' URLs.
 */


#ifndef _NGX_EXCH_EWS_NOTIFY_H_INCLUDED_
#define _NGX_EXCH_EWS_NOTIFY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "exch_ews.h"


/*
 * Streams the response of a GetStreamingEvents request whose operation
 * left ews->stream: headers now, a response message with the events as
 * they come and a heartbeat every exch_ews_heartbeat, and "Closed" at the
 * connection timeout.  Finalizes the request itself, then or at once on
 * an error.
 */
void ngx_exch_ews_stream(ngx_http_request_t *r, exch_ews_t *ews);

/* a push subscription was just made here: adopt it now */
void ngx_exch_ews_push_kick(void);


extern ngx_module_t  ngx_exch_ews_notify_module;


#endif /* _NGX_EXCH_EWS_NOTIFY_H_INCLUDED_ */
