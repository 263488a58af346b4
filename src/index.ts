// Public API of atrous.
export { Device, type DeviceInfo, type DeviceOptions, type DispatchObserver, type DispatchRecord } from './tensor/device.ts';
export { Tensor, numel, type DType } from './tensor/tensor.ts';
export * from './tensor/errors.ts';
export { runKernel, grid1d, Params, type KernelCall } from './kernels/runner.ts';
export { fill, full } from './kernels/fill.ts';
export { copy, copyBlocks } from './kernels/copy.ts';
export { unary, relu, type UnaryOp } from './kernels/unary.ts';
export { binary, add, mul, maximum, broadcastShape, type BinaryOp } from './kernels/binary.ts';
export { parseSafetensors, WeightFileError, type HostTensor } from './nn/safetensors.ts';
export { maxPool2d, avgPool2d, globalAvgPool2d, pool2dOutputSize, type Pool2dOptions } from './kernels/pool2d.ts';
export { resizeBilinear, caffeInterpSize, type ResizeOptions } from './kernels/resize.ts';
export { readCaffemodel, caffeTensors, type CaffeLayer } from './nn/caffemodel.ts';
export { parseWeights, loadWeightFile, checkWeights, sniffWeightFormat, type WeightFile, type WeightFormat } from './nn/weights.ts';
export { softmaxChannels } from './kernels/softmax.ts';
export { argmaxChannels } from './kernels/argmax.ts';
