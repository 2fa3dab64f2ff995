/** One process of the local topology: its nodeID and the services it runs (SERVICES). */
export interface NodeSpec {
	nodeID: string;
	services: string;
}

/**
 * What `npm start` runs, as the compose file does: the gateway's node (with the buildings service
 * too, when `buildingsInGateway`), else a buildings node of its own, and N workflows nodes.
 */
export function localTopology(workflowsNodes: number, buildingsInGateway: boolean): NodeSpec[] {
	return [
		...(buildingsInGateway
			? [{ nodeID: "api-1", services: "api,buildings" }]
			: [
					{ nodeID: "api-1", services: "api" },
					{ nodeID: "buildings-1", services: "buildings" },
				]),
		...Array.from({ length: workflowsNodes }, (_, i) => ({ nodeID: `workflows-${i + 1}`, services: "workflows" })),
	];
}
