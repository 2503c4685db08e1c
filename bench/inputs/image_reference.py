#!/usr/bin/env python3
"""Reference tensors for TaskVectors' image preprocessing, computed with PIL the way torchvision does.

torchvision's CLIP transform on a PIL image is Resize(n, BICUBIC) + CenterCrop(n) + convert("RGB") +
ToTensor + Normalize(CLIP mean, std); for PIL inputs torchvision's Resize calls PIL's Image.resize
(bicubic a = -0.5, antialiased when downscaling), so it is replicated here with PIL alone (Debian 12
has no python3-torchvision). The rules copied from torchvision 0.15 functional_pil/functional:
  resized size: short side = n, long side = int(n * long / short)
  crop offset:  int(round((size - n) / 2.0))   (Python's round: half to even)

Usage (Debian's interpreter, python3-pil + python3-numpy):
  /usr/bin/python3 bench/inputs/image_reference.py --source /path/to/skimage/data --out data/fixtures/images
With --source it first (re)creates the small fixture images from scikit-image's sample photos
(Debian python3-skimage: chelsea and coffee CC0, rocket public domain; see data/fixtures/images/ATTRIBUTION.md).
Writes, compactly, for every fixture NAME: NAME.clip96.u8.npy and (chelsea only) NAME.clip224.u8.npy, the
(3, n, n) uint8 pixels ToTensor receives (ToTensor divides them by 255 exactly, so nothing is lost), and
NAME.gray28.u8.npy (1, 28, 28); chelsea.clip96.npy, the final (1, 3, 96, 96) float32 tensor normalized with
the CLIP constants; and formats.rgb.npy, the (H, W, 3) uint8 pixels PIL decodes from formats.{png,bmp,gif,webp}
(all lossless, the same pixels).
"""
import argparse, os

import numpy as np
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
FIXTURES = ["chelsea.png", "coffee.png", "rocket.jpg"]


def make_fixtures(source, out):
    # Downscaled copies keep the committed data small; the CLIP 224 path then upscales, the 96 path downscales.
    Image.open(os.path.join(source, "chelsea.png")).convert("RGB").resize((226, 150), Image.LANCZOS).save(
        os.path.join(out, "chelsea.png"), optimize=True)
    Image.open(os.path.join(source, "coffee.png")).convert("RGB").resize((240, 160), Image.LANCZOS).save(
        os.path.join(out, "coffee.png"), optimize=True)
    Image.open(os.path.join(source, "rocket.jpg")).convert("RGB").resize((288, 192), Image.LANCZOS).save(
        os.path.join(out, "rocket.jpg"), quality=90, subsampling=0)
    # 4:4:4 chroma: with 4:2:0, the chroma upsampling of ImageSharp and libjpeg differ by up to ~23/255 (decoder, not preprocessing).
    # One small crop in every lossless format (GIF: quantized to a palette first, so all decode the same).
    tile = Image.open(os.path.join(source, "coffee.png")).convert("RGB").resize((48, 32), Image.LANCZOS)
    tile = tile.quantize(colors=64, dither=Image.Dither.NONE).convert("RGB")
    tile.save(os.path.join(out, "formats.png"))
    tile.save(os.path.join(out, "formats.bmp"))
    tile.save(os.path.join(out, "formats.gif"))
    tile.save(os.path.join(out, "formats.webp"), lossless=True)


def resize_short_side(img, n):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = n, int(n * long / short)
    size = (new_short, new_long) if w <= h else (new_long, new_short)
    return img.resize(size, Image.BICUBIC)


def center_crop(img, n):
    w, h = img.size
    top = int(round((h - n) / 2.0))
    left = int(round((w - n) / 2.0))
    return img.crop((left, top, left + n, top + n))


def to_tensor(img, mean=None, std=None):
    x = np.asarray(img, dtype=np.float32) / 255.0
    if x.ndim == 2:
        x = x[:, :, None]
    x = x.transpose(2, 0, 1)
    if mean is not None:
        x = (x - np.asarray(mean, np.float32)[:, None, None]) / np.asarray(std, np.float32)[:, None, None]
    return x[None].astype(np.float32)


def clip_pixels(img, n):
    return center_crop(resize_short_side(img, n), n).convert("RGB")


def gray_pixels(img, n):
    return center_crop(resize_short_side(img.convert("L"), n), n)


def chw_u8(img):
    x = np.asarray(img, dtype=np.uint8)
    return (x[:, :, None] if x.ndim == 2 else x).transpose(2, 0, 1).copy()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", help="scikit-image's data folder (recreates the fixture images)")
    p.add_argument("--out", default="data/fixtures/images")
    a = p.parse_args()
    if a.source:
        make_fixtures(a.source, a.out)
    for name in FIXTURES:
        img = Image.open(os.path.join(a.out, name)).convert("RGB")
        stem = os.path.splitext(name)[0]
        if stem == "chelsea":
            np.save(os.path.join(a.out, stem + ".clip224.u8.npy"), chw_u8(clip_pixels(img, 224)))
            np.save(os.path.join(a.out, stem + ".clip96.npy"), to_tensor(clip_pixels(img, 96), CLIP_MEAN, CLIP_STD))
        np.save(os.path.join(a.out, stem + ".clip96.u8.npy"), chw_u8(clip_pixels(img, 96)))
        np.save(os.path.join(a.out, stem + ".gray28.u8.npy"), chw_u8(gray_pixels(img, 28)))
        print(stem, img.size)
    pixels = [np.asarray(Image.open(os.path.join(a.out, "formats." + e)).convert("RGB")) for e in ("png", "bmp", "gif", "webp")]
    assert all((q == pixels[0]).all() for q in pixels), "lossless formats decode differently"
    np.save(os.path.join(a.out, "formats.rgb.npy"), pixels[0])


if __name__ == "__main__":
    main()
