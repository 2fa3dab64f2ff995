/** @type {import("jest").Config} */
module.exports = {
	preset: "ts-jest",
	testEnvironment: "node",
	roots: ["<rootDir>/test"],
	testMatch: ["**/*.spec.ts"],
	setupFiles: ["<rootDir>/test/support/env.ts"],
	testTimeout: 60_000,
	// Brokers and pools must be closed by each test file; this catches one that is not.
	detectOpenHandles: false,
};
