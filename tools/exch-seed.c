
/*
 * exch-seed: fills a folder with many small messages straight through the
 * store, for tests and benchmarks that need thousands of items fast.
 *
 *     exch-seed --store DIR ADDRESS FOLDER COUNT
 *
 * FOLDER is a special folder (inbox, drafts, sentitems, deleteditems) or
 * the name of a subfolder of the Inbox (created when missing).  Message n
 * (from 0) has the subject "Message %06d", the body "Body of message n",
 * arrived n minutes after 2020-01-01, importance n % 3, read when n is
 * even, the category "even" or "odd", from "sender%03d@ext.test" (n % 100).
 * Prints the folder id (the store's counter) on success.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <exs_store.h>


#define SEED_BATCH              1000
#define SEED_BASE_TIME          1577836800LL        /* 2020-01-01 */


static int seed_folder(exs_mbox_t *mb, const char *name, exs_id_t *fid);
static int seed_one(exs_mbox_t *mb, exs_id_t fid, long n, uint32_t cat,
    exs_arena_t *a);


static int
seed_folder(exs_mbox_t *mb, const char *name, exs_id_t *fid)
{
    int          rc;
    exs_props_t  props;
    exs_arena_t *a;

    if (strcasecmp(name, "inbox") == 0) {
        *fid = EXS_FID_INBOX;
        return EXS_OK;
    }

    if (strcasecmp(name, "drafts") == 0) {
        *fid = EXS_FID_DRAFTS;
        return EXS_OK;
    }

    if (strcasecmp(name, "sentitems") == 0) {
        *fid = EXS_FID_SENT_ITEMS;
        return EXS_OK;
    }

    if (strcasecmp(name, "deleteditems") == 0) {
        *fid = EXS_FID_DELETED_ITEMS;
        return EXS_OK;
    }

    a = exs_arena_create(0);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    memset(&props, 0, sizeof(exs_props_t));

    rc = exs_props_set_str(a, &props, PR_DISPLAY_NAME, name, strlen(name));
    if (rc == EXS_OK) {
        rc = exs_props_set_str(a, &props, PR_CONTAINER_CLASS, "IPF.Note", 8);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_create(mb, EXS_FID_INBOX, &props, EXS_FOLDER_GENERIC,
                               EXS_OPEN_IF_EXISTS, fid);
    }

    exs_arena_destroy(a);

    return rc;
}


static int
seed_one(exs_mbox_t *mb, exs_id_t fid, long n, uint32_t cat, exs_arena_t *a)
{
    int           rc;
    char          subject[64], body[64], sender[64];
    exs_id_t      mid;
    exs_msg_t    *msg;
    exs_prop_t    mv;
    exs_str_t     c;

    msg = exs_msg_create(a);
    if (msg == NULL) {
        return EXS_NOMEM;
    }

    snprintf(subject, sizeof(subject), "Message %06ld", n);
    snprintf(body, sizeof(body), "Body of message %ld", n);
    snprintf(sender, sizeof(sender), "sender%03ld@ext.test", n % 100);

    rc = exs_props_set_str(a, &msg->props, PR_MESSAGE_CLASS, "IPM.Note", 8);
    rc |= exs_props_set_str(a, &msg->props, PR_SUBJECT, subject,
                            strlen(subject));
    rc |= exs_props_set_str(a, &msg->props, PR_BODY, body, strlen(body));
    rc |= exs_props_set_i8(a, &msg->props, PR_MESSAGE_DELIVERY_TIME,
                           exs_filetime_from_unix(SEED_BASE_TIME + n * 60));
    rc |= exs_props_set_i8(a, &msg->props, PR_CLIENT_SUBMIT_TIME,
                           exs_filetime_from_unix(SEED_BASE_TIME + n * 60));
    rc |= exs_props_set_long(a, &msg->props, PR_IMPORTANCE, (int32_t) (n % 3));
    rc |= exs_props_set_long(a, &msg->props, PR_MESSAGE_FLAGS,
                             n % 2 == 0 ? MSGFLAG_READ : 0);
    rc |= exs_props_set_str(a, &msg->props, PR_SENT_REPRESENTING_NAME,
                            sender, strlen(sender));
    rc |= exs_props_set_str(a, &msg->props,
                            PR_SENT_REPRESENTING_EMAIL_ADDRESS, sender,
                            strlen(sender));
    rc |= exs_props_set_str(a, &msg->props, PR_SENT_REPRESENTING_ADDRTYPE,
                            "SMTP", 4);
    rc |= exs_props_set_str(a, &msg->props, PR_SENDER_NAME, sender,
                            strlen(sender));
    rc |= exs_props_set_str(a, &msg->props, PR_SENDER_EMAIL_ADDRESS, sender,
                            strlen(sender));
    rc |= exs_props_set_str(a, &msg->props, PR_SENDER_ADDRTYPE, "SMTP", 4);

    if (cat) {
        c.data = n % 2 == 0 ? "even" : "odd";
        c.len = strlen(c.data);

        memset(&mv, 0, sizeof(exs_prop_t));
        mv.tag = PROP_TAG(PT_MV_UNICODE, cat);
        mv.v.mv.n = 1;
        mv.v.mv.v.str = &c;

        rc |= exs_props_set(a, &msg->props, &mv);
    }

    if (rc != EXS_OK) {
        return EXS_NOMEM;
    }

    return exs_message_create(mb, fid, msg, 0, &mid);
}


int
main(int argc, char **argv)
{
    int              rc;
    long             n, i, done;
    uint16_t         cat;
    exs_id_t         fid;
    exs_env_t       *env;
    exs_txn_t       *txn;
    exs_mbox_t      *mb;
    exs_arena_t     *a;
    exs_dirent_t     e;
    exs_namemap_t   *map;
    exs_env_conf_t   conf;
    exs_propname_t   name;

    if (argc != 6 || strcmp(argv[1], "--store") != 0) {
        fprintf(stderr, "usage: exch-seed --store DIR ADDRESS FOLDER COUNT\n");
        return 64;
    }

    n = strtol(argv[5], NULL, 10);

    if (n < 0 || n > 10000000) {
        fprintf(stderr, "exch-seed: bad count %s\n", argv[5]);
        return 64;
    }

    memset(&conf, 0, sizeof(exs_env_conf_t));

    rc = exs_env_open(&env, argv[2], &conf);
    if (rc != EXS_OK) {
        fprintf(stderr, "exch-seed: %s: %s\n", argv[2], exs_strerror(rc));
        return 66;
    }

    a = exs_arena_create(0);
    if (a == NULL) {
        exs_env_close(env);
        return 71;
    }

    fid = 0;
    done = 0;
    rc = EXS_OK;

    while (rc == EXS_OK && (done < n || fid == 0)) {
        rc = exs_txn_begin(env, 0, &txn);
        if (rc != EXS_OK) {
            break;
        }

        rc = exs_dir_by_address(txn, argv[3], &e, a);

        if (rc == EXS_OK) {
            rc = exs_mbox_open(txn, e.mailbox, 0, &mb);
        }

        if (rc == EXS_OK) {
            rc = seed_folder(mb, argv[4], &fid);
        }

        /* the category keyword, PS_PUBLIC_STRINGS "Keywords" */

        cat = 0;

        if (rc == EXS_OK) {
            memset(&name, 0, sizeof(exs_propname_t));
            memcpy(name.guid, PS_PUBLIC_STRINGS, 16);
            name.kind = MNID_STRING;
            name.name = "Keywords";

            map = exs_mbox_namemap(mb);
            rc = map->get_id(map, &name, 1, &cat);
        }

        for (i = 0; rc == EXS_OK && i < SEED_BATCH && done < n; i++) {
            rc = seed_one(mb, fid, done, cat, a);
            done++;

            if (done % 100 == 0) {
                exs_arena_reset(a);
            }
        }

        if (rc == EXS_OK) {
            rc = exs_txn_commit(txn);

        } else {
            exs_txn_abort(txn);
        }

        exs_arena_reset(a);

        if (n == 0) {
            break;
        }
    }

    if (rc != EXS_OK) {
        fprintf(stderr, "exch-seed: %s\n", exs_strerror(rc));

    } else {
        printf("%llu\n", (unsigned long long) fid);
    }

    exs_arena_destroy(a);
    exs_env_close(env);

    return rc == EXS_OK ? 0 : 70;
}
