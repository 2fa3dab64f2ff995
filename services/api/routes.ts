/** The two shapes of the gateway's routes beside the REST API: one read-only alias, or static files. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { methodNotAllowed } from "../../framework/gateway-methods";

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** `GET /api<alias>` answered by one action; no body is read. */
export function readOnlyRoute(name: string, alias: string, action: string, use: Middleware[] = []) {
	return {
		name,
		path: "/api",
		mappingPolicy: "restrict" as const,
		autoAliases: false,
		aliases: { [`GET ${alias}`]: action },
		bodyParsers: { json: false, urlencoded: false },
		use,
	};
}

const FILE_METHODS = ["GET", "HEAD", "OPTIONS"];

/**
 * Files take GET and HEAD (served by serve-static); OPTIONS answers 204 with `Allow`, and any other
 * method is a 405 with `Allow`, as on the API's aliases (framework/gateway-methods.ts).
 */
function fileMethods(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
	if (req.method === "GET" || req.method === "HEAD") return next();
	const allow = FILE_METHODS.join(", ");
	res.setHeader("Allow", allow);
	if (req.method === "OPTIONS") {
		res.writeHead(204);
		res.end();
		return;
	}
	// moleculer-web hands route middlewares the URL below the route's path; the client sent originalUrl.
	const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/";
	next(methodNotAllowed(req.method, url.split("?")[0], FILE_METHODS));
}

/** The files under `path`, served by `use` (serve-static), and no action. */
export function filesRoute(name: string, path: string, use: Middleware[]) {
	return { name, path, mappingPolicy: "restrict" as const, autoAliases: false, aliases: {}, use: [fileMethods, ...use] };
}
