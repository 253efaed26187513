// @crossbar/cli: see the CLI work.
export {};
