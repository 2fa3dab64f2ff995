import { ServiceBroker, type BrokerOptions } from "moleculer";
import { configWith } from "../support/config";
import { NATS_URL, uniqueName, waitFor } from "../support/infra";

// A call whose answer never comes (the node took it and died, or hangs): once it has timed out,
// nothing of it is left on the caller, so the caller's stop is not held by it.
describe("a call that timed out", () => {
	const namespace = uniqueName("timedout");
	const make = (nodeID: string, options: Partial<BrokerOptions> = {}) =>
		new ServiceBroker({
			...configWith({ TRANSPORTER: NATS_URL, NAMESPACE: namespace, LOG_LEVEL: "error" }),
			nodeID,
			skipProcessEventRegistration: true,
			...options,
		} as BrokerOptions);
	const caller = make("caller");
	// Its own stop need not wait for the call it never answers.
	const silent = make("silent", { tracking: { enabled: false } });
	silent.createService({
		name: "silent",
		actions: { never: { visibility: "public", handler: () => new Promise(() => undefined) } },
	});

	beforeAll(() => Promise.all([caller.start(), silent.start()]).then(() => caller.waitForServices("silent", 10_000)));
	afterAll(() => silent.stop());

	it("is neither tracked nor pending on the caller a second after it timed out, and the caller stops at once", async () => {
		const internals = caller as unknown as { _trackedContexts: unknown[]; transit: { pendingRequests: Map<string, unknown> } };
		await expect(caller.call("silent.never", {}, { timeout: 200 })).rejects.toMatchObject({ name: "RequestTimeoutError" });
		// Swept within a second of its timeout.
		await waitFor("the call to be forgotten", () => internals._trackedContexts.length === 0, 2000);
		expect(internals.transit.pendingRequests.size).toBe(0);
		const stopping = Date.now();
		await caller.stop();
		expect(Date.now() - stopping).toBeLessThan(2000);
	});
});
