import { rmSync } from "node:fs";
import { provisioned } from "./global-setup";

/** After the test run: stops what global-setup started. */
export default async function globalTeardown(): Promise<void> {
	await provisioned.nats?.stop();
	await provisioned.postgres?.stop();
	if (provisioned.dataDir) rmSync(provisioned.dataDir, { recursive: true, force: true });
}
