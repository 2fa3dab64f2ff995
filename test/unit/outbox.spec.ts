import { requestKey } from "../../services/buildings/request-keys";
import { backoffMs } from "../../services/buildings/outbox";

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

describe("requestKey", () => {
	const hash = (params: Record<string, unknown>) => requestKey("k", params).hash;

	it("ignores key order and treats a missing field as null", () => {
		expect(hash({ name: "HQ", workflowName: undefined })).toBe(hash({ workflowName: null, name: "HQ" }));
	});

	it("differs when any value differs", () => {
		expect(hash({ name: "HQ" })).not.toBe(hash({ name: "HQ " }));
		expect(hash({ name: "HQ", workflowName: "a" })).not.toBe(hash({ name: "HQ", workflowName: "b" }));
	});
});
