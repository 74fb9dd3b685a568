// test/chain/tx_vectors.js: the transaction signing vectors of
// @ethersproject/testcases as one JSON array on standard output, for
// test/t/080_txq_sign.pl.  Every legacy vector of transactions.json.gz (its
// EIP-155 signature with chain id 5) and every type 2 vector of
// typed-transactions.json.gz; type 1 (EIP-2930) vectors are left out, since
// amplified does not sign type 1.  Each entry:
//   { name, kind: "legacy" | "eip1559", key, address, chainId,
//     tx: the transaction in the JSON amplified.txq_sign_transaction reads
//         (every field explicit: the vectors leave zeros out),
//     signed: the expected signed bytes, unsigned: the signing payload,
//     gasOver64: true when gasLimit does not fit in 64 bits }
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const DIR = path.join(__dirname, 'node_modules', '@ethersproject', 'testcases', 'testcases');

function load(name)
{
	return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(DIR, name))));
}

// An integer field of a vector ("0x", "0x04", a number or absent) as a canonical 0x quantity.
function quantity(v)
{
	if (v === undefined || v === null || v === '0x')
		return '0x0';
	return '0x' + BigInt(v).toString(16);
}

const out = [];
let skipped = 0;

for (const t of load('transactions.json.gz')) {
	const gas = BigInt(quantity(t.gasLimit));
	out.push({
		name: 'legacy/' + t.name,
		kind: 'legacy',
		key: t.privateKey,
		address: t.accountAddress.toLowerCase(),
		chainId: 5,
		tx: {
			type: 0,
			chainId: 5,
			nonce: quantity(t.nonce),
			gasPrice: quantity(t.gasPrice),
			gasLimit: quantity(t.gasLimit),
			to: t.to ? t.to : null,
			value: quantity(t.value),
			data: t.data || '0x',
		},
		signed: t.signedTransactionChainId5,
		unsigned: t.unsignedTransactionChainId5,
		gasOver64: gas >= (1n << 64n),
	});
}

for (const t of load('typed-transactions.json.gz')) {
	if (t.tx.type !== 2) {
		skipped++;
		continue;
	}
	const x = t.tx;
	out.push({
		name: 'eip1559/' + t.name,
		kind: 'eip1559',
		key: t.key,
		address: t.address.toLowerCase(),
		chainId: x.chainId || 0,
		tx: {
			type: 2,
			chainId: x.chainId || 0,
			nonce: quantity(x.nonce),
			maxPriorityFeePerGas: quantity(x.maxPriorityFeePerGas),
			maxFeePerGas: quantity(x.maxFeePerGas),
			gasLimit: quantity(x.gasLimit),
			to: x.to ? x.to : null,
			value: quantity(x.value),
			data: x.data || '0x',
			accessList: (x.accessList || []).map((e) => ({ address: e.address, storageKeys: e.storageKeys })),
		},
		signed: t.signed,
		unsigned: t.unsigned,
		gasOver64: false,
	});
}

process.stdout.write(JSON.stringify({ skippedType1: skipped, vectors: out }) + '\n');
