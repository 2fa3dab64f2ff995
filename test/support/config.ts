import type { BrokerOptions } from "moleculer";

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
