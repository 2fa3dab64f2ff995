import { rmSync } from "node:fs";
import path from "node:path";
import { removeNetwork } from "./network";

/**
 * Before the tier: root or nothing (only root makes network namespaces), then what a killed
 * earlier run left (namespaces and links named with the prefix, and what runs in them) removed.
 */
export default function globalSetup(): void {
	if (process.getuid?.() !== 0) {
		console.error("npm run test:hosts needs root: it builds test hosts with ip netns, veth pairs and bridges; run it as root (CI does).");
		process.exit(1);
	}
	removeNetwork();
	rmSync(path.join(__dirname, "..", "..", "test-artifacts", "hosts-figures.jsonl"), { force: true });
}
