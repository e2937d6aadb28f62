/* Which agency a client certificate's common name names, for pouchd, remembered between
 * requests: the map from common names to agency codes is built from the home's agency file and
 * partner directory, and built again as soon as any of them changes. */
#ifndef POUCH_AGENCYMAP_H
#define POUCH_AGENCYMAP_H

#include "base/err.h"
#include "directory/home.h"

struct pouch_agencymap;

/* A map for the home h (borrowed: it must outlive the map). Nothing is read yet. */
int pouch_agencymap_new(const struct pouch_home *h, struct pouch_agencymap **out,
			struct pouch_err *err);

/* Frees m (NULL allowed). */
void pouch_agencymap_free(struct pouch_agencymap *m);

/* What pouch_partner_by_client_cn answers for cn, with the same codes and messages, safe from
 * any thread. The map in memory is used only while every file it was built from is as it was:
 * on each call the agency file, the partners directory and every partner file it read are
 * looked at with stat(2) (device, inode, size, modification and change times), and any
 * difference (a partner added, removed, replaced or edited in place) builds the map again
 * before the answer. A map built from a file changed within the last two seconds is not kept
 * (the file system's clock is coarser than a change: two changes in one tick look alike). A
 * map that cannot be built is not kept either: the failure is the answer until it can. */
int pouch_agencymap_lookup(struct pouch_agencymap *m, const char *cn, char *code,
			   struct pouch_err *err);

#endif
