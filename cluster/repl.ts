/**
 * `npm run repl`: a node with the Moleculer REPL that joins the running cluster (the one
 * `npm start` runs here when no TRANSPORTER is given, else the one TRANSPORTER and NAMESPACE
 * name). Try `nodes`, `services`, `actions`, `call buildings.create --name "HQ"`,
 * `workflows-per-node`, `latest-buildings`.
 */
import { hostname } from "node:os";
import type { BrokerOptions } from "moleculer";
import { ServiceBroker } from "moleculer";
import { loadDotEnv } from "../config/env";
import { joinLocalCluster } from "./local-cluster";
import { replCommands } from "./repl-commands";

async function main(): Promise<void> {
	loadDotEnv();
	process.env.NODE_ID ||= `repl-${hostname()}-${process.pid}`;
	const joined = await joinLocalCluster(process.env.NODE_ID);
	// Read only now: the environment is complete.
	const config = (require("../moleculer.config") as { default: BrokerOptions }).default;
	const broker = new ServiceBroker({
		...config,
		// Only warnings: the prompt is for the operator, not for the broker's chatter.
		logger: { type: "Console", options: { level: process.env.LOG_LEVEL || "warn", formatter: "short" } },
		replCommands,
	});
	await broker.start();
	console.log(`Joined ${joined ? "the local cluster of `npm start`" : `namespace "${config.namespace}"`} as ${broker.nodeID}. Type "help" for commands.`);
	broker.repl();
}

main().catch(err => {
	console.error(`The REPL could not start: ${err.message}`);
	process.exit(1);
});
