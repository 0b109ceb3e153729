
/*
 * exch EWS: the operations, one file per specification.
 */


#ifndef _EXCH_EWS_OPS_H_INCLUDED_
#define _EXCH_EWS_OPS_H_INCLUDED_


#include "exch_ews.h"


/* exch_oxwsfold.c */
int exch_ews_op_get_folder(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_find_folder(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_create_folder(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_create_folder_path(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_update_folder(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_delete_folder(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_move_folder(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_copy_folder(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_empty_folder(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwscore.c */
int exch_ews_op_find_item(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_get_item(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_create_item(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_update_item(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_delete_item(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_move_item(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_copy_item(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_send_item(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_mark_all_items_as_read(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_mark_as_junk(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwsatt.c */
int exch_ews_op_create_attachment(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_get_attachment(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_delete_attachment(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwsrslv.c */
int exch_ews_op_resolve_names(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_expand_dl(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwscvtid.c */
int exch_ews_op_convert_id(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwssync.c */
int exch_ews_op_sync_folder_hierarchy(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_sync_folder_items(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwsoof.c */
int exch_ews_op_get_user_oof_settings(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_set_user_oof_settings(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwsusrcfg.c */
int exch_ews_op_get_user_config(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_create_user_config(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_update_user_config(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_delete_user_config(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwsgtz.c */
int exch_ews_op_get_server_time_zones(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwsmtip.c */
int exch_ews_op_get_mail_tips(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_get_service_configuration(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_get_app_manifests(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwsntif.c */
int exch_ews_op_subscribe(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_unsubscribe(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_get_events(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_get_streaming_events(exch_ews_t *ews, xmlNodePtr req);

/* exch_oxwscont.c */
int exch_ews_op_find_people(exch_ews_t *ews, xmlNodePtr req);
int exch_ews_op_get_user_photo(exch_ews_t *ews, xmlNodePtr req);


#endif /* _EXCH_EWS_OPS_H_INCLUDED_ */
