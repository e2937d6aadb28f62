/* Space in pouchd's package store: the free-space reserve, whether the store takes writes (a
 * full disk seen lately), and what each caller has staged against its quota. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "base/json.h"
#include "server/store_internal.h"

void pouch_store_set_limits(struct pouch_store *s, const struct pouch_store_limits *l)
{
	pthread_mutex_lock(&s->up_lock);
	s->limits = *l;
	pthread_mutex_unlock(&s->up_lock);
}

int store_note(struct pouch_store *s, int ret)
{
	if (ret == POUCH_E_NOSPACE)
		atomic_store(&s->full_at, (long long)time(NULL));
	else if (ret == 0)
		atomic_store(&s->full_at, 0);
	return ret;
}

int pouch_store_write_failed(struct pouch_store *s, int e, const char *what,
			     struct pouch_err *err)
{
	/* EFBIG: the file size limit (RLIMIT_FSIZE) is a limit on what the store can hold too. */
	int full = e == ENOSPC || e == EDQUOT || e == EFBIG;

	return store_note(s, pouch_err_set(err, full ? POUCH_E_NOSPACE : POUCH_E_IO,
					   "cannot %s: %s", what, strerror(e)));
}

int pouch_store_room(struct pouch_store *s, uint64_t need, struct pouch_err *err)
{
	struct statvfs st;
	uint64_t avail, reserve;

	pthread_mutex_lock(&s->up_lock);
	reserve = s->limits.reserve;
	pthread_mutex_unlock(&s->up_lock);
	if (statvfs(s->dir, &st) < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot read the free space of '%s': %s",
				     s->dir, strerror(errno));
	avail = (uint64_t)st.f_bavail * st.f_frsize;
	if (avail < reserve || avail - reserve < need)
		return store_note(s, pouch_err_set(err, POUCH_E_NOSPACE,
						   "the store has %llu bytes free, keeps %llu and "
						   "would need %llu more",
						   (unsigned long long)avail,
						   (unsigned long long)reserve,
						   (unsigned long long)need));
	return 0;
}

int pouch_store_writable(struct pouch_store *s, time_t now)
{
	long long at = atomic_load(&s->full_at);
	struct statvfs st;
	uint64_t reserve;

	if (at && now - at < POUCH_STORE_FULL_HOLD && now >= at)
		return 0;
	pthread_mutex_lock(&s->up_lock);
	reserve = s->limits.reserve;
	pthread_mutex_unlock(&s->up_lock);
	/* Not a write: a room check would mark the disk full. */
	if (statvfs(s->dir, &st) < 0)
		return 0;
	return (uint64_t)st.f_bavail * st.f_frsize >= reserve && st.f_bavail > 0;
}

/* The caller part of key "CALLER.ID". */
static void caller_of(const char *key, char *caller)
{
	size_t n = strcspn(key, ".");

	if (n > POUCH_CODE_MAX)
		n = POUCH_CODE_MAX;
	memcpy(caller, key, n);
	caller[n] = '\0';
}

struct store_usage *store_usage_of(struct pouch_store *s, const char *key)
{
	struct store_usage u = { 0 };
	size_t i;

	caller_of(key, u.caller);
	for (i = 0; i < s->nusage; i++)
		if (strcmp(s->usage[i].caller, u.caller) == 0)
			return &s->usage[i];
	if (pouch_array_push(&s->usage, &s->nusage, sizeof(u), &u, NULL) < 0)
		return NULL;
	return &s->usage[s->nusage - 1];
}

void store_usage_drop(struct pouch_store *s, const char *key, uint64_t size)
{
	struct store_usage *u = store_usage_of(s, key);

	store_usage_sub(s, key, size);
	if (u && u->uploads)
		u->uploads--;
}

int store_usage_new(struct pouch_store *s, const char *key, struct pouch_err *err)
{
	struct store_usage *u = store_usage_of(s, key);

	if (!u)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (s->limits.staged_uploads && u->uploads >= s->limits.staged_uploads)
		return POUCH_UPLOAD_QUOTA;
	u->uploads++;
	return 0;
}

int store_usage_add(struct pouch_store *s, const char *key, uint64_t len, struct pouch_err *err)
{
	struct store_usage *u = store_usage_of(s, key);
	uint64_t quota = s->limits.staged_bytes;

	if (!u)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (quota && (u->bytes > quota || len > quota - u->bytes))
		return POUCH_UPLOAD_QUOTA;
	u->bytes += len;
	return 0;
}

void store_usage_sub(struct pouch_store *s, const char *key, uint64_t len)
{
	struct store_usage *u = store_usage_of(s, key);

	if (u)
		u->bytes = u->bytes > len ? u->bytes - len : 0;
}
