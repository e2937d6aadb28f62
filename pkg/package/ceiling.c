/* The installation's classification ceiling: handling.json in the home, {"ceiling": TIER}, and
 * the check pack, pull and open make against it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fs.h"
#include "package/handling.h"
#include "package/verify.h"

#define MANIFEST_MAX (16 * 1024 * 1024 + 64 * 1024) /* as pouch open reads pouch.json */

static const char *const tiers[] = { NULL, "OFFICIAL", "SECRET", "TOP SECRET" };

const char *pouch_tier_name(enum pouch_tier tier)
{
	return tier > POUCH_TIER_NONE && tier <= POUCH_TIER_TOP_SECRET ? tiers[tier] : NULL;
}

int pouch_tier_parse(const char *s, enum pouch_tier *tier, struct pouch_err *err)
{
	int t;

	for (t = POUCH_TIER_OFFICIAL; t <= POUCH_TIER_TOP_SECRET; t++)
		if (strcasecmp(s, tiers[t]) == 0) {
			*tier = (enum pouch_tier)t;
			return 0;
		}
	return pouch_err_set(err, POUCH_E_USAGE, "'%s' is not a classification tier (OFFICIAL, "
			     "SECRET or TOP SECRET)", s);
}

static char *settings_path(const struct pouch_home *home)
{
	return pouch_path_join(home->dir, "handling.json");
}

int pouch_ceiling_load(const struct pouch_home *home, enum pouch_tier *tier,
		       struct pouch_err *err)
{
	static const char *const fields[] = { "ceiling", NULL };
	char *path = settings_path(home);
	const char *name = NULL;
	json_t *j = NULL;
	int ret;

	*tier = POUCH_TIER_NONE;
	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_json_load_record("handling settings", path, &j, err);
	if (ret == POUCH_E_NOTFOUND) {
		pouch_err_clear(err);
		ret = 0;
	} else if (ret == 0) {
		if (pouch_json_only_keys(j, fields, NULL) < 0 ||
		    pouch_json_str(j, "ceiling", 0, &name, NULL) < 0 ||
		    pouch_tier_parse(name, tier, NULL) < 0 || strcmp(name, tiers[*tier]) != 0)
			ret = pouch_err_set(err, POUCH_E_CORRUPT, "handling settings '%s' are "
					    "corrupt: expected {\"ceiling\": TIER}", path);
	}
	json_decref(j);
	free(path);
	return ret;
}

int pouch_ceiling_save(const struct pouch_home *home, enum pouch_tier tier,
		       struct pouch_err *err)
{
	char *path = settings_path(home);
	json_t *j = NULL;
	int ret;

	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (tier == POUCH_TIER_NONE) {
		ret = pouch_fs_remove(path, err);
	} else {
		j = json_pack("{s:s}", "ceiling", tiers[tier]);
		ret = j ? pouch_json_save_record(path, j, 0, err)
			: pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	json_decref(j);
	free(path);
	return ret;
}

int pouch_ceiling_check(const struct pouch_home *home, const char *tier, const char *what,
			struct pouch_err *err)
{
	enum pouch_tier ceiling, t = POUCH_TIER_NONE;
	int ret = pouch_ceiling_load(home, &ceiling, err);

	if (ret < 0 || ceiling == POUCH_TIER_NONE || !tier)
		return ret;
	if (pouch_tier_parse(tier, &t, NULL) < 0 || strcmp(tier, tiers[t]) != 0)
		return pouch_err_set(err, POUCH_E_REFUSED, "%s is refused: its classification is "
				     "no tier this installation knows, and its ceiling is %s", what,
				     tiers[ceiling]);
	if (t > ceiling)
		return pouch_err_set(err, POUCH_E_REFUSED, "%s is refused: it is classified %s, "
				     "above this installation's ceiling %s", what, tiers[t],
				     tiers[ceiling]);
	return 0;
}

int pouch_ceiling_check_report(const struct pouch_home *home, const json_t *report,
			       const char *what, struct pouch_err *err)
{
	const json_t *tier = json_object_get(json_object_get(json_object_get(report, "handling"),
							     "classification"), "tier");

	if (tier && !json_is_string(tier))
		return pouch_ceiling_check(home, "", what, err);
	return pouch_ceiling_check(home, tier ? json_string_value(tier) : NULL, what, err);
}

int pouch_ceiling_check_header(const struct pouch_home *home, const char *header, size_t len,
			       const char *what, struct pouch_err *err)
{
	const json_t *c;
	json_t *h = NULL;
	int ret = pouch_json_parse("the header", header, len, &h, err);

	c = json_object_get(h, "classification");
	if (json_is_object(c))
		c = json_object_get(c, "tier");
	if (!ret)
		ret = pouch_ceiling_check(home, !c ? NULL : json_is_string(c) ? json_string_value(c)
									    : "",
					  what, err);
	json_decref(h);
	return ret;
}

int pouch_ceiling_check_verified(const struct pouch_home *home, const struct pouch_verified *v,
				 struct pouch_err *err)
{
	return pouch_ceiling_check_header(home, v->env.header, v->env.header_len, "the package",
					  err);
}

int pouch_ceiling_check_dir(const struct pouch_home *home, const char *dir, const char *what,
			    struct pouch_err *err)
{
	char *path = pouch_path_join(dir, "pouch.json"), *text = NULL;
	json_t *m = NULL;
	size_t len = 0;
	int ret;

	ret = path ? pouch_fs_read(path, MANIFEST_MAX, &text, &len, err)
		   : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!ret)
		ret = pouch_json_parse("pouch.json", text, len, &m, err);
	if (!ret)
		ret = pouch_ceiling_check_report(home, json_object_get(m, "report"), what, err);
	json_decref(m);
	free(text);
	free(path);
	return ret;
}
