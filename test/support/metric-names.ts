/**
 * Prints the metrics a node registers (name, type, labels) as JSON: a broker with METRICS on and
 * every service loaded, as its own process.
 */
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { ALL_SERVICES } from "../../config/settings";

const broker = new ServiceBroker({ logger: false, nodeID: "metrics", metrics: { enabled: true, reporter: [] } });
for (const name of ALL_SERVICES) broker.loadService(path.join(__dirname, "..", "..", "services", name, `${name}.service.ts`));
const metrics = (broker.metrics.list() as { name: string; type: string; labelNames: string[] }[]).map(({ name, type, labelNames }) => ({
	name,
	type,
	labelNames,
}));
process.stdout.write(JSON.stringify(metrics));
// The loaded services hold handles (the gateway's server, pools) that a broker never started keeps.
process.exit(0);
