/* The client common name to agency map pouchd keeps between requests, with the stamps of the
 * files it came from. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "directory/agency.h"
#include "directory/partner.h"
#include "base/validate.h"
#include "server/agencymap.h"

#define RACY_SECONDS 2

/* What stat(2) says of a file: any change of it is a change of the file. */
struct stamp {
	int missing;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct entry {
	char cn[POUCH_CLIENT_CN_BYTES + 1];
	char code[POUCH_CODE_MAX + 1];
};

/* One build of the map, shared by the requests that use it (refs, under the map's lock). */
struct snapshot {
	unsigned refs;
	int racy; /* built from a file changed too recently to be told from a later change */
	char self[POUCH_CODE_MAX + 1];
	struct stamp agency, dir;
	struct stamp *files; /* one per partner file, in the order of paths */
	char **paths;
	struct entry *entries;
	size_t n;
};

struct pouch_agencymap {
	const struct pouch_home *home;
	pthread_mutex_t lock;
	struct snapshot *current;
};

static void stamp_of(const char *path, struct stamp *s, struct timespec *newest)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (stat(path, &st) != 0) {
		s->missing = 1;
		return;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
	s->ctime = st.st_ctim;
	if (newest) {
		if (s->mtime.tv_sec > newest->tv_sec)
			*newest = s->mtime;
		if (s->ctime.tv_sec > newest->tv_sec)
			*newest = s->ctime;
	}
}

static int same_stamp(const struct stamp *a, const struct stamp *b)
{
	return a->missing == b->missing && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void snapshot_free(struct snapshot *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->files);
	free(s->entries);
	free(s);
}

/* Whether every file s was built from is as it was (stat only). */
static int still_fresh(const struct pouch_home *h, const struct snapshot *s)
{
	struct stamp now;
	size_t i;

	if (s->racy)
		return 0;
	stamp_of(h->agency, &now, NULL);
	if (!same_stamp(&now, &s->agency))
		return 0;
	stamp_of(h->partners, &now, NULL);
	if (!same_stamp(&now, &s->dir))
		return 0;
	for (i = 0; i < s->n; i++) {
		stamp_of(s->paths[i], &now, NULL);
		if (!same_stamp(&now, &s->files[i]))
			return 0;
	}
	return 1;
}

/* Reads the partner files of codes into s, each stamped before it is read (a change while it
 * is read then shows at the next look). */
static int read_partners(const struct pouch_home *h, struct snapshot *s, char **codes,
			 size_t n, struct timespec *newest, struct pouch_err *err)
{
	int ret = 0;

	s->files = calloc(n ? n : 1, sizeof(*s->files));
	s->paths = calloc(n ? n : 1, sizeof(*s->paths));
	s->entries = calloc(n ? n : 1, sizeof(*s->entries));
	if (!s->files || !s->paths || !s->entries)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	for (; !ret && s->n < n; s->n++) {
		struct pouch_partner p;
		struct entry *e = &s->entries[s->n];

		s->paths[s->n] = pouch_home_partner_file(h, codes[s->n]);
		if (!s->paths[s->n])
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		stamp_of(s->paths[s->n], &s->files[s->n], newest);
		ret = pouch_partner_load(h, codes[s->n], &p, err);
		if (!ret) {
			snprintf(e->cn, sizeof(e->cn), "%s", pouch_partner_client_cn(&p));
			snprintf(e->code, sizeof(e->code), "%s", p.code);
		}
		pouch_partner_release(&p);
	}
	return ret;
}

static int build(const struct pouch_home *h, struct snapshot **out, struct pouch_err *err)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	struct pouch_agency self = { 0 };
	struct timespec newest = { 0 }, now;
	char **codes = NULL;
	size_t n = 0;
	int ret;

	*out = NULL;
	if (!s)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	s->refs = 1;
	stamp_of(h->agency, &s->agency, &newest);
	stamp_of(h->partners, &s->dir, &newest);
	ret = pouch_agency_load(h->agency, &self, err);
	if (!ret) {
		snprintf(s->self, sizeof(s->self), "%s", self.code);
		ret = pouch_partner_codes(h, &codes, &n, err);
	}
	if (!ret)
		ret = read_partners(h, s, codes, n, &newest, err);
	pouch_partner_codes_free(codes, n);
	pouch_agency_release(&self);
	if (ret < 0) {
		snapshot_free(s);
		return ret;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	s->racy = newest.tv_sec >= now.tv_sec - RACY_SECONDS;
	*out = s;
	return 0;
}

/* The answer from s, as pouch_partner_by_client_cn gives it. */
static int lookup(const struct snapshot *s, const char *cn, char *code, struct pouch_err *err)
{
	char shown[POUCH_CLIENT_CN_BYTES * 4 + 1];
	size_t i, found = 0;

	code[0] = '\0';
	pouch_escape(cn, shown, sizeof(shown));
	if (strcmp(cn, s->self) == 0) {
		snprintf(code, POUCH_CODE_MAX + 1, "%s", s->self);
		found = 1;
	}
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->entries[i].cn, cn) != 0)
			continue;
		/* Two agencies behind one name would let one act as the other. */
		if (found++) {
			pouch_err_set(err, POUCH_E_CORRUPT, "client common name '%s' names both '%s' "
				      "and '%s'", shown, code, s->entries[i].code);
			code[0] = '\0';
			return POUCH_E_CORRUPT;
		}
		snprintf(code, POUCH_CODE_MAX + 1, "%s", s->entries[i].code);
	}
	if (!found)
		return pouch_err_set(err, POUCH_E_NOTFOUND, "no agency's client certificates carry "
				     "the common name '%s'", shown);
	return 0;
}

static void release(struct pouch_agencymap *m, struct snapshot *s)
{
	int last;

	if (!s)
		return;
	pthread_mutex_lock(&m->lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&m->lock);
	if (last)
		snapshot_free(s);
}

int pouch_agencymap_lookup(struct pouch_agencymap *m, const char *cn, char *code,
			   struct pouch_err *err)
{
	struct snapshot *s, *old = NULL;
	int ret;

	pthread_mutex_lock(&m->lock);
	s = m->current;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&m->lock);
	if (!s || !still_fresh(m->home, s)) {
		release(m, s);
		ret = build(m->home, &s, err);
		if (ret < 0) {
			code[0] = '\0';
			return ret;
		}
		if (!s->racy) {
			pthread_mutex_lock(&m->lock);
			old = m->current;
			m->current = s;
			s->refs++;
			pthread_mutex_unlock(&m->lock);
			release(m, old);
		}
	}
	ret = lookup(s, cn, code, err);
	release(m, s);
	return ret;
}

int pouch_agencymap_new(const struct pouch_home *h, struct pouch_agencymap **out,
			struct pouch_err *err)
{
	struct pouch_agencymap *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	m->home = h;
	pthread_mutex_init(&m->lock, NULL);
	*out = m;
	return 0;
}

void pouch_agencymap_free(struct pouch_agencymap *m)
{
	if (!m)
		return;
	snapshot_free(m->current);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
