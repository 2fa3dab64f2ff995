import { requestHash } from "../../mixins/idempotency.mixin";
import { backoffMs } from "../../mixins/outbox.mixin";

describe("backoffMs", () => {
	it("starts near 0.5 s, doubles with each attempt, and stops at the cap", () => {
		for (let i = 0; i < 50; i++) {
			expect(backoffMs(1, 10_000)).toBeGreaterThanOrEqual(400);
			expect(backoffMs(1, 10_000)).toBeLessThanOrEqual(600);
			expect(backoffMs(3, 10_000)).toBeGreaterThanOrEqual(1600);
			expect(backoffMs(3, 10_000)).toBeLessThanOrEqual(2400);
			expect(backoffMs(30, 10_000)).toBeLessThanOrEqual(12_000);
			expect(backoffMs(30, 10_000)).toBeGreaterThanOrEqual(8000);
		}
	});
});

describe("requestHash", () => {
	it("ignores key order and treats a missing field as null", () => {
		expect(requestHash({ name: "HQ", workflowName: undefined })).toBe(requestHash({ workflowName: null, name: "HQ" }));
	});

	it("differs when any value differs", () => {
		expect(requestHash({ name: "HQ" })).not.toBe(requestHash({ name: "HQ " }));
		expect(requestHash({ name: "HQ", workflowName: "a" })).not.toBe(requestHash({ name: "HQ", workflowName: "b" }));
	});
});
