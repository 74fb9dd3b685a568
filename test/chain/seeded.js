// test/chain/seeded.js: the seeded random generator every randomized test
// and the traffic generator share (splitmix64 over BigInt), so that one seed
// replays one run exactly.
'use strict';

const M64 = (1n << 64n) - 1n;

class Rng
{
	constructor(seed) { this.state = BigInt(seed) & M64; }

	// The next 64 random bits.
	next64()
	{
		this.state = (this.state + 0x9E3779B97F4A7C15n) & M64;
		let z = this.state;
		z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M64;
		z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M64;
		return z ^ (z >> 31n);
	}

	// A float in [0, 1).
	float() { return Number(this.next64() >> 11n) / 2 ** 53; }

	// An integer in [0, n) for a small n.
	rint(n) { return Number(this.next64() % BigInt(n)); }

	// An integer in [lo, hi].
	int(lo, hi) { return lo + Number(this.next64() % BigInt(hi - lo + 1)); }

	pick(a) { return a[this.int(0, a.length - 1)]; }

	chance(p) { return this.float() < p; }

	// A BigInt in [lo, hi].
	big(lo, hi) { return lo + this.next64() * (1n << 64n) % (hi - lo + 1n); }
}

// The seed of this run: AMP_SEED when set, else drawn at random; printed as
// "seed=N" on standard output so a failing run can be replayed.
function seedFromEnv()
{
	const seed = process.env.AMP_SEED ? BigInt(process.env.AMP_SEED)
		: BigInt(Math.floor(Math.random() * 2 ** 52));
	console.log(`seed=${seed}`);
	return seed;
}

module.exports = { Rng, seedFromEnv, M64 };
