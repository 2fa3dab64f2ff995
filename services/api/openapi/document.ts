/**
 * The OpenAPI 3.1 document of the gateway, built from what the code declares: the gateway's
 * aliases (method, path, action), each action's fastest-validator params, and the shared
 * schemas of types/ for the bodies (operations.ts says which body each status has).
 */
import { version } from "../../../package.json";
import { ERROR_STATUSES, errorResponses, errorStatuses } from "./errors";
import { OPERATIONS, SCHEMAS, type SchemaName } from "./operations";
import { fields, isRequired, objectSchema, ruleSchema, type JsonSchema, type Rules } from "./params";

/** One alias of the gateway. */
export interface AliasInfo {
	method: string;
	/** Full path, as moleculer-web writes it: `/api/buildings/:id`. */
	path: string;
	action: string;
	rateLimited: boolean;
}

export interface DocumentSources {
	aliases: AliasInfo[];
	/** The params an action declares; undefined for an action with none, or not (yet) known. */
	params(action: string): Rules | undefined;
	/** API_KEYS is set: every operation but those of OPEN_ACTIONS needs a key. */
	keysRequired: boolean;
}

/** How a key may be sent (services/api/guards.ts), as security schemes. */
const KEY_SCHEMES = {
	bearerKey: { type: "http", scheme: "bearer", description: "An API key of API_KEYS, as `Authorization: Bearer <key>`." },
	headerKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "An API key of API_KEYS." },
	basicKey: { type: "http", scheme: "basic", description: "An API key of API_KEYS as the password, any user name (for browsers)." },
};
/** Open with API_KEYS too: liveness (probes carry no key), and this document (Swagger UI loads it first). */
const OPEN_ACTIONS = new Set(["api.health", "api.openapi"]);

const BODY_METHODS = new Set(["POST", "PATCH", "PUT"]);
const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** A copy of a schema where each named schema it embeds (other than itself) is a $ref. */
function withRefs(schema: unknown, self?: unknown): unknown {
	if (schema !== self) {
		const name = (Object.keys(SCHEMAS) as SchemaName[]).find(key => SCHEMAS[key] === schema);
		if (name) return ref(name);
	}
	if (Array.isArray(schema)) return schema.map(item => withRefs(item));
	if (schema === null || typeof schema !== "object") return schema;
	return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withRefs(value)]));
}

const camel = (words: string[]) => words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");

function operation(alias: AliasInfo, params: Rules, operationId: string, usedErrors: Set<number>, keysRequired: boolean): JsonSchema {
	const spec = OPERATIONS[alias.action] ?? { summary: alias.action, success: { 200: { description: "OK", body: "OpenApiDocument" } } };
	const pathKeys = [...alias.path.matchAll(/:(\w+)/g)].map(m => m[1]);
	const headers = spec.headers ?? {};
	const rest = fields(params).filter(([name]) => !pathKeys.includes(name) && !(name in headers));
	const inBody = BODY_METHODS.has(alias.method);
	const parameters = [
		...pathKeys.map(name => ({ name, in: "path", required: true, schema: params[name] ? ruleSchema(params[name]) : { type: "string" } })),
		...(inBody ? [] : rest.map(([name, rule]) => ({ name, in: "query", required: isRequired(rule), schema: ruleSchema(rule) }))),
		...Object.entries(headers).map(([param, { name, description }]) => ({
			name,
			in: "header",
			required: false,
			description,
			schema: params[param] ? ruleSchema(params[param]) : { type: "string" },
		})),
	];
	const own = spec.errors ?? [];
	const statuses = errorStatuses({
		method: alias.method,
		hasParams: fields(params).length > 0,
		rateLimited: alias.rateLimited,
		local: alias.action.startsWith("api."),
		keyed: keysRequired && !OPEN_ACTIONS.has(alias.action),
		own,
	});
	statuses.forEach(status => usedErrors.add(status));
	const location = { Location: { description: "Path of the building.", schema: { type: "string" } } };
	const responses: JsonSchema = Object.fromEntries([
		...Object.entries(spec.success).map(([status, { description, body }]) => [
			status,
			{
				description,
				...(alias.action === "buildings.create" ? { headers: location } : {}),
				content: { "application/json": { schema: ref(body) } },
			},
		]),
		...statuses.map(status => [String(status), { $ref: `#/components/responses/${ERROR_STATUSES[status].name}` }]),
	]);
	return {
		operationId,
		summary: spec.summary,
		tags: [alias.action.split(".")[0]],
		...(keysRequired && OPEN_ACTIONS.has(alias.action) ? { security: [] } : {}),
		...(parameters.length > 0 ? { parameters } : {}),
		...(inBody
			? {
					requestBody: {
						required: true,
						content: {
							"application/json": { schema: objectSchema(Object.fromEntries(rest), (params as { $$strict?: unknown }).$$strict === true) },
						},
					},
				}
			: {}),
		responses,
	};
}

export function buildDocument({ aliases, params, keysRequired }: DocumentSources): JsonSchema {
	const paths: Record<string, Record<string, JsonSchema>> = {};
	const usedIds = new Set<string>();
	const usedErrors = new Set<number>();
	for (const alias of [...aliases].sort((a, b) => a.path.localeCompare(b.path))) {
		const path = alias.path.replace(/:(\w+)/g, "{$1}");
		const base = camel(alias.action.split("."));
		// An action behind two paths (workflows.list) gets one id per path.
		const keys = [...alias.path.matchAll(/:(\w+)/g)].map(m => m[1]);
		const operationId = usedIds.has(base) ? `${base}By${camel(keys.map(k => k[0].toUpperCase() + k.slice(1)))}` : base;
		usedIds.add(operationId);
		paths[path] ??= {};
		paths[path][alias.method.toLowerCase()] = operation(alias, params(alias.action) ?? {}, operationId, usedErrors, keysRequired);
	}
	return {
		openapi: "3.1.0",
		info: {
			title: "Buildings cluster API",
			version,
			description:
				"Buildings and their workflows. Every error is JSON `{name, message, code, type, data}`, never a stack trace; a 422's message names each field, the value given and what is allowed. " +
				"Every path also answers OPTIONS (204, its methods in `Allow`), and HEAD where it answers GET (the GET's status and headers, no body); " +
				"a method a path does not have is a 405 `METHOD_NOT_ALLOWED` with `Allow`.",
			license: { name: "MIT", identifier: "MIT" },
		},
		servers: [{ url: "/" }],
		tags: [
			{ name: "buildings", description: "Buildings, each with one first workflow" },
			{ name: "workflows", description: "Workflows of buildings" },
			{ name: "api", description: "The gateway itself" },
		],
		// As the gateway runs: without API_KEYS every operation is open; with it, any one scheme will do.
		security: keysRequired ? Object.keys(KEY_SCHEMES).map(name => ({ [name]: [] })) : [],
		paths,
		components: {
			schemas: Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, withRefs(schema, schema)])),
			responses: errorResponses(usedErrors),
			...(keysRequired ? { securitySchemes: KEY_SCHEMES } : {}),
		},
	};
}
