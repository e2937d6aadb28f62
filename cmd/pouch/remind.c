/* The reminder for an immediate package (pack, push, pull). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "remind.h"
#include "base/json.h"
#include "package/envelope.h"

int remind_needed(const char *priority)
{
	return priority && strcmp(priority, "immediate") == 0;
}

const char *remind(const char *id, const char *who, const char *role)
{
	static char text[512];

	snprintf(text, sizeof(text), "package %s is immediate: also phone the %s's 24/7 contact "
		 "now (%s); pouch is never the only channel for a child in danger", id, role, who);
	pouch_warn("%s", text);
	return text;
}

char *remind_json(char *json, const char *text)
{
	char *quoted = json ? pouch_json_quote(text) : NULL, *out = NULL;
	size_t len = json ? strlen(json) : 0;

	if (quoted && len >= 2 && json[len - 1] == '}' &&
	    asprintf(&out, "%.*s,\"reminder\":%s}", (int)(len - 1), json, quoted) < 0)
		out = NULL;
	free(quoted);
	free(json);
	return out;
}

void remind_envelope_priority(const char *path, char *priority)
{
	struct pouch_envelope e = { 0 };
	struct pouch_header h;

	priority[0] = '\0';
	if (pouch_envelope_read(path, &e, NULL) == 0 &&
	    pouch_header_decode(e.header, e.header_len, &h, NULL) == 0)
		snprintf(priority, 16, "%s", h.priority);
	pouch_envelope_release(&e);
}
