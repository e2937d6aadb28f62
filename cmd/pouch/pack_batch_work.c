/* The workers of pouch pack --batch: forked processes, each packing one line at a time as the
 * parent hands it out (so a slow line holds up one worker only), each with GPGME of its own:
 * the parent never touches GnuPG before the workers are gone. One SOCK_SEQPACKET pair per
 * worker: the parent sends a line's index, the worker answers with a struct batch_msg. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "pack_batch_internal.h"

struct worker {
	pid_t pid;
	int fd;       /* the parent's end, -1 once the worker is done with */
	size_t line;  /* the index it is packing */
	int busy;
};

static void worker_main(const struct batch *b, int fd)
{
	struct batch_msg *m = malloc(sizeof(*m));
	uint32_t idx;

	if (!m)
		_exit(3);
	for (;;) {
		ssize_t got = recv(fd, &idx, sizeof(idx), 0);
		if (got == 0)
			_exit(0);
		if (got != (ssize_t)sizeof(idx) || idx >= b->n)
			_exit(3);
		memset(m, 0, sizeof(*m));
		m->idx = idx;
		batch_line_pack(b, &b->lines[idx], m);
		if (send(fd, m, sizeof(*m), MSG_NOSIGNAL) != (ssize_t)sizeof(*m))
			_exit(3);
	}
}

/* Starts one worker; its end of the pair is fd[1]. The others' ends are closed in it. */
static int start(struct batch *b, struct worker *w, size_t k)
{
	int sv[2];
	size_t i;
	pid_t parent = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	w[k].pid = fork();
	if (w[k].pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (w[k].pid == 0) {
		/* A killed parent takes its workers with it: no orphan packs on. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(3);
		close(sv[0]);
		for (i = 0; i < k; i++)
			close(w[i].fd);
		close(b->state_fd);
		worker_main(b, sv[1]);
	}
	close(sv[1]);
	w[k].fd = sv[0];
	w[k].busy = 0;
	return 0;
}

static int hand_out(struct worker *w, const size_t *idx, size_t n, size_t *next)
{
	uint32_t i;

	if (*next >= n)
		return -1;
	i = (uint32_t)idx[*next];
	if (send(w->fd, &i, sizeof(i), MSG_NOSIGNAL) != (ssize_t)sizeof(i))
		return -1;
	w->line = idx[(*next)++];
	w->busy = 1;
	return 0;
}

/* An idle worker is done with: no more lines for it (its recv sees the end, it exits). */
static void retire(struct worker *w)
{
	close(w->fd);
	w->fd = -1;
	waitpid(w->pid, NULL, 0);
	w->pid = 0;
}

static void died(struct batch *b, struct worker *w,
		 void (*done)(struct batch *, const struct batch_msg *, void *), void *arg)
{
	struct batch_msg *m = calloc(1, sizeof(*m));
	int st = 0;

	close(w->fd);
	w->fd = -1;
	waitpid(w->pid, &st, 0);
	w->pid = 0;
	if (!w->busy || !m) {
		free(m);
		return;
	}
	w->busy = 0;
	m->idx = (uint32_t)w->line;
	m->code = POUCH_E_IO;
	if (WIFSIGNALED(st))
		snprintf(m->msg, sizeof(m->msg), "the worker packing it was killed by signal %d",
			 WTERMSIG(st));
	else
		snprintf(m->msg, sizeof(m->msg), "the worker packing it ended (status %d)",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	done(b, m, arg);
	free(m);
}

int batch_work(struct batch *b, const size_t *idx, size_t n, long jobs,
	       void (*done)(struct batch *b, const struct batch_msg *m, void *arg), void *arg)
{
	struct worker *w;
	struct pollfd *pf;
	struct batch_msg *m;
	size_t k, nw = (size_t)jobs < n ? (size_t)jobs : n, next = 0, live = 0;
	int ret = 0;

	if (!n)
		return 0;
	w = calloc(nw, sizeof(*w));
	pf = calloc(nw, sizeof(*pf));
	m = malloc(sizeof(*m));
	for (k = 0; w && pf && m && k < nw; k++) {
		if (start(b, w, k) < 0)
			break;
		if (hand_out(&w[k], idx, n, &next) < 0)
			retire(&w[k]);
		else
			live++;
	}
	if (!w || !pf || !m || live == 0) {
		pouch_error("cannot start the workers: %s", strerror(errno));
		ret = -1;
	}
	while (live) {
		for (k = 0; k < nw; k++)
			pf[k] = (struct pollfd){ .fd = w[k].pid > 0 ? w[k].fd : -1,
						 .events = POLLIN };
		if (poll(pf, nw, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (k = 0; k < nw; k++) {
			ssize_t got;
			if (!pf[k].revents)
				continue;
			got = recv(w[k].fd, m, sizeof(*m), 0);
			if (got != (ssize_t)sizeof(*m) || m->idx != w[k].line) {
				died(b, &w[k], done, arg);
				live--;
				continue;
			}
			/* The next line first: the worker packs while the parent keeps this one. */
			w[k].busy = 0;
			if (b->stop || hand_out(&w[k], idx, n, &next) < 0) {
				retire(&w[k]);
				live--;
			}
			done(b, m, arg);
		}
	}
	for (k = 0; w && k < nw; k++)
		if (w[k].pid > 0)
			retire(&w[k]);
	free(m);
	free(pf);
	free(w);
	return ret;
}
