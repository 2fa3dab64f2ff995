import type { BrokerOptions, ServiceBroker } from "moleculer";

/** moleculer.config.ts as a node would read it with these variables set. */
export function configWith(env: Record<string, string>): BrokerOptions {
	const saved = { ...process.env };
	Object.assign(process.env, env);
	try {
		let config: BrokerOptions | undefined;
		jest.isolateModules(() => {
			// eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy, read with these variables
			config = require("../../moleculer.config").default;
		});
		return config!;
	} finally {
		process.env = saved;
	}
}

/**
 * Two brokers made by `make`: a caller, and a responder with a public `echo.say`; both are added
 * to `brokers` (for the test's cleanup) and left for the test to start.
 */
export function echoPair(make: (nodeID: string) => ServiceBroker, brokers: ServiceBroker[]): [ServiceBroker, ServiceBroker] {
	const caller = make("caller");
	const responder = make("responder");
	responder.createService({ name: "echo", actions: { say: { visibility: "public", handler: ctx => ctx.params } } });
	brokers.push(caller, responder);
	return [caller, responder];
}
