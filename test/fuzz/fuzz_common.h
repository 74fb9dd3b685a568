/*
 * test/fuzz/fuzz_common.h
 *
 * What the libFuzzer harnesses share: a CodecMem arena over calloc that is
 * released after every input, and a check that aborts (so libFuzzer reports
 * a crash with the input) when a round-trip property does not hold.
 */
#ifndef AMPLIFIED_FUZZ_COMMON_H
#define AMPLIFIED_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/codec.h"

typedef struct FuzzBlock
{
	struct FuzzBlock *next;
} FuzzBlock;

static FuzzBlock *fuzz_blocks;

/* Zeroed memory, remembered for FuzzFreeAll; aborts when out of memory. */
static void *
FuzzAlloc(void *arg, size_t size)
{
	FuzzBlock  *b = calloc(1, sizeof(FuzzBlock) + (size ? size : 1) + 16);

	(void) arg;
	if (!b)
		abort();
	b->next = fuzz_blocks;
	fuzz_blocks = b;
	return (char *) b + sizeof(FuzzBlock) + 16 - (sizeof(FuzzBlock) % 16);
}

/* Release everything FuzzAlloc handed out. */
static void
FuzzFreeAll(void)
{
	while (fuzz_blocks)
	{
		FuzzBlock  *next = fuzz_blocks->next;

		free(fuzz_blocks);
		fuzz_blocks = next;
	}
}

static CodecMem fuzz_mem = {FuzzAlloc, NULL};

#define FUZZ_CHECK(cond, what) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "property violated: %s\n", what); \
			abort(); \
		} \
	} while (0)

#endif
