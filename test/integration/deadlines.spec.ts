import { ServiceBroker, Transporters, type Context } from "moleculer";
import { callerDeadline, callIdempotent } from "../../broker/idempotent-call";
import { NATS_URL, uniqueName } from "../support/infra";

// A caller's deadline reaches the node that handles the call: `callIdempotent` sends each copy with
// the time left, and the handler reads it back with `callerDeadline` (workflows.create drops a
// write its caller no longer waits for).
describe("the caller's deadline, across NATS", () => {
	const namespace = uniqueName("deadline");
	const make = (nodeID: string) =>
		new ServiceBroker({ nodeID, namespace, transporter: new Transporters.NATS(NATS_URL), logger: false, requestTimeout: 0 });
	const caller = make("caller");
	const handler = make("handler");
	handler.createService({
		name: "deadline",
		actions: { seen: { visibility: "public", handler: (ctx: Context) => callerDeadline(ctx) ?? null } },
	});
	beforeAll(() => Promise.all([caller.start(), handler.start()]).then(() => caller.waitForServices("deadline", 10_000)));
	afterAll(() => Promise.all([caller.stop(), handler.stop()]));

	it("is the deadline the caller set, within the time the request took to arrive", async () => {
		const deadline = Date.now() + 2000;
		const seen = await callIdempotent<number, object>(caller, "deadline.seen", {}, { deadline, attemptMs: 1000 });
		expect(Math.abs(seen - deadline)).toBeLessThan(200);
	});

	it("is undefined for a call without a timeout", async () => {
		expect(await caller.call("deadline.seen", {})).toBeNull();
	});
});
