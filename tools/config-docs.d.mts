/** Renders docs/configuration.md from the @crossbar/core module (built or sources). */
export function renderConfigurationReference(core: Record<string, unknown>): string;
