/**
 * Writes the OpenAPI document without a cluster (`npm run openapi -- <file>`, stdout without a
 * file): the services are loaded into a broker that is never started, so no database or
 * transporter is needed, and the document is the one the gateway serves at /api/openapi.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { ALL_SERVICES, settings } from "../../../config/settings";
import { buildDocument } from "./document";
import { gatewayAliases, loadedParams } from "./sources";

export function offlineDocument(): object {
	const broker = new ServiceBroker({ logger: false, nodeID: "openapi" });
	const extension = path.extname(__filename);
	for (const name of ALL_SERVICES) broker.loadService(path.join(__dirname, "..", "..", name, `${name}.service${extension}`));
	const gateway = broker.getLocalService("api");
	return buildDocument({
		aliases: gatewayAliases(gateway),
		params: loadedParams(broker),
		keysRequired: settings.gateway.apiKeys.length > 0,
	});
}

if (require.main === module) {
	const text = `${JSON.stringify(offlineDocument(), null, 2)}\n`;
	const file = process.argv[2];
	if (file) {
		mkdirSync(path.dirname(file), { recursive: true });
		writeFileSync(file, text);
	} else process.stdout.write(text);
	// The loaded services hold handles (the gateway's server, pools) that a broker never started keeps.
	process.exit(0);
}
