/* The terminal progress line for long steps (see progress.h): drawn on stderr only, only on a
 * terminal, and cleared when the step ends. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "progress.h"

#define PROGRESS_DELAY_MS 1000
#define PROGRESS_EVERY_MS 100
#define PROGRESS_BIG ((uint64_t)1024 * 1024)

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

/* The time left, "M:SS" or "H:MM:SS", or "-:--" when it cannot be told yet. */
static void left(uint64_t rest, double rate, char *buf, size_t size)
{
	unsigned long long s;

	if (rate < 1.0 || (double)rest / rate > 359999.0) {
		snprintf(buf, size, "-:--");
		return;
	}
	s = (unsigned long long)((double)rest / rate + 0.5);
	if (s >= 3600)
		snprintf(buf, size, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, size, "%llu:%02llu", s / 60, s % 60);
}

void progress_start(struct progress *pg, const char *label)
{
	memset(pg, 0, sizeof(*pg));
	if (label)
		snprintf(pg->label, sizeof(pg->label), "%s", label);
	pg->enabled = !cli.quiet && isatty(STDERR_FILENO);
	pg->start_ms = now_ms();
}

void progress_bytes(struct progress *pg, uint64_t done, uint64_t total)
{
	char done_s[24], total_s[24], rate_s[24], left_s[24];
	double rate;
	int64_t t;

	if (!pg || !pg->enabled)
		return;
	if (!pg->started) {
		pg->started = 1;
		pg->base = done;
	}
	t = now_ms();
	if ((total < PROGRESS_BIG && t - pg->start_ms < PROGRESS_DELAY_MS) ||
	    (pg->drawn && t - pg->last_ms < PROGRESS_EVERY_MS))
		return;
	rate = t > pg->start_ms && done > pg->base
		       ? (double)(done - pg->base) * 1000.0 / (double)(t - pg->start_ms)
		       : 0.0;
	human(done, done_s, sizeof(done_s));
	human((uint64_t)rate, rate_s, sizeof(rate_s));
	if (total) {
		human(total, total_s, sizeof(total_s));
		left(done < total ? total - done : 0, rate, left_s, sizeof(left_s));
		fprintf(stderr, "\r\033[K%s  %s / %s  %s/s  %s left", pg->label, done_s, total_s,
			rate_s, left_s);
	} else {
		fprintf(stderr, "\r\033[K%s  %s  %s/s", pg->label, done_s, rate_s);
	}
	fflush(stderr);
	pg->drawn = 1;
	pg->last_ms = t;
}

void progress_cb(void *arg, const struct pouch_https_progress *p)
{
	if (p->up_total || p->up_done)
		progress_bytes(arg, p->up_done, p->up_total);
	else
		progress_bytes(arg, p->down_done, p->down_total);
}

void progress_end(struct progress *pg)
{
	if (pg->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pg->drawn = 0;
	pg->started = 0;
	pg->start_ms = now_ms();
}
