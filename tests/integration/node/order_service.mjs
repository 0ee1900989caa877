// A small order service in Node + kafkajs, written the way the article writes its services,
// so eda_lab's tests can prove that a Node service and the notebooks share topics.
//
// It (a) publishes one OrderPlaced event per order id, keyed by the order id, then (b) reads a
// topic from the beginning in its own consumer group until it has read --expect records or
// --timeout-ms has passed. Every line it prints to stdout is one JSON object:
//
//   {"kind":"produced","topic":..,"key":..,"partition":..,"offset":..,"event":{..}}
//   {"kind":"received","topic":..,"key":..,"partition":..,"offset":..,"headers":{..},"event":{..}}
//
// kafkajs logs go to stderr. Exit codes: 0 done, 1 error, 3 fewer than --expect records read
// in time, 4 hard timeout (something hung).
//
// Usage:
//   node order_service.mjs --produce TOPIC --consume TOPIC --group GROUP --expect M
//        [--bootstrap host:port[,host:port]] [--timeout-ms 20000] ORDER_ID...
//
// The bootstrap address defaults to $EDA_LAB_BOOTSTRAP, then 127.0.0.1:9092; TLS and SASL
// follow eda_lab's EDA_LAB_SECURITY_PROTOCOL, EDA_LAB_SASL_* and EDA_LAB_SSL_* variables.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { Kafka, Partitioners, logLevel } from 'kafkajs';

const { values: opts, positionals: orderIds } = parseArgs({
    allowPositionals: true,
    options: {
        bootstrap: { type: 'string', default: process.env.EDA_LAB_BOOTSTRAP || '127.0.0.1:9092' },
        produce: { type: 'string' },
        consume: { type: 'string' },
        group: { type: 'string', default: 'node-order-service' },
        expect: { type: 'string', default: '0' },
        'timeout-ms': { type: 'string', default: '20000' },
    },
});
const expected = Number(opts.expect);
const timeoutMs = Number(opts['timeout-ms']);

// Whatever happens below, the process ends: a test waiting on it must never hang.
setTimeout(() => {
    console.error(`order_service: still running after ${timeoutMs + 5000} ms, giving up`);
    process.exit(4);
}, timeoutMs + 5000).unref();

function securityOptions(env) {
    const protocol = (env.EDA_LAB_SECURITY_PROTOCOL || 'PLAINTEXT').toUpperCase();
    const options = {};
    if (protocol.endsWith('SSL')) {
        const read = (name) => (env[name] ? readFileSync(env[name], 'utf-8') : undefined);
        options.ssl = { ca: read('EDA_LAB_SSL_CAFILE'), cert: read('EDA_LAB_SSL_CERTFILE'),
                        key: read('EDA_LAB_SSL_KEYFILE') };
    }
    if (protocol.startsWith('SASL')) {
        options.sasl = { mechanism: (env.EDA_LAB_SASL_MECHANISM || 'plain').toLowerCase(),
                         username: env.EDA_LAB_SASL_USERNAME, password: env.EDA_LAB_SASL_PASSWORD };
    }
    return options;
}

// kafkajs's own console logger writes INFO lines to stdout; keep stdout for our JSON lines.
const toStderr = () => ({ namespace, label, log }) => {
    const { message, ...rest } = log;
    console.error(`kafkajs ${label} [${namespace}] ${message} ${JSON.stringify(rest)}`);
};

const kafka = new Kafka({
    clientId: 'order-service',
    brokers: opts.bootstrap.split(',').map((s) => s.trim()).filter(Boolean),
    connectionTimeout: 5000,
    requestTimeout: 10000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator: toStderr,
    ...securityOptions(process.env),
});

const emit = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

function orderPlaced(orderId, i) {
    const order = {
        orderId,
        userId: `user-${100 + i}`,
        items: [{ productId: `prod-${700 + i}`, quantity: 1 + (i % 3), price: 29.99 }],
        total: Math.round((1 + (i % 3)) * 29.99 * 100) / 100,
        shipTo: 'Zoë Ørsted, 東京',
    };
    const event = {
        eventType: 'OrderPlaced',
        eventId: randomUUID(),
        timestamp: new Date().toISOString(),
        version: 1,
        source: 'order-service',
        correlationId: `req-${randomUUID().slice(0, 8)}`,
        data: order,
    };
    if (i % 2 === 1) {
        // Every other event has the shape of the article's producer.js, which leaves out
        // source and correlationId (the source travels in a header only).
        delete event.source;
        delete event.correlationId;
    }
    return event;
}

async function produce(topic) {
    // DefaultPartitioner is kafkajs 2.x's murmur2 partitioner that matches the Java client;
    // LegacyPartitioner (kafkajs 1.x's default) puts keys elsewhere.
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
        for (const [i, orderId] of orderIds.entries()) {
            const event = orderPlaced(orderId, i);
            // One send per event, so the answer tells where this very record was stored.
            const [meta] = await producer.send({
                topic,
                acks: -1,
                messages: [{
                    key: orderId,  // the same order always goes to the same partition
                    value: JSON.stringify(event),
                    headers: { 'content-type': 'application/json', source: 'order-service' },
                }],
            });
            emit({ kind: 'produced', topic, key: orderId, partition: meta.partition,
                   offset: Number(meta.baseOffset), event });
        }
    } finally {
        await producer.disconnect();
    }
}

async function consume(topic, groupId) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000,
                                      maxWaitTimeInMs: 250 });
    let seen = 0;
    let done;
    const allSeen = new Promise((resolve) => { done = resolve; });
    await consumer.connect();
    try {
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
            eachMessage: async ({ topic: from, partition, message }) => {
                if (seen >= expected) return;
                const headers = Object.fromEntries(Object.entries(message.headers || {})
                    .map(([name, value]) => [name, value === undefined ? null : value.toString()]));
                emit({ kind: 'received', topic: from, key: message.key?.toString() ?? null,
                       partition, offset: Number(message.offset), headers,
                       event: JSON.parse(message.value.toString()) });
                seen += 1;
                if (seen >= expected) done();
            },
        });
        let timer;
        const timedOut = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs); });
        await Promise.race([allSeen, timedOut]);
        clearTimeout(timer);
    } finally {
        await consumer.disconnect();
    }
    return seen;
}

try {
    if (opts.produce) await produce(opts.produce);
    if (opts.consume && expected > 0) {
        const seen = await consume(opts.consume, opts.group);
        if (seen < expected) {
            console.error(`order_service: read ${seen} of ${expected} records within ${timeoutMs} ms`);
            process.exit(3);
        }
    }
    process.exit(0);
} catch (err) {
    console.error(`order_service: ${err.name}: ${err.message}` +
                  (err.type ? ` (type ${err.type}, code ${err.code})` : ''));
    process.exit(1);
}
