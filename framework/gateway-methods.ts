/**
 * HTTP methods as HTTP defines them, on the gateway's aliases: OPTIONS on a path answers 204 with
 * an `Allow` header (and runs nothing; with CORS on, a browser's preflight is still answered by
 * moleculer-web), HEAD is answered as GET without a body, and a method a path does not have is a
 * 405 with `Allow`. moleculer-web alone would run the GET for an OPTIONS and answer 404 for HEAD.
 *
 * Relies on moleculer-web 0.11.0: its `httpHandler` and `resolveAlias(url, method)` methods, which
 * these wrap (this mixin comes before ApiGateway in the gateway's `mixins`, so its methods win),
 * and its `aliases`, each with `method`, `action` and `match(path)`.
 * test/integration/framework-internals.spec.ts checks them; test/e2e/rest.spec.ts the methods.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors, type Service, type ServiceSchema } from "moleculer";
import ApiGateway, { type ApiSettingsSchema } from "moleculer-web";

interface Alias {
	method: string;
	action: string | null;
	match(url: string): unknown;
}
type Gateway = Service<ApiSettingsSchema> & { aliases: Alias[]; sendError(req: IncomingMessage, res: ServerResponse, err: Error): void };

const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const gateway = ApiGateway.methods as Record<string, (this: Gateway, ...args: unknown[]) => unknown>;

/** The methods a path answers: its aliases' methods, HEAD with GET, and OPTIONS; none for a path no alias has. */
export function allowedMethods(aliases: Alias[], path: string): string[] {
	const methods = new Set(aliases.filter(a => a.action !== null && a.method !== "*" && a.match(path)).map(a => a.method));
	if (methods.size === 0) return [];
	if (methods.has("GET")) methods.add("HEAD");
	methods.add("OPTIONS");
	return ORDER.filter(method => methods.has(method));
}

/** A 405 that names the path and the methods it takes; `Allow` is the caller's to set. */
export function methodNotAllowed(method: string | undefined, path: string, allowed: string[]): Error {
	const message = `${method} is not a method of ${path}; it takes ${allowed.join(", ")}.`;
	const err = new Errors.MoleculerClientError(message, 405, "METHOD_NOT_ALLOWED", { allowed });
	return Object.assign(err, { name: "MethodNotAllowedError" });
}

/** The path moleculer-web matches aliases against: no query string, no trailing slash. */
function pathOf(url = "/"): string {
	const path = url.split("?")[0];
	return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

export const MethodsMixin: Partial<ServiceSchema> = {
	methods: {
		httpHandler(this: Gateway, req: IncomingMessage, res: ServerResponse, next: unknown) {
			const allowed = allowedMethods(this.aliases, pathOf(req.url));
			const preflight = req.method === "OPTIONS" && Boolean(this.settings.cors) && req.headers["access-control-request-method"];
			if (allowed.length > 0 && !preflight) {
				const allow = allowed.join(", ");
				if (req.method === "OPTIONS") {
					res.writeHead(204, { Allow: allow });
					return res.end();
				}
				if (!allowed.includes(req.method ?? "")) {
					res.setHeader("Allow", allow);
					return this.sendError(req, res, methodNotAllowed(req.method, pathOf(req.url), allowed));
				}
			}
			return gateway.httpHandler.call(this, req, res, next);
		},
		/** HEAD finds the GET alias; moleculer-web then sends its headers without the body. */
		resolveAlias(this: Gateway, url: string, method = "GET") {
			return gateway.resolveAlias.call(this, url, method === "HEAD" ? "GET" : method);
		},
	},
};
