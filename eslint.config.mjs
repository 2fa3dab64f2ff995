// Lint: typescript-eslint's recommended rules, no unused code, and no promise left floating
// (those need the type checker); formatting is Prettier's.
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
	{ ignores: ["dist/", "node_modules/", "data/", "bench/results/", "coverage/", "*.config.js", "eslint.config.mjs"] },
	...tseslint.configs.recommended,
	{
		languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
		rules: {
			"@typescript-eslint/no-floating-promises": "error",
			"@typescript-eslint/no-misused-promises": "error",
			"@typescript-eslint/await-thenable": "error",
			// An unused argument named with a leading underscore is one a signature requires.
			"@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
		},
	},
	{
		// A service class merges with an interface that declares what its mixins add to it.
		files: ["services/*.service.ts"],
		rules: {
			"@typescript-eslint/no-unsafe-declaration-merging": "off",
			"@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
		},
	},
	{
		// The pages' scripts run in the browser as they are: plain JavaScript, no type checker.
		files: ["services/api/public/**/*.js"],
		...tseslint.configs.disableTypeChecked,
		languageOptions: {
			sourceType: "script",
			parserOptions: { projectService: false, project: false },
			globals: { window: "readonly", document: "readonly", fetch: "readonly", setTimeout: "readonly", SwaggerUIBundle: "readonly" },
		},
	},
	{
		// Tests read JSON answers and YAML as they come.
		files: ["test/**/*.ts"],
		rules: { "@typescript-eslint/no-explicit-any": "off" },
	},
	prettier,
);
