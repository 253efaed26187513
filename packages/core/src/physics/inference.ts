// Filled in by the physics work; see physics/index.ts.
export {};
