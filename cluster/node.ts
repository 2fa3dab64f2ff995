/**
 * Starts one node of the cluster: a broker configured by moleculer.config.ts, running the
 * services named in SERVICES (comma-separated; default: all of them). Every container of the
 * compose file and every process of `npm start` is one of these.
 */
import path from "node:path";
import { ServiceBroker } from "moleculer";
import config from "../moleculer.config";

const SERVICES = ["api", "buildings", "workflows"];

const names = (process.env.SERVICES || SERVICES.join(","))
	.split(",")
	.map(name => name.trim())
	.filter(Boolean);
const unknown = names.filter(name => !SERVICES.includes(name));
if (unknown.length > 0) {
	console.error(`Unknown service(s) in SERVICES: ${unknown.join(", ")}. Known: ${SERVICES.join(", ")}.`);
	process.exit(1);
}

// This file handles the signals itself, to log them and to exit with the right code.
const broker = new ServiceBroker({ ...config, skipProcessEventRegistration: true });
// Compiled or not, the services sit beside this folder with this file's own extension.
const extension = path.extname(__filename);
for (const name of names) broker.loadService(path.join(__dirname, "..", "services", `${name}.service${extension}`));

// Ctrl-C or `docker stop`: finish the requests in hand, leave the cluster, close the pools.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		broker.logger.info(`${signal} received: stopping node ${broker.nodeID}.`);
		broker.stop().then(
			() => process.exit(0),
			err => {
				broker.logger.error("Stopping failed:", err);
				process.exit(1);
			},
		);
	});
}

broker.start().then(
	() => process.send?.({ ready: true, nodeID: broker.nodeID, services: names }),
	err => {
		broker.logger.fatal(`Node ${broker.nodeID} could not start: ${err.message}`);
		process.exit(1);
	},
);
