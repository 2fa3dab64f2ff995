/**
 * `npm start`: the whole topology on this machine, one process per node as in the compose
 * file: an api node, a buildings node and WORKFLOWS_NODES workflows nodes (default 3).
 *
 * With TRANSPORTER and the database URLs given (environment first, then `.env`), it uses that
 * NATS and those Postgres databases. Without, it needs nothing installed: Moleculer's TCP
 * transporter on loopback, and an embedded PostgreSQL kept in DATA_DIR (default ./data).
 * Ctrl-C stops every node gracefully, then the embedded database.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { integerFromEnv, loadDotEnv } from "../config/env";
import { databaseUrl } from "../mixins/db.mixin";
import { ensureDatabase } from "./databases";
import { startEmbeddedPostgresProcess } from "./embedded-postgres";
import { removeLocalCluster, writeLocalCluster, type LocalCluster } from "./local-cluster";
import { canListen, freePort, isReachable } from "./ports";
import { siblingScript } from "./runtime";

interface NodeSpec {
	nodeID: string;
	services: string;
}

interface Infrastructure {
	/** Variables every node gets. */
	env: LocalCluster["env"];
	transporter: string;
	databases: string;
	stop(): Promise<void>;
}

loadDotEnv();
const port = integerFromEnv("PORT", 3000);
const host = process.env.HOST || "0.0.0.0";
const nodes: NodeSpec[] = [
	{ nodeID: "api-1", services: "api" },
	{ nodeID: "buildings-1", services: "buildings" },
	...Array.from({ length: integerFromEnv("WORKFLOWS_NODES", 3) }, (_, i) => ({ nodeID: `workflows-${i + 1}`, services: "workflows" })),
];
const children = new Map<string, ChildProcess>();
let infrastructure: Infrastructure | undefined;
let stopping = false;

const redact = (url: string) => url.replace(/\/\/[^@/,]*@/g, "//***@");

/** NATS and Postgres as given, checked to be reachable; or TCP and the embedded Postgres. */
async function provision(): Promise<Infrastructure> {
	const given = process.env;
	const env = { NAMESPACE: given.NAMESPACE } as LocalCluster["env"];
	let transporter: string;
	if (given.TRANSPORTER) {
		env.TRANSPORTER = given.TRANSPORTER;
		for (const url of given.TRANSPORTER.split(",").filter(u => u.startsWith("nats://")).map(u => new URL(u))) {
			if (!(await isReachable(url.hostname, Number(url.port || 4222)))) {
				throw new Error(`Cannot reach NATS at ${url.host}: start it, or unset TRANSPORTER to use the built-in TCP transporter.`);
			}
		}
		const balancing = given.BALANCER === "moleculer" || !given.TRANSPORTER.startsWith("nats://") ? "Moleculer balances the calls" : "NATS queue groups pick the node";
		transporter = `${redact(given.TRANSPORTER)} (given; ${balancing})`;
	} else {
		const entries = await Promise.all(nodes.map(async node => `127.0.0.1:${await freePort()}/${node.nodeID}`));
		Object.assign(env, { TRANSPORTER: "TCP", TCP_NODES: entries.join(",") });
		transporter = "Moleculer TCP on 127.0.0.1, static node list (no TRANSPORTER given; Moleculer balances the calls)";
	}

	if (given.BUILDINGS_DATABASE_URL || given.WORKFLOWS_DATABASE_URL) {
		env.BUILDINGS_DATABASE_URL = databaseUrl("buildings");
		env.WORKFLOWS_DATABASE_URL = databaseUrl("workflows");
		for (const url of [env.BUILDINGS_DATABASE_URL, env.WORKFLOWS_DATABASE_URL]) await ensureDatabase(url);
		return { env, transporter, databases: `${redact(env.BUILDINGS_DATABASE_URL)}, ${redact(env.WORKFLOWS_DATABASE_URL)} (given)`, stop: async () => {} };
	}
	const dataDir = path.resolve(given.DATA_DIR || "data");
	const embedded = await startEmbeddedPostgresProcess(dataDir, ["buildings", "workflows"]);
	env.BUILDINGS_DATABASE_URL = embedded.url("buildings");
	env.WORKFLOWS_DATABASE_URL = embedded.url("workflows");
	const databases = `embedded PostgreSQL in ${path.join(dataDir, "postgres")}: ${env.BUILDINGS_DATABASE_URL}, ${env.WORKFLOWS_DATABASE_URL} (no database URLs given)`;
	return { env, transporter, databases, stop: embedded.stop };
}

/** Starts one node as a child process and resolves when its broker has started. */
function startNode({ nodeID, services }: NodeSpec, index: number, env: LocalCluster["env"]): Promise<void> {
	const { script, execArgv } = siblingScript("node");
	// With METRICS on, each node serves its metrics on its own port: METRICS_PORT + its index.
	const metricsPort = String(integerFromEnv("METRICS_PORT", 3030) + index);
	const child = fork(script, [], { env: { ...process.env, ...env, NODE_ID: nodeID, SERVICES: services, METRICS_PORT: metricsPort }, execArgv });
	children.set(nodeID, child);
	return new Promise((resolve, reject) => {
		child.once("message", () => resolve());
		child.once("exit", code => {
			children.delete(nodeID);
			if (stopping) return;
			reject(new Error(`Node ${nodeID} exited with code ${code}.`));
			void stopAll(`node ${nodeID} exited with code ${code}`, 1);
		});
	});
}

/**
 * Waits until the gateway is ready and sees every node, three checks in a row: discovery takes
 * a few seconds, and the last nodes to meet still exchange their details for a moment.
 */
async function waitUntilReady(timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = "no answer";
	let inARow = 0;
	while (Date.now() < deadline) {
		try {
			const res = await fetch(`http://127.0.0.1:${port}/api/health/ready`);
			const body = (await res.json()) as { message?: string; nodes?: string[]; workflowsNodes?: string[] };
			// Every node seen by the gateway, and every workflows node by the buildings node.
			const missing = [
				...nodes.map(node => node.nodeID).filter(id => !body.nodes?.includes(id)),
				...nodes.filter(node => node.services === "workflows" && !body.workflowsNodes?.includes(node.nodeID)).map(node => `${node.nodeID} (for buildings-1)`),
			];
			if (res.ok && missing.length === 0 && ++inARow === 3) return;
			if (!res.ok || missing.length > 0) inARow = 0;
			last = res.ok ? `waiting for ${missing.join(", ")}` : String(body.message);
		} catch (err) {
			inARow = 0;
			last = (err as Error).message;
		}
		await new Promise(resolve => setTimeout(resolve, 500));
	}
	throw new Error(`The cluster did not become ready within ${timeoutMs / 1000} s (${last}).`);
}

async function stopAll(reason: string, exitCode: number): Promise<void> {
	if (stopping) return;
	stopping = true;
	console.log(`Stopping the cluster (${reason}).`);
	const exits = [...children.values()].map(child => new Promise(resolve => child.once("exit", resolve)));
	for (const child of children.values()) child.kill("SIGTERM");
	await Promise.all(exits);
	removeLocalCluster();
	await infrastructure?.stop();
	process.exit(exitCode);
}

async function main(): Promise<void> {
	process.on("SIGINT", () => void stopAll("SIGINT", 0));
	process.on("SIGTERM", () => void stopAll("SIGTERM", 0));

	if (!(await canListen(port, host))) throw new Error(`Port ${port} is in use: stop what uses it, or set PORT to a free port.`);
	infrastructure = await provision();
	const { env } = infrastructure;
	await Promise.all(nodes.map((node, index) => startNode(node, index, env)));
	await waitUntilReady(60_000);
	writeLocalCluster({ pid: process.pid, env });
	const metricsOn = process.env.METRICS === "true";

	console.log(
		[
			"",
			`Cluster ready: http://localhost:${port}/api`,
			`  transporter: ${infrastructure.transporter}`,
			`  databases:   ${infrastructure.databases}`,
			...nodes.map((node, index) => `  node ${node.nodeID.padEnd(12)} ${node.services}${metricsOn ? `  (metrics: http://localhost:${integerFromEnv("METRICS_PORT", 3030) + index}/metrics)` : ""}`),
			"Ctrl-C stops it. `npm run repl` opens a REPL on it; `npm run node -- workflows` adds a workflows node.",
			"",
		].join("\n"),
	);
}

main().catch(err => {
	console.error(`Could not start the cluster: ${err.message}`);
	void stopAll("start-up failed", 1);
});
