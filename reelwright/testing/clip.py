"""A tiny random-weight CLIP model for frame-measurement tests (`reelwright.critic.frames`):
a few channels, `torch.manual_seed(0)`, a tokenizer from a generated vocab, saved with
safetensors. Nothing is downloaded; torch and transformers are imported inside the function."""

from __future__ import annotations

from pathlib import Path

from reelwright.testing.diffusion import tiny_clip_tokenizer


def build_tiny_clip(folder: Path) -> Path:
    """Save a tiny CLIPModel and its CLIPProcessor (32x32 images) into `folder/tiny-clip`."""
    import torch
    from transformers import (
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPProcessor,
        CLIPTextConfig,
        CLIPVisionConfig,
    )

    folder = Path(folder)
    tokenizer = tiny_clip_tokenizer(folder / "_clip_tokenizer_src")
    vocab = tokenizer.get_vocab()
    text = CLIPTextConfig(
        bos_token_id=vocab["<|startoftext|>"],
        eos_token_id=vocab["<|endoftext|>"],
        pad_token_id=vocab["<|endoftext|>"],
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        vocab_size=len(vocab),
        max_position_embeddings=77,
    )
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        image_size=32,
        patch_size=8,
    )
    torch.manual_seed(0)
    model = CLIPModel(
        CLIPConfig(text_config=text.to_dict(), vision_config=vision.to_dict(), projection_dim=16)
    )
    processor = CLIPProcessor(
        image_processor=CLIPImageProcessor(
            size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
        ),
        tokenizer=tokenizer,
    )
    out = folder / "tiny-clip"
    model.save_pretrained(out, safe_serialization=True)
    processor.save_pretrained(out)
    return out
