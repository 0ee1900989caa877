// What kafkajs's partitioners do with a key, without a broker: prints one JSON line per key,
// {"key", "hex" (the bytes hashed), "default": {count: partition}, "legacy": {count: partition}}.
// DefaultPartitioner is the one order_service.mjs uses; LegacyPartitioner is kafkajs 1.x's.
//
// Usage: node partition_of.mjs 6,3,1 key1 key2 ...

import { Partitioners } from 'kafkajs';

const [countsArg, ...keys] = process.argv.slice(2);
const counts = countsArg.split(',').map(Number);
const partitioners = { default: Partitioners.DefaultPartitioner(),
                       legacy: Partitioners.LegacyPartitioner() };
const metadata = (count) => Array.from({ length: count }, (_, id) => ({ partitionId: id, leader: 0 }));

for (const key of keys) {
    const line = { key, hex: Buffer.from(key).toString('hex') };
    for (const [name, partition] of Object.entries(partitioners)) {
        line[name] = Object.fromEntries(counts.map((count) => [count, partition({
            topic: 'keys', partitionMetadata: metadata(count), message: { key } })]));
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
}
