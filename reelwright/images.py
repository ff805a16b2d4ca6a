"""Opening untrusted images: the header's size is checked before any pixel is decoded, so a
small file that claims a huge image (a decompression bomb) is refused with a clear message."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from reelwright.errors import InputError

if TYPE_CHECKING:
    from PIL import Image as PILImage

MAX_IMAGE_PIXELS = 8192 * 8192  # the largest frame a RenderJob may ask for


@contextmanager
def open_image(path: Path | str, what: str) -> Iterator[PILImage.Image]:
    """Image.open, refusing (InputError naming `what`) an unreadable file or one whose header
    claims more than MAX_IMAGE_PIXELS pixels; the pixels are decoded only when used."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"claims {claimed[1]} pixels" if claimed else f"is too large ({exc})"
        raise InputError(
            f"{what} {size}; the limit is {MAX_IMAGE_PIXELS} pixels (refused before decoding)"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{what} is not an image Reelwright can read: {exc}") from None
    with img:
        width, height = img.size
        if width * height > MAX_IMAGE_PIXELS:
            raise InputError(
                f"{what} is {width}x{height} ({width * height} pixels); the limit is "
                f"{MAX_IMAGE_PIXELS} pixels (refused before decoding)"
            )
        yield img
