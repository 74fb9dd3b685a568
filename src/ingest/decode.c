/*
 * src/ingest/decode.c
 *
 * The typed events the ingest worker decodes from the logs it has just
 * fetched, in C, before they are stored: ERC-20 Transfer and Uniswap v3
 * Swap, Mint, Burn and Collect.  A table describes each event (its
 * signature, shape, and where each column comes from: a topic or a data
 * word), so one small decoder serves all of them.  The rules are those of
 * the SQL function amplified.ingest_decode(), which stays as the reference
 * and for re-decoding by hand: a log whose topic 0 matches but whose shape
 * does not (another contract reusing the name with other types, an address
 * word with dirty high bytes, a tick out of int24) is not decoded and stays
 * raw.  Pure computation: no palloc, no ereport.
 */
#include "postgres.h"

#include "evm/codec.h"
#include "ingest/ingest.h"

/* Where a value comes from: topic i (1..3) or data word i. */
#define TOPIC(i)	((int8) (i))
#define WORD(i)		((int8) (8 + (i)))

/*
 * Every event: its table, signature, topics and data length, then the
 * columns after (chain_id, block_number, log_index) in this order:
 * the emitting contract, the other addresses, the ticks, the numbers.
 */
const IngestEventSpec IngestEventSpecs[INGEST_NEVENTS] = {
	[INGEST_EV_TRANSFER] = {
		"erc20_transfers", "Transfer(address,address,uint256)", 3, 32,
		3, 0, 1, "token, sender, recipient, value",
		{false}, {TOPIC(1), TOPIC(2)}, {0}, {WORD(0)}
	},
	[INGEST_EV_SWAP] = {
		"univ3_swaps", "Swap(address,address,int256,int256,uint160,uint128,int24)", 3, 160,
		3, 1, 4, "pool, sender, recipient, tick, amount0, amount1, sqrt_price_x96, liquidity",
		{true, true, false, false}, {TOPIC(1), TOPIC(2)}, {WORD(4)}, {WORD(0), WORD(1), WORD(2), WORD(3)}
	},
	[INGEST_EV_MINT] = {
		"univ3_mints", "Mint(address,address,int24,int24,uint128,uint256,uint256)", 4, 128,
		3, 2, 3, "pool, sender, owner, tick_lower, tick_upper, liquidity, amount0, amount1",
		{false}, {WORD(0), TOPIC(1)}, {TOPIC(2), TOPIC(3)}, {WORD(1), WORD(2), WORD(3)}
	},
	[INGEST_EV_BURN] = {
		"univ3_burns", "Burn(address,int24,int24,uint128,uint256,uint256)", 4, 96,
		2, 2, 3, "pool, owner, tick_lower, tick_upper, liquidity, amount0, amount1",
		{false}, {TOPIC(1)}, {TOPIC(2), TOPIC(3)}, {WORD(0), WORD(1), WORD(2)}
	},
	[INGEST_EV_COLLECT] = {
		"univ3_collects", "Collect(address,address,int24,int24,uint128,uint128)", 4, 96,
		3, 2, 2, "pool, owner, recipient, tick_lower, tick_upper, amount0, amount1",
		{false}, {TOPIC(1), WORD(0)}, {TOPIC(2), TOPIC(3)}, {WORD(1), WORD(2)}
	},
};

/* Topic 0 of every event: keccak-256 of its signature, never hard-coded. */
void
IngestEventTopics(uint8 topics[INGEST_NEVENTS][32])
{
	int			k;

	for (k = 0; k < INGEST_NEVENTS; k++)
		Keccak256((const uint8 *) IngestEventSpecs[k].signature,
				  strlen(IngestEventSpecs[k].signature), topics[k]);
}

/* The 32-byte word a column comes from. */
static const uint8 *
Source(const IngestLog *log, int8 src)
{
	if (src < 8)
		return log->topics[src];
	return (const uint8 *) VARDATA_ANY(log->data) + 32 * (src - 8);
}

/* True when every byte of p[0..n-1] is b. */
static bool
AllBytes(const uint8 *p, int n, uint8 b)
{
	int			i;

	for (i = 0; i < n; i++)
		if (p[i] != b)
			return false;
	return true;
}

/* An ABI word holding an int24: sign-extended from its low 3 bytes, or false. */
static bool
WordInt24(const uint8 *w, int32 *out)
{
	if (AllBytes(w, 29, 0x00) && w[29] < 0x80)
		*out = (int32) ((w[29] << 16) | (w[30] << 8) | w[31]);
	else if (AllBytes(w, 29, 0xff) && w[29] >= 0x80)
		*out = (int32) ((w[29] << 16) | (w[30] << 8) | w[31]) - (1 << 24);
	else
		return false;
	return true;
}

/*
 * Decode a log as one of the known events (topics from IngestEventTopics()).
 * Returns false when it is none of them, or does not have the event's shape.
 * The event points into the log.
 */
bool
IngestDecodeLog(const IngestLog *log, const uint8 topics[INGEST_NEVENTS][32], IngestEvent *ev)
{
	const IngestEventSpec *spec = NULL;
	int			k;

	if (log->ntopics < 1)
		return false;
	for (k = 0; k < INGEST_NEVENTS; k++)
		if (memcmp(log->topics[0], topics[k], 32) == 0)
		{
			spec = &IngestEventSpecs[k];
			break;
		}
	if (spec == NULL || log->ntopics != spec->ntopics ||
		VARSIZE_ANY_EXHDR(log->data) != (Size) spec->data_len)
		return false;

	ev->kind = (IngestEventKind) k;
	ev->addrs[0] = log->address;
	for (k = 1; k < spec->naddrs; k++)
	{
		const uint8 *w = Source(log, spec->addr_src[k - 1]);

		if (!AllBytes(w, 12, 0))
			return false;
		ev->addrs[k] = w + 12;
	}
	for (k = 0; k < spec->nticks; k++)
		if (!WordInt24(Source(log, spec->tick_src[k]), &ev->ticks[k]))
			return false;
	for (k = 0; k < spec->nnums; k++)
		ev->nums[k] = Source(log, spec->num_src[k]);
	return true;
}
