/*
 * ctl_table - affilctl's one table of commands and options.
 *
 * The parser (ctl_args.c), the help and the bash completion (ctl_help.c)
 * read it; the man page documents each line (tests/e2e/test_manpages.py
 * checks both ways).  A command with several forms (`outbox`, `outbox
 * retry ID`) has a line per form, told apart by a word at a fixed place
 * among its arguments.  A change (.db CTL_DB_DROP) never opens the
 * database: it is a file for affild's admin drop (ctl_write.c).
 */
#include <stddef.h>

#include "common/util.h"
#include "ctl/ctl.h"

static const char *const formats[] = { "table", "csv", "json", NULL };
static const char *const statuses[] = { "EN_COURS", "A_RELANCER", "AFFILIE",
	"DISPENSE", "RADIE", "PORTABILITE", NULL };
static const char *const file_states[] = { "claimed", "done", "quarantined",
	"held", "approved", "refused", NULL };
static const char *const msg_states[] = { "pending", "sent", "failed",
	NULL };
static const char *const sorts[] = { "nom", "since", "status", NULL };
static const char *const a_file[] = { "@file", NULL };
static const char *const yes_no[] = { "O", "N", NULL };

const struct ctl_opt ctl_opts[] = {
	{ OPT_CONFIG, "config", NULL, 'c', "FILE", a_file,
	  "the configuration (default /etc/affild/affild.yaml)" },
	{ OPT_FORMAT, "format", NULL, 'f', "FORMAT", formats,
	  "how to print: an aligned table for people (the default but for "
	  "export), CSV for a spreadsheet, JSON for a script" },
	{ OPT_HELP, "help", NULL, 'h', NULL, NULL,
	  "this help, or the command's" },
	{ OPT_VERSION, "version", NULL, 0, NULL, NULL, "the version" },
	{ OPT_EMPLOYER, "employer", NULL, 'e', "NUMERO", NULL,
	  "only this employer's (admin: the changes of the admin "
	  "drop)" },
	{ OPT_STATUS, "status", NULL, 's', "STATUS", statuses,
	  "only the employees in this status" },
	{ OPT_FILE_STATE, "state", "status", 's', "STATE", file_states,
	  "only the files in this state" },
	{ OPT_MSG_STATE, "state", "status", 's', "STATE", msg_states,
	  "only the messages in this state" },
	{ OPT_FAILED, "failed", NULL, 0, NULL, NULL,
	  "the same as --state failed" },
	{ OPT_SORT, "sort", NULL, 0, "KEY", sorts,
	  "the order: by name, by the date of the status, by status" },
	{ OPT_LIMIT, "limit", NULL, 0, "N", NULL, "at most N rows" },
	{ OPT_OFFSET, "offset", NULL, 0, "N", NULL, "skip the first N rows" },
	{ OPT_OUTPUT, "output", NULL, 'o', "FILE", a_file,
	  "write to FILE (made 0600, in place once complete) instead of "
	  "the standard output" },
	{ OPT_AS_OF, "as-of", NULL, 0, "AAAA-MM-JJ", NULL,
	  "as of this day (Europe/Paris)" },
	{ OPT_AT, "at", NULL, 0, "AAAA-MM-JJTHH:MM", NULL,
	  "as of this instant (Europe/Paris)" },
	{ OPT_FORCE, "force", NULL, 0, NULL, NULL,
	  "do it although it is unusual (see the command)" },
	{ OPT_JUSTIFICATION, "justification", NULL, 0, "TEXT", NULL,
	  "why, kept in the history" },
	{ OPT_NO_WAIT, "no-wait", NULL, 0, NULL, NULL,
	  "queue the change, print its file's name, do not wait for "
	  "affild's report" },
	{ OPT_TIMEOUT, "timeout", NULL, 0, "SECONDS", NULL,
	  "wait at most this long for affild's report (default 60; then "
	  "exit 75, the change stays queued)" },
	{ OPT_FIN, "fin", NULL, 0, "AAAA-MM-JJ", NULL,
	  "the last day: of the contract (radiate), of the dispense "
	  "(dispense)" },
	{ OPT_MOTIF, "motif", NULL, 0, "CODE", NULL,
	  "the reason's code: motif_rupture (radiate), motif_dispense "
	  "(dispense)" },
	{ OPT_PORTABILITE, "portabilite", NULL, 0, "O|N", yes_no,
	  "portability asked or not" },
	{ OPT_DEBUT, "debut", NULL, 0, "AAAA-MM-JJ", NULL,
	  "the first day of the contract" },
	{ OPT_EMAIL, "email-personnel", NULL, 0, "ADDR", NULL,
	  "the personal address that outlives the contract" },
	{ OPT_DEMANDE, "demande", NULL, 0, "AAAA-MM-JJ", NULL,
	  "the day the dispense was asked (default today)" },
	{ OPT_JUSTIFICATIF, "justificatif", NULL, 0, "REF", NULL,
	  "the reference of the proof" },
};

const size_t ctl_nopts = NELEM(ctl_opts);

#define EMPLOYEE_OPTS (OPT(OPT_EMPLOYER) | OPT(OPT_STATUS) | OPT(OPT_SORT))

const struct ctl_verb ctl_verbs[] = {
	{ .name = "status", .db = CTL_DB_TRY, .fn = ctl_status,
	  .help = "the daemon, files waiting, the last file, the outbox, "
		  "deadlines due" },
	{ .name = "employers", .opts = OPT(OPT_EMPLOYER), .db = CTL_DB_RO,
	  .fn = ctl_employers,
	  .help = "configured employers: folders, last file, next expected, "
		  "late" },
	{ .name = "employees", .args = "[SEARCH]", .max_args = 1,
	  .opts = EMPLOYEE_OPTS | OPT(OPT_LIMIT) | OPT(OPT_OFFSET),
	  .db = CTL_DB_RO, .fn = ctl_employees,
	  .help = "employees, by name or NIR prefix" },
	{ .name = "show", .args = "EMPLOYER NIR", .min_args = 2,
	  .max_args = 2, .db = CTL_DB_RO, .fn = ctl_show,
	  .help = "one employee: record, beneficiaries, history" },
	{ .name = "export", .args = "[SEARCH]", .max_args = 1,
	  .opts = EMPLOYEE_OPTS | OPT(OPT_OUTPUT), .db = CTL_DB_RO,
	  .fmt = FMT_CSV, .fn = ctl_export,
	  .help = "every employee, or those filtered, streamed (CSV unless "
		  "--format)" },
	{ .name = "files", .opts = OPT(OPT_EMPLOYER) | OPT(OPT_FILE_STATE),
	  .db = CTL_DB_RO, .fn = ctl_files, .help = "every file received" },
	{ .name = "file", .args = "ID", .min_args = 1, .max_args = 1,
	  .db = CTL_DB_RO, .fn = ctl_file,
	  .help = "one file: counts, rejected and warning lines" },
	{ .name = "file", .sub = "approve", .sub_at = 1, .args = "ID approve",
	  .min_args = 2, .max_args = 2, .opts = OPT_CHANGE,
	  .db = CTL_DB_DROP, .fn = ctl_file_decide,
	  .help = "apply a file the radiation gate held" },
	{ .name = "file", .sub = "refuse", .sub_at = 1, .args = "ID refuse",
	  .min_args = 2, .max_args = 2, .opts = OPT_CHANGE,
	  .db = CTL_DB_DROP, .fn = ctl_file_decide,
	  .help = "reject a file the radiation gate held" },
	{ .name = "reprocess", .args = "ID", .min_args = 1, .max_args = 1,
	  .opts = OPT(OPT_FORCE) | OPT_CHANGE, .db = CTL_DB_DROP,
	  .fn = ctl_reprocess,
	  .help = "process an archived file again, even a duplicate "
		  "(refused without --force)" },
	{ .name = "outbox", .opts = OPT(OPT_MSG_STATE) | OPT(OPT_FAILED),
	  .db = CTL_DB_RO, .fn = ctl_outbox,
	  .help = "messages pending, sent or failed" },
	{ .name = "outbox", .sub = "retry", .args = "retry ID",
	  .min_args = 2, .max_args = 2, .opts = OPT_CHANGE,
	  .db = CTL_DB_DROP, .fn = ctl_outbox_retry,
	  .help = "a failed message back to pending, due now" },
	{ .name = "timers", .opts = OPT(OPT_LIMIT), .db = CTL_DB_RO,
	  .fn = ctl_timers,
	  .help = "the deadlines due next (the first 100 unless --limit)" },
	{ .name = "timers", .sub = "run", .args = "run", .min_args = 1,
	  .max_args = 1, .opts = OPT(OPT_AS_OF) | OPT(OPT_AT) |
	  OPT(OPT_FORCE) | OPT_CHANGE, .db = CTL_DB_DROP,
	  .fn = ctl_timers_run,
	  .help = "fire the deadlines due and the expected-file alerts (a "
		  "future date needs --force)" },
	{ .name = "portability", .sub = "open", .args = "open EMPLOYER NIR",
	  .min_args = 3, .max_args = 3,
	  .opts = OPT(OPT_JUSTIFICATION) | OPT_CHANGE,
	  .needs = OPT(OPT_JUSTIFICATION), .db = CTL_DB_DROP,
	  .fn = ctl_portability,
	  .help = "open portability on a departure reason to examine" },
	{ .name = "portability", .sub = "proof", .args = "proof EMPLOYER NIR",
	  .min_args = 3, .max_args = 3, .opts = OPT_CHANGE,
	  .db = CTL_DB_DROP, .fn = ctl_portability,
	  .help = "record the proof of unemployment benefits" },
	{ .name = "edit", .args = "EMPLOYER NIR FIELD=VALUE...",
	  .min_args = 3, .max_args = CTL_ARGS_MAX - 1, .opts = OPT_CHANGE,
	  .db = CTL_DB_DROP, .fn = ctl_edit,
	  .help = "change the record: a MODIFICATION (#VIDE clears a "
		  "field)" },
	{ .name = "remind", .args = "EMPLOYER NIR", .min_args = 2,
	  .max_args = 2, .opts = OPT_CHANGE, .db = CTL_DB_DROP,
	  .fn = ctl_remind, .help = "the reminder, now: a RELANCE" },
	{ .name = "force", .args = "EMPLOYER NIR", .min_args = 2,
	  .max_args = 2, .opts = OPT_CHANGE, .db = CTL_DB_DROP,
	  .fn = ctl_force,
	  .help = "affiliation to the base plan: an AFFILIATION_FORCEE" },
	{ .name = "radiate", .args = "EMPLOYER NIR", .min_args = 2,
	  .max_args = 2, .opts = OPT(OPT_FIN) | OPT(OPT_MOTIF) |
	  OPT(OPT_PORTABILITE) | OPT(OPT_JUSTIFICATION) | OPT(OPT_DEBUT) |
	  OPT(OPT_EMAIL) | OPT_CHANGE,
	  .needs = OPT(OPT_FIN) | OPT(OPT_MOTIF), .db = CTL_DB_DROP,
	  .fn = ctl_radiate,
	  .help = "the end of the affiliation: a RADIATION" },
	{ .name = "dispense", .args = "EMPLOYER NIR", .min_args = 2,
	  .max_args = 2, .opts = OPT(OPT_MOTIF) | OPT(OPT_DEMANDE) |
	  OPT(OPT_JUSTIFICATIF) | OPT(OPT_FIN) | OPT_CHANGE,
	  .needs = OPT(OPT_MOTIF), .db = CTL_DB_DROP, .fn = ctl_dispense,
	  .help = "a dispense from the plan: a DISPENSE" },
	{ .name = "bulletin", .args = "EMPLOYER NIR", .min_args = 2,
	  .max_args = 2, .opts = OPT(OPT_OUTPUT) | OPT_CHANGE,
	  .db = CTL_DB_DROP, .fn = ctl_bulletin,
	  .help = "the employee's bulletin (PDF) to -o FILE, or its path" },
	{ .name = "help", .args = "[COMMAND]", .max_args = 1,
	  .db = CTL_DB_NONE, .fn = ctl_help_cmd,
	  .help = "the commands, or one command's usage and options" },
};

const size_t ctl_nverbs = NELEM(ctl_verbs);

const struct ctl_opt *ctl_opt_of(enum ctl_opt_id id)
{
	size_t i;

	for (i = 0; i < ctl_nopts; i++)
		if (ctl_opts[i].id == id)
			return &ctl_opts[i];
	return &ctl_opts[0];
}
