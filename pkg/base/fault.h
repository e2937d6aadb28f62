/* Fault injection for tests: in a build made with -DPOUCH_FAULTS (the test builds only), a
 * named site can be made to fail, or to stop the process, at its n-th call. In every other
 * build pouch_fault_hit() is the constant 0 and nothing of this is compiled in. */
#ifndef POUCH_FAULT_H
#define POUCH_FAULT_H

#ifdef POUCH_FAULTS
/* Arms the rules in spec, "SITE:N[:ACTION][,SITE:N[:ACTION]...]": the N-th call (from 1) of
 * pouch_fault_hit(SITE) fails (ACTION "fail", the default) or sends the process SIGSTOP and
 * then carries on (ACTION "stop"), so that a test can change files or kill it at exactly that
 * point; or (ACTION "hold=PATH") holds the calling thread alone, the others running on: it
 * creates PATH.held, waits until PATH exists and carries on. Returns 0, or -1 when spec is
 * malformed (nothing is armed then). */
int pouch_fault_arm(const char *spec);

/* Counts a call of site. Returns 1 when this call must fail (errno is then EIO), else 0. Safe
 * from several threads. */
int pouch_fault_hit(const char *site);

/* Sites are "module.operation" names, documented where they are hit (tests/e2e/lib.sh lists
 * them for the tests). */
#define POUCH_FAULT_BUILD 1
#else
#define pouch_fault_hit(site) ((void)(site), 0)
#define POUCH_FAULT_BUILD 0
#endif

#endif
