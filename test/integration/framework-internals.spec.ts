import { ServiceBroker, Transporters, type BrokerOptions } from "moleculer";
import DbService from "moleculer-db";
import ApiGateway from "moleculer-web";
import { DataTypes, Sequelize } from "sequelize";
import { CoalescingNatsTransporter } from "../../framework/coalescing-nats";
import { LocalFirst } from "../../framework/local-first";
import { dbServiceSchema, sequelizeStore } from "../../framework/moleculer-db";
import { createDatabase, dropDatabase, NATS_URL, query, uniqueName, waitFor } from "../support/infra";

// What framework/ relies on in Moleculer 0.15.2, moleculer-web 0.11.0, moleculer-db 0.9.0 and
// moleculer-db-adapter-sequelize 0.2.19, each checked on its own: an upgrade that changes one of
// these fails here, naming it, before the behaviour built on it goes wrong somewhere else.
// (The behaviour itself is tested where it is used: rest.spec.ts for the HTTP methods,
// tcp-fallback.spec.ts for the pushing TCP transporter, timed-out-calls.spec.ts for the sweep.)
describe("framework internals this project relies on", () => {
	const brokers: ServiceBroker[] = [];
	const make = (nodeID: string, options: Partial<BrokerOptions>) => {
		const broker = new ServiceBroker({ nodeID, logger: false, skipProcessEventRegistration: true, ...options });
		brokers.push(broker);
		return broker;
	};
	afterEach(async () => {
		await Promise.all(brokers.splice(0).map(broker => broker.stop()));
	});

	it("Moleculer's context tracker still holds a call to another node after it timed out (settle-timed-out-calls.ts sweeps it)", async () => {
		const namespace = uniqueName("tracked");
		const nats = () => ({ transporter: new Transporters.NATS(NATS_URL), namespace });
		const caller = make("caller", { ...nats(), tracking: { enabled: true, shutdownTimeout: 1000 } });
		const silent = make("silent", nats());
		silent.createService({ name: "silent", actions: { never: { visibility: "public", handler: () => new Promise(() => undefined) } } });
		await Promise.all([caller.start(), silent.start()]);
		await caller.waitForServices("silent", 10_000);
		await expect(caller.call("silent.never", {}, { timeout: 100 })).rejects.toMatchObject({ name: "RequestTimeoutError" });
		await new Promise(resolve => setTimeout(resolve, 1500));
		// Without the project's middleware, the call is still tracked long after its timeout.
		expect((caller as unknown as { _trackedContexts: unknown[] })._trackedContexts).toHaveLength(1);
	});

	it("Moleculer's NATS transporter sends every packet through send(), on a nats.js v2 client (coalescing-nats.ts)", async () => {
		const namespace = uniqueName("send");
		const transporter = new CoalescingNatsTransporter({ url: NATS_URL });
		const sent: string[] = [];
		const send = transporter.send.bind(transporter);
		transporter.send = (topic, data) => {
			sent.push(topic);
			return send(topic, data);
		};
		const caller = make("coalescing", { transporter, namespace, disableBalancer: true });
		const responder = make("responder", { transporter: new Transporters.NATS(NATS_URL), namespace, disableBalancer: true });
		responder.createService({ name: "echo", actions: { say: ctx => ctx.params } });
		await Promise.all([caller.start(), responder.start()]);
		await caller.waitForServices("echo", 10_000);
		sent.length = 0;
		await expect(caller.call("echo.say", { n: 1 })).resolves.toEqual({ n: 1 });
		// The queue-group request went out through send(), with the subject Moleculer gives it.
		expect(sent).toContain(`MOL-${namespace}.REQB.echo.say`);
		const client = transporter.client!;
		expect(client.getServer()).toBe(new URL(NATS_URL).host);
		expect(typeof client.status()[Symbol.asyncIterator]).toBe("function");
		// The server goes into the node's metadata, which the others see.
		await waitFor("the responder to see the caller's NATS server", () => {
			const node = responder.registry.nodes.get("coalescing");
			return node?.metadata?.natsServer === new URL(NATS_URL).host;
		});
	});

	it("moleculer-db's module is a service schema, and the Sequelize adapter takes noSync as its fourth argument (moleculer-db.ts)", async () => {
		const schema: unknown = DbService;
		expect(schema).toEqual(expect.objectContaining({ name: "", methods: expect.any(Object), actions: expect.any(Object) }));
		const database = uniqueName("nosync");
		const url = await createDatabase(database);
		const sequelize = new Sequelize(url, { logging: false });
		try {
			const broker = make("store", {});
			// A moleculer-db service on the project's store, with a model whose table does not exist.
			const unsynced = {
				name: "unsynced",
				mixins: [dbServiceSchema],
				adapter: sequelizeStore(sequelize),
				model: { name: "unsynced", define: { id: { type: DataTypes.INTEGER, primaryKey: true } } },
			};
			broker.createService(unsynced);
			await broker.start();
			// The adapter would have created the table; with noSync it is left to the migrations.
			expect(await query(url, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'unsynced%'")).toEqual([]);
		} finally {
			await Promise.all(brokers.splice(0).map(broker => broker.stop()));
			await dropDatabase(database);
		}
	});

	it("moleculer-web's gateway has the methods gateway-methods.ts wraps, and its aliases match paths", async () => {
		const methods = ApiGateway.methods as Record<string, unknown>;
		expect(typeof methods.httpHandler).toBe("function");
		expect(typeof methods.resolveAlias).toBe("function");
		const broker = make("gateway", {});
		const service = broker.createService({
			mixins: [ApiGateway],
			name: "api",
			settings: { port: 0, routes: [{ path: "/api", mappingPolicy: "restrict", aliases: { "GET /things/:id": "api.thing" } }] },
			actions: { thing: () => "thing" },
		});
		await broker.start();
		const aliases = (service as unknown as { aliases: { method: string; action: string; match(path: string): unknown }[] }).aliases;
		const alias = aliases.find(a => a.action === "api.thing")!;
		expect(alias.method).toBe("GET");
		expect(alias.match("/api/things/7")).toBeTruthy();
		expect(alias.match("/api/things")).toBeFalsy();
	});

	it("with queue groups choosing, Moleculer sends a call to its own node through NATS; LocalFirst keeps the gateway's in the node (local-first.ts)", async () => {
		const requestsSent = async (middlewares: BrokerOptions["middlewares"]) => {
			const transporter = new CoalescingNatsTransporter({ url: NATS_URL });
			const sent: string[] = [];
			const send = transporter.send.bind(transporter);
			transporter.send = (topic, data) => (sent.push(topic), send(topic, data));
			// No debounce of the node's INFO, and a bound on calls: a call sent before the node has
			// made its queue-group subscriptions would otherwise wait for ever.
			const broker = make(uniqueName("local"), {
				transporter,
				namespace: uniqueName("local"),
				disableBalancer: true,
				middlewares,
				requestTimeout: 5000,
				// A transit option of Moleculer's that its typings leave out.
				transit: { serviceChangedDebounceTime: 0 } as BrokerOptions["transit"],
			});
			broker.createService({ name: "echo", actions: { say: ctx => ctx.params } });
			// A call to this node's endpoint, as moleculer-web makes one for an alias (it picks the
			// endpoint with the built-in balancer, which prefers this node's).
			broker.createService({
				name: "api",
				actions: { relay: ctx => ctx.call("echo.say", ctx.params, { nodeID: ctx.broker.nodeID }) },
			});
			await broker.start();
			// The queue-group subscriptions are made when the node announces its services; announcing
			// once more and waiting for it means they are in place before the first call.
			await broker.registry.discoverer.sendLocalNodeInfo();
			sent.length = 0;
			await expect(broker.call("api.relay", { n: 1 })).resolves.toEqual({ n: 1 });
			return sent.filter(topic => /\.REQB?\./.test(topic));
		};
		// The test's own call to api.relay is one request; Moleculer's relay to echo.say another.
		expect(await requestsSent([])).toHaveLength(2);
		expect(await requestsSent([LocalFirst(["api"])])).toHaveLength(1);
	});
});
