/*
 * src/worker/kinds.c
 *
 * The registry of dynamic worker kinds.  The launcher knows no module by
 * name: each module that runs a background worker registers its kind from
 * its init function, which _PG_init calls (as pgvector's _PG_init calls each
 * access method's init).  A kind is a slot name, an entry point in this
 * library, a backend type, and the SQL function of the extension that says
 * which workers of the kind the configuration wants.  The registry is a
 * fixed array in each process's memory, filled while the library loads in
 * the postmaster (every child inherits it) and never changed afterwards, so
 * it needs no lock and no shared memory.  docs/workers.md shows how to add a
 * kind.
 */
#include "postgres.h"

#include "postmaster/bgworker.h"

#include "amplified.h"
#include "worker/worker.h"

static WorkerKind kinds[WORKER_MAX_KINDS];
static int	nkinds = 0;

/* Error out unless s is a non-empty string shorter than len bytes. */
static void
WorkerKindCheckString(const char *what, const char *s, size_t len)
{
	if (s == NULL || s[0] == '\0' || strlen(s) >= len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid worker kind %s \"%s\"", what, s ? s : ""),
				 errdetail("It must have between 1 and %d bytes.", (int) len - 1)));
}

/*
 * Register a kind of dynamic worker; called from a module's init function
 * during _PG_init.  The struct is copied, its strings are not: they must be
 * string literals (or otherwise live as long as the process).  The order of
 * registration is the order in which the launcher starts the kinds.
 */
void
WorkerRegisterKind(const WorkerKind *kind)
{
	const char *name = kind->name;
	const char *wanted = kind->wanted;
	const char *c;
	int			i;

	WorkerKindCheckString("name", name, WORKER_KIND_LEN);
	WorkerKindCheckString("entry point", kind->function, BGW_MAXLEN);
	WorkerKindCheckString("backend type", kind->bgw_type, BGW_MAXLEN);
	WorkerKindCheckString("wanted function", wanted, NAMEDATALEN);
	/* The launcher writes the name into a query: a plain lowercase identifier only. */
	for (c = wanted; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || *c == '_' || (c > wanted && *c >= '0' && *c <= '9')))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("invalid worker kind wanted function \"%s\"", wanted),
					 errdetail("It must be a lowercase SQL identifier of letters, digits and underscores.")));
	if (strcmp(name, "launcher") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RESERVED_NAME),
				 errmsg("worker kind name \"launcher\" is reserved")));
	for (i = 0; i < nkinds; i++)
		if (strcmp(kinds[i].name, name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("worker kind \"%s\" is already registered", name)));
	if (nkinds >= WORKER_MAX_KINDS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many worker kinds"),
				 errdetail("At most %d kinds can be registered.", WORKER_MAX_KINDS)));

	kinds[nkinds++] = *kind;
}

/* Number of registered kinds. */
int
WorkerKindCount(void)
{
	return nkinds;
}

/* The i-th registered kind (0 <= i < WorkerKindCount()). */
const WorkerKind *
WorkerKindAt(int i)
{
	Assert(i >= 0 && i < nkinds);
	return &kinds[i];
}

/* The kind registered under name, or NULL. */
const WorkerKind *
WorkerKindByName(const char *name)
{
	int			i;

	for (i = 0; i < nkinds; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}
