
/*
 * exch: the Exchange server version every protocol reports, so that
 * Autodiscover, EWS and MAPI agree: Exchange 2016 CU23 (15.1.2507.6), and
 * the newest EWS schema version that build speaks.
 */


#ifndef _EXCH_VERSION_H_INCLUDED_
#define _EXCH_VERSION_H_INCLUDED_


#define EXCH_VERSION_MAJOR      15
#define EXCH_VERSION_MINOR      1
#define EXCH_VERSION_BUILD      2507
#define EXCH_VERSION_REVISION   6

/* ServerVersionInfo's Version attribute of Exchange 2016 CU23 */
#define EXCH_VERSION_EWS_SCHEMA "V2017_07_11"


#endif /* _EXCH_VERSION_H_INCLUDED_ */
