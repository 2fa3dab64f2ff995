import type { NodeSpec } from "./topology";

/**
 * Waits until the gateway on `port` is ready and sees every node, three checks in a row:
 * discovery takes a moment, and the last nodes to meet still exchange their details. Resolves
 * with the NATS server each node is on (none on TCP). With API_KEYS set, readiness needs a key as
 * every route but liveness does: `apiKey` is one of them.
 */
export async function waitUntilReady(port: number, nodes: NodeSpec[], timeoutMs: number, apiKey?: string): Promise<Record<string, string>> {
	const deadline = Date.now() + timeoutMs;
	const headers: Record<string, string> = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
	let last = "no answer";
	let inARow = 0;
	while (Date.now() < deadline) {
		try {
			const res = await fetch(`http://127.0.0.1:${port}/api/health/ready`, { headers });
			const body = (await res.json()) as {
				message?: string;
				nodes?: string[];
				workflowsNodes?: string[];
				natsServers?: Record<string, string>;
			};
			// Every node seen by the gateway, and every workflows node by the buildings node.
			const missing = [
				...nodes.map(node => node.nodeID).filter(id => !body.nodes?.includes(id)),
				...nodes
					.filter(node => node.services === "workflows" && !body.workflowsNodes?.includes(node.nodeID))
					.map(node => `${node.nodeID} (for the buildings service)`),
			];
			if (res.ok && missing.length === 0 && ++inARow === 3) return body.natsServers ?? {};
			if (!res.ok || missing.length > 0) inARow = 0;
			last = res.ok ? `waiting for ${missing.join(", ")}` : String(body.message);
		} catch (err) {
			inARow = 0;
			last = (err as Error).message;
		}
		await new Promise(resolve => setTimeout(resolve, 500));
	}
	throw new Error(`The cluster did not become ready within ${timeoutMs / 1000} s (${last}).`);
}
