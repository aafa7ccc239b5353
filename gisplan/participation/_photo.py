"""The optional photo of a proposal: type from the magic bytes, size-limited, re-encoded without metadata.

A photo is accepted only when its first bytes say JPEG, PNG or WebP (the file
name and the browser's content type are not trusted), it is at most
:data:`MAX_PHOTO_BYTES`, Pillow decodes it completely, and it has at most
:data:`MAX_PIXELS` pixels (a small file can unpack into a huge image). It is then
turned upright by its EXIF orientation, shrunk to :data:`MAX_SIDE_PX` and encoded
again (JPEG, or PNG when it has transparency), which drops EXIF (GPS position,
camera serial number), XMP, ICC and text chunks: nothing of the original file is kept.
"""

from __future__ import annotations

import io
import warnings

from gisplan.errors import RefusedError

#: Largest photo accepted [bytes] (5 MB: a phone photo; the re-encoded copy is smaller).
MAX_PHOTO_BYTES = 5 * 1024 * 1024
#: Largest image accepted [pixels] (40 Mpx: more than any phone camera).
MAX_PIXELS = 40_000_000
#: Longest side of the stored copy [px].
MAX_SIDE_PX = 1600
#: Magic bytes of the accepted formats.
_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)


def sniff(data: bytes) -> str | None:
    """The format named by the first bytes of ``data`` (``JPEG``, ``PNG``, ``WEBP``), or None."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean_photo(data: bytes, *, max_bytes: int = MAX_PHOTO_BYTES) -> tuple[bytes, str]:
    """Check a photo and return ``(bytes, media type)`` of a re-encoded copy without metadata.

    Raises
    ------
    RefusedError
        ``photo_too_large`` (over ``max_bytes`` or :data:`MAX_PIXELS`), ``photo_not_image``
        (not JPEG/PNG/WebP by its first bytes, or not decodable) or ``photo_unsupported``
        (Pillow is not installed, so the metadata could not be removed).
    """
    if len(data) > max_bytes:
        msg = (
            f"the photo has {len(data) / 1e6:.1f} MB, at most {max_bytes / 1e6:.0f} MB is accepted; send a smaller one"
        )
        raise RefusedError(msg, reason="photo_too_large")
    kind = sniff(data)
    if kind is None:
        msg = "the file is not a JPEG, PNG or WebP photo (checked by its content, not its name); choose a photo"
        raise RefusedError(msg, reason="photo_not_image")
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:
        msg = "photos cannot be accepted on this server (Pillow is not installed); send the proposal without one"
        raise RefusedError(msg, reason="photo_unsupported") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    msg = f"the photo has {width}×{height} pixels, at most {MAX_PIXELS / 1e6:.0f} Mpx are accepted"
                    raise RefusedError(msg, reason="photo_too_large")
                img.load()
                upright = ImageOps.exif_transpose(img)
    except RefusedError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        msg = f"the photo cannot be read ({exc.__class__.__name__}); it may be damaged. Choose another photo"
        raise RefusedError(msg, reason="photo_not_image") from exc
    upright.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    out = io.BytesIO()
    if (upright.mode in ("RGBA", "LA", "P") and "transparency" in upright.info) or upright.mode in ("RGBA", "LA"):
        fresh = Image.new("RGBA", upright.size)
        fresh.paste(upright.convert("RGBA"))
        fresh.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    fresh = Image.new("RGB", upright.size)
    fresh.paste(upright.convert("RGB"))
    fresh.save(out, format="JPEG", quality=85)
    return out.getvalue(), "image/jpeg"


__all__ = ["MAX_PHOTO_BYTES", "MAX_PIXELS", "clean_photo", "sniff"]
