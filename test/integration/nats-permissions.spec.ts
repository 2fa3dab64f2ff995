import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { startCluster, type TestCluster } from "../support/cluster";
import { http } from "../support/http";
import { waitFor } from "../support/infra";
import { NatsServer, freePort } from "../support/processes";

// The nats-server of docker-compose.yml, from its own config file (nats/nats.conf), on a free
// loopback port: each node kind connects as its own user and the cluster works; a subject the
// kind does not need is refused.
describe("NATS users of docker-compose.yml (nats/nats.conf)", () => {
	const passwords = { api: "api-Pa55", buildings: "buildings-Pa55", workflows: "workflows-Pa55" };
	const config = path.join(__dirname, "..", "..", "nats", "nats.conf");
	let nats: NatsServer;
	let cluster: TestCluster;
	let prefix = "";
	let workDir = "";
	const clients: NatsConnection[] = [];

	beforeAll(async () => {
		// In compose the passwords come from the server's environment; here, which a child of
		// jest does not inherit, from definitions put in front of the file's text as it is.
		const definitions = Object.entries(passwords).map(([user, pass]) => `NATS_${user.toUpperCase()}_PASSWORD: "${pass}"`);
		workDir = mkdtempSync(path.join(tmpdir(), "nats-permissions-"));
		const file = path.join(workDir, "nats.conf");
		writeFileSync(file, [...definitions, readFileSync(config, "utf8")].join("\n"));
		nats = new NatsServer(await freePort(), ["--config", file, "--http_port", String(await freePort())]);
		await nats.start();
		const url = (user: keyof typeof passwords) => `nats://${user}:${passwords[user]}@127.0.0.1:${nats.port}`;
		cluster = await startCluster({ workflowsNodes: 2, transporter: services => url(services[0] as keyof typeof passwords) });
		prefix = `MOL-${cluster.namespace}`;
	});
	afterAll(async () => {
		await Promise.allSettled(clients.map(client => client.close()));
		await cluster?.stop();
		await nats?.stop();
		rmSync(workDir, { recursive: true, force: true });
	});

	/** A client of this user; the permission errors the server reports to it, as they come. */
	async function client(user: keyof typeof passwords): Promise<{ nc: NatsConnection; errors: string[] }> {
		const nc = await connect({ servers: `127.0.0.1:${nats.port}`, user, pass: passwords[user] });
		clients.push(nc);
		const errors: string[] = [];
		void (async () => {
			for await (const status of nc.status()) if (status.type === "error") errors.push(JSON.stringify(status));
		})();
		return { nc, errors };
	}

	it("carries the cluster's traffic: a building, its workflow on a workflows node, readiness, a removal", async () => {
		const created = await http("POST", `${cluster.apiUrl}/buildings`, { name: "Over restricted users" });
		expect(created.status).toBe(201);
		expect(created.body.workflowStatus).toBe("created");
		expect((await http("GET", `${cluster.apiUrl}/buildings/${created.body.id}`)).body.workflow).toMatchObject({ id: expect.any(Number) });
		expect((await http("GET", `${cluster.apiUrl}/health/ready`)).status).toBe(200);
		expect((await http("GET", `${cluster.apiUrl}/workflows?buildingId=${created.body.id}`)).body.total).toBe(1);
		// A change to the workflow reaches the buildings service before its answer.
		const workflowId = (created.body as { workflowId: number }).workflowId;
		expect((await http("PATCH", `${cluster.apiUrl}/workflows/${workflowId}`, { status: "running" })).status).toBe(200);
		expect((await http("GET", `${cluster.apiUrl}/buildings/${created.body.id}`)).body.workflow).toMatchObject({ status: "running" });
		// A removal reaches the workflows nodes through the outbox.
		expect((await http("DELETE", `${cluster.apiUrl}/buildings/${created.body.id}`)).status).toBe(200);
		expect((await http("GET", `${cluster.apiUrl}/buildings/${created.body.id}`)).status).toBe(404);
		await waitFor("the building's workflows to go", async () => {
			const left = await http("GET", `${cluster.apiUrl}/workflows?buildingId=${created.body.id}`);
			return left.body.total === 0;
		});
	});

	it.each([
		["workflows", "subscribe", "REQB.buildings.create"],
		["api", "subscribe", "REQB.workflows.create"],
		["workflows", "publish", "REQB.buildings.create"],
		["workflows", "publish", "REQB.buildings.remove"],
		["api", "subscribe", "EVENTB.workflows.workflows.changed"],
	] as const)("refuses %s a %s to %s", async (user, what, subject) => {
		const { nc, errors } = await client(user);
		const full = `${prefix}.${subject}`;
		const received: string[] = [];
		if (what === "subscribe") nc.subscribe(full, { queue: subject, callback: (err, msg) => received.push(err ? "error" : msg.subject) });
		else nc.publish(full, new TextEncoder().encode("{}"));
		await nc.flush();
		await waitUntil(() => errors.some(error => /PERMISSIONS_VIOLATION/.test(error)));
		expect(errors.join("\n")).toContain(`"operation":"${what === "subscribe" ? "subscription" : "publish"}","subject":"${full}"`);
		expect(received.filter(r => r !== "error")).toEqual([]);
	});

	it("lets the api user take the buildings service's requests, which the gateway's node runs by default", async () => {
		const { nc, errors } = await client("api");
		const subject = `${prefix}.REQB.buildings.get`;
		const received: string[] = [];
		// A queue group of its own: the cluster's buildings node, in the group "buildings.get", gets its own copy.
		nc.subscribe(subject, { queue: "permission-check", callback: (err, msg) => received.push(err ? "error" : msg.subject) });
		nc.publish(subject, new TextEncoder().encode("{}"));
		await nc.flush();
		await waitUntil(() => received.length > 0);
		expect(received).toEqual([subject]);
		expect(errors).toEqual([]);
	});

	it("refuses a wrong password", async () => {
		await expect(connect({ servers: `127.0.0.1:${nats.port}`, user: "api", pass: "guess", reconnect: false })).rejects.toThrow(
			/authorization/i,
		);
	});
});

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error("Not within 5 s.");
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}
