/* pouch pull: the sources, each with its workers (pull_pool.c) and its package list page by
 * page (pull_page.c takes each page; pull_store.c stores its packages). Receipts are
 * pull_receipts.c's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/fault.h"
#include "audit/audit.h"
#include "base/fs.h"
#include "directory/identity.h"
#include "directory/partner.h"
#include "package/receipt.h"
#include "exchange/pull_internal.h"

static void source_release(struct pull_source *s)
{
	pouch_https_free(s->https);
	pouch_tls_paths_release(&s->tls);
	memset(s, 0, sizeof(*s));
}

/* Pulls everything from one source; a failure of the source is reported, not returned. */
static int pull_source(struct pull_run *r, struct pull_source *s, struct pouch_err *err)
{
	struct pouch_https_opts ho = {0};
	struct pouch_pull_event ev = {0};
	struct pouch_err serr = {0};
	int ret;

	r->res->sources++;
	ho.ca_file = s->tls.ca_file;
	ho.pin = s->tls.pin;
	ho.client_cert = s->tls.client_cert;
	ho.client_key = s->tls.client_key;
	if ((ret = pouch_https_new(&ho, &s->https, &serr)) == 0 &&
	    (ret = pull_pool_start(r, s, &serr)) == 0 &&
	    (ret = pull_list(r, s, "packages", pull_take_page, &serr)) == 0 &&
	    (ret = pull_send_receipts(r, s, NULL, &serr)) == 0)
		ret = pull_fetch_receipts(r, s, &serr);
	pull_pool_stop(r);
	if (ret == POUCH_E_NET || ret == POUCH_E_USAGE) {
		ev.kind = POUCH_PULL_SOURCE_FAILED;
		ev.reason = serr.msg;
		pull_emit(r, s, &ev);
		return 0;
	}
	if (ret < 0)
		*err = serr;
	return ret;
}

/* Adds party's endpoint to the list unless its URL is there already. */
static int source_add(const struct pouch_home *h, const char *party, struct pull_source **list,
		      size_t *n, int required, struct pouch_err *err)
{
	struct pull_source s = {0};
	size_t i;
	int ret;

	snprintf(s.party, sizeof(s.party), "%s", party);
	ret = pouch_endpoint_tls(h, party, &s.tls, err);
	if (ret == POUCH_E_NOTFOUND && !required) {
		pouch_err_clear(err);
		ret = 0;
		goto out;
	}
	if (ret < 0)
		goto out;
	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i].tls.url, s.tls.url) == 0)
			goto out;
	if ((ret = pouch_array_push(list, n, sizeof(s), &s, err)) == 0)
		return 0;
out:
	source_release(&s);
	return ret;
}

int pouch_pull(const struct pouch_home *h, const struct pouch_pull_opts *o,
	       struct pouch_pull_result *res, struct pouch_err *err)
{
	struct pull_run r = {0};
	struct pull_source *src = NULL;
	struct pouch_agency self = {0};
	char **codes = NULL;
	size_t i, n = 0, ncodes = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	r.h = h;
	r.o = o;
	r.res = res;
	r.limit = o->limit ? o->limit : POUCH_PULL_LIMIT;
	r.jobs = o->jobs ? o->jobs : POUCH_PULL_JOBS;
	if (r.limit > POUCH_PULL_LIMIT_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "a page holds 1 to %d packages",
				     POUCH_PULL_LIMIT_MAX);
	if ((ret = pouch_identity_load(h, &self, err)) < 0)
		return ret;
	if (o->from) {
		ret = source_add(h, o->from, &src, &n, 1, err);
	} else {
		ret = source_add(h, self.code, &src, &n, 0, err);
		if (!ret)
			ret = pouch_partner_codes(h, &codes, &ncodes, err);
		for (i = 0; !ret && i < ncodes; i++)
			ret = source_add(h, codes[i], &src, &n, 0, err);
		if (!ret && !n)
			ret = pouch_err_set(err, POUCH_E_NOTFOUND,
					    "no endpoint to pull from: set "
					    "ours (pouch endpoint set) or a partner's (pouch "
					    "partner set --endpoint)");
	}
	if (ret < 0 || (ret = pouch_state_open(h, &r.st, err)) < 0 ||
	    (ret = pouch_state_lock(&r.st, h, "pull", err)) < 0)
		goto out;
	for (i = 0; !ret && i < n; i++)
		ret = pull_source(&r, &src[i], err);
out:
	for (i = 0; i < n; i++)
		source_release(&src[i]);
	free(src);
	pouch_partner_codes_free(codes, ncodes);
	pouch_agency_release(&self);
	pouch_state_close(&r.st);
	return ret;
}
