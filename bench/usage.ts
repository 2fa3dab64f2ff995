/**
 * The options of `npm run bench`: `--quick`, or `--help` for the usage. Anything else is refused
 * before a cluster starts, since the full run takes minutes.
 */
import { parseArgs } from "node:util";

export const USAGE = `Usage: npm run bench [-- --quick | --help]

Measures the cluster as shipped (clusters started through the \`npm start\` launcher) beside the raw
parts under it: HTTP, NATS request-reply, Postgres inserts, a lean read path. About 3 minutes.

  --quick   a short smoke run (about a minute)
  --help    this text

On the transporter and Postgres of TRANSPORTER, BUILDINGS_DATABASE_URL and WORKFLOWS_DATABASE_URL
when given, else on the launcher's defaults. Results: bench/results/<time>.json and .md.
Compare two checkouts with \`npm run bench:compare -- <other checkout>\`.`;

export type BenchOptions = { quick: boolean } | { usage: string; exitCode: 0 | 2 };

export function benchOptions(args: string[]): BenchOptions {
	try {
		const { values } = parseArgs({ args, options: { quick: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
		if (values.help) return { usage: USAGE, exitCode: 0 };
		return { quick: values.quick === true };
	} catch (err) {
		return { usage: `${(err as Error).message}\n\n${USAGE}`, exitCode: 2 };
	}
}
