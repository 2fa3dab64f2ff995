/**
 * `npm start`: the whole topology on this machine, one process per node as in the compose
 * file: an api node, a buildings node and WORKFLOWS_NODES workflows nodes (default 3).
 * Ctrl-C stops them all gracefully.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import config from "../moleculer.config";
import { databaseUrl } from "../mixins/db.mixin";
import { ensureDatabase } from "./databases";

interface NodeSpec {
	nodeID: string;
	services: string;
}

const workflowsNodes = Number(process.env.WORKFLOWS_NODES ?? 3);
const port = Number(process.env.PORT ?? 3000);
const nodes: NodeSpec[] = [
	{ nodeID: "api-1", services: "api" },
	{ nodeID: "buildings-1", services: "buildings" },
	...Array.from({ length: workflowsNodes }, (_, i) => ({ nodeID: `workflows-${i + 1}`, services: "workflows" })),
];
const children = new Map<string, ChildProcess>();
let stopping = false;

/** Starts one node as a child process and resolves when its broker has started. */
function startNode({ nodeID, services }: NodeSpec): Promise<void> {
	// Run as TypeScript (tsx) or as compiled JavaScript, like this file itself.
	const extension = path.extname(__filename);
	const child = fork(path.join(__dirname, `node${extension}`), [], {
		env: { ...process.env, NODE_ID: nodeID, SERVICES: services },
		execArgv: extension === ".ts" ? ["--import", "tsx"] : [],
	});
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

/** Waits until the gateway reports the cluster ready (transporter, database, workflows). */
async function waitUntilReady(timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = "no answer";
	while (Date.now() < deadline) {
		try {
			const res = await fetch(`http://127.0.0.1:${port}/api/health/ready`);
			if (res.ok) return;
			last = ((await res.json()) as { message: string }).message;
		} catch (err) {
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
	process.exit(exitCode);
}

function transporterUrl(): string {
	const { transporter } = config;
	return typeof transporter === "string" ? transporter : String((transporter as { options?: { url?: string } })?.options?.url);
}

async function main(): Promise<void> {
	process.on("SIGINT", () => void stopAll("SIGINT", 0));
	process.on("SIGTERM", () => void stopAll("SIGTERM", 0));

	const databases = [databaseUrl("buildings"), databaseUrl("workflows")];
	for (const url of databases) await ensureDatabase(url);

	await Promise.all(nodes.map(startNode));
	await waitUntilReady(30_000);

	const redact = (url: string) => url.replace(/\/\/[^@/,]*@/g, "//***@");
	console.log(
		[
			"",
			`Cluster ready: http://localhost:${port}/api`,
			`  namespace:   ${config.namespace}`,
			`  transporter: ${redact(transporterUrl())} (${config.disableBalancer ? "NATS queue groups" : "Moleculer balancer"})`,
			`  databases:   ${databases.map(redact).join(", ")}`,
			...nodes.map(node => `  node ${node.nodeID.padEnd(12)} ${node.services}`),
			"",
		].join("\n"),
	);
}

main().catch(err => {
	console.error(`Could not start the cluster: ${err.message}`);
	void stopAll("start-up failed", 1);
});
