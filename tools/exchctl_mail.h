
/*
 * exchctl: the mail verbs (import, export, deliver, send, queue), which
 * open the store and run their transactions themselves.
 */


#ifndef _EXCHCTL_MAIL_H_INCLUDED_
#define _EXCHCTL_MAIL_H_INCLUDED_


/* what: the verb ("import", "queue list"...); argv: its arguments;
 * returns a sysexits(3) code */
int exchctl_mail_run(const char *what, const char *store, int argc,
    char **argv);


/* --name VALUE or --name=VALUE at argv[*i] (*i moves past VALUE); NULL
 * when argv[*i] is no such option (shared with exchctl.c's verbs) */
const char *exchctl_option(int argc, char **argv, const char *name, int *i);


#define EXCHCTL_MAIL_VERBS                                                    \
                                                                              \
    { "import", 2, exchctl_mail,                                              \
      "USER [--folder F] [--read | --unread] [--jobs N] [--quiet] PATH...",   \
      "imports mail into a mailbox: EML files, Maildir folders (cur/ and\n"   \
      "new/, Maildir++ subfolders become folders) and mbox files (one\n"      \
      "folder per file when a directory holds several); --folder F\n"         \
      "(\"Inbox/Archive\") is where it goes, created when missing\n"          \
      "(default Inbox).  A message that can't be read fully is stored\n"      \
      "as well as it can be and listed at the end" },                        \
    { "export", 2, exchctl_mail,                                              \
      "USER [--folder F] --mbox|--eml DIR",                                   \
      "writes a mailbox's mail (or one folder and its subfolders) into\n"     \
      "DIR: one mbox file per folder (FOLDER.mbox), or one directory per\n"   \
      "folder with one .eml file per message; import reads both back" },      \
    { "deliver", 2, exchctl_mail, "[--from SENDER] RECIPIENT...",             \
      "delivers the message on stdin to the Inbox of each recipient\n"        \
      "(users, aliases, groups; each mailbox once), for Postfix's pipe\n"     \
      "transport or mailbox_command: exits 0 when delivered, 67\n"            \
      "(EX_NOUSER) when a recipient is unknown (nothing is delivered\n"       \
      "then), 75 (EX_TEMPFAIL) when the store is busy, full or missing,\n"    \
      "65 (EX_DATAERR) for an empty message" },                               \
    { "send", 2, exchctl_mail, "USER FILE|-",                                 \
      "sends a message (an EML file) as USER, as Outlook would: local\n"      \
      "recipients get it at once, others through the queue and the\n"        \
      "relay of nginx's exch_smtp_relay; the copy goes to Sent Items" },      \
    { "message list", 2, exchctl_mail, "USER [--folder F]",                 \
      "a folder's messages (default Inbox), newest first, one per line:\n"    \
      "UID, read or unread, size, message class, subject (tab-separated)" },  \
    { "queue list", 2, exchctl_mail, "",                                      \
      "the outgoing queue: id, age, attempts, next attempt, sender,\n"        \
      "recipients and their last answer" },                                   \
    { "queue kick", 2, exchctl_mail, "[ID]",                                  \
      "makes a queued message (or every one) due now" },                      \
    { "queue del", 2, exchctl_mail, "ID [--ndr]",                             \
      "removes a message from the queue; --ndr tells the sender" }


#endif /* _EXCHCTL_MAIL_H_INCLUDED_ */
