// @crossbar/backend-gpujs: see the gpu.js engine work.
export {};
