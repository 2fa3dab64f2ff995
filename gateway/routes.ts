/** The two shapes of the gateway's routes beside the REST API: one read-only alias, or static files. */
import type { IncomingMessage, ServerResponse } from "node:http";

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** `GET /api<alias>` answered by one action; no body is read. */
export function readOnlyRoute(name: string, alias: string, action: string, use: Middleware[] = []) {
	return {
		name,
		path: "/api",
		mappingPolicy: "restrict",
		autoAliases: false,
		aliases: { [`GET ${alias}`]: action },
		bodyParsers: { json: false, urlencoded: false },
		use,
	};
}

/** The files under `path`, served by `use` (serve-static), and no action. */
export function filesRoute(name: string, path: string, use: Middleware[]) {
	return { name, path, mappingPolicy: "restrict", autoAliases: false, aliases: {}, use };
}
