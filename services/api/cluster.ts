/**
 * The live cluster page at /cluster (static files of services/api/public/cluster, no CDN) and the one
 * JSON endpoint it polls, GET /api/cluster, which scripts can use too. Both read-only, both
 * behind `authorizeOperator`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Service, ServiceSchema } from "moleculer";
import serveStatic from "serve-static";
import { settings } from "../../config/settings";
import { authorizeOperator } from "./access";
import { clusterView } from "./cluster-view";
import { CreationRates } from "./creations";
import { publicDir } from "./public";
import { filesRoute, readOnlyRoute } from "./routes";

/**
 * A route middleware: a refused request ends with the gateway's error answer, which asks for
 * HTTP Basic, so that a browser prompts for the key (as the password) and sends it with the
 * page's own requests too: the page and its JSON share the realm.
 */
function operatorOnly(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
	try {
		authorizeOperator(req);
		next();
	} catch (err) {
		res.setHeader("WWW-Authenticate", 'Basic realm="buildings cluster", charset="UTF-8"');
		next(err);
	}
}

export const clusterRoutes = [
	readOnlyRoute("cluster-api", "/cluster", "api.cluster", [operatorOnly]),
	filesRoute("cluster-page", "/cluster", [operatorOnly, serveStatic(publicDir("cluster"), { index: "index.html" })]),
];

/** The samples the rates are measured over: one gateway service per process. */
const rates = new CreationRates();

/** The gateway's action behind GET /api/cluster. */
export const ClusterMixin: Partial<ServiceSchema> = {
	actions: {
		cluster: {
			// Each call reads every node: not one to retry on another gateway.
			retryPolicy: { enabled: false },
			handler(this: Service) {
				return clusterView(this.broker, settings.gateway.natsMonitorUrls, rates);
			},
		},
	},
};
