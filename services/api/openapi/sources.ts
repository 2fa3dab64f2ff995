import type { Service, ServiceBroker } from "moleculer";
import type { AliasInfo } from "./document";
import type { Rules } from "./params";

interface GatewayAlias {
	method: string;
	fullPath: string;
	action: string | null;
	route: { opts: { rateLimit?: unknown } };
}

/** The aliases a moleculer-web service has built from its routes: what it really serves. */
export function gatewayAliases(gateway: Service): AliasInfo[] {
	const aliases = (gateway as Service & { aliases: GatewayAlias[] }).aliases;
	return aliases
		.filter(alias => alias.action !== null && alias.method !== "*")
		.map(alias => ({
			method: alias.method,
			path: alias.fullPath,
			action: alias.action!,
			rateLimited: Boolean(alias.route.opts.rateLimit),
		}));
}

/** Each action's params as the registry holds them: announced by the nodes that run the action. */
export function registryParams(broker: ServiceBroker): (action: string) => Rules | undefined {
	const list = broker.registry.getActionList({ skipInternal: true, withEndpoints: false }) as unknown as {
		name: string;
		action?: { params?: Rules };
	}[];
	const params = new Map(list.map(item => [item.name, item.action?.params]));
	return action => params.get(action);
}

/**
 * Each action's params from the services loaded in this broker, as a node announces them: in
 * JSON (a RegExp pattern, for one, does not travel), so the document is the one a gateway serves.
 */
export function loadedParams(broker: ServiceBroker): (action: string) => Rules | undefined {
	const params = new Map<string, Rules | undefined>();
	for (const service of broker.services) {
		const actions = (service.schema.actions ?? {}) as Record<string, { name?: string; params?: Rules }>;
		for (const [key, action] of Object.entries(actions)) {
			const declared = typeof action === "object" ? action.params : undefined;
			params.set(`${service.fullName}.${action?.name ?? key}`, declared && (JSON.parse(JSON.stringify(declared)) as Rules));
		}
	}
	return action => params.get(action);
}
