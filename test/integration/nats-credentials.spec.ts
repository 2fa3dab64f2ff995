import type { BrokerOptions } from "moleculer";
import { ServiceBroker } from "moleculer";
import { connect } from "nats";
import { NatsServer, freePort } from "../support/processes";
import { CoalescingNatsTransporter } from "../../framework/coalescing-nats";
import { configWith, echoPair } from "../support/config";
import { uniqueName } from "../support/infra";

// NATS credentials come from their own variables; a node without them is refused.
describe("NATS credentials", () => {
	const password = "s3cret-Pa55";
	const nats = new NatsServer(0, ["--user", "cluster", "--pass", password]);
	let url = "";
	const brokers: ServiceBroker[] = [];

	beforeAll(async () => {
		(nats as { port: number }).port = await freePort();
		await nats.start();
		url = nats.url;
	});
	afterAll(async () => {
		await Promise.allSettled(brokers.map(broker => broker.stop()));
		await nats.stop();
	});

	it("builds the transporter from TRANSPORTER, NATS_USER, NATS_PASSWORD, NATS_TOKEN and NATS_TLS_*", () => {
		const config = configWith({
			TRANSPORTER: "nats://a:4222,nats://b:4222",
			NATS_USER: "cluster",
			NATS_PASSWORD: "p@ss",
			NATS_TOKEN: "",
			NATS_TLS_CA: "/ca.pem",
			NATS_TLS_CERT: "/c.pem",
			NATS_TLS_KEY: "/k.pem",
		});
		// configWith loads the config in a module registry of its own: compare by name.
		expect(config.transporter?.constructor.name).toBe(CoalescingNatsTransporter.name);
		expect((config.transporter as CoalescingNatsTransporter).opts).toMatchObject({
			url: "nats://cluster:p%40ss@a:4222,nats://cluster:p%40ss@b:4222",
			tls: { caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" },
		});
		expect(configWith({ TRANSPORTER: "TCP" }).transporter?.constructor.name).toBe("PushingTcpTransporter");
	});

	it("connects with the credentials, and never logs the password", async () => {
		const lines: string[] = [];
		const namespace = uniqueName("auth");
		const logger = { type: "Console", options: { level: "debug" } };
		// A config each: a transporter serves one broker.
		const make = (nodeID: string) =>
			new ServiceBroker({
				...configWith({ TRANSPORTER: url, NATS_USER: "cluster", NATS_PASSWORD: password, NAMESPACE: namespace }),
				nodeID,
				logger,
				logLevel: "debug",
				skipProcessEventRegistration: true,
			} as BrokerOptions);
		const [caller, responder] = echoPair(make, brokers);
		// Moleculer's console logger writes through these.
		const spies = (["log", "info", "warn", "error", "debug"] as const).map(method =>
			jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.join(" "))),
		);
		try {
			await Promise.all([caller.start(), responder.start()]);
			await caller.waitForServices("echo", 10_000);
			expect(await caller.call("echo.say", { hello: "world" })).toEqual({ hello: "world" });
		} finally {
			for (const spy of spies) spy.mockRestore();
		}
		expect(lines.join("")).toContain("NATS client is connected");
		expect(lines.join("")).not.toContain(password);
	});

	it("is refused without them (so the connection above really used them)", async () => {
		await expect(connect({ servers: `127.0.0.1:${nats.port}`, maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization Violation/i);
	});
});
