import type { REPLServer } from "node:repl";
import type { ServiceBroker } from "moleculer";

/**
 * moleculer-repl starts each line as soon as it is read and exits at the end of the input, so
 * piped commands would run all at once and be cut off. Here each waits for the one before, as
 * typed commands do, and the end of the input waits for the last one.
 *
 * Relies on moleculer-repl 0.8.0: it evaluates each line through the server's `eval`, which is
 * replaced here, and stops on the server's "exit" with a listener of its own, removed here.
 * test/e2e/supervision.spec.ts pipes commands in right after the start and checks each one ran.
 */
export function runInTurn(server: REPLServer, broker: ServiceBroker): void {
	let previous = Promise.resolve();
	const evaluate = server.eval;
	Object.defineProperty(server, "eval", {
		value: ((command, context, file, done) => {
			previous = previous.then(
				() =>
					new Promise<void>(resolve =>
						// Passed on as given: the REPL prints a result only when one is passed.
						evaluate.call(server, command, context, file, (...outcome) => {
							done(...outcome);
							resolve();
						}),
					),
			);
		}) satisfies REPLServer["eval"],
	});
	// moleculer-repl's own listener stops at once (the history's is only added later).
	server.removeAllListeners("exit");
	server.on("exit", () => {
		void previous.then(async () => {
			// A broker still trying to reach its transporter has nothing to leave.
			if (broker.started) await broker.stop();
			process.exit(0);
		});
	});
}
