"""Re-encoding avatars with Pillow: the stored image is one we wrote, not the upload.

Decoding and re-encoding drops everything an image file can smuggle: EXIF (GPS
position, camera serial), XMP, ICC profiles, trailing data, polyglot payloads. The
pixel count is checked from the header *before* decoding, so a decompression bomb
(a tiny file announcing a huge canvas) is refused without allocating it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from burency_files.domain.errors import UnsupportedFileType
from burency_files.domain.kinds import JPEG, PNG, WEBP

__all__ = ["Reencoded", "reencode"]

_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


@dataclass(frozen=True)
class Reencoded:
    data: bytes
    thumbnail: bytes
    content_type: str


def _save(image: Image.Image, fmt: str) -> bytes:
    if fmt == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    image.info.clear()  # nothing from the original file's metadata is written back
    out = io.BytesIO()
    options: dict[str, object] = {"quality": 88} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _decode(data: bytes, fmt: str, max_pixels: int) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=[fmt])
        width, height = image.size
        if width * height > max_pixels:
            raise UnsupportedFileType(f"images may have at most {max_pixels} pixels")
        image.load()
    return image


def reencode(
    data: bytes, *, content_type: str, max_pixels: int, max_side: int, thumb_side: int
) -> Reencoded:
    """Decode ``data`` (sniffed as ``content_type``), strip metadata, bound its size.

    CPU-bound: call it in a worker thread. Raises ``UnsupportedFileType`` when the
    bytes do not decode as the type their magic bytes announced.
    """
    fmt = _FORMATS.get(content_type)
    if fmt is None:
        raise UnsupportedFileType("avatars must be JPEG, PNG or WebP images")
    try:
        image = _decode(data, fmt, max_pixels)
        image = ImageOps.exif_transpose(image)  # keep the intended orientation, then drop EXIF
        image.thumbnail((max_side, max_side))
        thumb = ImageOps.fit(image, (thumb_side, thumb_side))
        return Reencoded(_save(image, fmt), _save(thumb, fmt), content_type)
    except UnsupportedFileType:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnsupportedFileType("the image cannot be decoded") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise UnsupportedFileType("the image cannot be decoded") from None
