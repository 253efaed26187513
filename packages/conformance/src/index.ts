// @crossbar/conformance: see the conformance work.
export {};
