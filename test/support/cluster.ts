import { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ServiceBroker, type BrokerOptions } from "moleculer";
import config from "../../moleculer.config";
import { CoalescingNatsTransporter } from "../../framework/coalescing-nats";
import { nodesRunning } from "../../broker/registry";
import { NATS_URL, createDatabase, dropDatabase, uniqueName, waitFor } from "./infra";

export interface ClusterOptions {
	/** How many brokers run the workflows service (default 3). */
	workflowsNodes?: number;
	/** How many brokers run the buildings service (default 1). */
	buildingsNodes?: number;
	/** Start a gateway node (default true). */
	api?: boolean;
	/** Balance by NATS queue groups (default) or by Moleculer's own balancer. */
	balancer?: "nats" | "moleculer";
	/**
	 * Use a transporter (default NATS), or one URL per node by the services it runs (its own
	 * NATS user, say); `null` puts every service on one local broker.
	 */
	transporter?: string | ((services: string[]) => string) | null;
	/** Broker options to add to moleculer.config.ts's, e.g. metrics. */
	brokerOptions?: Partial<BrokerOptions>;
}

export interface TestCluster {
	namespace: string;
	buildingsDatabaseUrl: string;
	workflowsDatabaseUrl: string;
	brokers: ServiceBroker[];
	/** The broker the buildings service runs on. */
	buildings: ServiceBroker;
	/** Base URL of the gateway, e.g. http://127.0.0.1:41234/api (when started with `api`). */
	apiUrl: string;
	/** Starts one more workflows node and waits until the buildings node sees it. */
	addWorkflowsNode(): Promise<ServiceBroker>;
	stop(): Promise<void>;
}

const SERVICES_DIR = path.join(__dirname, "..", "..", "services");

/**
 * Starts the topology in this process: a gateway, a buildings node and N workflows nodes, each
 * its own broker on a real NATS server (own namespace), with a fresh database per service.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
	const {
		workflowsNodes = 3,
		buildingsNodes = 1,
		api = true,
		balancer = "nats",
		transporter = NATS_URL,
		brokerOptions: extraOptions = {},
	} = options;
	const namespace = uniqueName("test");
	const buildingsDb = `${namespace}_buildings`;
	const workflowsDb = `${namespace}_workflows`;
	const buildingsDatabaseUrl = await createDatabase(buildingsDb);
	const workflowsDatabaseUrl = await createDatabase(workflowsDb);
	// The DB mixin reads these when a service is created.
	process.env.BUILDINGS_DATABASE_URL = buildingsDatabaseUrl;
	process.env.WORKFLOWS_DATABASE_URL = workflowsDatabaseUrl;

	const brokerOptions = (nodeID: string, services: string[]): BrokerOptions => ({
		...config,
		namespace,
		nodeID: `${nodeID}-${namespace}`,
		// The transporter the nodes run with, one instance per broker.
		transporter:
			transporter === null
				? undefined
				: new CoalescingNatsTransporter({ url: typeof transporter === "function" ? transporter(services) : transporter }),
		disableBalancer: transporter !== null && balancer === "nats",
		logger: false,
		...extraOptions,
	});
	const node = (nodeID: string, services: string[]): ServiceBroker => {
		const broker = new ServiceBroker(brokerOptions(nodeID, services));
		for (const name of services) broker.loadService(path.join(SERVICES_DIR, name, `${name}.service.ts`));
		return broker;
	};

	const brokers: ServiceBroker[] = [];
	let buildings: ServiceBroker;
	if (transporter === null) {
		buildings = node("local", api ? ["api", "buildings", "workflows"] : ["buildings", "workflows"]);
		brokers.push(buildings);
	} else {
		buildings = node("buildings", ["buildings"]);
		brokers.push(buildings);
		for (let i = 2; i <= buildingsNodes; i++) brokers.push(node(`buildings-${i}`, ["buildings"]));
		for (let i = 1; i <= workflowsNodes; i++) brokers.push(node(`workflows-${i}`, ["workflows"]));
		if (api) brokers.push(node("api", ["api"]));
	}

	const stop = async () => {
		await Promise.allSettled(brokers.map(broker => broker.stop()));
		await dropDatabase(buildingsDb);
		await dropDatabase(workflowsDb);
	};

	try {
		// All at once, as containers would: the migrations must cope.
		await Promise.all(brokers.map(broker => broker.start()));
		const expected = transporter === null ? 1 : workflowsNodes;
		const expectedBuildings = transporter === null ? 1 : buildingsNodes;
		await waitFor(`${expected} workflows node(s) in the registry`, () => nodesRunning(buildings, "workflows").length === expected);
		const gateway = brokers.find(broker => broker.getLocalService("api"));
		// Every node, not only the first: a test may address any of them by node ID.
		if (gateway)
			await waitFor(
				"the gateway to see every buildings and workflows node",
				() => nodesRunning(gateway, "buildings").length === expectedBuildings && nodesRunning(gateway, "workflows").length === expected,
			);
		// moleculer-web's HTTP server, on the port it was given (0: any free port).
		const api = gateway?.getLocalService("api");
		const server = api && "server" in api && api.server instanceof Server ? api.server : undefined;
		const apiUrl = server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` : "";
		const addWorkflowsNode = async () => {
			const broker = node(`workflows-added-${brokers.length}`, ["workflows"]);
			brokers.push(broker);
			await broker.start();
			await waitFor(`${broker.nodeID} in the registry`, () => nodesRunning(buildings, "workflows").includes(broker.nodeID));
			return broker;
		};
		return { namespace, buildingsDatabaseUrl, workflowsDatabaseUrl, brokers, buildings, apiUrl, addWorkflowsNode, stop };
	} catch (err) {
		await stop();
		throw err;
	}
}
