import path from "node:path";
import { settings } from "../../config/settings";

const ROOT = path.join(__dirname, "..", "..");

// The tests leave the developer's checkout alone: they read no `.env` of its and write nothing in
// its data/ (test/support/outside-checkout.ts).
describe("the test run", () => {
	it("works from a folder outside the checkout", () => {
		expect(path.relative(ROOT, process.cwd()).startsWith("..")).toBe(true);
	});

	it("so a node's default data folder is not the checkout's data/", () => {
		expect(settings.local.dataDir.startsWith(path.join(ROOT, "data"))).toBe(false);
	});
});
