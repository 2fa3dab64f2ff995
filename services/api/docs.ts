/**
 * The OpenAPI document at GET /api/openapi.json, built from the gateway's own aliases and the
 * params the nodes announce, and Swagger UI at /api/docs from the swagger-ui-dist package, served
 * by the gateway: no CDN, so the page works offline.
 */
import type { Service, ServiceSchema } from "moleculer";
import serveStatic from "serve-static";
import path from "node:path";
import { settings } from "../../config/settings";
import { buildDocument } from "./openapi/document";
import { gatewayAliases, registryParams } from "./openapi/sources";
import { publicDir } from "./public";
import { filesRoute, readOnlyRoute } from "./routes";

export const docsRoutes = [
	readOnlyRoute("openapi", "/openapi.json", "api.openapi"),
	// The page first (its index.html and start script), then Swagger UI's files.
	filesRoute("docs", "/api/docs", [
		serveStatic(publicDir("docs"), { index: "index.html" }),
		serveStatic(path.dirname(require.resolve("swagger-ui-dist/package.json")), { index: false }),
	]),
];

const keysRequired = settings.gateway.apiKeys.length > 0;

/** The gateway's action behind GET /api/openapi.json. */
export const DocsMixin: Partial<ServiceSchema> = {
	actions: {
		openapi: {
			// Built at each request: a node that joins with a newer version is described at once.
			handler(this: Service) {
				return buildDocument({ aliases: gatewayAliases(this), params: registryParams(this.broker), keysRequired });
			},
		},
	},
};
