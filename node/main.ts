/**
 * Starts one node of the cluster: a broker configured by moleculer.config.ts, running the
 * services named in SERVICES or in the first argument (comma-separated; default: all of them).
 * Every container of the compose file and every process of `npm start` is one of these; run on
 * its own (`npm run node -- workflows`) with no TRANSPORTER, it joins the cluster `npm start`
 * runs on this machine.
 */
import { randomBytes } from "node:crypto";
import { globSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { ALL_SERVICES, checkSettings, items, settings } from "../config/settings";
import { HealthServer } from "./health-server";
import { joinLocalCluster } from "./local-cluster";

/** This node's ID, once known: the start-up failure names it. */
let nodeID = "";

async function main(): Promise<void> {
	const names = process.argv[2] ? items(process.argv[2]) : settings.node.services;
	const unknown = names.filter(name => !ALL_SERVICES.includes(name));
	if (unknown.length > 0) throw new Error(`Unknown service(s): ${unknown.join(", ")}. Known: ${ALL_SERVICES.join(", ")}.`);

	// Unique without the process ID, which /api/health/ready, listing the nodes, would show.
	nodeID = settings.node.id ?? `${names.join("+")}-${hostname()}-${randomBytes(3).toString("hex")}`;
	await joinLocalCluster(nodeID);
	// Only now: the environment is complete. A bad value fails here, before any service loads.
	checkSettings();
	const { default: config } = await import("../moleculer.config");

	// This file handles the signals itself, to log them and to exit with the right code.
	const broker = new ServiceBroker({ ...config, nodeID, skipProcessEventRegistration: true });
	for (const file of serviceFiles(names)) broker.loadService(file);
	// Listening before the broker starts: a liveness probe gets answers while migrations run.
	const { healthPort } = settings.node;
	if (healthPort !== undefined) {
		const port = await new HealthServer(broker).listen(healthPort);
		broker.logger.info(`Health probes: http://0.0.0.0:${port}/live and /ready.`);
	}

	// Ctrl-C, `docker stop`, or the `npm start` launcher gone: finish the requests in hand,
	// leave the cluster, close the pools.
	let stopping = false;
	const stop = (reason: string) => {
		if (stopping) return;
		stopping = true;
		// Still starting, it holds no request, and Moleculer cannot stop a broker whose
		// transporter has not connected yet: leave at once.
		if (!broker.started) {
			broker.logger.info(`${reason}: node ${broker.nodeID} stops before it has started.`);
			process.exit(0);
		}
		broker.logger.info(`${reason}: stopping node ${broker.nodeID}.`);
		broker.stop().then(
			() => process.exit(0),
			err => {
				broker.logger.error("Stopping failed:", err);
				process.exit(1);
			},
		);
	};
	process.on("SIGINT", () => stop("SIGINT received"));
	process.on("SIGTERM", () => stop("SIGTERM received"));
	if (process.send) process.on("disconnect", () => stop("Launcher gone"));
	// Under `npm start` the launcher reads this output: once it is gone, a write fails, and the
	// node must still stop gracefully.
	if (process.send) for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);

	await broker.start();
	process.send?.({ ready: true, nodeID: broker.nodeID, services: names });
	if (process.send) answerPings();
}

/**
 * The files of the services named: `<name>.service.ts` (`.js` once compiled) anywhere under
 * services/, each in its service's folder, found as the official Moleculer template finds them.
 */
function serviceFiles(names: readonly string[]): string[] {
	// Compiled or not, the services sit beside this folder with this file's own extension.
	const root = path.join(__dirname, "..", "services");
	const found = globSync(`**/*.service${path.extname(__filename)}`, { cwd: root });
	return names.map(name => {
		const file = found.find(candidate => path.basename(candidate).startsWith(`${name}.service.`));
		if (!file) throw new Error(`No file for the service "${name}" under ${root}.`);
		return path.join(root, file);
	});
}

/** The launcher pings a node over IPC (cluster/hang-watch.ts): its event loop answers each ping. */
function answerPings(): void {
	process.on("message", (message: unknown) => {
		const ping = (message as { ping?: number } | null)?.ping;
		if (typeof ping === "number") process.send?.({ pong: ping });
	});
}

main().catch(err => {
	console.error(`Node ${nodeID} could not start: ${err.message}`);
	process.exit(1);
});
