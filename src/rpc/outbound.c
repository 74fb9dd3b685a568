/*
 * src/rpc/outbound.c
 *
 * Where amplified may send requests: the amplified.allowed_hosts policy
 * that every chain endpoint and external signer URL must pass, once when
 * it is configured (rpc_check_urls, 22023) and again whenever http.c
 * connects, on the URL's host and on each address the host resolves to (so
 * that a DNS answer cannot lead a request elsewhere).  Empty, the default,
 * allows every host but link-local and cloud metadata addresses; a list
 * allows only the host names and addresses it names.  See docs/rpc.md,
 * "Outbound hosts".
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "amplified.h"
#include "rpc/rpc.h"

PG_FUNCTION_INFO_V1(rpc_check_urls);

#define OUTBOUND_MAX_ENTRIES	64
#define OUTBOUND_NAME_LEN		256

/* One entry of amplified.allowed_hosts. */
typedef struct OutboundEntry
{
	bool		is_net;			/* an address or CIDR range, else a name */
	bool		wildcard;		/* name "*.suffix": name holds ".suffix" */
	int			family;			/* AF_INET or AF_INET6, for a range */
	int			prefix;			/* bits of addr that must match */
	uint8		addr[16];
	char		name[OUTBOUND_NAME_LEN];	/* lowercase */
} OutboundEntry;

/* The parsed setting: one malloc'd block, as GUC "extra" must be. */
typedef struct OutboundPolicy
{
	int			nentries;
	OutboundEntry entries[FLEXIBLE_ARRAY_MEMBER];
} OutboundPolicy;

/* The policy in force (NULL: empty setting) and a count of its changes. */
static const OutboundPolicy *policy = NULL;
static uint32 policy_generation = 0;

/*
 * Addresses refused whatever the setting, unless an address entry names
 * them: link-local ranges, where cloud metadata services answer, and the
 * metadata addresses outside them.
 */
static const struct
{
	int			family;
	int			prefix;
	const char *addr;
}			refused_ranges[] =
{
	{AF_INET, 16, "169.254.0.0"},	/* link-local, metadata 169.254.169.254 */
	{AF_INET, 32, "100.100.100.200"},	/* Alibaba Cloud metadata */
	{AF_INET6, 10, "fe80::"},	/* link-local */
	{AF_INET6, 128, "fd00:ec2::254"},	/* AWS metadata over IPv6 */
};

/* True when the first prefix bits of a and b are equal. */
static bool
PrefixMatches(const uint8 *a, const uint8 *b, int prefix)
{
	int			full = prefix / 8;
	int			rest = prefix % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (0xFF << (8 - rest))) == 0;
}

/*
 * Parse an IPv4 or IPv6 address (IPv6 optionally in brackets) into addr;
 * returns its family, or 0 when text is not an address.  An IPv4-mapped
 * IPv6 address is returned as the IPv4 address it maps.
 */
static int
ParseAddress(const char *text, uint8 *addr)
{
	char		buf[INET6_ADDRSTRLEN + 2];
	size_t		len = strlen(text);

	if (len >= sizeof(buf))
		return 0;
	if (text[0] == '[' && len > 2 && text[len - 1] == ']')
	{
		memcpy(buf, text + 1, len - 2);
		buf[len - 2] = '\0';
	}
	else
		strlcpy(buf, text, sizeof(buf));
	if (inet_pton(AF_INET, buf, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, buf, addr) == 1)
	{
		static const uint8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

		if (memcmp(addr, mapped, 12) == 0)
		{
			memmove(addr, addr + 12, 4);
			return AF_INET;
		}
		return AF_INET6;
	}
	return 0;
}

/* True when an address entry of the policy holds the address. */
static bool
ListedAddress(const OutboundPolicy *p, int family, const uint8 *addr)
{
	int			i;

	for (i = 0; p != NULL && i < p->nentries; i++)
		if (p->entries[i].is_net && p->entries[i].family == family &&
			PrefixMatches(p->entries[i].addr, addr, p->entries[i].prefix))
			return true;
	return false;
}

/* True when the address is link-local or a cloud metadata address. */
static bool
RefusedAddress(int family, const uint8 *addr)
{
	size_t		i;

	for (i = 0; i < lengthof(refused_ranges); i++)
	{
		uint8		range[16];

		if (refused_ranges[i].family != family)
			continue;
		if (inet_pton(family, refused_ranges[i].addr, range) != 1)
			elog(ERROR, "amplified rpc: bad built-in address range %s", refused_ranges[i].addr);
		if (PrefixMatches(range, addr, refused_ranges[i].prefix))
			return true;
	}
	return false;
}

/* True when a name entry of the policy matches host (lowercase). */
static bool
ListedName(const OutboundPolicy *p, const char *host)
{
	size_t		hlen = strlen(host);
	int			i;

	for (i = 0; p != NULL && i < p->nentries; i++)
	{
		const OutboundEntry *e = &p->entries[i];

		if (e->is_net)
			continue;
		if (!e->wildcard && strcmp(e->name, host) == 0)
			return true;
		if (e->wildcard && hlen > strlen(e->name) &&
			strcmp(host + hlen - strlen(e->name), e->name) == 0)
			return true;
	}
	return false;
}

/*
 * Parse a setting of amplified.allowed_hosts into a malloc'd policy (NULL
 * for an empty setting).  false and *detail on a bad entry.
 */
bool
RpcOutboundParse(const char *value, void **out, char **detail)
{
	OutboundPolicy *p;
	char	   *copy;
	char	   *tok;
	char	   *save = NULL;

	*out = NULL;
	*detail = NULL;
	if (value == NULL)
		return true;
	p = malloc(offsetof(OutboundPolicy, entries) + sizeof(OutboundEntry) * OUTBOUND_MAX_ENTRIES);
	copy = strdup(value);
	if (p == NULL || copy == NULL)
	{
		free(p);
		free(copy);
		*detail = "Out of memory.";
		return false;
	}
	p->nentries = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
	{
		OutboundEntry *e;
		char	   *end;
		char	   *slash;
		char	   *c;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tok == '\0')
			continue;
		if (p->nentries == OUTBOUND_MAX_ENTRIES)
		{
			*detail = psprintf("At most %d entries are allowed.", OUTBOUND_MAX_ENTRIES);
			goto bad;
		}
		e = &p->entries[p->nentries];
		memset(e, 0, sizeof(*e));
		slash = strchr(tok, '/');
		if (slash != NULL)
			*slash = '\0';
		if ((e->family = ParseAddress(tok, e->addr)) != 0)
		{
			int			max = e->family == AF_INET ? 32 : 128;

			e->is_net = true;
			e->prefix = max;
			if (slash != NULL)
			{
				char	   *pend;
				long		bits = strtol(slash + 1, &pend, 10);

				if (slash[1] == '\0' || *pend != '\0' || bits < 0 || bits > max)
				{
					*detail = psprintf("\"%s/%s\" has an invalid prefix length.", tok, slash + 1);
					goto bad;
				}
				/* A mapped IPv6 range: its prefix counts the 96 bits dropped. */
				if (e->family == AF_INET && strchr(tok, ':') != NULL)
					bits = Max(bits - 96, 0);
				e->prefix = (int) bits;
			}
			p->nentries++;
			continue;
		}
		if (slash != NULL)
		{
			*detail = psprintf("\"%s\" is not an IP address, so it takes no prefix length.", tok);
			goto bad;
		}
		/* A host name, or "*.domain". */
		if (tok[0] == '*')
		{
			if (tok[1] != '.' || tok[2] == '\0')
			{
				*detail = psprintf("\"%s\": a wildcard is written \"*.domain\".", tok);
				goto bad;
			}
			e->wildcard = true;
			tok++;
		}
		if (end > tok && end[-1] == '.')
			*--end = '\0';
		if (strlen(tok) == 0 || strlen(tok) >= OUTBOUND_NAME_LEN)
		{
			*detail = "A host name is 1 to 253 characters.";
			goto bad;
		}
		for (c = tok; *c; c++)
		{
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				  (*c >= '0' && *c <= '9') || *c == '-' || *c == '.'))
			{
				*detail = psprintf("\"%s\" is not a host name, *.domain, IP address or CIDR range "
								   "(ports and URLs are not accepted).", tok);
				goto bad;
			}
			e->name[c - tok] = pg_ascii_tolower((unsigned char) *c);
		}
		p->nentries++;
	}
	free(copy);
	if (p->nentries == 0)
	{
		free(p);
		return true;
	}
	*out = p;
	return true;

bad:
	free(copy);
	free(p);
	return false;
}

/* Put a parsed policy in force (GUC assign hook); connections are not reused across it. */
void
RpcOutboundAssign(void *parsed)
{
	policy = (const OutboundPolicy *) parsed;
	policy_generation++;
}

/* A count that changes whenever the policy does. */
uint32
RpcOutboundGeneration(void)
{
	return policy_generation;
}

/*
 * May a URL with this host (as curl's URL parser gives it) be used?  NULL
 * when it may, else why not.  *name_listed: the host is a name that an
 * entry lists, which lets it resolve to any address but refused ones.
 */
const char *
RpcOutboundCheckHost(const char *host, bool *name_listed)
{
	uint8		addr[16];
	int			family;
	char	   *lower;
	char	   *c;

	*name_listed = false;
	if ((family = ParseAddress(host, addr)) != 0)
		return RpcOutboundCheckAddress(family, addr, false);
	if (policy == NULL)
		return NULL;
	lower = pstrdup(host);
	for (c = lower; *c; c++)
		*c = pg_ascii_tolower((unsigned char) *c);
	if (c > lower && c[-1] == '.')
		c[-1] = '\0';
	if (ListedName(policy, lower))
	{
		*name_listed = true;
		return NULL;
	}
	return psprintf("host \"%s\" is not in amplified.allowed_hosts", host);
}

/*
 * May a connection go to this address (family AF_INET or AF_INET6, 4 or 16
 * bytes)?  NULL when it may, else why not.  name_listed: it is an address of
 * a host name the policy lists.
 */
const char *
RpcOutboundCheckAddress(int family, const uint8 *addr, bool name_listed)
{
	char		text[INET6_ADDRSTRLEN];
	uint8		v4[16];

	/* An IPv4-mapped IPv6 address is checked as the IPv4 address. */
	if (family == AF_INET6)
	{
		static const uint8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

		if (memcmp(addr, mapped, 12) == 0)
		{
			memcpy(v4, addr + 12, 4);
			addr = v4;
			family = AF_INET;
		}
	}
	if (family != AF_INET && family != AF_INET6)
		return "not an IP address";
	if (ListedAddress(policy, family, addr))
		return NULL;
	if (inet_ntop(family, addr, text, sizeof(text)) == NULL)
		strlcpy(text, "?", sizeof(text));
	if (RefusedAddress(family, addr))
		return psprintf("address %s is link-local or a cloud metadata address, "
						"which only an address entry of amplified.allowed_hosts allows", text);
	if (policy == NULL || name_listed)
		return NULL;
	return psprintf("address %s is not in amplified.allowed_hosts", text);
}

/*
 * The host of a URL, as curl's URL parser (the one that connects) reads it;
 * NULL when it cannot parse the URL.  palloc'd.
 */
char *
RpcOutboundUrlHost(const char *url)
{
	CURLU	   *u = curl_url();
	char	   *host = NULL;
	char	   *result = NULL;

	if (u == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		result = pstrdup(host);
	curl_free(host);
	curl_url_cleanup(u);
	return result;
}

/*
 * amplified.rpc_check_urls(urls): refuse (22023) any URL whose host
 * amplified.allowed_hosts does not allow; the URL itself, which may hold a
 * key, is not shown, only its host.
 */
Datum
rpc_check_urls(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		char	   *host;
		const char *why;
		bool		name_listed;

		if (nulls[i])
			continue;
		host = RpcOutboundUrlHost(TextDatumGetCString(elems[i]));
		if (host == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid url: its host cannot be read")));
		if ((why = RpcOutboundCheckHost(host, &name_listed)) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("outbound requests to host \"%s\" are not allowed", host),
					 errdetail("The %s.", why),
					 errhint("A superuser sets amplified.allowed_hosts.")));
	}
	PG_RETURN_VOID();
}
