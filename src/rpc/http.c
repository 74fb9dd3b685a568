/*
 * src/rpc/http.c
 *
 * One HTTP POST over libcurl, the way amplified needs it: a handle reused
 * for the life of the backend (so connections to a node are kept alive),
 * connect and total timeouts, a bound on the response size, http and https
 * only, no redirects, Retry-After captured, only to the hosts and addresses
 * amplified.allowed_hosts allows (outbound.c), and interrupted within a
 * second by a query cancel, statement_timeout, SIGTERM or the postmaster's
 * death.
 */
#include "postgres.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "miscadmin.h"
#include "storage/pmsignal.h"
#include "utils/memutils.h"

#include "amplified.h"
#include "rpc/rpc.h"

static CURL *curl_handle = NULL;
static struct curl_slist *curl_headers = NULL;

/* State shared with the callbacks of one transfer. */
typedef struct HttpTransfer
{
	RpcHttpResult *res;
	Size		max_bytes;
	bool		too_large;
	bool		postmaster_died;	/* seen by the progress callback */
	bool		name_listed;	/* the URL's host is a name allowed_hosts lists */
	const char *refused;		/* why an address was refused, or NULL */
} HttpTransfer;

/* Body callback: append, unless the response grows past the bound. */
static size_t
HttpWrite(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	HttpTransfer *t = (HttpTransfer *) userdata;
	size_t		n = size * nmemb;

	if ((Size) t->res->body.len + n > t->max_bytes)
	{
		t->too_large = true;
		return 0;				/* makes curl fail with CURLE_WRITE_ERROR */
	}
	appendBinaryStringInfo(&t->res->body, ptr, (int) n);
	return n;
}

/* Header callback: remember Retry-After (delay in seconds, or an HTTP date). */
static size_t
HttpHeader(char *buffer, size_t size, size_t nitems, void *userdata)
{
	HttpTransfer *t = (HttpTransfer *) userdata;
	size_t		n = size * nitems;
	static const char name[] = "retry-after:";

	if (n > sizeof(name) - 1 && pg_strncasecmp(buffer, name, sizeof(name) - 1) == 0)
	{
		char		value[64];
		size_t		len = Min(n - (sizeof(name) - 1), sizeof(value) - 1);
		char	   *p = value;
		char	   *end;
		long		secs;

		memcpy(value, buffer + sizeof(name) - 1, len);
		value[len] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		secs = strtol(p, &end, 10);
		if (end != p && (*end == '\r' || *end == '\n' || *end == '\0') && secs >= 0)
			t->res->retry_after_ms = (int) Min(secs, 3600L) * 1000;
		else
		{
			time_t		when = curl_getdate(p, NULL);
			time_t		now = time(NULL);

			if (when > 0)
				t->res->retry_after_ms = (int) Min(Max(when - now, 0), 3600) * 1000;
		}
	}
	return n;
}

/*
 * Progress callback, called at least once a second (while resolving and
 * connecting too): stop on cancel or termination, and when the postmaster
 * has died, so that no backend or worker outlives it by a request timeout.
 */
static int
HttpProgress(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
			 curl_off_t ultotal, curl_off_t ulnow)
{
	HttpTransfer *t = (HttpTransfer *) clientp;

	if (QueryCancelPending || ProcDiePending)
		return 1;
	if (IsUnderPostmaster && !PostmasterIsAlive())
	{
		t->postmaster_died = true;
		return 1;
	}
	return 0;
}

/*
 * Socket callback: before each connection, check the address the host
 * resolved to against amplified.allowed_hosts (a DNS answer must not lead a
 * request to a metadata service or a host the list leaves out).
 */
static curl_socket_t
HttpOpenSocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
	HttpTransfer *t = (HttpTransfer *) clientp;
	const char *why;

	if (address->family == AF_INET)
		why = RpcOutboundCheckAddress(AF_INET, (const uint8 *)
									  &((struct sockaddr_in *) &address->addr)->sin_addr,
									  t->name_listed);
	else if (address->family == AF_INET6)
		why = RpcOutboundCheckAddress(AF_INET6, (const uint8 *)
									  &((struct sockaddr_in6 *) &address->addr)->sin6_addr,
									  t->name_listed);
	else
		why = "not an IP address";
	if (why != NULL)
	{
		t->refused = why;
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype, address->protocol);
}

/*
 * The backend's curl handle, created on first use, and again after a change
 * of amplified.allowed_hosts, so that no connection opened under the old
 * setting is reused.
 */
static CURL *
HttpHandle(void)
{
	static uint32 generation = 0;

	if (curl_handle != NULL && generation != RpcOutboundGeneration())
	{
		curl_easy_cleanup(curl_handle);
		curl_handle = NULL;
	}
	generation = RpcOutboundGeneration();
	if (curl_handle == NULL)
	{
		curl_slist_free_all(curl_headers);
		curl_headers = NULL;
		if (curl_global_init(CURL_GLOBAL_ALL) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_SYSTEM_ERROR),
					 errmsg("could not initialise libcurl")));
		curl_handle = curl_easy_init();
		if (curl_handle == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create a libcurl handle")));
		curl_headers = curl_slist_append(NULL, "Content-Type: application/json");
		curl_headers = curl_slist_append(curl_headers, "Accept: application/json");
	}
	return curl_handle;
}

/*
 * POST body to url.  Never throws for what the network or the server does:
 * the outcome is in res (transport_ok, status, body).  It does throw for a
 * query cancel or termination that arrived during the transfer.
 */
void
RpcHttpPost(const char *url, const char *body, RpcHttpResult *res)
{
	RpcHttpPostTimeout(url, body, AmpRpcTimeout, res);
}

/*
 * RpcHttpPost with a timeout of its own (an external signer's): the whole
 * exchange, and the connection within it, take at most timeout_ms.
 */
void
RpcHttpPostTimeout(const char *url, const char *body, int timeout_ms, RpcHttpResult *res)
{
	CURL	   *h = HttpHandle();
	HttpTransfer t;
	char		errbuf[CURL_ERROR_SIZE];
	CURLcode	rc;
	CURLU	   *u;
	char	   *host = NULL;
	const char *why;

	memset(res, 0, sizeof(*res));
	res->retry_after_ms = -1;
	initStringInfo(&res->body);
	t.res = res;
	t.max_bytes = (Size) AmpRpcMaxResponseKb * 1024;
	t.too_large = false;
	t.postmaster_died = false;
	t.name_listed = false;
	t.refused = NULL;
	errbuf[0] = '\0';

	/*
	 * Parse the URL once, with curl's parser, and connect with that very
	 * parse: the host checked is the host connected to.
	 */
	if ((u = curl_url()) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
	{
		curl_url_cleanup(u);
		snprintf(res->error, sizeof(res->error), "invalid url");
		return;
	}
	why = RpcOutboundCheckHost(host, &t.name_listed);
	curl_free(host);
	if (why != NULL)
	{
		curl_url_cleanup(u);
		res->refused = true;
		snprintf(res->error, sizeof(res->error), "%s", why);
		return;
	}

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_CURLU, u);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	/*
	 * No proxy from the server's environment (http_proxy, ALL_PROXY, ...):
	 * through a proxy the address checked before connecting would be the
	 * proxy's, and amplified.allowed_hosts could not hold.
	 */
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long) strlen(body));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, curl_headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "amplified/0.1.0");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long) Min(AmpRpcConnectTimeout, timeout_ms));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) t.max_bytes);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, HttpWrite);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, HttpHeader);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, HttpProgress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, HttpOpenSocket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);

	rc = curl_easy_perform(h);
	/* The handle keeps no pointer to u past the transfer. */
	curl_easy_setopt(h, CURLOPT_CURLU, NULL);
	curl_url_cleanup(u);

	/* The postmaster died, or a cancel or SIGTERM stopped the transfer. */
	if (rc == CURLE_ABORTED_BY_CALLBACK && t.postmaster_died)
		ereport(FATAL,
				(errcode(ERRCODE_ADMIN_SHUTDOWN),
				 errmsg("terminating due to unexpected postmaster exit")));
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		CHECK_FOR_INTERRUPTS();

	if (rc == CURLE_OK)
	{
		res->transport_ok = true;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	}
	else if (t.refused != NULL)
	{
		res->refused = true;
		snprintf(res->error, sizeof(res->error), "%s", t.refused);
	}
	else if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(res->error, sizeof(res->error),
				 "response larger than amplified.rpc_max_response_size (%d kB)",
				 AmpRpcMaxResponseKb);
	else
		snprintf(res->error, sizeof(res->error), "%s",
				 errbuf[0] ? errbuf : curl_easy_strerror(rc));
}
