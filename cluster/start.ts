/**
 * `npm start`: the whole topology on this machine, one process per node as in the compose
 * file: an api node, a buildings node and WORKFLOWS_NODES workflows nodes (default 3).
 *
 * With TRANSPORTER and the database URLs given (environment first, then `.env`), it uses them.
 * Without, it needs nothing but Node: a private nats-server if one is installed (else Moleculer's
 * TCP transporter on loopback) and an embedded PostgreSQL, which the nodes reach over a Unix
 * socket, their files in DATA_DIR (default ./data). A node that crashes is restarted. Ctrl-C
 * stops every node gracefully, then NATS, then the embedded database.
 */
import { fork } from "node:child_process";
import path from "node:path";
import { integerFromEnv, loadDotEnv } from "../config/env";
import { chooseDatabases, type ChosenDatabases } from "./choose-databases";
import { chooseTransporter, type ChosenTransporter } from "./choose-transporter";
import { removeLocalCluster, writeLocalCluster, type LocalCluster } from "./local-cluster";
import { canListen } from "./ports";
import { waitUntilReady } from "./readiness";
import { siblingScript } from "./runtime";
import { Supervisor } from "./supervisor";
import { localTopology } from "./topology";

loadDotEnv();
const port = integerFromEnv("PORT", 3000);
const host = process.env.HOST || "0.0.0.0";
const dataDir = path.resolve(process.env.DATA_DIR || "data");
const metricsOn = process.env.METRICS === "true";
const metricsPort = integerFromEnv("METRICS_PORT", 3030);
const nodes = localTopology(integerFromEnv("WORKFLOWS_NODES", 3));

let transporter: ChosenTransporter | undefined;
let databases: ChosenDatabases | undefined;
let supervisor: Supervisor | undefined;
let stopping = false;

/** One node as a child of this process, in its process group: a Ctrl-C reaches the nodes too. */
function launchNode(nodeID: string, env: LocalCluster["env"]) {
	const index = nodes.findIndex(node => node.nodeID === nodeID);
	const { script, execArgv } = siblingScript("node");
	// With METRICS on, each node serves its metrics on its own port: METRICS_PORT + its index.
	return fork(script, [], { env: { ...process.env, ...env, NODE_ID: nodeID, SERVICES: nodes[index].services, METRICS_PORT: String(metricsPort + index) }, execArgv });
}

/** The nodes first (they finish their requests and leave through the transporter), then NATS, then the database. */
async function stopAll(exitCode: number, reason?: string): Promise<void> {
	if (stopping) return;
	stopping = true;
	if (reason) console.log(`Stopping the cluster (${reason}).`);
	await supervisor?.stop();
	removeLocalCluster();
	await transporter?.stop();
	await databases?.stop();
	process.exit(exitCode);
}

async function main(): Promise<void> {
	process.on("SIGINT", () => void stopAll(0, "SIGINT"));
	process.on("SIGTERM", () => void stopAll(0, "SIGTERM"));

	if (!(await canListen(port, host))) throw new Error(`Port ${port} is in use: stop what uses it, or set PORT to a free port.`);
	transporter = await chooseTransporter(process.env, nodes.map(node => node.nodeID), dataDir);
	if (transporter.notice) console.log(transporter.notice);
	databases = await chooseDatabases(process.env, dataDir);
	if (databases.notice) console.log(databases.notice);
	const env: LocalCluster["env"] = { NAMESPACE: process.env.NAMESPACE, BALANCER: process.env.BALANCER, ...transporter.env, ...databases.env };
	supervisor = new Supervisor(nodeID => launchNode(nodeID, env));
	await supervisor.start(nodes.map(node => node.nodeID));
	await waitUntilReady(port, nodes, 60_000);
	writeLocalCluster({ pid: process.pid, env });

	console.log(
		[
			"",
			`Cluster ready: http://localhost:${port}/api`,
			`  transporter: ${transporter.summary}`,
			`  databases:   ${databases.summary}`,
			...nodes.map((node, index) => `  node ${node.nodeID.padEnd(12)} ${node.services}${metricsOn ? `  (metrics: http://localhost:${metricsPort + index}/metrics)` : ""}`),
			"A node that crashes is restarted. Ctrl-C stops the cluster. `npm run repl` opens a REPL on it; `npm run node -- workflows` adds a workflows node.",
			"",
		].join("\n"),
	);
}

main().catch(err => {
	console.error(`Could not start the cluster: ${err.message}`);
	void stopAll(1);
});
