/*
 * store_outbox - queueing messages from inside store/ (private to store/).
 */
#ifndef AFFILD_STORE_OUTBOX_H
#define AFFILD_STORE_OUTBOX_H

struct store;

/* st_outbox_add - vars: NULL-terminated list of name, value, name, value */
int st_outbox_add(struct store *st, const char *from, const char *kind,
		  const char *employer, long long employee_id,
		  const char *recipient, const char *const *vars);

#endif
