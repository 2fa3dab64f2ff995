/** One process of the local topology: its nodeID and the services it runs (SERVICES). */
export interface NodeSpec {
	nodeID: string;
	services: string;
}

/** What `npm start` runs, as the compose file does: an api node, a buildings node, N workflows nodes. */
export function localTopology(workflowsNodes: number): NodeSpec[] {
	return [
		{ nodeID: "api-1", services: "api" },
		{ nodeID: "buildings-1", services: "buildings" },
		...Array.from({ length: workflowsNodes }, (_, i) => ({ nodeID: `workflows-${i + 1}`, services: "workflows" })),
	];
}
