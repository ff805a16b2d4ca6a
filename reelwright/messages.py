"""Chat messages for the LLM port: plain text, or text and images in typed parts.

A prompt builder returns `ChatMessage`s (or, for text, plain `{"role", "content"}` dicts);
the port turns them into the OpenAI wire shape (`image_url` content parts) and, where the
endpoint takes no images, into text-only messages that say which image was left out.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant"]
IMAGE_DATA_URL = r"^data:image/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$"


class TextPart(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["text"] = "text"
    text: str


class ImagePart(BaseModel):
    """An image as a data URL (never a remote URL: nothing is fetched on our behalf), with a
    label saying what it shows ("shot s1-2"), used when the image cannot be sent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["image"] = "image"
    url: str = Field(pattern=IMAGE_DATA_URL, repr=False)
    label: str = Field(min_length=1, max_length=200)
    detail: Literal["low", "high", "auto"] = "low"


ContentPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class ChatMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    content: str | tuple[ContentPart, ...]

    @classmethod
    def of(cls, message: ChatMessage | Mapping[str, Any]) -> ChatMessage:
        """A message from a `ChatMessage` or a plain `{"role", "content"}` dict."""
        return message if isinstance(message, ChatMessage) else cls.model_validate(dict(message))

    @property
    def text(self) -> str:
        """The message's text: its text parts joined (images left out)."""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def images(self) -> tuple[ImagePart, ...]:
        if isinstance(self.content, str):
            return ()
        return tuple(p for p in self.content if isinstance(p, ImagePart))

    def with_text_appended(self, extra: str) -> ChatMessage:
        if isinstance(self.content, str):
            return self.model_copy(update={"content": f"{self.content}\n\n{extra}"})
        return self.model_copy(update={"content": (*self.content, TextPart(text=extra))})

    def without_images(self) -> ChatMessage:
        """Text only: each image becomes a line saying what was not shown."""
        if isinstance(self.content, str) or not self.images:
            return self
        parts = [
            p if isinstance(p, TextPart) else TextPart(text=f"[image of {p.label} not shown]")
            for p in self.content
        ]
        return self.model_copy(update={"content": "\n".join(p.text for p in parts)})

    def wire(self) -> dict[str, object]:
        """The OpenAI chat-completions shape."""
        if isinstance(self.content, str):
            return {"role": self.role, "content": self.content}
        return {
            "role": self.role,
            "content": [
                {"type": "text", "text": p.text}
                if isinstance(p, TextPart)
                else {"type": "image_url", "image_url": {"url": p.url, "detail": p.detail}}
                for p in self.content
            ],
        }


def image_part(path: Path | str, label: str, *, max_px: int = 256, quality: int = 80) -> ImagePart:
    """A frame as a small JPEG data URL: downscaled to fit `max_px` on its longer side (a
    vision model's low-detail tile is 512 px; 256 px keeps a whole episode's frames cheap).
    Raises `InputError` (from `open_image`) for a file that is not a readable image."""
    from reelwright.images import open_image

    with open_image(path, f"frame of {label}") as img:
        small = img.convert("RGB")
        small.thumbnail((max_px, max_px))
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=quality)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return ImagePart(url=f"data:image/jpeg;base64,{data}", label=label)


__all__ = ["ChatMessage", "ContentPart", "ImagePart", "TextPart", "image_part"]
