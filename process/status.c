/*
 * status - the statuses of an employee record, their names, labels and
 * properties (status.h).
 */
#include <stdio.h>
#include <string.h>

#include "process/status.h"

static const struct {
	const char *name, *label;
	unsigned props;
} statuses[STATUS_COUNT] = {
	[STATUS_NONE] = { "", "inconnu", 0 },
	[STATUS_EN_COURS] = { "EN_COURS", "en cours d'affiliation",
			      STATUS_COVERED | STATUS_AWAITING |
			      STATUS_REMINDER },
	[STATUS_A_RELANCER] = { "A_RELANCER", "à relancer",
				STATUS_COVERED | STATUS_AWAITING },
	[STATUS_AFFILIE] = { "AFFILIE", "affilié", STATUS_COVERED },
	[STATUS_DISPENSE] = { "DISPENSE", "dispensé", 0 },
	[STATUS_RADIE] = { "RADIE", "radié", STATUS_FORMER },
	[STATUS_PORTABILITE] = { "PORTABILITE", "en portabilité",
				 STATUS_FORMER },
};

static int known(enum status s)
{
	return s > STATUS_NONE && s < STATUS_COUNT;
}

const char *status_name(enum status s)
{
	return known(s) ? statuses[s].name : "";
}

enum status status_from_name(const char *name)
{
	int i;

	for (i = STATUS_NONE + 1; name && i < STATUS_COUNT; i++)
		if (strcmp(statuses[i].name, name) == 0)
			return (enum status)i;
	return STATUS_NONE;
}

const char *status_label(enum status s)
{
	return known(s) ? statuses[s].label : statuses[STATUS_NONE].label;
}

const char *status_label_name(const char *name)
{
	enum status s = status_from_name(name);

	if (s != STATUS_NONE)
		return statuses[s].label;
	return name ? name : statuses[STATUS_NONE].label;
}

int status_is(enum status s, unsigned props)
{
	return known(s) && (statuses[s].props & props) != 0;
}

int status_names_fr(char *out, size_t outlen)
{
	size_t n = 0;
	int i, w;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (i = STATUS_NONE + 1; i < STATUS_COUNT; i++) {
		w = snprintf(out + n, outlen - n, "%s%s",
			     i == STATUS_NONE + 1 ? "" :
			     i == STATUS_COUNT - 1 ? " ou " : ", ",
			     statuses[i].name);
		if (w < 0 || (size_t)w >= outlen - n)
			return -1;
		n += (size_t)w;
	}
	return 0;
}
