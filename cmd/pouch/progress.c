/* The terminal progress bar for transfers (see progress.h): drawn on stderr only, only on a
 * terminal, only after a second, and cleared when the transfer ends. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "progress.h"

#define PROGRESS_DELAY_MS 1000
#define PROGRESS_EVERY_MS 100
#define PROGRESS_WIDTH 30

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* n bytes as a short human figure into buf (at least 16 bytes). */
static void human(uint64_t n, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
}

void progress_start(struct progress *pg, const char *label)
{
	memset(pg, 0, sizeof(*pg));
	if (label)
		snprintf(pg->label, sizeof(pg->label), "%s", label);
	pg->enabled = !cli.quiet && isatty(STDERR_FILENO);
	pg->start_ms = now_ms();
}

void progress_cb(void *arg, const struct pouch_https_progress *p)
{
	struct progress *pg = arg;
	char bar[PROGRESS_WIDTH + 1], done_s[24], total_s[24];
	uint64_t done, total;
	int64_t t;
	int fill, i;

	if (!pg || !pg->enabled)
		return;
	t = now_ms();
	if (t - pg->start_ms < PROGRESS_DELAY_MS || (pg->drawn && t - pg->last_ms <
						       PROGRESS_EVERY_MS))
		return;
	if (p->up_total || p->up_done) {
		done = p->up_done;
		total = p->up_total;
	} else {
		done = p->down_done;
		total = p->down_total;
	}
	fill = total ? (int)(done >= total ? PROGRESS_WIDTH : done * PROGRESS_WIDTH / total) : 0;
	for (i = 0; i < PROGRESS_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[PROGRESS_WIDTH] = '\0';
	human(done, done_s, sizeof(done_s));
	if (total) {
		human(total, total_s, sizeof(total_s));
		fprintf(stderr, "\r\033[K%s [%s] %s / %s %3d%%", pg->label, bar, done_s, total_s,
			(int)(done >= total ? 100 : done * 100 / total));
	} else {
		fprintf(stderr, "\r\033[K%s %s", pg->label, done_s);
	}
	fflush(stderr);
	pg->drawn = 1;
	pg->last_ms = t;
}

void progress_end(struct progress *pg)
{
	if (pg->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pg->drawn = 0;
	pg->start_ms = now_ms();
}
