import { removeNetwork } from "./network";

/** After the tier, whatever happened: no test host left behind. */
export default function globalTeardown(): void {
	removeNetwork();
}
