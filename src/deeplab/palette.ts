/** The PASCAL VOC class names, index = label value (255 marks "ignore" in VOC's ground truth). */
export const VOC_CLASSES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/**
 * The PASCAL VOC colour map (VOCdevkit's labelcolormap.m): the bits of the label index are dealt out
 * to R, G, B in turn, most significant bit first. 256 × RGB, so 1 is (128,0,0) and 255 is (224,224,192).
 */
export const VOC_PALETTE: Uint8Array = (() => {
  const p = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 7; j >= 0; j--, c >>= 3) {
      p[i * 3] |= (c & 1) << j;
      p[i * 3 + 1] |= ((c >> 1) & 1) << j;
      p[i * 3 + 2] |= ((c >> 2) & 1) << j;
    }
  }
  return p;
})();
