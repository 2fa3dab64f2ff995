import type { AddressInfo } from "node:net";
import { ServiceBroker, type BrokerOptions } from "moleculer";
import { configWith, echoPair } from "../support/config";
import { uniqueName, waitFor } from "../support/infra";
import { freePort } from "../support/processes";

type Listening = { server: { address(): AddressInfo | null } };

/** Where a broker's TCP transporter listens. */
function tcpAddress(broker: ServiceBroker): AddressInfo | null {
	return (broker.transit!.tx as unknown as { reader: Listening }).reader.server.address();
}

/** Where a broker's Prometheus reporter listens. */
function metricsAddress(broker: ServiceBroker): AddressInfo | null {
	const reporters = (broker.metrics as unknown as { reporter: Listening[] }).reporter;
	return reporters[0].server.address();
}

// The TCP transporter and the metrics listen on loopback unless TCP_HOST / METRICS_HOST say otherwise.
describe("listening addresses", () => {
	const brokers: ServiceBroker[] = [];
	afterEach(async () => {
		await Promise.allSettled(brokers.splice(0).map(broker => broker.stop()));
	});

	async function tcpPair(env: Record<string, string>): Promise<[ServiceBroker, ServiceBroker]> {
		const [a, b] = [await freePort(), await freePort()];
		const nodes = `127.0.0.1:${a}/caller,127.0.0.1:${b}/responder`;
		const make = (nodeID: string) =>
			new ServiceBroker({
				...configWith({ TRANSPORTER: "TCP", TCP_NODES: nodes, NAMESPACE: uniqueName("listen"), LOG_LEVEL: "warn", ...env }),
				nodeID,
				skipProcessEventRegistration: true,
			} as BrokerOptions);
		const [caller, responder] = echoPair(make, brokers);
		await Promise.all([caller.start(), responder.start()]);
		await caller.waitForServices("echo", 15_000);
		return [caller, responder];
	}

	it("TCP: 127.0.0.1 by default, and the nodes still reach each other", async () => {
		const [caller, responder] = await tcpPair({});
		expect(tcpAddress(caller)?.address).toBe("127.0.0.1");
		expect(tcpAddress(responder)?.address).toBe("127.0.0.1");
		await expect(caller.call("echo.say", { hello: 1 })).resolves.toEqual({ hello: 1 });
	});

	it("TCP: TCP_HOST=0.0.0.0 listens on every interface", async () => {
		const [caller] = await tcpPair({ TCP_HOST: "0.0.0.0" });
		expect(tcpAddress(caller)?.address).toBe("0.0.0.0");
	});

	it("metrics: 127.0.0.1 by default, METRICS_HOST otherwise; METRICS_PORT=0 is refused", async () => {
		for (const [host, expected] of [
			[undefined, "127.0.0.1"],
			["0.0.0.0", "0.0.0.0"],
		] as const) {
			const port = await freePort();
			const env = { METRICS: "true", METRICS_PORT: String(port), ...(host ? { METRICS_HOST: host } : {}) };
			const broker = new ServiceBroker({ ...configWith(env), transporter: null, logger: false, skipProcessEventRegistration: true });
			brokers.push(broker);
			await broker.start();
			// The reporter starts listening without the broker waiting for it.
			await waitFor("the metrics to listen", () => metricsAddress(broker) !== null, 5000);
			expect(metricsAddress(broker)).toMatchObject({ address: expected, port });
			expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
		}
		// Moleculer's reporter would listen on every interface, whatever METRICS_HOST says.
		expect(() => configWith({ METRICS: "true", METRICS_PORT: "0" })).toThrow(/METRICS_PORT must be an integer from 1 to 65535/);
	});
});
