import { CreationRates } from "../../services/api/creations";
import { balancedSubject, readConnz, type NatsSnapshot } from "../../services/api/nats-monitor";

const empty = (): NatsSnapshot => ({ servers: [], serverOf: new Map(), queueSubscribers: [], errors: [] });
const sub = (subject: string, qgroup?: string) => ({ subject, qgroup });

describe("the NATS side of the cluster page", () => {
	it("tells each node's connection by its own request subject, and who holds the queue subscription", () => {
		const snapshot = empty();
		const connz = {
			server_id: "NABC",
			connections: [
				{
					cid: 1,
					subscriptions_list_detail: [sub("MOL-buildings.REQ.workflows-1"), sub("MOL-buildings.REQB.workflows.create", "workflows.create")],
				},
				{ cid: 2, subscriptions_list_detail: [sub("MOL-buildings.REQ.api-1"), sub("MOL-buildings.INFO")] },
				// Another namespace on the same server, and a client that is no node.
				{ cid: 3, subscriptions_list_detail: [sub("MOL-other.REQ.x"), sub("MOL-other.REQB.workflows.create", "workflows.create")] },
				{ cid: 4 },
			],
		};
		readConnz(connz, "127.0.0.1:8222", "buildings", "workflows.create", snapshot);
		expect(snapshot.servers).toEqual(["127.0.0.1:8222"]);
		expect(Object.fromEntries(snapshot.serverOf)).toEqual({ "workflows-1": "127.0.0.1:8222", "api-1": "127.0.0.1:8222" });
		expect(snapshot.queueSubscribers).toEqual(["workflows-1"]);
	});

	it("names a server by its configured name when it has one", () => {
		const snapshot = empty();
		readConnz({ server_id: "NABC", server_name: "nats-a", connections: [] }, "nats:8222", "", "workflows.create", snapshot);
		expect(snapshot.servers).toEqual(["nats-a"]);
		expect(balancedSubject("", "workflows.create")).toBe("MOL.REQB.workflows.create");
	});
});

describe("creation rates", () => {
	it("gives the rate and each node's share over the window, counting a node that joined from zero", () => {
		const rates = new CreationRates(5000);
		rates.update(new Map([["w1", 100]]), 0);
		const view = rates.update(
			new Map([
				["w1", 130],
				["w2", 10],
			]),
			2000,
		);
		expect(view).toEqual({
			window: 2,
			perSecond: 20,
			nodes: [
				{ nodeID: "w1", total: 130, perSecond: 15, share: 0.75 },
				{ nodeID: "w2", total: 10, perSecond: 5, share: 0.25 },
			],
		});
	});

	it("forgets samples older than the window, and has no share without creations", () => {
		const rates = new CreationRates(5000);
		rates.update(new Map([["w1", 0]]), 0);
		rates.update(new Map([["w1", 50]]), 5000);
		const later = rates.update(new Map([["w1", 50]]), 10_000);
		expect(later).toEqual({ window: 5, perSecond: 0, nodes: [{ nodeID: "w1", total: 50, perSecond: 0, share: null }] });
		// After a pause in polling, the rate does not span it.
		expect(rates.update(new Map([["w1", 80]]), 60_000).window).toBe(0);
	});
});
