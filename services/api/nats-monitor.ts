/**
 * What the NATS servers themselves see, from their monitoring endpoint (`connz?subs=detail`):
 * which server each node's connection is on, and which connections hold a queue subscription to
 * a balanced action. A connection is told by the subject only its node subscribes to
 * (`<prefix>.REQ.<nodeID>`), so it needs no client name.
 */

interface Subscription {
	subject: string;
	qgroup?: string;
}

interface Connz {
	server_id: string;
	server_name?: string;
	connections?: { cid: number; subscriptions_list_detail?: Subscription[] }[];
}

export interface NatsSnapshot {
	/** Each server read, by the name it gives (else its monitor's host). */
	servers: string[];
	/** The server each node is connected to. */
	serverOf: Map<string, string>;
	/** Nodes subscribed to the queue group of the balanced action. */
	queueSubscribers: string[];
	/** Monitors that could not be read, with why. */
	errors: string[];
}

/** The subject Moleculer's NATS transporter sends balanced requests of an action on. */
export function balancedSubject(namespace: string, action: string): string {
	return `${namespace ? `MOL-${namespace}` : "MOL"}.REQB.${action}`;
}

/** Reads one server's connections (exported for tests on recorded answers). */
export function readConnz(connz: Connz, serverLabel: string, namespace: string, action: string, into: NatsSnapshot): void {
	const server = connz.server_name && connz.server_name !== connz.server_id ? connz.server_name : serverLabel;
	into.servers.push(server);
	const direct = `${namespace ? `MOL-${namespace}` : "MOL"}.REQ.`;
	const balanced = balancedSubject(namespace, action);
	for (const connection of connz.connections ?? []) {
		const subs = connection.subscriptions_list_detail ?? [];
		const nodeID = subs.find(sub => sub.subject.startsWith(direct))?.subject.slice(direct.length);
		if (nodeID === undefined) continue; // not a node of this namespace
		into.serverOf.set(nodeID, server);
		if (subs.some(sub => sub.subject === balanced && sub.qgroup === action)) into.queueSubscribers.push(nodeID);
	}
}

/** Reads every monitor given (NATS_MONITOR_URL), each within `timeoutMs`. */
export async function natsSnapshot(
	monitors: readonly string[],
	namespace: string,
	action: string,
	timeoutMs = 1000,
): Promise<NatsSnapshot> {
	const snapshot: NatsSnapshot = { servers: [], serverOf: new Map(), queueSubscribers: [], errors: [] };
	await Promise.all(
		monitors.map(async monitor => {
			const url = new URL("connz?subs=detail&limit=4096", monitor.endsWith("/") ? monitor : `${monitor}/`);
			try {
				const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
				if (!res.ok) throw new Error(`HTTP ${res.status}`);
				readConnz((await res.json()) as Connz, url.host, namespace, action, snapshot);
			} catch (err) {
				snapshot.errors.push(`${url.origin}: ${(err as Error).message}`);
			}
		}),
	);
	snapshot.queueSubscribers.sort();
	return snapshot;
}
