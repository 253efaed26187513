/**
 * protobufjs 6 (under onnx-proto) finds its 64-bit integer class by a dynamic
 * `require('long')` from its own folder, which resolves to whichever `long` the
 * package manager hoisted (long 5's ES module in some test runners: a class
 * without `fromBits`, and onnx-proto then fails as it loads). Handing it the
 * class explicitly, before onnx-proto is evaluated, makes the import the same
 * everywhere. Imported for its effect, first, by onnx.ts.
 */
import Long from 'long';
import protobuf from 'protobufjs/minimal.js';

protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();
