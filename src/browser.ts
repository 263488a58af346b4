// The public API that runs anywhere WebGPU does: in Node through Dawn, in a browser through
// navigator.gpu (dist/atrous.browser.js). Node-only parts (image files, weight files by path)
// are added by index.ts or imported lazily.
export { Device, type DeviceInfo, type DeviceOptions, type DispatchObserver, type DispatchRecord } from './tensor/device.ts';
export { Tensor, numel, type DType } from './tensor/tensor.ts';
export * from './tensor/errors.ts';
export { runKernel, grid1d, Params, type KernelCall } from './kernels/runner.ts';
export { fill, full } from './kernels/fill.ts';
export { copy, copyBlocks } from './kernels/copy.ts';
export { unary, relu, type UnaryOp } from './kernels/unary.ts';
export { binary, add, mul, maximum, broadcastShape, BINARY_VARIANTS, type BinaryOp } from './kernels/binary.ts';
export { parseSafetensors, WeightFileError, type HostTensor } from './nn/safetensors.ts';
export { maxPool2d, avgPool2d, globalAvgPool2d, pool2dOutputSize, type Pool2dOptions } from './kernels/pool2d.ts';
export { resizeBilinear, caffeInterpSize, type ResizeOptions } from './kernels/resize.ts';
export { readCaffemodel, caffeTensors, type CaffeLayer } from './nn/caffemodel.ts';
export { parseWeights, loadWeightFile, checkWeights, sniffWeightFormat, type WeightFile, type WeightFormat } from './nn/weights.ts';
export { readPth } from './nn/pth.ts';
export { ConvLayers, type ConvLayerSpec } from './nn/conv_layers.ts';
export { softmaxChannels } from './kernels/softmax.ts';
export { argmaxChannels } from './kernels/argmax.ts';
export { sumN, maxN } from './kernels/reduce_n.ts';
export { concatChannels } from './kernels/concat.ts';
export { flipHorizontal } from './kernels/flip.ts';
export { cropPad2d, type CropPadOptions } from './kernels/crop_pad.ts';
export { VOC_PALETTE, VOC_CLASSES } from './deeplab/palette.ts';
export { Confusion, formatIouTable } from './deeplab/miou.ts';
export { createModel, MODEL_NAMES, V2_RESNET, type SegmentationModel, type CreateModelOptions } from './deeplab/models.ts';
export { DeepLabV1, v1WeightShapes } from './deeplab/v1.ts';
export { V1_VARIANTS, V1_ARCH, v1Layers, v1PaddedSize, type V1Variant, type V1Config, type V1Widths } from './deeplab/v1_arch.ts';
export { DeepLabV2ResNet, V2_SCALES, type V2Scale, type V2ResNetConfig } from './deeplab/v2_resnet.ts';
export { resnetLayers, resnetConvs, resnetWeightShapes, RESNET101_WIDTHS, type ResNetWidths } from './deeplab/v2_resnet_arch.ts';
export { DeepLabV3 } from './deeplab/v3.ts';
export { V3_VARIANTS, v3Layers, v3Convs, v3WeightShapes, type V3Variant } from './deeplab/v3_arch.ts';
export { caffePreprocess, caffePreprocessTensor, CAFFE_MEAN_BGR, torchvisionPreprocess, torchvisionPreprocessTensor, TORCHVISION_MEAN, TORCHVISION_STD } from './deeplab/preprocess.ts';
export { denseCrf, denseCrfBrute, prepareCrf, runCrf, argmaxLabels, unaryFromLogits, unaryFromProbabilities, CRF_DEFAULTS, MAX_LABELS, CrfError, type CrfParams, type CrfPrepared } from './deeplab/crf.ts';
export { buildLattice, filterCpu, type Lattice } from './deeplab/lattice.ts';
export { readNpy, writeNpy, NpyError } from './io/npy.ts';
export { conv2d, conv2dOutputSize, Conv2dWeights, CONV2D_VARIANTS, CONV2D_SHAPE_VARIANTS, type Conv2dOptions } from './kernels/conv2d.ts';
export { foldBatchNorm } from './nn/batchnorm.ts';
