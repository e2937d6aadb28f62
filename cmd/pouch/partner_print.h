/* How partner records are shown: a block for people, or JSON with each key's state. */
#ifndef POUCH_PARTNER_PRINT_H
#define POUCH_PARTNER_PRINT_H

#include "pouch/partner.h"

/* Fills states[] (p->nkeys entries) with each pinned key's state now. Returns an exit status. */
int partner_states(const struct pouch_partner *p, enum pouch_key_state *states);

/* Prints p in full (JSON object with --json). Returns an exit status. */
int partner_print(const struct pouch_partner *p);

#endif
