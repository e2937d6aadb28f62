/* pouch's "did you mean": the command name nearest to a mistyped one, word by word. */
#include <stdint.h>
#include <string.h>

#include "cmd.h"

#define WORD_MAX 32
#define FAR SIZE_MAX

/* The optimal string alignment distance (Damerau-Levenshtein without re-edits): insertions,
 * deletions, substitutions and swaps of neighbours count one each, as in git's and sq's
 * suggestions; FAR when a is not within a third of b's length of b. */
static size_t word_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[WORD_MAX + 1][WORD_MAX + 1];
	size_t i, j, cost, best;

	if (la > WORD_MAX || lb > WORD_MAX)
		return FAR;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] != b[j - 1];
			best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return 3 * d[la][lb] <= lb ? d[la][lb] : FAR;
}

/* Distance from the typed words to name's first words (words of name: 1 or 2). */
static size_t distance(const char *name, size_t words, const char *w1, const char *w2)
{
	const char *space = strchr(name, ' ');
	size_t len1 = space && words > 1 ? (size_t)(space - name) : strcspn(name, " ");
	size_t d1 = word_distance(w1, strlen(w1), name, len1), d2;

	if (d1 == FAR || words == 1)
		return d1;
	if (!w2)
		return FAR;
	d2 = word_distance(w2, strlen(w2), space + 1, strlen(space + 1));
	return d2 == FAR ? FAR : d1 + d2;
}

int cli_suggest(const char *const *names, size_t n, const char *w1, const char *w2,
		int in_group, char *out, size_t size)
{
	size_t i, d, best = FAR, best_words = 0, words;
	const char *pick = NULL;
	size_t pick_len = 0;

	for (i = 0; i < n; i++) {
		const char *space = strchr(names[i], ' ');
		size_t group_len = space ? (size_t)(space - names[i]) : 0;

		if (in_group && (!space || strncmp(names[i], w1, group_len) || w1[group_len]))
			continue;
		/* The command itself; a group's name, only for a mistyped group. */
		words = space ? 2 : 1;
		d = distance(names[i], words, w1, w2);
		if (d < best || (d == best && d != FAR && words > best_words)) {
			best = d;
			best_words = words;
			pick = names[i];
			pick_len = strlen(names[i]);
		}
		if (space && !in_group) {
			d = distance(names[i], 1, w1, NULL);
			if (d < best) {
				best = d;
				best_words = 1;
				pick = names[i];
				pick_len = group_len;
			}
		}
	}
	if (!pick || best == 0 || pick_len >= size)
		return 0;
	memcpy(out, pick, pick_len);
	out[pick_len] = '\0';
	return 1;
}
