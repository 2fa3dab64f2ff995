/**
 * `npm run repl`: a node with the Moleculer REPL that joins the running cluster (the one
 * `npm start` runs here when no TRANSPORTER is given, else the one TRANSPORTER and NAMESPACE
 * name). Try `nodes`, `services`, `actions`, `call buildings.create --name "HQ"`,
 * `workflows-per-node`, `latest-buildings`. Commands can be piped in:
 * `printf 'call buildings.get --id 1\nquit\n' | npm run repl`.
 */
import { hostname } from "node:os";
import { ServiceBroker } from "moleculer";
import startRepl from "moleculer-repl";
import { NATS_DEFAULT_URL, settings } from "../config/settings";
import { joinLocalCluster } from "../node/local-cluster";
import { maskCredentials } from "./printable";
import { replCommands } from "./repl-commands";
import { runInTurn } from "../framework/repl-in-turn";
import { ReadableReplErrors } from "../framework/repl-errors";
import { plainOutputUnlessTerminal } from "./plain-output";

/** How long the prompt waits for the cluster's services before it opens anyway. */
const DISCOVERY_TIMEOUT_MS = 5000;

async function main(): Promise<void> {
	plainOutputUnlessTerminal();
	const nodeID = settings.node.id ?? `repl-${hostname()}-${process.pid}`;
	const joined = await joinLocalCluster(nodeID);
	// Read only now: the environment is complete.
	const { default: config } = await import("../moleculer.config");
	const broker = new ServiceBroker({
		...config,
		nodeID,
		// Only warnings unless LOG_LEVEL says otherwise: the prompt is for the operator, not for the broker's chatter.
		logger: { type: "Console", options: { level: settings.repl.logLevel, formatter: "short" } },
		// A call with bad params answers with its field messages, not a stack trace.
		middlewares: [...(config.middlewares ?? []), ReadableReplErrors()],
	});
	const where = joined ? "the local cluster of `npm start`" : `namespace "${config.namespace}"`;
	// The first command (piped ones come at once) must find the services it calls. A transporter
	// that cannot be reached keeps the broker starting (it retries): the prompt opens all the same.
	const gaveUp = new Promise<false>(resolve => setTimeout(() => resolve(false), DISCOVERY_TIMEOUT_MS).unref());
	const found = await Promise.race([
		broker.start().then(() =>
			broker.waitForServices(["buildings", "workflows"], DISCOVERY_TIMEOUT_MS).then(
				() => true,
				() => false,
			),
		),
		gaveUp,
	]);
	if (found) console.log(`Joined ${where} as ${broker.nodeID}. Type "help" for commands.`);
	else {
		const why = broker.started ? "no buildings or workflows service showed up" : "could not connect";
		console.log(
			`No cluster answered within ${DISCOVERY_TIMEOUT_MS / 1000} s on ${transporterName()} in ${where} (${why}); the prompt opens anyway. Type "help" for commands.`,
		);
	}
	// What `broker.repl()` does with the broker's `replOptions`, called directly for its typed server.
	runInTurn(startRepl(broker, { delimiter: "mol $", customCommands: replCommands }), broker);
}

/** The transporter this node tried, credentials masked. */
function transporterName(): string {
	const { transporter, tcpNodes } = settings.broker;
	const given = transporter.length > 0 ? transporter.join(",") : NATS_DEFAULT_URL;
	return given === "TCP" ? `TCP (${tcpNodes.length > 0 ? "the nodes of TCP_NODES" : "UDP discovery"})` : maskCredentials(given);
}

main().catch(err => {
	console.error(`The REPL could not start: ${err.message}`);
	process.exit(1);
});
