// @crossbar/modules: see the modules work.
export {};
