import { spawn } from "node:child_process";
import type { NatsConnection } from "nats";
import { Pool } from "pg";
import { freePort, isReachable } from "../node/ports";
import { startChild, stopChild } from "./child";
import { closedLoop } from "./closed-loop";
import { load, type LoadFigures } from "./load";
import { connectNats } from "./nats";

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** (a) A bare Node `http` server in its own process, answering a small JSON POST. */
export async function rawHttp(connections: number, durationSeconds: number): Promise<LoadFigures> {
	const port = await freePort();
	const server = spawn(process.execPath, ["-e", RAW_HTTP_SERVER, String(port)], { stdio: "ignore" });
	try {
		while (!(await isReachable("127.0.0.1", port))) await sleep(50);
		const url = `http://127.0.0.1:${port}/`;
		return await load({ url, connections, durationSeconds, method: "POST", body: JSON.stringify({ name: "HQ" }) });
	} finally {
		await stopChild(server);
	}
}

const RAW_HTTP_SERVER = `
let id = 0;
require("node:http").createServer((req, res) => {
	let body = "";
	req.on("data", chunk => (body += chunk));
	req.on("end", () => {
		const { name } = JSON.parse(body || "{}");
		res.writeHead(201, { "content-type": "application/json" });
		res.end(JSON.stringify({ id: ++id, name }));
	});
}).listen(Number(process.argv[1]), "127.0.0.1");
`;

/** (b) NATS request-reply with the `nats` client to a trivial responder (own process) in a queue group. */
export async function natsRequestReply(natsUrl: string, concurrency: number, durationSeconds: number): Promise<LoadFigures> {
	const responder = await startChild("echo-responder.ts", [], { BENCH_NATS_URL: natsUrl });
	let nc: NatsConnection | undefined;
	try {
		nc = await connectNats(natsUrl);
		const payload = new TextEncoder().encode(JSON.stringify({ name: "HQ" }));
		return await closedLoop(concurrency, durationSeconds, () => nc!.request("bench.echo", payload, { timeout: 5000 }));
	} finally {
		await nc?.close();
		await stopChild(responder);
	}
}

/** (c) One-row INSERT … RETURNING with `pg`, on a pool the size the services use. */
export async function rawInsert(databaseUrl: string, poolSize: number, concurrency: number, durationSeconds: number): Promise<LoadFigures> {
	const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
	try {
		await pool.query(
			'CREATE TABLE IF NOT EXISTS bench_raw_insert (id serial PRIMARY KEY, name varchar(200) NOT NULL, "createdAt" timestamptz NOT NULL)',
		);
		return await closedLoop(concurrency, durationSeconds, () =>
			pool.query('INSERT INTO bench_raw_insert (name, "createdAt") VALUES ($1, now()) RETURNING *', ["HQ"]),
		);
	} finally {
		await pool.query("DROP TABLE IF EXISTS bench_raw_insert").catch(() => undefined);
		await pool.end();
	}
}

/**
 * How a read yardstick is loaded: as GET /buildings/:id is, at the same concurrency over the same
 * random ids, each answer checked to be the building asked for, after a warm-up (a fresh process
 * runs its first second cold).
 */
export interface ReadLoad {
	connections: number;
	durationSeconds: number;
	warmupSeconds: number;
	randomId: () => number;
	isRightAnswer: (path: string, body: string) => boolean;
}

async function loadReads(port: number, read: ReadLoad): Promise<LoadFigures> {
	const options = { url: `http://127.0.0.1:${port}/buildings`, connections: read.connections, path: () => `/buildings/${read.randomId()}` };
	await load({ ...options, durationSeconds: read.warmupSeconds });
	return load({ ...options, durationSeconds: read.durationSeconds, isRightAnswer: read.isRightAnswer });
}

/**
 * (d) A lean read pipeline, each part in its own process as in the cluster: a bare `node:http`
 * server → NATS request to a queue-group responder → `pg` SELECT by primary key on the buildings
 * table (pool the services' size) → reply → HTTP answer.
 */
export async function readPipeline(natsUrl: string, databaseUrl: string, poolSize: number, read: ReadLoad): Promise<LoadFigures> {
	const port = await freePort();
	const started = await Promise.allSettled([
		startChild("read-responder.ts", [String(poolSize)], { BENCH_NATS_URL: natsUrl, BENCH_DATABASE_URL: databaseUrl }),
		startChild("read-front.ts", [String(port)], { BENCH_NATS_URL: natsUrl }),
	]);
	try {
		for (const result of started) if (result.status === "rejected") throw result.reason;
		return await loadReads(port, read);
	} finally {
		for (const result of started) if (result.status === "fulfilled") await stopChild(result.value);
	}
}

/**
 * (e) The lean in-process read: `node:http` → `pg` SELECT by primary key on the buildings table
 * (pool the services' size) → JSON, all in one process (lean-read.ts). The original design's
 * read without its framework.
 */
export async function leanRead(databaseUrl: string, poolSize: number, read: ReadLoad): Promise<LoadFigures> {
	const port = await freePort();
	const server = await startChild("lean-read.ts", [String(port), String(poolSize)], { BENCH_DATABASE_URL: databaseUrl });
	try {
		return await loadReads(port, read);
	} finally {
		await stopChild(server);
	}
}
