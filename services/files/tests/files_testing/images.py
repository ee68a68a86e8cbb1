"""Image and byte samples for upload tests."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG carrying EXIF with a camera model and a GPS position."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "SpyCam 3000"  # Model
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 200)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
